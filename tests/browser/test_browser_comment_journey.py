"""Journey 1 in a real browser: a guest comments on one article of an open draft, an officer replies, a
reviewer approves, and the guest reads the answer with tracking number + query code and rates it 不满意,
which reopens the comment."""

import re

import pytest

from tests.browser.support import assert_accessible, fact, login, main_nav, shoot, submit

OFFICER, REVIEWER = "officer.xzfb@consult.localhost", "reviewer.xzfb@consult.localhost"
OPEN_DRAFT = "深化政务公开促进基层政府治理能力提升工作实施方案"


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_guest_comment_is_answered_rated_and_reopened(new_page, live_server, screenshot_dir, viewport):
    zh = live_server.zh
    guest = new_page(viewport)

    # The guest finds the open draft from the home page and comments on its second article.
    guest.goto("/")
    shoot(guest, screenshot_dir, f"home-{viewport}")
    main_nav(guest, zh("Main")).get_by_role("link", name=zh("Drafts for comment")).click()
    guest.get_by_role("link", name=re.compile(OPEN_DRAFT)).first.click()
    assert guest.get_by_role("heading", level=1).inner_text().startswith(OPEN_DRAFT)
    shoot(guest, screenshot_dir, f"draft-{viewport}")
    # Reading the draft leaves nothing behind: the page is the one every reader gets, the form has its own.
    assert "session" not in {cookie["name"] for cookie in guest.context.cookies()}
    guest.locator("#art-2").get_by_role("link", name=re.compile(zh("Comment on this"))).click()
    assert guest.locator("#article").input_value() == "art-2"
    body = f"第二条建议明确公开时限（{viewport}）。"
    guest.locator("#body").fill(body)
    guest.locator("#name").fill("王小明")
    guest.locator("#email").fill(f"wang.{viewport}@example.org")
    submit(guest, zh("Send comment"))

    assert guest.get_by_role("heading", level=1).inner_text() == zh("Thank you for your comment")
    tracking_no, query_code = fact(guest, zh("Tracking number")), fact(guest, zh("Query code"))
    assert re.fullmatch(r"[A-Z]-\d{8}-\d{5}", tracking_no) and query_code
    assert_accessible(guest)
    shoot(guest, screenshot_dir, f"comment-confirmation-{viewport}")

    # The officer of the lead department finds it in the inbox and drafts a reply.
    officer = new_page(viewport)
    login(officer, OFFICER)
    officer.goto("/office/inbox")
    shoot(officer, screenshot_dir, f"officer-inbox-{viewport}")
    officer.locator("#filter-q").fill(tracking_no)
    with officer.expect_navigation():
        officer.locator("#filter-q").press("Enter")
    officer.get_by_role("link", name=tracking_no).first.click()
    officer.get_by_role("link", name=zh("Write a reply")).click()
    officer.locator("#body").fill("感谢您的意见。第二条已补充“自信息形成之日起20个工作日内公开”的时限要求。")
    submit(officer, zh("Save the draft and preview it"))
    submit(officer, zh("Submit for review"))
    assert_accessible(officer)

    # A reviewer of the department approves it.
    reviewer = new_page(viewport)
    login(reviewer, REVIEWER)
    reviewer.goto("/office/review/replies")
    reviewer.locator("article, li, tr").filter(has_text=tracking_no).get_by_role("link").first.click()
    submit(reviewer, zh("Approve and send"))

    # The guest looks the comment up, reads the answer and is not satisfied: the comment is reopened.
    guest.goto("/track")
    guest.locator("#tracking_no").fill(tracking_no)
    guest.locator("#code").fill(query_code)
    submit(guest, zh("Show the status"))
    answer = guest.locator("#answer-heading").locator("..")
    assert "20个工作日内公开" in answer.inner_text()
    assert fact(guest, zh("Status")) == zh("Answered")
    assert_accessible(guest)
    shoot(guest, screenshot_dir, f"status-answer-{viewport}", full_page=viewport == "desktop")
    guest.get_by_role("group", name=zh("Was your problem solved?")).get_by_label(zh("No")).check()
    guest.get_by_label(zh("Not satisfied"), exact=True).check()
    guest.locator("#comment").fill("时限仍然太长。")
    submit(guest, zh("Send my rating"))
    assert fact(guest, zh("Status")) == zh("Reopened")
