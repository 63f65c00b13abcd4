"""Which deadline stages staff were already alerted to: one row per submission, stage and due date.

The daily digest (``consult.tracking.reminders``) lists a submission under a stage only if this table
accepts a new row for it; the unique constraint makes each stage alerted exactly once, however often
and however concurrently ``flask remind`` runs. Nothing about deadlines is stored on the submission:
the stages themselves are predicates on its dates (``Submission.is_overdue`` …).
"""

from collections.abc import Iterable
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from consult.database import utcnow
from consult.extensions import db

DUE_SOON, OVERDUE, VERY_OVERDUE = "due_soon", "overdue", "very_overdue"
THRESHOLDS = (DUE_SOON, OVERDUE, VERY_OVERDUE)
# Rows per INSERT statement: well under the bind-parameter limits of SQLite and PostgreSQL.
_CHUNK = 1000


class DeadlineAlert(db.Model):
    """Staff were told that ``submission_id`` reached ``threshold`` for the due date ``due_on``.

    A new due date (an approved extension, a restarted clock) arms every stage again. ``digest_on`` is
    the local day of the digest that listed it.
    """

    __tablename__ = "deadline_alerts"
    __table_args__ = (
        sa.UniqueConstraint("submission_id", "threshold", "due_on", name="uq_deadline_alerts_stage"),
        sa.CheckConstraint(sa.column("threshold").in_(THRESHOLDS), name="threshold_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(sa.ForeignKey("submissions.id", ondelete="CASCADE"))
    threshold: Mapped[str] = mapped_column(sa.String(16))
    due_on: Mapped[date]
    digest_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    def __repr__(self) -> str:
        return f"<DeadlineAlert {self.submission_id} {self.threshold} {self.due_on}>"


def record_alerts(stages: Iterable[tuple[int, str, date]], digest_on: date) -> set[tuple[int, str]]:
    """Record each ``(submission_id, threshold, due_on)`` as alerted unless it already is.

    Returns the ``(submission_id, threshold)`` pairs recorded now: only those may be listed in a digest.
    A stage recorded by a concurrent run (even one not yet committed) is not returned.
    """
    rows = [
        {"submission_id": sid, "threshold": threshold, "due_on": due_on, "digest_on": digest_on}
        for sid, threshold, due_on in stages
    ]
    if not rows:
        return set()
    now = utcnow()
    for row in rows:
        row["created_at"] = now
    dialect_insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    recorded: set[tuple[int, str]] = set()
    for start in range(0, len(rows), _CHUNK):
        statement = (
            dialect_insert(DeadlineAlert)
            .values(rows[start:start + _CHUNK])
            .on_conflict_do_nothing(index_elements=["submission_id", "threshold", "due_on"])
            .returning(DeadlineAlert.submission_id, DeadlineAlert.threshold)
        )
        recorded.update((sid, threshold) for sid, threshold in db.session.execute(statement))
    return recorded
