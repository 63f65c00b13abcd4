"""Answers before asking in a real browser: a citizen writing to a mailbox about an old parent's allowance sees,
as they type, the mailbox's FAQ entry and the published answer to a similar letter in a polite live region,
reaches them by keyboard, and the page does not jump; with JavaScript off, the "find similar answered letters"
button shows the same and keeps everything typed, and nothing is sent."""

import re

from playwright.sync_api import expect

from tests.browser.support import assert_accessible, shoot

MAILBOX = "民政服务信箱"
SUBJECT = "我父亲满80岁了，高龄津贴怎么申请"
BODY = "我父亲今年刚满80周岁，想问一下高龄津贴在哪里申请，每月发多少钱？"


def _open_form(page, zh) -> None:
    page.goto("/mailboxes")
    page.get_by_role("link", name=MAILBOX).first.click()
    page.get_by_role("link", name=re.compile(zh("Write to this mailbox"))).first.click()


def test_similar_answers_follow_the_typing_and_are_reached_by_keyboard(new_page, live_server, screenshot_dir):
    zh = live_server.zh
    citizen = new_page()
    _open_form(citizen, zh)
    region = citizen.locator("#similar-answers-results")
    expect(region).to_have_attribute("aria-live", "polite")
    body_box = citizen.locator("#body").bounding_box()

    citizen.locator("#subject").press_sequentially(SUBJECT, delay=20)
    citizen.locator("#body").fill(BODY)
    faq = region.get_by_role("link", name="高龄津贴每月发多少？")
    letter = region.get_by_role("link", name="高龄津贴申请条件")
    expect(faq).to_be_visible()
    expect(letter).to_be_visible()
    assert region.inner_text().index("高龄津贴每月发多少？") < region.inner_text().index("高龄津贴申请条件")
    assert "13522223333" not in region.inner_text() and "黄晓明" not in region.inner_text()
    # The letter being typed did not move while the results came in.
    assert citizen.locator("#body").bounding_box()["y"] == body_box["y"]
    # From the letter, the keyboard reaches the suggestions in order.
    citizen.locator("#body").focus()
    citizen.keyboard.press("Tab")
    expect(citizen.locator(".similar-find")).to_be_focused()
    citizen.keyboard.press("Tab")
    expect(faq).to_be_focused()
    assert_accessible(citizen)
    shoot(citizen, screenshot_dir, "letter-similar-answers", full_page=True)
    # Typed text that matches nothing says so, in the same region.
    citizen.locator("#subject").fill("关于某某某的事")
    citizen.locator("#body").fill("啊啊啊啊啊啊")
    expect(region).to_contain_text(zh("No similar answered letters were found. Please go on writing your letter."))


def test_without_javascript_the_button_shows_them_and_keeps_the_letter(new_page, live_server):
    zh = live_server.zh
    citizen = new_page(script=False)
    _open_form(citizen, zh)
    citizen.locator("#category").select_option("enquiry")
    citizen.locator("#subject").fill(SUBJECT)
    citizen.locator("#body").fill(BODY)
    citizen.locator("#name").fill("黄小红")
    citizen.locator("#phone").fill("13600001111")
    with citizen.expect_navigation():
        citizen.get_by_role("button", name=zh("Find similar answered letters")).click()
    region = citizen.locator("#similar-answers-results")
    expect(region.get_by_role("link", name="高龄津贴申请条件")).to_be_visible()
    expect(region.get_by_role("link", name="高龄津贴每月发多少？")).to_be_visible()
    expect(citizen.locator("#subject")).to_have_value(SUBJECT)
    expect(citizen.locator("#body")).to_have_value(BODY)
    expect(citizen.locator("#name")).to_have_value("黄小红")
    expect(citizen.locator("#category")).to_have_value("enquiry")
    expect(citizen.get_by_role("heading", level=1)).not_to_have_text(zh("Thank you for your letter"))
