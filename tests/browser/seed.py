"""Data for the browser tests: the demo seed, and a small first-come open day for the waiting-list journey."""

from datetime import timedelta

import sqlalchemy as sa

from consult.accounts.models import Department
from consult.database import utcnow
from consult.events.models import FIRST_COME, Event
from consult.extensions import db
from consult.seed import seed_demo

SMALL_EVENT_TITLE = "浏览器测试开放日——档案馆参观"


def seed_browser_data() -> None:
    """Schema from the models, the demo data, and an open day with two seats (SFJ) open for registration."""
    db.create_all()
    seed_demo()
    department = db.session.scalar(sa.select(Department).where(Department.code == "SFJ"))
    starts = (utcnow() + timedelta(days=9)).replace(hour=1, minute=30, second=0, microsecond=0)
    db.session.add(Event(
        title=SMALL_EVENT_TITLE, description="参观县档案馆，了解档案查阅流程。", department_id=department.id,
        venue="县档案馆", address="文化路3号", map_url="", starts_at=starts, ends_at=starts + timedelta(hours=2),
        registration_opens_at=utcnow() - timedelta(days=1), registration_closes_at=starts - timedelta(days=1),
        capacity=2, mode=FIRST_COME, require_phone=True, require_email=True,
    ))
    db.session.commit()
