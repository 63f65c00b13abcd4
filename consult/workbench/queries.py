"""Read side of the workbench: the current run, unit lists and members in cursor pages, counts from columns.

Every page reads a fixed, small number of rows whatever the number of comments: units and members are paged
by keyset on indexed columns, the overview's numbers are stored with the run.
"""

from dataclasses import dataclass

import sqlalchemy as sa

from consult.drafts.models import REJECTED, Comment
from consult.extensions import db
from consult.pagination import Page, paginate
from consult.tracking.models import Submission
from consult.workbench.models import DONE, STANCE_CODES, AnalysisMember, AnalysisRun, AnalysisUnit

PER_PAGE = 50
NEW_COMMENTS_CAP = 10_000  # "more than 10,000 new comments" is all the page needs to say


def latest_run(draft_id: int) -> AnalysisRun | None:
    """The newest run of the draft, whatever its state (what the status panel shows)."""
    return db.session.scalar(sa.select(AnalysisRun).where(AnalysisRun.draft_id == draft_id)
                             .order_by(AnalysisRun.id.desc()).limit(1))


def current_run(draft_id: int) -> AnalysisRun | None:
    """The newest finished run: the one whose units the pages show."""
    return db.session.scalar(sa.select(AnalysisRun).where(AnalysisRun.draft_id == draft_id,
                                                          AnalysisRun.status == DONE)
                             .order_by(AnalysisRun.id.desc()).limit(1))


def undecided_units(draft_id: int) -> int:
    """Units of the current run without a disposition (0 when the draft was never analysed)."""
    run = current_run(draft_id)
    return run.undecided_units if run else 0


def new_comments_since(run: AnalysisRun) -> int:
    """Comments received after the run read them (at most :data:`NEW_COMMENTS_CAP`): they are in no unit yet."""
    newer = (sa.select(Comment.id).where(Comment.draft_id == run.draft_id, Comment.id > run.last_comment_id,
                                         Comment.moderation != REJECTED).limit(NEW_COMMENTS_CAP))
    return db.session.scalar(sa.select(sa.func.count()).select_from(newer.subquery()))


@dataclass(frozen=True)
class UnitFilters:
    kind: str = ""
    article: str | None = None  # None: every article; "": the whole draft
    undecided: bool = False


def unit_page(run: AnalysisRun, filters: UnitFilters, cursor: str | None, per_page: int = PER_PAGE) -> Page:
    """Units of the run in their order (campaigns largest first, topics, singles), with the lead comment's
    text, one page at a time. Rows: (unit, lead text)."""
    stmt = (sa.select(AnalysisUnit, Comment.body).join(Comment, Comment.id == AnalysisUnit.lead_comment_id)
            .where(AnalysisUnit.run_id == run.id))
    if filters.kind:
        stmt = stmt.where(AnalysisUnit.kind == filters.kind)
    if filters.article is not None:
        stmt = stmt.where(AnalysisUnit.article_anchor == filters.article)
    if filters.undecided:
        stmt = stmt.where(AnalysisUnit.disposition.is_(None))
    return paginate(db.session, stmt, [AnalysisUnit.position], cursor, per_page)


def member_page(unit: AnalysisUnit, cursor: str | None, *, edited_only: bool = False,
                per_page: int = PER_PAGE) -> Page:
    """The unit's comments in id order with their stance, edits, disposition and tracking number."""
    stmt = (sa.select(AnalysisMember.comment_id, AnalysisMember.stance, AnalysisMember.edits,
                      AnalysisMember.overridden, Comment.body, Comment.article_anchor, Comment.disposition,
                      Comment.disposition_reason, Comment.moderation, Submission.tracking_no)
            .join(Comment, Comment.id == AnalysisMember.comment_id)
            .join(Submission, Submission.id == Comment.submission_id)
            .where(AnalysisMember.unit_id == unit.id))
    if edited_only:
        stmt = stmt.where(AnalysisMember.edits.is_not(None))
    return paginate(db.session, stmt, [AnalysisMember.comment_id], cursor, per_page)


def comments_by_id(ids: list[int]) -> dict[int, Comment]:
    """Comments (with their submissions) by id, in one query."""
    if not ids:
        return {}
    rows = db.session.scalars(sa.select(Comment).where(Comment.id.in_(ids))
                              .options(sa.orm.joinedload(Comment.submission)))
    return {c.id: c for c in rows}


def stance_table(run: AnalysisRun, order: list[str], labels: dict[str, str]) -> list[tuple[str, str, dict, int]]:
    """(anchor, label, counts by stance code, total) per article, in the draft's order, from the run's summary."""
    by_article = (run.summary or {}).get("stance_by_article", {})
    ranked = sorted(by_article, key=lambda a: (a != "", order.index(a) if a in order else len(order), a))
    rows = []
    for anchor in ranked:
        counts = {code: by_article[anchor].get(code, 0) for code in STANCE_CODES}
        rows.append((anchor, labels.get(anchor, anchor), counts, sum(counts.values())))
    return rows
