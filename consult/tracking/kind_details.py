"""What each kind of submission adds to the staff submission page (a letter's mailbox and attachments, a
comment's draft and article, an open-day question's event), and the few facts the citizen's own status page
shows about it (the letter's category, the draft and article commented on …). Each domain registers its
providers with its kind (:mod:`consult.tracking.kinds`); the tracking engine knows none of them.
"""

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import pgettext

from consult.extensions import db
from consult.tracking import kinds
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


def details_for(submission: Submission) -> KindDetails | None:
    """The panel the submission's kind shows on the staff page, if it registered one."""
    provider = kinds.kind_of(submission.kind).details
    return provider(submission) if provider is not None else None


def citizen_facts_for(submission: Submission) -> list[CitizenFact]:
    """What the submission's kind shows on the citizen's status page, if it registered anything."""
    provider = kinds.kind_of(submission.kind).citizen_facts
    return provider(submission) if provider is not None else []


def citizen_answer_for(submission: Submission) -> CitizenAnswer | None:
    """The answer the submission's kind publishes itself (shown on the status page and in the API beside, or
    instead of, a reply), if it registered one."""
    provider = kinds.kind_of(submission.kind).citizen_answer
    return provider(submission) if provider is not None else None


def detail_row(model, submission: Submission, *options):
    """The kind's own row for ``submission`` (``model.submission_id`` points at it), loaded with ``options``."""
    return db.session.scalar(sa.select(model).where(model.submission_id == submission.id).options(*options))
