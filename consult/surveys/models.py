"""Questionnaires, their questions and options, and the responses to them.

What the results page shows is kept in counters updated in the same transaction as each response
(``column + n``): responses per questionnaire, answers per question, choices (and ranking points) per
option, and for the cross-tabulation the respondents per pair of options of two choice questions. No page
counts the responses.
"""

from datetime import UTC, datetime
from typing import Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import Department
from consult.database import utcnow
from consult.extensions import db

# Recorded statuses; "scheduled", "open" and "closed" follow from an approval and the window (never written
# by a page view, as with drafts).
DRAFT, IN_REVIEW, APPROVED, WITHDRAWN = "draft", "in_review", "approved", "withdrawn"
SCHEDULED, OPEN, CLOSED = "scheduled", "open", "closed"
RECORDED_STATUSES = (DRAFT, IN_REVIEW, APPROVED, WITHDRAWN)
PUBLIC_STATUSES = (OPEN, CLOSED)
STATUS_LABELS = {
    DRAFT: _l("Being written"), IN_REVIEW: _l("Awaiting review"), SCHEDULED: _l("Approved, not yet open"),
    OPEN: lazy_pgettext("questionnaire", "Open"), CLOSED: lazy_pgettext("questionnaire", "Closed"),
    WITHDRAWN: _l("Withdrawn"), APPROVED: _l("Approved"),
}

# Who may answer, and how "one response per person" is kept.
ANONYMOUS, CONTACT, ACCOUNT = "anonymous", "contact", "account"
ANSWER_MODES = (ANONYMOUS, CONTACT, ACCOUNT)
ANSWER_MODE_LABELS = {
    ANONYMOUS: _l("Anyone, without giving a name"),
    CONTACT: _l("Anyone who gives a phone number or e-mail address"),
    ACCOUNT: _l("Logged-in users only"),
}

# Whether the results are published when the window closes, or kept for staff.
RESULTS_PUBLIC, RESULTS_INTERNAL = "public", "internal"
RESULTS_VISIBILITIES = (RESULTS_PUBLIC, RESULTS_INTERNAL)

# Kinds of question.
SINGLE, MULTIPLE, SCALE, RANKING, TEXT = "single", "multiple", "scale", "ranking", "text"
QUESTION_KINDS = (SINGLE, MULTIPLE, SCALE, RANKING, TEXT)
CHOICE_KINDS = (SINGLE, MULTIPLE, SCALE)  # whose options are counted and may be cross-tabulated
KIND_LABELS = {
    SINGLE: _l("Single choice"), MULTIPLE: _l("Multiple choice"), SCALE: _l("Scale from 1 to 5"),
    RANKING: _l("Ranking"), TEXT: _l("Free text"),
}
SCALE_POINTS = 5


def _utc(**kwargs) -> Mapped:
    return mapped_column(sa.DateTime(timezone=True), **kwargs)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def status_at(recorded: str, opens_at: datetime, closes_at: datetime, now: datetime) -> str:
    """A questionnaire's status at ``now``: an approved one is scheduled, open in its window, then closed."""
    if recorded != APPROVED:
        return recorded
    if _aware(closes_at) <= now:
        return CLOSED
    return OPEN if _aware(opens_at) <= now else SCHEDULED


class Questionnaire(db.Model):
    """A questionnaire of one department, standing alone or attached to a draft."""

    __tablename__ = "questionnaires"
    __table_args__ = (
        sa.CheckConstraint(sa.column("status").in_(RECORDED_STATUSES), name="status_known"),
        sa.CheckConstraint(sa.column("answer_mode").in_(ANSWER_MODES), name="answer_mode_known"),
        sa.CheckConstraint(sa.column("results_visibility").in_(RESULTS_VISIBILITIES), name="visibility_known"),
        sa.CheckConstraint("closes_at > opens_at", name="window_sane"),
        sa.Index("ix_questionnaires_status_closes", "status", "closes_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    intro: Mapped[str] = mapped_column(sa.Text, default="")
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("departments.id"), index=True)
    draft_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("drafts.id"), index=True)
    opens_at: Mapped[datetime] = _utc()
    closes_at: Mapped[datetime] = _utc()
    recorded_status: Mapped[str] = mapped_column("status", sa.String(20), default=DRAFT)
    answer_mode: Mapped[str] = mapped_column(sa.String(20), default=ANONYMOUS)
    results_visibility: Mapped[str] = mapped_column(sa.String(20), default=RESULTS_PUBLIC)
    # Keys that keep one response per person are HMACs salted per questionnaire: not linkable across them.
    salt: Mapped[str] = mapped_column(sa.String(32))
    review_note: Mapped[str] = mapped_column(sa.Text, default="")  # why a reviewer returned it
    submitted_at: Mapped[Optional[datetime]] = _utc()
    approved_at: Mapped[Optional[datetime]] = _utc()
    approved_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    created_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = _utc(default=utcnow)
    updated_at: Mapped[datetime] = _utc(default=utcnow, onupdate=utcnow)
    response_count: Mapped[int] = mapped_column(default=0, server_default="0")

    department: Mapped[Department] = relationship()
    questions: Mapped[list["SurveyQuestion"]] = relationship(
        back_populates="questionnaire", order_by="SurveyQuestion.position", cascade="all, delete-orphan")

    @hybrid_property
    def status(self) -> str:
        """The status now (see :func:`status_at`); nothing has to be recorded when the window opens or closes."""
        return status_at(self.recorded_status, self.opens_at, self.closes_at, utcnow())

    @status.inplace.expression
    @classmethod
    def _status_expression(cls) -> sa.ColumnElement[str]:
        now = utcnow()
        approved = cls.recorded_status == APPROVED
        return sa.case(
            (sa.and_(approved, cls.closes_at <= now), CLOSED),
            (sa.and_(approved, cls.opens_at <= now), OPEN),
            (approved, SCHEDULED),
            else_=cls.recorded_status,
        )

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES

    @property
    def results_published(self) -> bool:
        """Results are public once the window has closed, unless the editor kept them internal."""
        return self.status == CLOSED and self.results_visibility == RESULTS_PUBLIC

    def __repr__(self) -> str:
        return f"<Questionnaire {self.id} {self.recorded_status}>"


