"""Traceability: the draft's revised text recorded after the consultation, adopted units linked to the articles
they changed in it, and what the feedback report says about them ("该意见促成了第X条的修改", with the diff)."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from consult.authz import DRAFT_ROLES
from consult.domain import DomainError
from consult.drafts import transitions, versions
from consult.drafts.models import (
    ADOPTED, CLOSED, PARTLY_ADOPTED, REPORT_APPROVED, REPORT_PENDING, Comment, Draft, DraftVersion,
    public_comment_text,
)  # fmt: skip
from consult.drafts.queries import article_labels
from consult.extensions import db
from consult.localtime import as_utc
from consult.tracking.models import Submission
from consult.workbench import queries
from consult.workbench.models import AnalysisMember, AnalysisUnit, UnitChange

ADOPTING = (ADOPTED, PARTLY_ADOPTED)


def consultation_version(draft: Draft) -> DraftVersion | None:
    """The text the public last commented on: the newest version made before the consultation closed."""
    if draft.closed_at is None:
        return draft.current_version
    return db.session.scalar(sa.select(DraftVersion).where(
        DraftVersion.draft_id == draft.id, DraftVersion.created_at < draft.closed_at,
    ).order_by(DraftVersion.number.desc()).limit(1))


def revised_version(draft: Draft) -> DraftVersion | None:
    """The draft's next version: the text recorded after the consultation closed, if any."""
    current = draft.current_version
    if draft.closed_at is None or current is None or current.number == 1:
        return None
    return current if as_utc(current.created_at) >= as_utc(draft.closed_at) else None


def _require_editor(draft: Draft, user) -> None:
    if not (user.is_authenticated and user.role in DRAFT_ROLES):
        raise DomainError(_l("Only an editor may record the revised text."), status=403)
    if draft.status != CLOSED or draft.report_state in (REPORT_PENDING, REPORT_APPROVED):
        raise DomainError(_l("The revised text is recorded after the consultation closes and before the report "
                             "is sent for approval."), status=409)


def record_revision(draft: Draft, body: str, change_note: str, user) -> DraftVersion:
    """Record the revised text of the draft (its next version), shown with its change note on the versions page.

    Recording it again replaces the text; links to articles the new text no longer changes are dropped.
    """
    _require_editor(draft, user)
    body, change_note = (body or "").strip(), (change_note or "").strip()
    if not change_note:
        raise DomainError(_l("Please describe what changed in this version."), field="change_note")
    before = consultation_version(draft)
    if before is not None and body == before.body.strip():
        raise DomainError(_l("The revised text is the same as the text put out for comment."), field="body")
    revised = revised_version(draft)
    if revised is None:
        revised = versions.add_version(draft, body, change_note=change_note, author=user)
    else:
        revised.body, revised.change_note = body, change_note
        versions.build_articles(revised)
    db.session.flush()
    still_changed = set(changed_articles(draft))
    db.session.execute(sa.delete(UnitChange).where(UnitChange.version_id == revised.id,
                                                   UnitChange.anchor.not_in(still_changed))
                       .execution_options(synchronize_session=False))
    db.session.flush()
    return revised


def changed_articles(draft: Draft) -> dict[str, tuple[str, str]]:
    """Anchor → (text before, text after) of every article the revised text changed or added (in its order)."""
    revised, before = revised_version(draft), consultation_version(draft)
    if revised is None or before is None:
        return {}
    old = {a.anchor: a.body for a in before.articles}
    return {a.anchor: (old.get(a.anchor, ""), a.body) for a in revised.articles
            if old.get(a.anchor, "").strip() != a.body.strip()}


def link_unit(unit: AnalysisUnit, anchors: list[str], user) -> None:
    """Record which articles of the revised text an adopted unit changed (replacing an earlier choice)."""
    draft = db.session.get(Draft, unit.run.draft_id)
    if not transitions.may_answer(user, draft):
        raise DomainError(_l("You may not answer the comments on this draft."), status=403)
    if draft.status != CLOSED or draft.report_state in (REPORT_PENDING, REPORT_APPROVED):
        raise DomainError(_l("Dispositions are given after the consultation closes and before the report is sent "
                             "for approval."), status=409)
    current = queries.current_run(draft.id)
    if current is None or current.id != unit.run_id:
        raise DomainError(_l("A newer analysis has replaced this unit. Please open it again from the list."),
                          status=409)
    if unit.disposition not in ADOPTING:
        raise DomainError(_l("Only an adopted or partly adopted unit can be linked to a change."), status=409)
    revised = revised_version(draft)
    if revised is None:
        raise DomainError(_l("Record the revised text of the draft first."), status=409)
    changed = changed_articles(draft)
    unknown = [a for a in anchors if a not in changed]
    if unknown:
        raise DomainError(_l("Choose only articles the revised text changed."), field="anchors")
    db.session.execute(sa.delete(UnitChange).where(UnitChange.unit_id == unit.id))
    for anchor in dict.fromkeys(anchors):
        db.session.add(UnitChange(unit_id=unit.id, anchor=anchor, version_id=revised.id, created_by_id=user.id))
    db.session.flush()


