"""A hearing in a real browser: a resident finds it among the hearings, sends the empty form and sees every
problem at once, applies to speak with a statement and a category (a double click sending it twice makes one
application) and gets a tracking number, with the query code by mail; the officer sees it in the
speakers list, and the public page shows counts per category, never the name."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect
import sqlalchemy as sa

from consult.accounts.models import Department
from consult.database import utcnow
from consult.events.models import CATEGORY_LABELS, HEARING, CategorySeats, Event, HearingSpeaker
from consult.extensions import db
from tests.browser.support import assert_accessible, fact, login, shoot, submit

OFFICER = "officer.sfj@consult.localhost"


def open_hearing(live_server, title: str) -> int:
    """A hearing of the Justice Bureau taking applications now, with speaker places in three categories."""
    with live_server.app.app_context():
        department = db.session.scalar(sa.select(Department).where(Department.code == "SFJ"))
        starts = (utcnow() + timedelta(days=12)).replace(hour=1, minute=30, second=0, microsecond=0)
        event = Event(
            title=title, description="听证事项：法律援助经济困难标准调整方案。", department_id=department.id,
            venue="县司法局会议室", address="人民路 88 号", map_url="", starts_at=starts,
            ends_at=starts + timedelta(hours=2), registration_opens_at=utcnow() - timedelta(days=1),
            registration_closes_at=starts - timedelta(days=5), capacity=10, mode="first_come",
            event_type=HEARING, require_phone=True, require_email=False,
        )
        db.session.add(event)
        db.session.flush()
        db.session.add_all(CategorySeats(event_id=event.id, category=c, seats=n)
                           for c, n in {"stakeholder": 2, "resident": 2, "expert": 1}.items())
        db.session.commit()
        return event.id


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_resident_applies_to_speak_at_a_hearing(new_page, live_server, smtp_server, screenshot_dir, viewport):
    zh = live_server.zh
    title = f"法律援助经济困难标准调整听证会（{viewport}）"
    event_id = open_hearing(live_server, title)
    email = f"speaker.{viewport}@example.org"
    citizen = new_page(viewport)

    citizen.goto("/events?type=hearing")
    citizen.get_by_role("link", name=title).click()
    assert_accessible(citizen)
    citizen.get_by_role("link", name=zh("Apply to speak"), exact=True).click()
    assert title in citizen.get_by_role("heading", level=1).inner_text()

    # Everything missing is said at once, beside its field and in the summary.
    submit(citizen, zh("Apply to speak"))
    summary = citizen.locator(".error-summary").inner_text()
    for message in ("Please enter a name.", "This event needs a phone number.", "Please choose whom you speak for.",
                    "Please write what you want to say at the hearing."):
        assert zh(message) in summary
    assert_accessible(citizen)

    citizen.locator("#name").fill("孙秀梅")
    citizen.locator("#phone").fill("13911112222")
    citizen.locator("#email").fill(email)
    citizen.locator("#category").select_option("resident")
    citizen.locator("#statement").fill("经济困难标准应与最低工资标准挂钩，并每年公布。")
    # An impatient double click sends the form twice: one application, one tracking number.
    # The first send's navigation may be cut off by the second (net::ERR_ABORTED): wait for the page that stays.
    citizen.get_by_role("button", name=zh("Apply to speak"), exact=True).dblclick()
    expect(citizen.get_by_role("heading", level=1)).to_have_text(zh("Your application to speak has been received"))
    citizen.wait_for_load_state()
    tracking_no = fact(citizen, zh("Tracking number"))
    assert tracking_no.startswith("H-")
    assert fact(citizen, zh("Speaking for")) == zh(CATEGORY_LABELS["resident"])
    assert_accessible(citizen)
    shoot(citizen, screenshot_dir, f"hearing-application-{viewport}")
    with live_server.app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(HearingSpeaker)
                                 .where(HearingSpeaker.event_id == event_id)) == 1

    live_server.deliver_mail()
    mails = smtp_server.to(email)
    assert mails and tracking_no in mails[-1].get_body(("plain",)).get_content()

    # The officer of the department sees the application; the public page shows counts, not the name.
    officer = new_page(viewport)
    login(officer, OFFICER)
    officer.goto(f"/events/manage/{event_id}/speakers")
    assert "孙秀梅" in officer.locator("main").inner_text()
    assert_accessible(officer)
    visitor = new_page(viewport)
    visitor.goto(f"/events/{event_id}")
    page_text = visitor.locator("main").inner_text()
    assert zh("Selection record") in page_text and "孙秀梅" not in page_text and "13911112222" not in page_text