class SurveyQuestion(db.Model):
    """One question; a branch shows it only to those who chose ``branch_option`` of an earlier question."""

    __tablename__ = "survey_questions"
    __table_args__ = (
        sa.CheckConstraint(sa.column("kind").in_(QUESTION_KINDS), name="kind_known"),
        sa.Index("ix_survey_questions_questionnaire", "questionnaire_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(sa.ForeignKey("questionnaires.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(sa.String(20))
    prompt: Mapped[str] = mapped_column(sa.Text)
    required: Mapped[bool] = mapped_column(default=False)
    article_anchor: Mapped[str] = mapped_column(sa.String(80), default="")  # "" = not about one article
    branch_option_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("survey_options.id", ondelete="SET NULL", use_alter=True, name="fk_survey_questions_branch"))
    answer_count: Mapped[int] = mapped_column(default=0, server_default="0")

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="questions")
    options: Mapped[list["SurveyOption"]] = relationship(
        back_populates="question", order_by="SurveyOption.position", cascade="all, delete-orphan",
        foreign_keys="SurveyOption.question_id")
    branch_option: Mapped[Optional["SurveyOption"]] = relationship(foreign_keys=[branch_option_id], post_update=True)

    @property
    def is_choice(self) -> bool:
        return self.kind in CHOICE_KINDS

    def __repr__(self) -> str:
        return f"<SurveyQuestion {self.id} {self.kind}>"


class SurveyOption(db.Model):
    """An option of a choice, scale or ranking question, with its counters: how often it was chosen (for a
    ranking, put first) and, for a ranking, its points (n for first place … 1 for last)."""

    __tablename__ = "survey_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_questions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    label: Mapped[str] = mapped_column(sa.String(200))
    chosen_count: Mapped[int] = mapped_column(default=0, server_default="0")
    points: Mapped[int] = mapped_column(default=0, server_default="0")

    question: Mapped[SurveyQuestion] = relationship(back_populates="options", foreign_keys=[question_id])


class SurveyResponse(db.Model):
    """One person's response. ``respondent_key`` (an HMAC, never the contact itself) keeps one response per
    account or per contact; ``form_token`` makes a form sent twice one response."""

    __tablename__ = "survey_responses"
    __table_args__ = (
        sa.UniqueConstraint("questionnaire_id", "respondent_key", name="uq_survey_responses_respondent"),
        sa.Index("ix_survey_responses_questionnaire", "questionnaire_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(sa.ForeignKey("questionnaires.id", ondelete="CASCADE"))
    form_token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    respondent_key: Mapped[Optional[str]] = mapped_column(sa.String(64))
    submitted_at: Mapped[datetime] = _utc(default=utcnow)

    answers: Mapped[list["SurveyAnswer"]] = relationship(back_populates="response", cascade="all, delete-orphan")


class SurveyAnswer(db.Model):
    """One answer: a chosen option (one row per option of a multiple choice; with its ``rank`` in a
    ranking), or a text."""

    __tablename__ = "survey_answers"
    __table_args__ = (sa.Index("ix_survey_answers_question", "question_id", "response_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_responses.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_questions.id", ondelete="CASCADE"))
    option_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("survey_options.id", ondelete="CASCADE"))
    rank: Mapped[Optional[int]] = mapped_column()
    text: Mapped[Optional[str]] = mapped_column(sa.Text)

    response: Mapped[SurveyResponse] = relationship(back_populates="answers")


class SurveyPairCount(db.Model):
    """How many respondents chose both of two options of two different choice questions (single, multiple,
    scale) of one questionnaire: the cells of every cross-tabulation, kept as responses arrive. The pair is
    stored once, the option of the question with the smaller id first (``question_a_id < question_b_id``)."""

    __tablename__ = "survey_pair_counts"
    __table_args__ = (
        sa.CheckConstraint("question_a_id < question_b_id", name="questions_ordered"),
        sa.Index("ix_survey_pair_counts_questions", "question_a_id", "question_b_id"),
    )

    option_a_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_options.id", ondelete="CASCADE"), primary_key=True)
    option_b_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_options.id", ondelete="CASCADE"), primary_key=True)
    question_a_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_questions.id", ondelete="CASCADE"))
    question_b_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_questions.id", ondelete="CASCADE"))
    count: Mapped[int] = mapped_column(default=0, server_default="0")
