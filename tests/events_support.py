"""Set-up shared by the hearing and public-meeting tests: events of each kind, and moving their clocks.

Fixtures (registered through ``pytest_plugins`` in ``tests/conftest.py``): ``event_department``, the county
government office that holds the events, and ``event_officer``, an officer of it."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from consult.database import utcnow
from consult.events.models import CategorySeats, Event
from consult.extensions import db


@pytest.fixture
def event_department(make_department):
    """The county government office (县政府办公室), whose meetings and hearings the tests hold."""
    return make_department(code="ZFB", name="县政府办公室")


@pytest.fixture
def event_officer(make_user, event_department):
    """An officer of ``event_department``: manages its events."""
    return make_user(role="officer", department=event_department)


def make_event(app, department, *, event_type="hearing", seats=None, **fields) -> int:
    """An event of ``department`` open for registration now, starting in 5 days; ``seats`` per category."""
    now = utcnow()
    values = dict(
        title="关于调整城市公共交通票价的听证会" if event_type == "hearing" else "县政府常务会议（公众列席）",
        description="听证事项：公交票价调整方案。", department_id=department.id, venue="县政府第一会议室",
        starts_at=now + timedelta(days=5), ends_at=now + timedelta(days=5, hours=3),
        registration_opens_at=now - timedelta(days=1), registration_closes_at=now + timedelta(days=4),
        capacity=20, mode="first_come", require_phone=True, require_email=False, event_type=event_type,
    )
    values.update(fields)
    with app.app_context():
        event = Event(**values)
        db.session.add(event)
        db.session.flush()
        for category, count in (seats or {}).items():
            db.session.add(CategorySeats(event_id=event.id, category=category, seats=count))
        db.session.commit()
        return event.id


def close_registration(app, event_id: int) -> None:
    """Registration closed an hour ago; the event is still to come."""
    with app.app_context():
        db.session.execute(sa.update(Event).where(Event.id == event_id).values(
            registration_closes_at=utcnow() - timedelta(hours=1)))
        db.session.commit()


def hold_event(app, event_id: int) -> None:
    """The event took place yesterday (registration closed before)."""
    now = utcnow()
    with app.app_context():
        db.session.execute(sa.update(Event).where(Event.id == event_id).values(
            registration_opens_at=now - timedelta(days=10), registration_closes_at=now - timedelta(days=3),
            starts_at=now - timedelta(days=1, hours=3), ends_at=now - timedelta(days=1)))
        db.session.commit()
