"""The inbox rows at a glance: the text of each submission and when it came, not the same title again."""

import re

import pytest

from consult.text import excerpt
from consult.tracking.models import COMMENT
from tests.tracking_views_support import file, get

LONG_BODY = "小区东门的路灯已经坏了两个多星期，晚上出行很不方便，老人和孩子摔倒过好几次。" * 3
DRAFT_TITLE = "关于深化政务公开促进基层政府治理能力提升工作的实施方案（征求意见稿）"


@pytest.fixture
def app_config():
    return {"CONSULT_DEFAULT_LOCALE": "en"}


def inbox_rows(client) -> list[str]:
    html = client.get("/office/inbox").get_data(as_text=True)
    return re.findall(r"<tr>\s*<td><input.*?</tr>", html, re.S)


def test_each_row_shows_the_start_of_the_text_and_the_date_received(app, client, auth, office):
    filed = file(app, office.dept, subject="路灯不亮", body=LONG_BODY, days_ago=3)
    auth.login(office.officer)
    [row] = inbox_rows(client)
    assert "路灯不亮" in row
    assert excerpt(LONG_BODY, 90) in row and LONG_BODY not in row  # a snippet, not the whole letter
    received = get(app, filed.id).received_at
    assert f'<time datetime="{received.strftime("%Y-%m-%dT%H:%M")}' in row


def test_comment_rows_do_not_repeat_the_draft_title(app, client, auth, office):
    for article in ("第三条", "第五条"):
        file(app, office.dept, kind=COMMENT, subject=f"{DRAFT_TITLE} · {article}", body=f"建议{article}写明公开时限。")
    auth.login(office.officer)
    rows = inbox_rows(client)
    assert len(rows) == 2
    for row, article in zip(rows, ("第三条", "第五条"), strict=True):
        assert DRAFT_TITLE not in row
        assert re.search(f"…[^<]{{0,2}} · {article}", row)  # which article, with the title shortened
        assert f"建议{article}写明公开时限。" in row


def test_excerpt_keeps_short_text_and_cuts_long_text_on_one_line():
    assert excerpt("  短  文本\n第二行 ") == "短 文本 第二行"
    assert excerpt("一二三四五六七八九十", 6) == "一二三四五…"
    assert excerpt("一二三四五六七八九十", 6, tail=2) == "一二三…九十"
    assert excerpt(None) == ""
