"""Shared set-up for the tracking tests: two departments with staff, and a helper to file submissions."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from consult.accounts.models import ADMIN, CITIZEN, OFFICER, REVIEWER, Department, User
from consult.extensions import db
from consult.notify.models import OutboxMessage
from consult.tracking.intake import create_submission
from consult.tracking.models import LETTER, Submission, TimelineEvent

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(year: int, month: int, day: int, hour: int = 10) -> datetime:
    """A moment in Shanghai (converted to UTC by the services)."""
    return datetime(year, month, day, hour, tzinfo=SHANGHAI)


@dataclass
class World:
    dept: Department
    other_dept: Department
    officer: User
    colleague: User
    reviewer: User
    second_reviewer: User
    other_officer: User
    other_reviewer: User
    admin: User
    citizen: User


def _user(email: str, role: str, department: Department | None = None, locale: str | None = None) -> User:
    user = User(email=email, display_name=email.split("@")[0], role=role, department=department, locale=locale)
    user.set_password("correct horse 42")
    db.session.add(user)
    return user


@pytest.fixture
def request_ctx(app):
    """Services run inside a request (DomainError renders its lazy message with the request's locale)."""
    with app.test_request_context("/"):
        yield


@pytest.fixture
def world(request_ctx) -> World:
    dept = Department(code="SFJ", name="县司法局", name_en="Justice Bureau", contact_email="sfj@example.org")
    other = Department(code="CZJ", name="县财政局", name_en="Finance Bureau", contact_email="czj@example.org")
    db.session.add_all([dept, other])
    created = World(
        dept=dept,
        other_dept=other,
        officer=_user("officer@example.org", OFFICER, dept, locale="en"),
        colleague=_user("colleague@example.org", OFFICER, dept),
        reviewer=_user("reviewer@example.org", REVIEWER, dept, locale="en"),
        second_reviewer=_user("reviewer2@example.org", REVIEWER, dept),
        other_officer=_user("other.officer@example.org", OFFICER, other),
        other_reviewer=_user("other.reviewer@example.org", REVIEWER, other),
        admin=_user("admin@example.org", ADMIN),
        citizen=_user("citizen@example.org", CITIZEN, locale="en"),
    )
    db.session.commit()
    return created


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
