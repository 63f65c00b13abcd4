"""Journey 3 in a real browser: an open day fills up, the next person joins the waiting list, a cancellation
promotes them (after a confirmation page), and an officer checks them in by typing the code from their pass."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from consult.accounts.models import Department
from consult.database import utcnow
from consult.events.models import CANCELLED, CONFIRMED, FIRST_COME, STATUS_LABELS, WAITLISTED, Event
from consult.extensions import db
from tests.browser.support import assert_accessible, fact, login, shoot, submit

OFFICER = "officer.sfj@consult.localhost"


def small_event(live_server, title: str) -> int:
    """A first-come open day of the Justice Bureau with two seats, open for registration now."""
    with live_server.app.app_context():
        department = db.session.scalar(sa.select(Department).where(Department.code == "SFJ"))
        starts = (utcnow() + timedelta(days=9)).replace(hour=1, minute=30, second=0, microsecond=0)
        event = Event(
            title=title, description="参观县档案馆，了解**档案查阅**流程。", department_id=department.id,
            venue="县档案馆", address="文化路 3 号", map_url="", starts_at=starts, ends_at=starts + timedelta(hours=2),
            registration_opens_at=utcnow() - timedelta(days=1), registration_closes_at=starts - timedelta(days=1),
            capacity=2, mode=FIRST_COME, require_phone=True, require_email=True,
        )
        db.session.add(event)
        db.session.commit()
        return event.id


def register(page, live_server, event_id: int, name: str, n: int, viewport: str) -> None:
    page.goto(f"/events/{event_id}")
    page.get_by_role("main").get_by_role("link", name=live_server.zh("Sign up"), exact=True).click()
    page.locator("#name").fill(name)
    page.locator("#phone").fill(f"1390000{n:04d}")
    page.locator("#email").fill(f"person{n}.{viewport}@example.org")
    submit(page, live_server.zh("Sign up"))


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_waiting_list_is_promoted_on_cancellation_and_checked_in_by_code(
        new_page, live_server, smtp_server, screenshot_dir, viewport):
    zh = live_server.zh
    event_id = small_event(live_server, f"档案馆开放日（{viewport}）")
    first, second, third = new_page(viewport), new_page(viewport), new_page(viewport)

    register(first, live_server, event_id, "李明", 1, viewport)
    register(second, live_server, event_id, "王芳", 2, viewport)
    for page in (first, second):
        assert fact(page, zh("Status")) == zh(STATUS_LABELS[CONFIRMED])
    register(third, live_server, event_id, "张伟", 3, viewport)
    assert fact(third, zh("Status")).startswith(zh(STATUS_LABELS[WAITLISTED]))
    assert zh("number %(place)s on the waiting list", place=1) in fact(third, zh("Status"))
    assert_accessible(third)

    visitor = new_page(viewport)
    visitor.goto(f"/events/{event_id}")
    assert_accessible(visitor)
    shoot(visitor, screenshot_dir, f"event-{viewport}", full_page=viewport == "desktop")

    # The first person cancels, after a page saying what it means; the first on the waiting list gets the seat
    # and is told by e-mail. The cancelled registration no longer offers a calendar file.
    with first.expect_navigation():
        first.get_by_role("link", name=zh("Cancel my registration")).click()
    assert first.get_by_role("heading", level=1).inner_text() == zh("Cancel your registration?")
    assert fact(first, zh("Status")) == zh(STATUS_LABELS[CONFIRMED])  # nothing has happened yet
    assert_accessible(first)
    submit(first, zh("Yes, cancel my registration"))
    assert fact(first, zh("Status")) == zh(STATUS_LABELS[CANCELLED])
    assert first.get_by_role("link", name=zh("Add to calendar (.ics)")).count() == 0
    third.reload()
    assert fact(third, zh("Status")) == zh(STATUS_LABELS[CONFIRMED])
    live_server.deliver_mail()
    assert len(smtp_server.to(f"person3.{viewport}@example.org")) >= 2  # registration, then the seat
    shoot(third, screenshot_dir, f"event-pass-{viewport}")
    code = third.locator(".checkin-code").inner_text()

    # At the door the officer types the code from the pass; a second check-in changes nothing.
    officer = new_page(viewport)
    login(officer, OFFICER)
    officer.goto(f"/events/manage/{event_id}/check-in")
    officer.locator("#code").fill(code.lower())
    with officer.expect_navigation():
        officer.locator("#code").press("Enter")
    assert zh("%(name)s is checked in.", name="张伟") in officer.locator("main").inner_text()
    assert_accessible(officer)
    officer.locator("#code").fill(code)
    with officer.expect_navigation():
        officer.locator("#code").press("Enter")
    assert "张伟" in officer.get_by_role("status").inner_text()
    assert zh("%(present)s of %(confirmed)s confirmed people checked in.", present=1, confirmed=2) in \
        officer.locator("main").inner_text()
