"""The comment form in a real browser, as a newcomer meets it: required fields announced as required, every
problem shown at once beside its field and in a summary at the top, the text kept, articles named by their
headings, a receipt that prints without the site's chrome, and the same comment sent again recognised."""

import re

from playwright.sync_api import expect

from tests.browser.support import assert_accessible, fact, submit

OPEN_DRAFT = "深化政务公开促进基层政府治理能力提升工作实施方案"


def test_the_comment_form_reports_everything_at_once_and_the_receipt_prints(new_page, live_server):
    zh = live_server.zh
    guest = new_page()
    guest.goto("/drafts")
    guest.get_by_role("link", name=re.compile(OPEN_DRAFT)).first.click()
    draft_url = guest.url
    breadcrumb = guest.get_by_role("navigation", name=zh("You are here"))
    expect(breadcrumb.get_by_role("link", name=zh("Drafts for comment"))).to_be_visible()
    guest.get_by_role("link", name=zh("Comment on the whole draft")).click()
    form_url = guest.url

    # Required fields are marked, carry the attribute, and the legend says what the mark means.
    expect(guest.get_by_text(zh("Fields marked * are required."))).to_be_visible()
    for field in ("#body", "#name"):
        expect(guest.locator(field)).to_have_attribute("required", "")
    expect(guest.get_by_role("group", name=re.compile(zh("How we can reach you")))).to_be_visible()
    labels = guest.locator("#article option").all_inner_texts()
    assert zh("Preamble") in labels and "第二条" in labels and not [x for x in labels if re.fullmatch(r"[a-z]+-?\d*", x)]

    # Sent empty but for the text: every missing field is reported at once, beside it and at the top.
    guest.locator("#body").fill("建议在每个村设立政务公开栏。")
    submit(guest, zh("Send comment"))
    summary = guest.get_by_role("alert")
    expect(summary.get_by_role("link")).to_have_count(2)  # name, and a way to reach the guest
    expect(guest.locator("#name")).to_have_accessible_description(re.compile(zh("Please enter your name.")))
    expect(guest.locator("#email")).to_have_accessible_description(
        re.compile(zh("Please give an e-mail address or a phone number.")))
    expect(guest.locator("#body")).to_have_value("建议在每个村设立政务公开栏。")
    assert_accessible(guest)

    guest.locator("#name").fill("赵小红")
    guest.locator("#phone").fill("13700001111")
    submit(guest, zh("Send comment"))
    tracking_no, code = fact(guest, zh("Tracking number")), fact(guest, zh("Query code"))
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    assert guest.locator(".query-code").evaluate("e => getComputedStyle(e).userSelect") == "all"
    expect(guest.get_by_role("link", name=zh("Show the status"))).to_be_visible()
    expect(guest.get_by_role("heading", name=zh("What happens next"))).to_be_visible()
    assert_accessible(guest)
    guest.emulate_media(media="print")
    expect(guest.locator(".site-header")).to_be_hidden()
    expect(guest.get_by_role("link", name=zh("Show the status"))).to_be_hidden()
    expect(guest.locator(".query-code")).to_be_visible()
    guest.emulate_media(media="screen")

    # Back to the form, which is new, and the same comment again: the first receipt, not a second comment.
    guest.goto(form_url)
    guest.locator("#body").fill("建议在每个村设立政务公开栏。")
    guest.locator("#name").fill("赵小红")
    guest.locator("#phone").fill("137 0000 1111")
    submit(guest, zh("Send comment"))
    assert fact(guest, zh("Tracking number")) == tracking_no
    guest.goto(draft_url)
    expect(guest.locator(".comment-body").filter(has_text="建议在每个村设立政务公开栏。")).to_have_count(1)
