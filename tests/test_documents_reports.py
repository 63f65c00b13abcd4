"""The feedback report (意见采纳情况) as .docx and PDF: what it holds, who may have it, how it is served."""

from urllib.parse import unquote

import pytest
from tests.documents_support import docx_tables, docx_text, pdf_text
from tests.drafts_support import add_comment, close_now, get, make_draft

from consult.drafts import report
from consult.drafts.documents import article_reasons
from consult.drafts.models import Comment, Draft
from consult.extensions import db

pytestmark = pytest.mark.usefixtures("request_ctx")


@pytest.fixture
def app_config():
    return {"CONSULT_DEFAULT_LOCALE": "zh_CN"}


def _published_report(world, *, extra_reasons: int = 0) -> int:
    draft_id = make_draft(world)
    made = [add_comment(draft_id, "建议将政务公开专区延伸到每个村。", anchor="art-3") for _ in range(3)]
    made.append(add_comment(draft_id, "第四条的开放日次数太少，建议每季度一次。", anchor="art-4"))
    made.append(add_comment(draft_id, "整体支持。"))
    singles = [add_comment(draft_id, f"第四条意见{i}", anchor="art-4") for i in range(extra_reasons)]
    close_now(draft_id)
    draft, editor = get(Draft, draft_id), db.session.merge(world.editor)
    report.set_disposition(draft, [get(Comment, c.id) for c in made[:3]], "adopted", "已在第三条中增加村级专区", editor)
    report.set_disposition(draft, [get(Comment, made[3].id)], "not_adopted", "上级规定每年至少两次，已满足要求", editor)
    report.set_disposition(draft, [get(Comment, made[4].id)], "noted", "感谢支持", editor)
    for i, single in enumerate(singles):
        report.set_disposition(draft, [get(Comment, single.id)], "noted", f"理由{i:03d}", editor)
    report.submit_report(draft, editor, "共收到意见若干条，**主要集中在**第三条。")
    report.approve_report(draft, db.session.merge(world.reviewer))
    db.session.commit()
    return draft_id


def test_the_published_report_downloads_as_word_with_title_department_counts_and_reasons(world, client):
    draft_id = _published_report(world)
    response = client.get(f"/drafts/{draft_id}/report.docx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert "public" in response.headers["Cache-Control"] and response.headers.get("ETag")
    name = unquote(response.headers["Content-Disposition"].split("filename*=UTF-8''")[1])
    assert name.startswith("《深化政务公开") and name.endswith("意见采纳情况.docx")
    text = docx_text(response.data)
    assert "意见采纳情况" in text and "县司法局" in text
    assert "主要集中在" in text  # the editor's summary
    assert "已在第三条中增加村级专区" in text and "上级规定每年至少两次" in text and "感谢支持" in text
    counts = next(t for t in docx_tables(response.data) if t[0][0] == "条款")
    by_article = {row[0]: row[1:] for row in counts[1:]}
    assert by_article["第三条"] == ["3", "0", "0", "0", "3"]
    assert by_article["第四条"] == ["0", "0", "1", "0", "1"]
    assert by_article["合计"] == ["3", "0", "1", "1", "5"]


def test_the_pdf_holds_the_same_report(world, client):
    draft_id = _published_report(world)
    response = client.get(f"/drafts/{draft_id}/report.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "意见采纳情况" in text and "县司法局" in text and "已在第三条中增加村级专区" in text
    assert "采纳" in text and "合计" in text and "第三条" in text
    assert "— 1 —" in text  # page numbers


def test_the_annex_lists_every_public_comment_only_when_asked(world, client):
    draft_id = _published_report(world)
    plain = docx_text(client.get(f"/drafts/{draft_id}/report.docx").data)
    with_annex = docx_text(client.get(f"/drafts/{draft_id}/report.docx?annex=1").data)
    numbers = [get(Comment, i).submission.tracking_no for i in range(1, 6)]
    assert not any(number in plain for number in numbers)
    assert all(number in with_annex for number in numbers)
    assert "/report/comments.csv" in plain  # where every comment is, streamed


def test_reasons_are_units_with_counts_and_bounded_per_article(world):
    draft_id = _published_report(world, extra_reasons=40)
    reasons = article_reasons(get(Draft, draft_id), limit=30)
    art4 = reasons["art-4"]
    assert len(art4.reasons) == 30 and art4.units == 41
    assert art4.comments == 11  # the comments behind the 11 reasons not printed
    art3 = reasons["art-3"]
    assert [(r.disposition, r.reason, r.count) for r in art3.reasons] == [("adopted", "已在第三条中增加村级专区", 3)]


def test_the_report_is_not_public_before_it_is_published(world, client, auth):
    draft_id = make_draft(world)
    add_comment(draft_id, "意见", anchor="art-3")
    assert client.get(f"/drafts/{draft_id}/report.pdf").status_code == 404
    close_now(draft_id)
    assert client.get(f"/drafts/{draft_id}/report.docx").status_code == 404
    auth.login(world.editor)
    response = client.get(f"/office/drafts/{draft_id}/report.docx")
    assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]
    assert client.get(f"/drafts/{draft_id}/report.txt").status_code == 404


@pytest.mark.parametrize("who, status", [("officer", 200), ("other_reviewer", 403), ("citizen", 403)])
def test_staff_of_other_departments_do_not_get_the_draft_report(world, client, auth, who, status):
    draft_id = make_draft(world)
    close_now(draft_id)
    auth.login(getattr(world, who))
    assert client.get(f"/office/drafts/{draft_id}/report.pdf").status_code == status


def test_a_long_table_keeps_every_row_in_order_and_merged_cells_still_merge(app):
    """The annex of a large consultation is one long table: each row lands in its place (tables without merged
    cells take their cells straight from the rows; tables with them go through python-docx's merge)."""
    import datetime

    from consult.documents.model import Cell, Document, Table
    from consult.documents.word import to_docx

    with app.test_request_context():
        long = [[Cell("编号", bold=True), Cell("意见", bold=True)]] + [[Cell(f"C-{n}"), Cell(f"意见{n}")]
                                                                       for n in range(600)]
        merged = [[Cell("合并的表头", colspan=2)], [Cell("左"), Cell("右")]]
        document = Document(title="表格", department="司法局", issued_on=datetime.date(2026, 12, 2))
        document.add(Table(long, header_rows=1), Table(merged, header_rows=1))
        tables = docx_tables(to_docx(document))
    assert len(tables[0]) == 601 and tables[0][1] == ["C-0", "意见0"] and tables[0][600] == ["C-599", "意见599"]
    assert tables[1] == [["合并的表头", "合并的表头"], ["左", "右"]]