def unlink_if_not_adopted(unit: AnalysisUnit) -> None:
    """A unit no longer adopted changed nothing."""
    if unit.disposition not in ADOPTING:
        db.session.execute(sa.delete(UnitChange).where(UnitChange.unit_id == unit.id))


def linked_anchors(unit: AnalysisUnit) -> list[str]:
    return list(db.session.scalars(sa.select(UnitChange.anchor).where(UnitChange.unit_id == unit.id)
                                   .order_by(UnitChange.id)))


@dataclass(frozen=True)
class ReportChange:
    """An adopted unit in the report: what it said (public text), how many said it, the articles it changed."""

    kind: str
    size: int
    text: str
    articles: list[tuple[str, Markup]]  # (label, diff)


def report_changes(draft: Draft) -> list[ReportChange]:
    """The changes the comments led to, for the published report (no personal data: texts are redacted)."""
    run = queries.current_run(draft.id)
    if run is None:
        return []
    rows = db.session.execute(
        sa.select(UnitChange.unit_id, UnitChange.anchor, AnalysisUnit.kind, AnalysisUnit.size, Comment.body,
                  Submission.submitter_name, Submission.submitter_phone, Submission.submitter_email)
        .join(AnalysisUnit, AnalysisUnit.id == UnitChange.unit_id)
        .join(Comment, Comment.id == AnalysisUnit.lead_comment_id)
        .join(Submission, Submission.id == Comment.submission_id)
        .where(AnalysisUnit.run_id == run.id).order_by(AnalysisUnit.position, UnitChange.id)
    ).all()
    if not rows:
        return []
    changed, labels = changed_articles(draft), article_labels(draft.id)
    by_unit: dict[int, dict] = {}
    for row in rows:
        entry = by_unit.setdefault(row.unit_id, {
            "kind": row.kind, "size": row.size, "articles": [],
            "text": public_comment_text(row.body, row.submitter_name, row.submitter_phone, row.submitter_email),
        })
        if row.anchor in changed:
            before, after = changed[row.anchor]
            entry["articles"].append((labels.get(row.anchor, row.anchor), versions.diff_html(before, after)))
    return [ReportChange(**entry) for entry in by_unit.values() if entry["articles"]]


@dataclass(frozen=True)
class CampaignFigures:
    templates: int
    comments: int
    share: float


def campaign_figures(draft_id: int) -> CampaignFigures | None:
    """"7 个意见模板共 3,800 条，占 38%": the current analysis's campaigns (None when never analysed)."""
    run = queries.current_run(draft_id)
    if run is None or not run.summary:
        return None
    summary = run.summary
    return CampaignFigures(summary["units_by_kind"].get("campaign", 0), summary["campaign_comments"],
                           summary["campaign_share"])


def changes_by_comment(draft_id: int) -> dict[int, list[str]]:
    """Comment id → anchors of the articles its unit changed, for the adopted comments of linked units (a
    comment given its own disposition that is not adopted changed nothing). Read once when the report is
    published, so every such commenter is told."""
    run = queries.current_run(draft_id)
    if run is None:
        return {}
    rows = db.session.execute(
        sa.select(AnalysisMember.comment_id, UnitChange.anchor)
        .join(AnalysisUnit, AnalysisUnit.id == UnitChange.unit_id)
        .join(AnalysisMember, AnalysisMember.unit_id == AnalysisUnit.id)
        .join(Comment, Comment.id == AnalysisMember.comment_id)
        .where(AnalysisUnit.run_id == run.id, Comment.disposition.in_(ADOPTING))
        .order_by(AnalysisMember.comment_id, UnitChange.id)
    )
    changes: dict[int, list[str]] = {}
    for comment_id, anchor in rows:
        changes.setdefault(comment_id, []).append(anchor)
    return changes
