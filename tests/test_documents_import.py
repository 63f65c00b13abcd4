"""A Word draft becomes a draft for comment: articles recognised as in typed Markdown, formatting kept, images
as figures, the original offered as 征求意见稿; bad files get a clear message, never a crash."""

import copy
import io
import re

import pytest
import segno
import sqlalchemy as sa
from docx import Document
from docx.oxml.ns import qn
from tests.drafts_support import fields, get

from consult.drafts.models import Draft, DraftFile
from consult.extensions import db

pytestmark = pytest.mark.usefixtures("request_ctx")
NUMERALS = "一二三四五六七八九十"


@pytest.fixture
def app_config():
    return {"CONSULT_DEFAULT_LOCALE": "zh_CN"}


def png() -> bytes:
    out = io.BytesIO()
    segno.make("consult").save(out, kind="png", scale=4)
    return out.getvalue()


def word_draft(*, articles: bool = True, table_rows: int = 3, image: bool = True) -> bytes:
    """A Word draft as an office writes it: title, chapter headings, 第一条…第十条 with bold and italic, a
    numbered list, a table and an image."""
    document = Document()
    document.add_heading("某县政务公开办法（征求意见稿）", 0)
    document.add_heading("第一章 总则", 1)
    for index, numeral in enumerate(NUMERALS):
        paragraph = document.add_paragraph()
        if articles:
            paragraph.add_run(f"第{numeral}条").bold = True
        paragraph.add_run(f"　各部门应当依法公开第{index + 1}类信息，")
        paragraph.add_run("不得拖延").italic = True
        paragraph.add_run("。")
        if index == 4:
            document.add_heading("第二章 公开方式", 1)
            document.add_paragraph("政府网站", style="List Number")
            document.add_paragraph("政务新媒体", style="List Number")
    table = document.add_table(rows=min(table_rows, 3), cols=3)
    for r in range(min(table_rows, 3)):
        for c in range(3):
            table.cell(r, c).text = "事项" if r == 0 and c == 0 else f"格{r}-{c}"
    for r in range(3, table_rows):  # a huge table: copies of the last row straight in the XML, each its own text
        row = copy.deepcopy(table._tbl.tr_lst[-1])
        for c, text in enumerate(row.iter(qn("w:t"))):
            text.text = f"第{r}行{(r * 7919 + c * 104729) % 1000003}号事项"
        table._tbl.append(row)
    if image:
        document.add_picture(io.BytesIO(png()))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _import(client, data: bytes, name: str = "办法.docx", draft_id: int | None = None):
    url = f"/office/drafts/{draft_id}/import" if draft_id else "/office/drafts/import"
    return client.post(url, data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def _form_values(page: str) -> dict:
    body = re.search(r'<textarea[^>]*name="body"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    values = dict(re.findall(r'<input[^>]*name="(source_id|figure_ids|title)"[^>]*value="([^"]*)"', page))
    import html
    values["body"] = html.unescape(body).lstrip("\n")
    return values


def test_a_word_draft_becomes_the_articles_of_a_new_draft(world, client, auth):
    auth.login(world.editor)
    response = _import(client, word_draft())
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "正文分为12个部分" in page  # two chapters, ten articles: the preview before saving
    for numeral in NUMERALS:
        assert f"第{numeral}条" in page
    values = _form_values(page)
    assert values["title"] == "某县政务公开办法（征求意见稿）"
    body = values["body"]
    assert "## 第一章 总则" in body and "**第一条**" in body and "*不得拖延*" in body
    assert "1. 政府网站" in body and "| 事项 | 格0-1 | 格0-2 |" in body and "（见图1）" in body
    form = {**fields(world.dept.id), "title": values["title"], "body": body, "source_id": values["source_id"],
            "figure_ids": values["figure_ids"]}
    form["opens_at"] = form["opens_at"].strftime("%Y-%m-%dT%H:%M")
    form["closes_at"] = form["closes_at"].strftime("%Y-%m-%dT%H:%M")
    saved = client.post("/office/drafts/new", data=form)
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    draft = db.session.scalar(sa.select(Draft))
    anchors = [article.anchor for article in draft.current_version.articles]
    assert anchors == ["sec-第一章-总则", "art-1", "art-2", "art-3", "art-4", "art-5", "sec-第二章-公开方式",
                       "art-6", "art-7", "art-8", "art-9", "art-10"]
    article_1 = draft.current_version.articles[1]
    assert "<strong>第一条</strong>" in article_1.body_html and "<em>不得拖延</em>" in article_1.body_html
    assert "<table>" in draft.current_version.articles[-1].body_html
    figures = db.session.scalars(sa.select(DraftFile).where(DraftFile.draft_id == draft.id)).all()
    assert [f.caption for f in figures] == ["图1"] and figures[0].attachment.content_type == "image/png"
    assert draft.current_version.source_attachment.original_filename == "办法.docx"


