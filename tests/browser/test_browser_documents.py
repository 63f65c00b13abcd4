"""The office documents in a real browser, downloaded from the pages where people find them: the receipt
(受理回执) from the confirmation page, the reply letter (答复意见书) from the status page, the feedback report
(意见采纳情况) from the public report page, the annual disclosure report from its office page, and the monthly
summary (月度通报) from the compliance self-check. Each download is read back (pypdf, python-docx)."""

import io
import re

import docx
import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from tests.browser.support import fact, login, submit

CITIZEN_NAME = "欧阳晓明"
OFFICER, REVIEWER = "officer.xzfb@consult.localhost", "reviewer.xzfb@consult.localhost"
ADMIN = "admin@consult.localhost"


def _download(page, link) -> tuple[str, bytes]:
    """Click a download link as a person would; the file's suggested name and its bytes."""
    with page.expect_download() as info:
        link.click()
    download = info.value
    with open(download.path(), "rb") as handle:
        return download.suggested_filename, handle.read()


def _pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-"), data[:20]
    return "".join(page.extract_text().replace("\n", "") for page in PdfReader(io.BytesIO(data)).pages)


def _docx_text(data: bytes) -> str:
    assert data.startswith(b"PK"), data[:20]
    document = docx.Document(io.BytesIO(data))
    parts = [paragraph.text for paragraph in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def _answer_in_the_office(live_server, tracking_no: str, body: str) -> None:
    """The department answers through the tracking engine (the reply journey has its own browser test)."""
    from consult.accounts.models import User
    from consult.extensions import db
    from consult.tracking import replies
    from consult.tracking.models import Submission

    with live_server.app.test_request_context():
        submission = db.session.scalar(sa.select(Submission).where(Submission.tracking_no == tracking_no))
        officer = db.session.scalar(sa.select(User).where(User.email == OFFICER))
        reviewer = db.session.scalar(sa.select(User).where(User.email == REVIEWER))
        reply = replies.create_reply(officer, [submission], body)
        replies.submit_reply(reply, actor=officer)
        replies.approve_reply(reply, reviewer=reviewer)
        db.session.commit()


def _reported_draft_id(live_server) -> int:
    from consult.drafts.models import Draft
    from consult.extensions import db

    with live_server.app.app_context():
        return db.session.scalar(sa.select(Draft.id).where(Draft.status == "report_published").order_by(Draft.id))


@pytest.mark.parametrize("viewport", ["desktop"])
def test_a_citizen_prints_the_receipt_and_later_the_reply_letter(new_page, live_server, viewport):
    zh = live_server.zh
    citizen = new_page(viewport)
    citizen.goto("/mailboxes")
    citizen.get_by_role("link", name="县长信箱").first.click()
    citizen.get_by_role("link", name=re.compile(zh("Write a letter"))).first.click()
    citizen.locator("#category").select_option("suggestion")
    citizen.locator("#subject").fill("建议延长县图书馆周末开放时间")
    citizen.locator("#body").fill("县图书馆周末下午五点闭馆，上班族难以前往，建议周末延长至晚上八点。")
    citizen.locator("#name").fill(CITIZEN_NAME)
    citizen.locator("#email").fill("ouyang@example.org")
    submit(citizen, zh("Send the letter"))
    tracking_no = fact(citizen, zh("Tracking number"))
    query_code = fact(citizen, zh("Query code"))

    name, data = _download(citizen, citizen.get_by_role("link", name=zh("Download the receipt (PDF)")))
    assert name == f"受理回执{tracking_no}.pdf"
    text = _pdf_text(data)
    assert "受理回执" in text and tracking_no in text and query_code in text
    assert "建议延长县图书馆周末开放时间" in text and "答复期限" in text

    _answer_in_the_office(live_server, tracking_no, "您好：\n\n经研究，县图书馆自下月起周六、周日开放至晚上八点。")
    later = new_page(viewport)  # back another day, with the receipt in hand
    later.goto("/track")
    later.locator("#tracking_no").fill(tracking_no)
    later.locator("#code").fill(query_code)
    submit(later, zh("Show the status"))
    name, data = _download(later, later.get_by_role("link", name=zh("Download the reply letter (PDF)")))
    assert name == f"答复意见书{tracking_no}.pdf"
    text = _pdf_text(data)
    assert "答复意见书" in text and tracking_no in text and CITIZEN_NAME in text
    assert "开放至晚上八点" in text and "县人民政府办公室" in text


@pytest.mark.parametrize("viewport", ["desktop"])
def test_anyone_downloads_the_published_feedback_report_in_word_and_pdf(new_page, live_server, viewport):
    zh = live_server.zh
    visitor = new_page(viewport)
    visitor.goto(f"/drafts/{_reported_draft_id(live_server)}")
    with visitor.expect_navigation():
        visitor.get_by_role("link", name=zh("Read the feedback report")).click()
    report = visitor.locator("main")
    name, data = _download(visitor, report.get_by_role("link", name=zh("Word (.docx)")))
    assert name.endswith("意见采纳情况.docx") and "县级预决算公开管理规定" in name
    text = _docx_text(data)
    assert "意见采纳情况" in text and "县级预决算公开管理规定" in text and "建议公开时限缩短为十日" not in text
    assert "合计" in text and "第二条" in text
    name, data = _download(visitor, report.get_by_role("link", name="PDF", exact=True))
    assert name.endswith("意见采纳情况.pdf")
    text = _pdf_text(data)
    assert "意见采纳情况" in text and "合计" in text and "— 1 —" in text
    assert "周九" not in text  # no commenter's name in the public report


@pytest.mark.parametrize("viewport", ["desktop"])
def test_staff_download_the_annual_report_and_the_monthly_summary(new_page, live_server, viewport):
    zh = live_server.zh
    reviewer = new_page(viewport)
    login(reviewer, REVIEWER)
    reviewer.goto("/office/disclosure/report")
    name, data = _download(reviewer, reviewer.get_by_role("link", name=zh("Download the report (Word)")))
    assert name.endswith(".docx")
    text = _docx_text(data)
    assert "政府信息公开工作年度报告" in text and "收到和处理政府信息公开申请情况" in text
    assert "本年新收政府信息公开申请数量" in text
    name, data = _download(reviewer, reviewer.get_by_role("link", name=zh("Download the report (PDF)")))
    text = _pdf_text(data)
    assert name.endswith(".pdf") and "政府信息公开工作年度报告" in text and "收到和处理政府信息公开申请情况" in text

    admin = new_page(viewport)
    login(admin, ADMIN)
    admin.goto("/admin")
    admin.get_by_role("link", name=zh("Compliance self-check")).first.click()
    with admin.expect_navigation():
        admin.get_by_role("link", name=zh("Monthly summary (月度通报)")).click()
    main = admin.locator("main")
    name, data = _download(admin, main.get_by_role("link", name=zh("Word (.docx)")))
    text = _docx_text(data)
    assert name.endswith(".docx") and zh("Findings") in text and "月" in name
    name, data = _download(admin, main.get_by_role("link", name="PDF", exact=True))
    text = _pdf_text(data)
    assert name.endswith(".pdf") and zh("Findings") in text and "— 1 —" in text
