"""Information requests (依申请公开) and the figures of the annual openness report typed in by hand.

A request is a tracked submission of kind ``disclosure`` (consult.tracking) plus a
:class:`DisclosureRequest` detail row (1:1, keyed by the submission). The applicant's ID or organisation
code is stored in full, because the handling department must check it, encrypted at rest (so a backup
alone never shows it), and shown masked everywhere else (``id_number_masked`` is computed once, at
intake); it never goes into lists, exports or mails.
"""

from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import Department, User
from consult.database import utcnow
from consult.encryption import EncryptedText
from consult.disclosure.outcomes import APPLICANT_TYPES, CATEGORIES
from consult.extensions import db
from consult.tracking.models import Reply, Submission
from consult.uploads import Attachment

RESIDENT_ID, PASSPORT, OTHER_DOCUMENT, CREDIT_CODE = "resident_id", "passport", "other", "credit_code"
ID_TYPES = (RESIDENT_ID, PASSPORT, OTHER_DOCUMENT, CREDIT_CODE)
ID_TYPE_LABELS = {
    RESIDENT_ID: _l("Resident identity card"),
    PASSPORT: _l("Passport"),
    OTHER_DOCUMENT: _l("Other identity document"),
    CREDIT_CODE: _l("Unified social credit code"),
}

PAPER, ELECTRONIC = "paper", "electronic"
FORMATS = (PAPER, ELECTRONIC)
FORMAT_LABELS = {PAPER: _l("Paper"), ELECTRONIC: _l("Electronic")}

COLLECT, POST, EMAIL, ONLINE = "collect", "post", "email", "online"
DELIVERIES = (COLLECT, POST, EMAIL, ONLINE)
DELIVERY_LABELS = {
    COLLECT: _l("Collect in person"),
    POST: _l("By post"),
    EMAIL: _l("By e-mail"),
    ONLINE: _l("Online (on the status page)"),
}

ATTACHMENT_OWNER = "disclosure_answer"
MAX_ATTACHMENTS = 5

disclosure_answer_attachments = sa.Table(
    "disclosure_answer_attachments",
    db.metadata,
    sa.Column("submission_id", sa.ForeignKey("disclosure_requests.submission_id"), primary_key=True),
    sa.Column("attachment_id", sa.ForeignKey("attachments.id"), primary_key=True, unique=True),
)


class DisclosureRequest(db.Model):
    """The information-request detail of a ``disclosure`` submission."""

    __tablename__ = "disclosure_requests"
    __table_args__ = (
        sa.CheckConstraint(sa.column("applicant_type").in_(APPLICANT_TYPES), name="applicant_type_known"),
        sa.CheckConstraint(sa.column("id_type").in_(ID_TYPES), name="id_type_known"),
        sa.CheckConstraint(sa.column("preferred_format").in_(FORMATS), name="format_known"),
        sa.CheckConstraint(sa.column("delivery").in_(DELIVERIES), name="delivery_known"),
        sa.CheckConstraint(
            sa.or_(sa.column("outcome_category").is_(None), sa.column("outcome_category").in_(CATEGORIES)),
            name="outcome_known",
        ),
        sa.CheckConstraint(sa.column("paused_workdays") >= 0, name="paused_not_negative"),
    )

    submission_id: Mapped[int] = mapped_column(sa.ForeignKey("submissions.id"), primary_key=True)
    applicant_type: Mapped[str] = mapped_column(sa.String(16))
    applicant_name: Mapped[str] = mapped_column(sa.String(120))  # person or organisation
    contact_person: Mapped[str] = mapped_column(sa.String(80), default="")  # organisations: who to call
    id_type: Mapped[str] = mapped_column(sa.String(16))
    # In full, encrypted at rest (consult/encryption.py): only the handling department sees it.
    id_number: Mapped[str] = mapped_column("id_number_encrypted", EncryptedText())
    id_number_masked: Mapped[str] = mapped_column(sa.String(40))  # **************002X (contacts.mask_id_number)
    postal_address: Mapped[str] = mapped_column(sa.String(300), default="")
    postcode: Mapped[str] = mapped_column(sa.String(6), default="")
    preferred_format: Mapped[str] = mapped_column(sa.String(12))
    delivery: Mapped[str] = mapped_column(sa.String(12))

    # The outcome (a row of the annual report), set with the written answer; counted once answered.
    outcome_category: Mapped[Optional[str]] = mapped_column(sa.String(16))
    outcome_reason: Mapped[Optional[str]] = mapped_column(sa.String(24))
    outcome_reply_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("replies.id"))
    outcome_recorded_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True))

    # Waiting for a third party's opinion (条例 Art. 32): that time is not counted.
    pause_reason: Mapped[str] = mapped_column(sa.Text, default="")
    paused_workdays: Mapped[int] = mapped_column(default=0)  # total over all finished pauses

    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    submission: Mapped[Submission] = relationship()
    outcome_reply: Mapped[Optional[Reply]] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(
        secondary=disclosure_answer_attachments, order_by=Attachment.id
    )

    @property
    def paused_since(self) -> date | None:
        """The local day the clock stopped for a third party's opinion (kept on the tracked submission)."""
        return self.submission.clock_paused_since

    @property
    def is_paused(self) -> bool:
        return self.paused_since is not None

    @property
    def is_organisation(self) -> bool:
        return self.applicant_type != "natural_person"

    def __repr__(self) -> str:
        return f"<DisclosureRequest {self.submission_id} {self.applicant_type} {self.outcome_category}>"


ALL_DEPARTMENTS = "all"


class OpennessReportFigures(db.Model):
    """The parts of the annual report the platform cannot count, typed in per year and department
    (``scope`` is ``"all"`` or ``"d<department id>"``)."""

    __tablename__ = "openness_report_figures"
    __table_args__ = (sa.UniqueConstraint("year", "scope", name="uq_openness_report_figures_year_scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    scope: Mapped[str] = mapped_column(sa.String(16))
    department_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("departments.id"))
    figures: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # figure key -> number (see figures.FIGURES)
    notes: Mapped[str] = mapped_column(sa.Text, default="")  # problems found and improvements, other matters
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))

    department: Mapped[Optional[Department]] = relationship()
    updated_by: Mapped[Optional[User]] = relationship()


def scope_key(department_id: int | None) -> str:
    return ALL_DEPARTMENTS if department_id is None else f"d{department_id}"
