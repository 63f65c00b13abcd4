"""Helpers for the tracking tests: file submissions for the ``world`` (tests/world_support.py), read mail and
timeline events."""

from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from consult.extensions import db
from consult.notify.models import OutboxMessage
from consult.tracking.intake import create_submission
from consult.tracking.models import LETTER, Submission, TimelineEvent
from tests.world_support import World

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(year: int, month: int, day: int, hour: int = 10) -> datetime:
    """A moment in Shanghai (converted to UTC by the services)."""
    return datetime(year, month, day, hour, tzinfo=SHANGHAI)


def file_submission(world: World, *, kind: str = LETTER, received_at: datetime | None = None, **fields):
    """Create a submission from an anonymous citizen and commit; returns ``NewSubmission``."""
    fields.setdefault("name", "张三")
    fields.setdefault("email", "zhang@example.org")
    fields.setdefault("subject", "路灯不亮")
    fields.setdefault("body", "小区东门的路灯坏了两周。")
    fields.setdefault("locale", "en")
    created = create_submission(
        kind=kind, department=fields.pop("department", world.dept), received_at=received_at or local(2025, 11, 10),
        **fields,
    )
    db.session.commit()
    return created


def mails(template: str | None = None) -> list[OutboxMessage]:
    stmt = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    if template:
        stmt = stmt.where(OutboxMessage.template == template)
    return list(db.session.scalars(stmt))


def events(submission: Submission) -> list[TimelineEvent]:
    return list(
        db.session.scalars(
            sa.select(TimelineEvent).where(TimelineEvent.submission_id == submission.id).order_by(TimelineEvent.id)
        )
    )
