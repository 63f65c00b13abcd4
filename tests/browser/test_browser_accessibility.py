"""axe-core on every public page and the main staff pages, in Chinese and in English: no serious or critical
violations. Pages that exist only inside a journey (confirmations, the answer, check-in) are checked there."""

import pytest
import sqlalchemy as sa

from consult.drafts.models import Draft
from consult.events.models import Event
from consult.extensions import db
from consult.mailbox.models import Letter, Mailbox
from consult.tracking.models import Submission
from tests.browser.support import assert_accessible, header_switch, login

PUBLIC_PAGES = (
    "/", "/drafts", "/drafts/{open_draft}", "/drafts/{open_draft}/comment", "/drafts/{open_draft}/versions",
    "/drafts/{reported_draft}", "/drafts/{reported_draft}/report", "/mailboxes", "/mailboxes/{mailbox}",
    "/mailboxes/write?mailbox={mailbox}", "/mailboxes/letters", "/mailboxes/letters/{letter}", "/events",
    "/events/{event}", "/events/{event}/register", "/track", "/stats", "/disclosure", "/account/login",
    "/account/register", "/account/forgot-password", "/no-such-page",
)
STAFF_PAGES = {  # the pages staff spend their day on
    "officer.sfj@consult.localhost": (
        "/office/inbox", "/office/submissions/{submission}", "/mailboxes/office", "/events/manage/{event}",
        "/events/manage/{event}/check-in", "/office/dashboard",
    ),
    "reviewer.sfj@consult.localhost": ("/office/review/replies", "/office/drafts/moderation"),
    "editor@consult.localhost": ("/office/drafts", "/office/drafts/{open_draft}", "/events/manage/new"),
    "admin@consult.localhost": ("/admin/", "/admin/users", "/admin/outbox", "/admin/calendar"),
}


@pytest.fixture(scope="module")
def ids(live_server) -> dict[str, int]:
    """Ids of the demo content the pages show."""
    with live_server.app.app_context():
        first = lambda stmt: db.session.scalar(stmt.limit(1))  # noqa: E731
        sfj = sa.select(Submission.id).join(Submission.department).where(sa.text("departments.code = 'SFJ'"))
        return {
            "open_draft": first(sa.select(Draft.id).where(Draft.status == "open").order_by(Draft.id)),
            "reported_draft": first(sa.select(Draft.id).where(Draft.status == "report_published")),
            "mailbox": first(sa.select(Mailbox.id).order_by(Mailbox.id)),
            "letter": first(sa.select(Letter.id).join(Letter.submission).where(Submission.is_public,
                                                                               Submission.status == "closed")),
            "event": first(sa.select(Event.id).where(Event.mode == "first_come").order_by(Event.starts_at.desc())),
            "submission": first(sfj.order_by(Submission.id)),
        }


def check_pages(page, paths, ids, language: str) -> list[str]:
    """Open every page in the language, fail on serious issues, return the moderate ones found."""
    if language == "en":
        page.goto("/")
        header_switch(page, "English")
    moderate = []
    try:
        for path in paths:
            page.goto(path.format(**ids))
            assert page.locator("html").get_attribute("lang") == ("en" if language == "en" else "zh-CN")
            moderate += [f"{path}: {v['id']}" for v in assert_accessible(page)]
    finally:
        if language == "en":  # a logged-in switch is kept on the account: give the other tests Chinese back
            page.goto("/")
            header_switch(page, "中文")
    return moderate


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_public_pages_have_no_serious_accessibility_issues(new_page, ids, language):
    moderate = check_pages(new_page(axe=True), PUBLIC_PAGES, ids, language)
    assert not moderate, moderate


@pytest.mark.parametrize("language", ["zh_CN", "en"])
@pytest.mark.parametrize("email", list(STAFF_PAGES))
def test_staff_pages_have_no_serious_accessibility_issues(new_page, ids, email, language):
    page = new_page(axe=True)
    login(page, email)
    moderate = check_pages(page, STAFF_PAGES[email], ids, language)
    assert not moderate, moderate
