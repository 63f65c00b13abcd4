"""Journeys 4 and 5 in a real browser: the language and the large-text mode persist across pages, and the
comment form can be completed with the keyboard alone."""

import re

import pytest

from tests.browser.support import fact, header_switch, main_nav, shoot


def html_state(page) -> tuple[str, bool]:
    """The page's language and whether the large-text mode is on."""
    html = page.locator("html")
    return html.get_attribute("lang"), "large-text" in (html.get_attribute("class") or "")


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_language_and_large_text_persist_across_pages(new_page, live_server, screenshot_dir, viewport):
    page = new_page(viewport)
    page.goto("/drafts")
    assert html_state(page) == ("zh-CN", False)

    header_switch(page, "English")  # a plain link: it sets a preference cookie, no session
    assert page.url.endswith("/drafts"), "the switch returns to the same page"
    assert html_state(page) == ("en", False)
    assert page.get_by_role("heading", level=1).inner_text() == "Drafts for comment"

    header_switch(page, "Large text")
    assert html_state(page) == ("en", True)
    assert page.locator("header").get_by_role("link", name="Standard text").is_visible()
    root_size = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert root_size == 20
    assert "session" not in {cookie["name"] for cookie in page.context.cookies()}

    main_nav(page).get_by_role("link", name="Open days and hearings").click()
    assert html_state(page) == ("en", True)
    assert page.get_by_role("heading", level=1).inner_text() == "Open days, hearings and meetings"
    page.goto("/track")
    assert html_state(page) == ("en", True)
    if viewport == "phone":
        shoot(page, screenshot_dir, "phone-large-text-en")

    header_switch(page, "中文")
    assert html_state(page) == ("zh-CN", True)
    page.goto("/mailboxes")
    assert html_state(page) == ("zh-CN", True)
    header_switch(page, live_server.zh("Standard text"))
    assert html_state(page) == ("zh-CN", False)


def test_the_switches_work_with_the_keyboard(new_page, live_server):
    page = new_page("desktop")
    page.goto("/events")
    page.locator("header").get_by_role("link", name="English").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert html_state(page) == ("en", False) and page.url.endswith("/events")


def focused(page) -> dict:
    return page.evaluate("""() => {
        const el = document.activeElement;
        const style = getComputedStyle(el);
        return {id: el.id, tag: el.tagName, outline: style.outlineStyle, text: (el.innerText || '').trim()};
    }""")


def tab_to(page, element_id: str, limit: int = 40) -> None:
    """Press Tab until the element has focus; every stop on the way must show where the focus is."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        assert now["outline"] != "none", f"focus is invisible on {now}"
        if now["id"] == element_id:
            return
    raise AssertionError(f"#{element_id} was not reached with Tab")


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_comment_form_with_the_keyboard_only(new_page, live_server, viewport):
    zh = live_server.zh
    page = new_page(viewport)
    page.goto("/drafts/1/comment?article=art-3")

    page.keyboard.press("Tab")
    assert focused(page)["text"] == zh("Skip to main content")
    page.keyboard.press("Enter")
    tab_to(page, "article")
    page.keyboard.press("ArrowDown")  # the next article: 第四条
    assert page.locator("#article").input_value() == "art-4"
    tab_to(page, "body")
    page.keyboard.type(f"建议第四条增加公开渠道的说明（键盘，{viewport}）。")
    tab_to(page, "name")
    page.keyboard.type("赵敏")
    tab_to(page, "email")
    page.keyboard.type(f"zhao.{viewport}@example.org")
    tab_to(page, "phone")
    tab_to(page, "notify_by_sms")  # the choice of SMS for news, left unticked
    page.keyboard.press("Tab")
    assert focused(page)["text"] == zh("Send comment")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.get_by_role("heading", level=1).inner_text() == zh("Thank you for your comment")
    assert re.fullmatch(r"[A-Z]-\d{8}-\d{5}", fact(page, zh("Tracking number")))
