"""Notes the system writes (on the timeline, as a dismissal reason) kept as a message and its values, and put
into words in the reader's language each time they are shown: on a page, in the API, in a mail.

Stored as JSON, ``{"msg": "Transferred to %(department)s.", "args": {"department": "县财政局"}}``: ``msg`` is the
English message id (translated when shown), a date is ``{"date": "2026-04-14"}`` (a Babel date when shown),
a nested message has the same shape, and text typed by people stays as it is. Rows keep their message id for
ever, so the English of a message that rows may hold never changes: write a new message instead.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import force_locale, gettext

from consult.formats import format_day


@dataclass(frozen=True)
class Note:
    """A message id and its values, rendered in the current language by ``str()``."""

    msgid: str
    args: Mapping[str, Any]

    def to_json(self) -> dict:
        return {"msg": self.msgid, "args": {name: _value_to_json(value) for name, value in self.args.items()}}

    @classmethod
    def from_json(cls, data: Mapping) -> "Note":
        return cls(data["msg"], {name: _value_from_json(value) for name, value in (data.get("args") or {}).items()})

    def __str__(self) -> str:
        values = {name: _shown(value) for name, value in self.args.items()}
        return gettext(self.msgid, **values) if values else gettext(self.msgid)


def timeline_note(msgid: str, **args) -> Note:
    """A note in the system's words: ``msgid`` is the English text (extracted with ``-k timeline_note``),
    ``args`` its values: text, numbers, dates (``date``) and other notes."""
    return Note(msgid, args)


def label_note(label) -> Note:
    """A note for a translatable label without values (a lazy ``_l("Disclosed")``): its English is its id."""
    with force_locale("en"):
        return Note(str(label), {})


def stored(note: "Note | str | None") -> tuple[str, dict | None]:
    """What a note column pair keeps: (free text, None) for text people typed, ("", message) for a Note."""
    if note is None:
        return "", None
    if isinstance(note, Note):
        return "", note.to_json()
    if isinstance(note, str):
        return note, None
    raise TypeError(f"a note is text typed by a person or a timeline_note(...), not {type(note).__name__}")


def shown(message: Mapping | None, text: str) -> str:
    """The note in the reader's language: the message when there is one, else the text as it was typed."""
    return str(Note.from_json(message)) if message else (text or "")


def _value_to_json(value):
    if isinstance(value, Note):
        return value.to_json()
    if isinstance(value, date) and not isinstance(value, datetime):
        return {"date": value.isoformat()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"a note value is text, a number, a date or a Note, not {type(value).__name__}")


def _value_from_json(value):
    if isinstance(value, Mapping):
        if "msg" in value:
            return Note.from_json(value)
        if "date" in value:
            return date.fromisoformat(value["date"])
    return value


def _shown(value) -> str | int | float:
    if isinstance(value, Note):
        return str(value)
    if isinstance(value, date):
        return format_day(value)
    return "" if value is None else value
