"""What an analysis run keeps: the run, its units, and each item's place and stance.

A run reads one source (``consult.workbench.sources``): the comments on a draft (``draft_id``), or the
written answers to the free-text questions of one questionnaire (``questionnaire_id``). Units and members
name their items by id (``lead_comment_id``, ``comment_id``): a comment's id for a draft's run, a survey
answer's id for a questionnaire's run, so those two columns carry no foreign key.

Runs are versioned: a run writes its units and members under its own id while it is ``running`` and becomes
visible only when one short transaction marks it ``done``. The pages read the newest ``done`` run of a draft,
so a failed or half-written run never shows. Dispositions people give to units are carried over to the next
run (``consult.workbench.persist``); dispositions of comments are never touched by a run at all.
"""

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.database import utcnow
from consult.drafts.models import DISPOSITIONS
from consult.extensions import db

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
RUN_STATUSES = (QUEUED, RUNNING, DONE, FAILED)
ACTIVE_STATUSES = (QUEUED, RUNNING)
# Steps of a running job, in order (shown as its progress).
READING, ANALYSING, WRITING = "reading", "analysing", "writing"
CAMPAIGN, TOPIC, SINGLE = "campaign", "topic", "single"
UNIT_KINDS = (CAMPAIGN, TOPIC, SINGLE)


def _utc(**kwargs) -> Mapped:
    return mapped_column(sa.DateTime(timezone=True), **kwargs)


class AnalysisRun(db.Model):
    """One analysis of a draft's comments or of a questionnaire's written answers (a preview while the
    consultation or questionnaire is open, or after closing)."""

    __tablename__ = "analysis_runs"
    __table_args__ = (
        sa.CheckConstraint(sa.column("status").in_(RUN_STATUSES), name="status_known"),
        sa.CheckConstraint("(draft_id IS NULL) <> (questionnaire_id IS NULL)", name="one_source"),
        sa.Index("ix_analysis_runs_draft_status", "draft_id", "status", "id"),
        sa.Index("ix_analysis_runs_questionnaire_status", "questionnaire_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("drafts.id"))
    questionnaire_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("questionnaires.id"))
    status: Mapped[str] = mapped_column(sa.String(12), default=QUEUED)
    preview: Mapped[bool] = mapped_column(default=False)  # requested while the consultation was open
    requested_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    requested_at: Mapped[datetime] = _utc(default=utcnow)
    started_at: Mapped[Optional[datetime]] = _utc()
    heartbeat_at: Mapped[Optional[datetime]] = _utc()  # last sign of life of the job
    finished_at: Mapped[Optional[datetime]] = _utc()
    step: Mapped[str] = mapped_column(sa.String(12), default="")
    done_count: Mapped[int] = mapped_column(default=0)  # comments read, or written, in the current step
    total_count: Mapped[int] = mapped_column(default=0)  # comments the run analyses
    last_comment_id: Mapped[int] = mapped_column(default=0)  # the newest comment it includes
    error: Mapped[str] = mapped_column(sa.Text, default="")
    summary: Mapped[Optional[dict]] = mapped_column(sa.JSON)  # counts for the overview (queries.RunSummary)
    seconds: Mapped[Optional[dict]] = mapped_column(sa.JSON)  # wall and CPU seconds per step
    # Comments in units that have a disposition: the progress bar, kept in the column, never counted on a page.
    decided_comments: Mapped[int] = mapped_column(default=0)
    undecided_units: Mapped[int] = mapped_column(default=0)

    requested_by = relationship("User")


class AnalysisUnit(db.Model):
    """A campaign, a topic or a single comment: what an official reads and disposes of at once."""

    __tablename__ = "analysis_units"
    __table_args__ = (
        sa.CheckConstraint(sa.column("kind").in_(UNIT_KINDS), name="kind_known"),
        sa.CheckConstraint(
            sa.or_(sa.column("disposition").is_(None), sa.column("disposition").in_(DISPOSITIONS)),
            name="disposition_known",
        ),
        sa.UniqueConstraint("run_id", "key", name="uq_analysis_units_run_key"),
        sa.UniqueConstraint("run_id", "position", name="uq_analysis_units_run_position"),
        sa.Index("ix_analysis_units_kind", "run_id", "kind", "position"),
        sa.Index("ix_analysis_units_article", "run_id", "article_anchor", "kind", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("analysis_runs.id"))
    key: Mapped[str] = mapped_column(sa.String(120))
    kind: Mapped[str] = mapped_column(sa.String(10))
    # The article ("" = the whole draft, or several), or for a questionnaire the free-text question's id.
    article_anchor: Mapped[str] = mapped_column(sa.String(80), default="")
    position: Mapped[int]  # campaigns largest first, then topics by article, then singles
    size: Mapped[int]
    # The item that stands for the unit: a campaign's template, a topic's first representative, the single.
    lead_comment_id: Mapped[int]
    keywords: Mapped[list] = mapped_column(sa.JSON, default=list)
    representative_ids: Mapped[list] = mapped_column(sa.JSON, default=list)
    edited_count: Mapped[int] = mapped_column(default=0)  # campaign copies that differ from the template in words

    read_at: Mapped[Optional[datetime]] = _utc()
    read_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    disposition: Mapped[Optional[str]] = mapped_column(sa.String(16))
    disposition_reason: Mapped[str] = mapped_column(sa.Text, default="")
    decided_at: Mapped[Optional[datetime]] = _utc()
    decided_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))

    run: Mapped[AnalysisRun] = relationship()


