"""Layout only a browser shows: the header on a 390 px phone, the inbox columns at 1280 px, and a mail's
HTML kept in its sandbox."""

import pytest

from consult.extensions import db
from consult.notify.models import SENT, OutboxMessage
from tests.browser.support import assert_accessible, header_switch, login, main_nav

PHONE_HEADER_MAX = 160  # px of header and navigation before the page begins (it was 154–346 before the menu)
LARGE_TEXT_HEADER_MAX = 170  # the large-text mode in English wraps the brand and the tools onto two lines each
ADMIN, OFFICER = "admin@consult.localhost", "officer.sfj@consult.localhost"


def header_height(page) -> float:
    return page.evaluate("document.querySelector('header.site-header').getBoundingClientRect().height")


def switch(page, name: str) -> None:
    header_switch(page, name)


@pytest.mark.parametrize("language", ["zh_CN", "en"])
@pytest.mark.parametrize("who", [None, ADMIN])
def test_the_phone_header_leaves_the_screen_to_the_page(new_page, live_server, who, language):
    page = new_page("phone")
    if who:
        login(page, who)
    page.goto("/drafts")
    try:
        if language == "en":
            switch(page, "English")
        assert header_height(page) <= PHONE_HEADER_MAX
        switch(page, "Large text" if language == "en" else live_server.zh("Large text"))
        limit = LARGE_TEXT_HEADER_MAX if language == "en" else PHONE_HEADER_MAX
        assert header_height(page) <= limit
        # Every entry is still one tap away.
        links = main_nav(page, "Main" if language == "en" else live_server.zh("Main")).get_by_role("link")
        assert links.count() >= 7 and all(links.nth(i).is_visible() for i in range(links.count()))
    finally:
        if who and language == "en":  # a logged-in choice is kept on the account: give the others Chinese back
            switch(page, "中文")


def test_the_phone_menu_opens_with_the_keyboard(new_page, live_server):
    page = new_page("phone")
    page.goto("/stats")
    menu = page.locator("details.nav-toggle summary")
    assert menu.inner_text().endswith(live_server.zh("Statistics"))  # says where the visitor is
    drafts = page.locator("nav.site-nav ul a").nth(1)
    assert not drafts.is_visible()
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.tagName") == "SUMMARY":
            break
    page.keyboard.press("Enter")
    assert_accessible(page)  # the open menu too
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.innerText") == drafts.inner_text()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/drafts")


def test_the_phone_menu_needs_no_script(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844},
                                  java_script_enabled=False, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto("/")
        assert header_height(page) <= PHONE_HEADER_MAX
        page.locator("details.nav-toggle summary").click()
        page.locator("nav.site-nav").get_by_role("link", name=live_server.zh("Open days and hearings")).click()
        assert page.url.endswith("/events")
    finally:
        context.close()


WORDS_ON_ONE_LINE = """() => {
  // Every word (text between spaces) of every short column is on one line; only the text column wraps.
  const broken = [];
  for (const cell of document.querySelectorAll('.inbox-table td:not(.inbox-content), .inbox-table th')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent;
      const re = /\\S+/g;
      for (let m = re.exec(text); m; m = re.exec(text)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        if (lines.size > 1) broken.push(m[0]);
      }
    }
  }
  return broken;
}"""


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_inbox_columns_never_break_a_word_at_1280_px(new_page, live_server, language):
    page = new_page("desktop")
    login(page, OFFICER)
    page.goto("/office/inbox?status=all")
    try:
        if language == "en":
            switch(page, "English")
        numbers = page.locator(".inbox-table a.tracking-no")
        assert numbers.count() > 20  # letters, comments, information requests: long kind names among them
        assert page.evaluate(WORDS_ON_ONE_LINE) == []
        assert page.evaluate("""() => [...document.querySelectorAll('.inbox-table a.tracking-no')]
            .every(a => a.getClientRects().length === 1)""")
        wrap = page.locator(".inbox-list .table-wrap")
        assert wrap.evaluate("w => w.scrollWidth <= w.clientWidth"), "the table fits without scrolling"
    finally:
        if language == "en":
            switch(page, "中文")


def test_a_mail_is_read_in_a_sandbox_where_nothing_runs(new_page, live_server):
    with live_server.app.app_context():
        message = OutboxMessage(
            recipient="li@example.org", locale="zh_CN", template="submission_answer", subject="沙箱中的邮件",
            body_text="您好。", status=SENT,
            body_html='<p id="hello">您好，答复如下。</p><form action="https://evil.example/"><button>提交</button></form>'
                      "<script>document.body.dataset.ran = 'yes'; parent.document.title = 'owned';</script>",
        )
        db.session.add(message)
        db.session.commit()
        message_id = message.id
    page = new_page("desktop")
    login(page, ADMIN)
    page.goto(f"/admin/outbox/{message_id}")
    frame = page.frame_locator("iframe.mail-html")
    assert frame.locator("#hello").inner_text() == "您好，答复如下。"
    assert frame.locator("body").get_attribute("data-ran") is None  # the script never ran
    assert page.title().startswith("沙箱中的邮件")
    assert page.locator("pre.mail-text").inner_text() == "您好。"
    assert_accessible(page)
