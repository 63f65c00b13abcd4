"""The kinds of submission, as their domains register them with the engine.

The engine handles every submission the same way (intake, deadlines, state machine, replies, timeline);
what differs by kind is registered here by the kind's own domain package, in its ``kind.py``: the policy
(tracking-number prefix, answer window, clock rules, extensions), what the kind is called (a label, and a
noun for sentences), the labels of the timeline actions only that kind records, the panels the staff
page and the citizen's status page show, and any answer the kind publishes besides replies (a comment's
disposition in the feedback report). The engine reads kinds only through this module and imports no
domain. Only the kind codes themselves are known to the schema (``tracking.models.KINDS``, a CHECK
constraint), since a database row must say what it is.

A new kind: add its code to ``KINDS`` (with a migration), and call :func:`register` from ``<domain>/kind.py``,
which ``consult.create_app`` imports.
"""

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from consult.tracking.models import KINDS

if TYPE_CHECKING:
    from consult.tracking.kind_details import CitizenAnswer, CitizenFact, KindDetails
    from consult.tracking.models import Submission
    from consult.tracking.policies import KindPolicy


@dataclass(frozen=True)
class Kind:
    """What one kind of submission registers with the engine."""

    code: str
    policy: "KindPolicy"
    label: object  # lazy string: "Letter", "Information request" …
    noun: object  # lazy string inside a sentence: "your letter L-…"
    action_labels: Mapping[str, object] = field(default_factory=dict)  # timeline actions of this kind only
    details: "Callable[[Submission], KindDetails | None] | None" = None  # panel on the staff page
    citizen_facts: "Callable[[Submission], list[CitizenFact]] | None" = None  # lines on the status page
    citizen_answer: "Callable[[Submission], CitizenAnswer | None] | None" = None  # an answer besides replies


_registry: dict[str, Kind] = {}


def register(kind: Kind) -> None:
    """Make ``kind`` known to the engine (a domain's ``kind.py`` calls this once, when it is imported)."""
    if kind.code != kind.policy.kind:
        raise ValueError(f"kind {kind.code!r} registered with the policy of {kind.policy.kind!r}")
    _registry[kind.code] = kind
    order = {code: at for at, code in enumerate(KINDS)}  # the schema's order, whoever registered first
    for code in sorted(_registry, key=lambda c: order.get(c, len(order))):
        _registry[code] = _registry.pop(code)


def kind_of(code: str) -> Kind:
    """The registered kind ``code``; LookupError when no domain registered it."""
    try:
        return _registry[code]
    except KeyError:
        raise LookupError(f"no kind {code!r} is registered (is its domain's kind.py imported?)") from None


def registered() -> tuple[Kind, ...]:
    """Every registered kind."""
    return tuple(_registry.values())


class _KindLabels(Mapping):
    """``{code: label}`` of the registered kinds, read when used (so a module may hold it from import)."""

    def __init__(self, attribute: str):
        self._attribute = attribute

    def __getitem__(self, code: str):
        if code not in _registry:
            raise KeyError(code)
        return getattr(_registry[code], self._attribute)

    def __iter__(self) -> Iterator[str]:
        return iter(_registry)

    def __len__(self) -> int:
        return len(_registry)


KIND_LABELS: Mapping[str, object] = _KindLabels("label")
KIND_NOUNS: Mapping[str, object] = _KindLabels("noun")


class ActionLabels(Mapping):
    """The engine's own timeline action labels, then those every registered kind adds."""

    def __init__(self, own: Mapping[str, object]):
        self._own = own

    def _all(self) -> dict[str, object]:
        merged = dict(self._own)
        for kind in _registry.values():
            merged.update(kind.action_labels)
        return merged

    def __getitem__(self, action: str):
        if action in self._own:
            return self._own[action]
        for kind in _registry.values():
            if action in kind.action_labels:
                return kind.action_labels[action]
        raise KeyError(action)

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())
