"""Every field that takes Markdown shows, beside it, what to type for a heading, a list or bold text, and
what readers will see (rendered by the same filter as the pages)."""

import re

import pytest

from consult.database import utcnow
from consult.drafts import services as drafts
from consult.extensions import db
from tests.tracking_views_support import file

HELP = re.compile(r'<details class="markdown-help" id="(?P<field>[\w-]+)-format">.*?</details>', re.S)


@pytest.fixture
def app_config():
    return {"CONSULT_DEFAULT_LOCALE": "en"}


def helps(html: str) -> dict[str, str]:
    """Help boxes by the id of their field; each must follow its own textarea."""
    found = {}
    for match in HELP.finditer(html):
        field = match.group("field")
        textarea = re.search(f'<textarea[^>]*\\bid="{field}"', html)
        assert textarea and textarea.start() < match.start(), f"the help of {field} is not beside it"
        found[field] = match.group(0)
    return found


def make_draft(app, office) -> int:
    with app.test_request_context("/"):
        editor = db.session.merge(office.editor)
        draft = drafts.create_draft(
            editor, body="第一条 测试。", title="测试草案", summary="", department_id=office.dept.id,
            domain="government_affairs", legal_basis="", opens_at=utcnow(), closes_at=utcnow().replace(year=2100),
        )
        db.session.commit()
        return draft.id


def test_each_markdown_field_has_its_formatting_help(app, client, auth, office):
    draft_id = make_draft(app, office)
    filed = file(app, office.dept)
    auth.login(office.editor)
    assert set(helps(client.get("/office/drafts/new").get_data(as_text=True))) == {"body"}
    assert set(helps(client.get(f"/office/drafts/{draft_id}/edit").get_data(as_text=True))) == {"body"}
    interpretation = helps(client.get(f"/office/drafts/{draft_id}/interpretation").get_data(as_text=True))
    assert set(interpretation) == {"interpretation", "qa-0-answer"}
    # A public meeting's agenda and materials are Markdown as well.
    assert set(helps(client.get("/events/manage/new").get_data(as_text=True))) == {"description", "agenda", "materials"}
    auth.login(office.officer)
    assert set(helps(client.get("/office/reply-templates").get_data(as_text=True))) == {"body"}
    assert set(helps(client.get(f"/office/replies/new?submission={filed.id}").get_data(as_text=True))) == {"body"}


def test_the_help_shows_headings_lists_and_bold_as_readers_see_them(app, client, auth, office):
    auth.login(office.editor)
    box = helps(client.get("/office/drafts/new").get_data(as_text=True))["body"]
    assert "<code>## Heading</code>" in box and "<h2>Heading</h2>" in box
    assert "<code>- First point\n- Second point</code>" in box and "<ul>\n<li>First point</li>" in box
    assert "<ol>\n<li>First step</li>" in box
    assert "<strong>bold words</strong>" in box
    assert 'href="https://www.gov.cn"' in box


@pytest.mark.parametrize("app_config", [{"CONSULT_DEFAULT_LOCALE": "zh_CN"}])
def test_the_help_speaks_chinese(app, client, auth, office):
    auth.login(office.editor)
    box = helps(client.get("/office/drafts/new").get_data(as_text=True))["body"]
    assert "标题" in box and "列表" in box and "加粗" in box
