"""What each kind of submission adds to the staff submission page (a letter's mailbox and attachments, a
comment's draft and article, an open-day question's event), and the few facts the citizen's own status page
shows about it (the letter's category, the draft and article commented on …). The domain packages register
providers for their kind; the tracking engine knows none of them.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import pgettext

from consult.extensions import db
from consult.tracking.models import Submission


@dataclass(frozen=True)
class KindDetails:
    """A partial template (``templates/<domain>/_staff_details.html``) and what it shows, loaded by the view."""

    template: str
    context: dict = field(default_factory=dict)


@dataclass(frozen=True)
class CitizenFact:
    """One line of the citizen's status page: a label, a value and, where there is one, a public link."""

    label: str
    value: str
    url: str | None = None


@dataclass(frozen=True)
class CitizenAnswer:
    """An answer the kind gives besides replies, e.g. a comment's disposition in the published feedback
    report: a heading, its lines (the disposition, the reason, where to read more) and when it was given."""

    heading: str
    facts: list[CitizenFact]
    given_at: datetime | None = None

    def as_text(self) -> str:
        """The answer as plain text, one line per fact with its link (the API's ``answer.body``)."""
        lines = [(fact.label, " ".join(filter(None, (fact.value, fact.url)))) for fact in self.facts]
        return "\n".join(
            pgettext("a label ending in a colon, then its value", "%(label)s %(value)s", label=label, value=value)
            for label, value in lines
        )


_providers: dict[str, Callable[[Submission], KindDetails | None]] = {}
_citizen_providers: dict[str, Callable[[Submission], list[CitizenFact]]] = {}
_answer_providers: dict[str, Callable[[Submission], CitizenAnswer | None]] = {}


def register(kind: str, provider: Callable[[Submission], KindDetails | None]) -> None:
    """Let ``provider(submission)`` describe submissions of ``kind`` on the staff page."""
    _providers[kind] = provider


def details_for(submission: Submission) -> KindDetails | None:
    provider = _providers.get(submission.kind)
    return provider(submission) if provider is not None else None


def register_citizen_facts(kind: str, provider: Callable[[Submission], list[CitizenFact]]) -> None:
    """Let ``provider(submission)`` say what the citizen's status page shows about submissions of ``kind``."""
    _citizen_providers[kind] = provider


def citizen_facts_for(submission: Submission) -> list[CitizenFact]:
    provider = _citizen_providers.get(submission.kind)
    return provider(submission) if provider is not None else []


def register_citizen_answer(kind: str, provider: Callable[[Submission], CitizenAnswer | None]) -> None:
    """Let ``provider(submission)`` give the answer the kind itself publishes (shown on the status page and
    in the API beside, or instead of, a reply)."""
    _answer_providers[kind] = provider


def citizen_answer_for(submission: Submission) -> CitizenAnswer | None:
    provider = _answer_providers.get(submission.kind)
    return provider(submission) if provider is not None else None


def detail_row(model, submission: Submission, *options):
    """The kind's own row for ``submission`` (``model.submission_id`` points at it), loaded with ``options``."""
    return db.session.scalar(sa.select(model).where(model.submission_id == submission.id).options(*options))