class AnalysisMember(db.Model):
    """An item's place in a run (a comment, or a survey answer): its unit, its stance, and for a campaign copy
    what its sender changed."""

    __tablename__ = "analysis_members"
    __table_args__ = (sa.Index("ix_analysis_members_unit", "unit_id", "comment_id"),)

    run_id: Mapped[int] = mapped_column(sa.ForeignKey("analysis_runs.id"), primary_key=True)
    comment_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("analysis_units.id"))
    stance: Mapped[str] = mapped_column(sa.String(8))  # support, oppose, revise, other
    # [[kind, template words, sender's words], …]; SQL NULL for a word-for-word copy (the page filters on it)
    edits: Mapped[Optional[list]] = mapped_column(sa.JSON(none_as_null=True))
    # An official gave this comment its own disposition: the unit's disposition no longer applies to it.
    overridden: Mapped[bool] = mapped_column(default=False)

SUPPORT, OPPOSE, REVISE, OTHER = "support", "oppose", "revise", "other"
STANCE_CODES = (SUPPORT, OPPOSE, REVISE, OTHER)


class UnitChange(db.Model):
    """An adopted unit led to a change of one article in the draft's next version (traceability)."""

    __tablename__ = "analysis_unit_changes"
    __table_args__ = (sa.UniqueConstraint("unit_id", "anchor", name="uq_analysis_unit_changes_unit_anchor"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("analysis_units.id"))
    anchor: Mapped[str] = mapped_column(sa.String(80))
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("draft_versions.id"))  # the version that changed it
    created_at: Mapped[datetime] = _utc(default=utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))

    unit: Mapped[AnalysisUnit] = relationship()


class StanceLexicon(db.Model):
    """One saved version of the stance lexicon an admin edits (TOML, the format of the shipped
    ``consult/analysis/stance_lexicon.toml``). The newest version is the one analyses use; with none saved,
    the shipped lexicon. Versions are never changed or deleted: restoring one saves it again as the newest."""

    __tablename__ = "stance_lexicons"

    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str] = mapped_column(sa.Text)
    shipped: Mapped[bool] = mapped_column(default=False)  # a copy of the lexicon shipped with Consult
    restored_from_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("stance_lexicons.id"))
    created_at: Mapped[datetime] = _utc(default=utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))

    created_by = relationship("User")


class CampaignSignature(db.Model):
    """A comment's campaign signature (MinHash of its text), kept so that the next analysis of the draft hashes
    only the comments it has not seen. A cache: reused only under the same parameters (``params``) and for the
    same text (``text_key``, the identity digest), else computed again and replaced."""

    __tablename__ = "analysis_signatures"

    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("draft_comments.id"), primary_key=True)
    params: Mapped[str] = mapped_column(sa.String(60))
    text_key: Mapped[bytes] = mapped_column(sa.LargeBinary(16))
    signature: Mapped[bytes] = mapped_column(sa.LargeBinary)
