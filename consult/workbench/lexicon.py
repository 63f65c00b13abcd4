"""The stance lexicon an admin edits: saved versions in the database, the newest one used by the next analysis.

The lexicon is TOML in the format of the shipped ``consult/analysis/stance_lexicon.toml`` (cue phrases per
stance, negations, turns; see docs/analysis.md). An edit is checked as a whole before anything is saved, and
every problem is reported in the admin's language; a refused edit saves nothing. Every saved version is kept:
restoring an earlier one, or the shipped lexicon, saves it again as the newest. Analyses already done keep
the stances they found until the draft's comments are analysed again.
"""

import re
import tomllib
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from consult.analysis import OPPOSE, REVISE, STANCES, SUPPORT, Lexicon, default_lexicon
from consult.analysis.stance import shipped_text
from consult.domain import DomainError, FieldErrors
from consult.extensions import db
from consult.workbench.models import StanceLexicon

MAX_CHARS = 200_000
HISTORY = 20  # versions listed on the page
CUE_STANCES = (SUPPORT, OPPOSE, REVISE)  # 其他 has no cues: it is what no cue speaks for
_SECTIONS = {"negation": {"window", "words", "not_negations"}, "turn": {"weight", "words"}, "stance": None}
_STANCE_KEYS = {"label", "when_negated", "strong", "cues"}
_WHERE = re.compile(r"at line (\d+), column (\d+)")


def current() -> StanceLexicon | None:
    """The newest saved version, or None while the shipped lexicon is in use."""
    return db.session.scalar(sa.select(StanceLexicon).order_by(StanceLexicon.id.desc()).limit(1))


def current_text() -> str:
    saved = current()
    return saved.body if saved is not None else shipped_text()


def current_lexicon() -> Lexicon:
    """The lexicon the next analysis uses: the newest saved version, else the shipped one."""
    saved = current()
    return default_lexicon() if saved is None else Lexicon.from_toml(saved.body)


def history(limit: int = HISTORY) -> list[StanceLexicon]:
    return list(db.session.scalars(sa.select(StanceLexicon).order_by(StanceLexicon.id.desc()).limit(limit)))


@dataclass(frozen=True)
class StanceCues:
    label: str
    strong: list[str]
    cues: list[str]
    when_negated: str


@dataclass(frozen=True)
class Shown:
    """The lexicon as the page lists it."""

    stances: list[StanceCues]
    negations: list[str]
    not_negations: list[str]
    window: int
    turns: list[str]
    turn_weight: int


def shown(text: str) -> Shown:
    """The lists of a valid lexicon text, for the page."""
    data = tomllib.loads(text)
    negation, turn = data.get("negation", {}), data.get("turn", {})
    return Shown(
        stances=[StanceCues(s["label"], list(s.get("strong", [])), list(s.get("cues", [])),
                            s.get("when_negated", s["label"])) for s in data.get("stance", [])],
        negations=list(negation.get("words", [])), not_negations=list(negation.get("not_negations", [])),
        window=int(negation.get("window", 4)), turns=list(turn.get("words", [])),
        turn_weight=int(turn.get("weight", 2)),
    )


def _words(value) -> bool:
    return isinstance(value, list) and all(isinstance(w, str) for w in value)