def test_the_original_is_offered_on_the_public_page_once_published(world, client, auth):
    from tests.drafts_support import make_draft

    draft_id = make_draft(world, status="draft")
    auth.login(world.editor)
    values = _form_values(_import(client, word_draft(image=False), draft_id=draft_id).get_data(as_text=True))
    draft = get(Draft, draft_id)
    form = {**fields(world.dept.id), "title": draft.title, "body": values["body"], "source_id": values["source_id"],
            "figure_ids": ""}
    form["opens_at"] = form["opens_at"].strftime("%Y-%m-%dT%H:%M")
    form["closes_at"] = form["closes_at"].strftime("%Y-%m-%dT%H:%M")
    assert client.post(f"/office/drafts/{draft_id}/edit", data=form).status_code == 302
    source = get(Draft, draft_id).current_version.source_attachment
    assert source is not None
    client.get("/account/logout")
    anonymous = client.application.test_client()
    assert anonymous.get(f"/files/{source.id}").status_code == 404  # not before the draft is published
    from consult.drafts import services
    from consult.accounts.models import User

    draft = get(Draft, draft_id)
    services.submit_for_review(draft, db.session.get(User, world.editor.id), without_interpretation=True)
    services.approve_draft(draft, db.session.get(User, world.reviewer.id))
    db.session.commit()
    page = anonymous.get(f"/drafts/{draft_id}").get_data(as_text=True)
    assert "下载征求意见稿（Word）" in page and f"/files/{source.id}/" in page
    with anonymous.get(f"/files/{source.id}") as download:
        assert download.status_code == 200 and download.data[:2] == b"PK"


@pytest.mark.parametrize("name, data", [
    ("办法.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512),
    ("办法.wps", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512),
    ("办法.pdf", b"%PDF-1.4\n%test\n"),
])
def test_old_formats_are_asked_to_be_saved_as_docx(world, client, auth, name, data):
    auth.login(world.editor)
    response = _import(client, data, name)
    assert response.status_code == 422
    assert "请另存为 .docx 后上传" in response.get_data(as_text=True)


def test_a_renamed_program_is_refused(world, client, auth):
    auth.login(world.editor)
    response = _import(client, b"MZ\x90\x00" + b"\x00" * 1024, "办法.docx")
    assert response.status_code == 422 and "不允许上传此类型的文件" in response.get_data(as_text=True)


def test_an_empty_document_says_so(world, client, auth):
    auth.login(world.editor)
    out = io.BytesIO()
    Document().save(out)
    response = _import(client, out.getvalue())
    assert response.status_code == 422 and "该文件没有可导入的正文" in response.get_data(as_text=True)


def test_a_text_without_articles_becomes_one_section(world, client, auth):
    auth.login(world.editor)
    document = Document()
    document.add_paragraph("为进一步做好政务公开工作，现提出如下意见。")
    document.add_paragraph("各部门要高度重视，认真落实。")
    out = io.BytesIO()
    document.save(out)
    page = _import(client, out.getvalue()).get_data(as_text=True)
    assert "正文分为1个部分" in page and "未识别到条款" in page


def test_a_huge_table_is_cut_not_a_crash(world, client, auth):
    auth.login(world.editor)
    response = _import(client, word_draft(table_rows=2000, image=False))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "表格过大，已截断" in page and "第十条" in page


def test_only_editors_import(world, client, auth):
    auth.login(world.officer)
    assert _import(client, word_draft()).status_code == 403
