"""Small reads of questionnaires for other pages: the questionnaires attached to a draft, for its public
page (those open for answers or with published results) and its office page (all of them, for the
view to keep those the reader may see)."""

from dataclasses import dataclass

import sqlalchemy as sa

from consult.database import utcnow
from consult.extensions import db
from consult.surveys.models import APPROVED, CLOSED, OPEN, RESULTS_PUBLIC, Questionnaire, status_at


@dataclass(frozen=True)
class Attached:
    """A questionnaire attached to a draft, as a link shows it."""

    id: int
    title: str
    department_id: int
    status: str
    results_published: bool


def on_draft(draft_id: int, *, public: bool) -> list[Attached]:
    """The questionnaires attached to a draft, oldest first: for the public, only those open for answers or
    whose results are published; for staff, all of them (one query)."""
    stmt = (sa.select(Questionnaire.id, Questionnaire.title, Questionnaire.department_id,
                      Questionnaire.recorded_status, Questionnaire.opens_at,
                      Questionnaire.closes_at, Questionnaire.results_visibility)
            .where(Questionnaire.draft_id == draft_id).order_by(Questionnaire.id))
    if public:
        stmt = stmt.where(Questionnaire.recorded_status == APPROVED)
    now, found = utcnow(), []
    for qid, title, department_id, recorded, opens_at, closes_at, visibility in db.session.execute(stmt):
        status = status_at(recorded, opens_at, closes_at, now)
        published = status == CLOSED and visibility == RESULTS_PUBLIC
        if public and status != OPEN and not published:
            continue
        found.append(Attached(qid, title, department_id, status, published))
    return found