def _whole(value, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def check(text: str) -> Lexicon:
    """The lexicon ``text`` describes, or a DomainError listing every problem (field ``body``)."""
    errors = FieldErrors()
    text = (text or "").replace("\r\n", "\n")
    if len(text) > MAX_CHARS:
        raise DomainError(_l("The lexicon is too long: at most %(n)s characters.", n=f"{MAX_CHARS:,}"), field="body")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        where = _WHERE.search(str(error))
        if where:
            message = _l("Line %(line)s, column %(column)s cannot be read. Check the quotation marks, commas and "
                         "brackets there.", line=where.group(1), column=where.group(2))
        else:
            message = _l("The lexicon cannot be read. Check the quotation marks, commas and brackets.")
        raise DomainError(message, field="body") from error
    for key in data:
        if key not in _SECTIONS:
            errors.add("body", _l("Unknown section “%(name)s”: the lexicon has [negation], [turn] and [[stance]] "
                                  "sections.", name=key))
    for name in ("negation", "turn"):
        section = data.get(name, {})
        if not isinstance(section, dict):
            errors.add("body", _l("[%(name)s] must be one section.", name=name))
            continue
        for key, value in section.items():
            if key not in _SECTIONS[name]:
                errors.add("body", _l("Unknown key “%(key)s” in [%(name)s].", key=key, name=name))
            elif key in ("words", "not_negations") and not _words(value):
                errors.add("body", _l("%(key)s in [%(name)s] must be a list of words in quotation marks.",
                                      key=key, name=name))
    window = data.get("negation", {}).get("window", 4) if isinstance(data.get("negation", {}), dict) else 4
    if not _whole(window, 0, 20):
        errors.add("body", _l("window in [negation] must be a whole number from 0 to 20."))
    weight = data.get("turn", {}).get("weight", 2) if isinstance(data.get("turn", {}), dict) else 2
    if not _whole(weight, 1, 10):
        errors.add("body", _l("weight in [turn] must be a whole number from 1 to 10."))
    sections = data.get("stance", [])
    if not isinstance(sections, list) or not all(isinstance(s, dict) for s in sections):
        errors.add("body", _l("Each stance must be a [[stance]] section."))
        sections = []
    seen = set()
    for section in sections:
        label = section.get("label")
        if label not in CUE_STANCES:
            errors.add("body", _l("Unknown stance “%(label)s”: each [[stance]] section has the label 支持, 反对 or "
                                  "建议修改.", label=label if label is not None else ""))
            continue
        if label in seen:
            errors.add("body", _l("The stance %(label)s is listed twice.", label=label))
        seen.add(label)
        for key in section:
            if key not in _STANCE_KEYS:
                errors.add("body", _l("Unknown key “%(key)s” in the stance %(label)s.", key=key, label=label))
        for key in ("strong", "cues"):
            if not _words(section.get(key, [])):
                errors.add("body", _l("%(key)s of the stance %(label)s must be a list of words in quotation marks.",
                                      key=key, label=label))
        phrases = [w for key in ("strong", "cues") if _words(section.get(key, [])) for w in section.get(key, [])]
        if not any(w.strip() for w in phrases):
            errors.add("body", _l("The stance %(label)s has no cue phrases: list at least one under strong or "
                                  "cues.", label=label))
        if section.get("when_negated", label) not in STANCES:
            errors.add("body", _l("when_negated of the stance %(label)s must be 支持, 反对, 建议修改 or 其他.",
                                  label=label))
    for label in CUE_STANCES:
        if label not in seen and not any(s.get("label") == label for s in sections):
            errors.add("body", _l("The stance %(label)s is missing: 支持, 反对 and 建议修改 each need a [[stance]] "
                                  "section.", label=label))
    errors.raise_if_any()
    try:
        return Lexicon.from_toml(text)
    except (ValueError, re.error) as error:  # what the checks above did not foresee
        raise DomainError(_l("The lexicon cannot be used: %(reason)s", reason=str(error)), field="body") from error


def save(text: str, user, *, shipped: bool = False, restored_from: StanceLexicon | None = None
         ) -> StanceLexicon | None:
    """Check ``text`` and save it as the newest version; None when it is the lexicon in use already (a double
    submit saves once). Nothing is saved when the check fails."""
    text = (text or "").replace("\r\n", "\n")
    check(text)
    if text == current_text():
        return None
    version = StanceLexicon(body=text, shipped=shipped or text == shipped_text(), created_by_id=user.id,
                            restored_from_id=restored_from.id if restored_from is not None else None)
    db.session.add(version)
    db.session.flush()
    return version


def restore(version_id: int | None, user) -> StanceLexicon | None:
    """Save an earlier version (``None``: the shipped lexicon) again as the newest; None if it is in use."""
    if version_id is None:
        return save(shipped_text(), user, shipped=True)
    earlier = db.session.get(StanceLexicon, version_id)
    if earlier is None:
        raise DomainError(_l("This version of the lexicon does not exist."), status=404)
    return save(earlier.body, user, restored_from=earlier)
