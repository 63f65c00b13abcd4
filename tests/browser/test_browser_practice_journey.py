"""The compliance self-check and a rectification in a real browser, on the demo data: the admin finds the
board in the administration navigation, follows a row to its items and an item to its page, opens the
monthly summary; the department's officer records the follow-up of the overdue rectification task."""

import pytest

from tests.browser.support import assert_accessible, login, submit

ADMIN, OFFICER = "admin@consult.localhost", "officer.zrzyj@consult.localhost"


@pytest.mark.parametrize("viewport", ["desktop"])
def test_the_admin_follows_the_board_to_an_overdue_rectification_and_the_officer_follows_up(
        new_page, live_server, viewport):
    zh = live_server.zh
    admin = new_page(viewport)
    login(admin, ADMIN)
    admin.goto("/admin")
    admin.get_by_role("link", name=zh("Compliance self-check")).first.click()
    assert admin.get_by_role("heading", level=1).inner_text() == zh("Compliance self-check")
    row = admin.locator("tr#rule-rectifications_overdue")
    assert row.locator("td.count").inner_text().strip() != "0"
    assert admin.locator("tr#rule-unanswered_3_months td.count").inner_text().strip() != "0"
    assert admin.locator("tr#rule-short_windows td.count").inner_text().strip() != "0"
    assert_accessible(admin)
    row.get_by_role("link", name=zh("Rectification tasks past their due date")).click()
    admin.locator("table tbody tr th a").first.click()
    assert zh("Follow-up (回访)") in admin.locator("main").inner_text()
    task_url = admin.url

    admin.goto("/admin/compliance/summary")
    assert zh("Findings") in admin.locator("main").inner_text()
    assert admin.get_by_role("link", name=zh("Download this summary (CSV)")).count() == 1

    officer = new_page(viewport)
    login(officer, OFFICER)
    officer.goto("/office/inbox")
    officer.get_by_role("link", name=zh("Rectification tasks")).first.click()
    officer.locator("table tbody tr a").first.click()
    assert officer.url == task_url
    officer.locator("#contacted_at").fill("2026-11-20T10:00")
    officer.locator("input[name=method][value=phone]").check()
    officer.locator("#outcome").fill("已电话回访，市民表示清运频次已增加。")
    submit(officer, zh("Record the follow-up"))
    assert zh("The follow-up has been recorded.") in officer.locator("main").inner_text()
    assert_accessible(officer)
