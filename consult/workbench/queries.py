"""Read side of the workbench: the current run, unit lists and members in cursor pages, counts from columns.

Every page reads a fixed, small number of rows whatever the number of comments: units and members are paged
by keyset on indexed columns, the overview's numbers are stored with the run.
"""

from dataclasses import dataclass

import sqlalchemy as sa

from consult.drafts.models import Comment
from consult.extensions import db
from consult.pagination import Page, paginate
from consult.surveys.models import SurveyAnswer
from consult.tracking.models import Submission
from consult.workbench import sources
from consult.workbench.models import (
    CAMPAIGN, DONE, SINGLE, STANCE_CODES, TOPIC, AnalysisMember, AnalysisRun, AnalysisUnit,
)  # fmt: skip
from consult.workbench.sources import Source

PER_PAGE = 50
NEW_COMMENTS_CAP = 10_000  # "more than 10,000 new comments" is all the page needs to say


def _source(draft_id: int | None, questionnaire_id: int | None) -> Source:
    return sources.of_draft(draft_id) if draft_id is not None else sources.of_questionnaire(questionnaire_id)


def latest_run(draft_id: int | None = None, *, questionnaire_id: int | None = None) -> AnalysisRun | None:
    """The newest run of the draft (or questionnaire), whatever its state (what the status panel shows)."""
    source = _source(draft_id, questionnaire_id)
    return db.session.scalar(sa.select(AnalysisRun).where(source.owns()).order_by(AnalysisRun.id.desc()).limit(1))


def current_run(draft_id: int | None = None, *, questionnaire_id: int | None = None) -> AnalysisRun | None:
    """The newest finished run of the draft (or questionnaire): the one whose units the pages show."""
    source = _source(draft_id, questionnaire_id)
    return db.session.scalar(sa.select(AnalysisRun).where(source.owns(), AnalysisRun.status == DONE)
                             .order_by(AnalysisRun.id.desc()).limit(1))


def undecided_units(draft_id: int) -> int:
    """Units of the current run without a disposition (0 when the draft was never analysed)."""
    run = current_run(draft_id)
    return run.undecided_units if run else 0


def new_comments_since(run: AnalysisRun) -> int:
    """Comments (or written answers) received after the run read them (at most :data:`NEW_COMMENTS_CAP`): they
    are in no unit yet."""
    source = sources.of_run(run)
    newer = source.items().where(source.item_id > run.last_comment_id).limit(NEW_COMMENTS_CAP)
    return db.session.scalar(sa.select(sa.func.count()).select_from(newer.subquery()))


@dataclass(frozen=True)
class UnitFilters:
    kind: str = ""
    article: str | None = None  # None: every article; "": the whole draft
    undecided: bool = False


def unit_page(run: AnalysisRun, filters: UnitFilters, cursor: str | None, per_page: int = PER_PAGE) -> Page:
    """Units of the run in their order (campaigns largest first, topics, singles), with the lead comment's
    text, one page at a time. Rows: (unit, lead text)."""
    source = sources.of_run(run)
    stmt = source.joined(sa.select(AnalysisUnit, source.text), AnalysisUnit.lead_comment_id).where(
        AnalysisUnit.run_id == run.id)
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


def answer_page(unit: AnalysisUnit, cursor: str | None, *, edited_only: bool = False,
                per_page: int = PER_PAGE) -> Page:
    """The written answers of a questionnaire's unit in id order with their stance and edits (no dispositions,
    no tracking numbers: an answer is no submission). Rows carry the names of :func:`member_page`'s."""
    stmt = (sa.select(AnalysisMember.comment_id, AnalysisMember.stance, AnalysisMember.edits,
                      SurveyAnswer.text.label("body"),
                      sa.cast(SurveyAnswer.question_id, sa.String).label("article_anchor"))
            .join(SurveyAnswer, SurveyAnswer.id == AnalysisMember.comment_id)
            .where(AnalysisMember.unit_id == unit.id))
    if edited_only:
        stmt = stmt.where(AnalysisMember.edits.is_not(None))
    return paginate(db.session, stmt, [AnalysisMember.comment_id], cursor, per_page)


def answer_texts(ids: list[int]) -> dict[int, str]:
    """Written answers' texts by id, in one query."""
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(SurveyAnswer.id, SurveyAnswer.text).where(SurveyAnswer.id.in_(ids))).all())


@dataclass(frozen=True)
class StoredTopic:
    keywords: list[str]
    size: int
    representative_ids: list[int]


@dataclass(frozen=True)
class QuestionSummary:
    """A free-text question's answers as the questionnaire's current run grouped them."""

    run: AnalysisRun
    read: int  # answers the run read for this question
    topics: list[StoredTopic]
    campaigns: int  # form answers (identical or near-identical) of this question
    campaign_answers: int
    singles: int


def question_summary(questionnaire_id: int, question_id: int) -> QuestionSummary | None:
    """The topics of one free-text question from the questionnaire's newest finished run (None: no run yet).
    Reads the run and the question's units: a few rows, whatever the number of answers."""
    run = current_run(questionnaire_id=questionnaire_id)
    if run is None:
        return None
    anchor = str(question_id)
    units = db.session.scalars(sa.select(AnalysisUnit).where(
        AnalysisUnit.run_id == run.id, AnalysisUnit.article_anchor == anchor).order_by(AnalysisUnit.position)).all()
    read = sum((run.summary or {}).get("stance_by_article", {}).get(anchor, {}).values())
    campaigns = [u for u in units if u.kind == CAMPAIGN]
    return QuestionSummary(
        run, read,
        [StoredTopic(list(u.keywords), u.size, list(u.representative_ids)) for u in units if u.kind == TOPIC],
        len(campaigns), sum(u.size for u in campaigns), sum(1 for u in units if u.kind == SINGLE))


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
