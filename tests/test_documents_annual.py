"""The annual information-disclosure report (政府信息公开工作年度报告) as .docx and PDF, in the official layout."""

from urllib.parse import unquote

import pytest
from tests.documents_support import docx_tables, docx_text, pdf_text

from consult.disclosure.figures import save_figures
from consult.extensions import db


def _rows(table: list[list[str]]) -> dict[str, list[str]]:
    """Label (the text cells, merged cells once) → the seven counts."""
    rows = {}
    for row in table:
        labels = list(dict.fromkeys(cell for cell in row[:3]))
        rows[" ".join(labels)] = row[3:]
    return rows


def test_the_word_report_has_the_official_parts_and_the_application_table(requests_2024_to_2026, world, client,
                                                                          auth):
    save_figures(2025, world.dept.id, {"licences": 12, "review_upheld": 2, "review_corrected": 1}, "无。",
                 actor=world.admin)
    db.session.commit()
    auth.login(world.officer)
    response = client.get(f"/office/disclosure/report.docx?year=2025&department={world.dept.id}")
    assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]
    name = unquote(response.headers["Content-Disposition"].split("filename*=UTF-8''")[1])
    assert name == "县司法局2025年政府信息公开工作年度报告.docx"
    text = docx_text(response.data)
    for part in ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                 "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"):
        assert part in text
    tables = docx_tables(response.data)
    applications = next(t for t in tables if t[0][3] == "申请人情况")
    assert applications[1][3:] == ["自然人", "法人或其他组织", "法人或其他组织", "法人或其他组织", "法人或其他组织",
                                   "法人或其他组织", "总计"]
    rows = _rows(applications)
    assert rows["一、本年新收政府信息公开申请数量"][-1] == "5"
    assert rows["二、上年结转政府信息公开申请数量"][-1] == "1"
    assert rows["三、本年度办理结果 （一）予以公开"][-1] == "1"
    assert rows["三、本年度办理结果 （三）不予公开 1.属于国家秘密"][1] == "1"  # a commercial enterprise
    assert rows["三、本年度办理结果 （七）总计"][-1] == "4"
    assert rows["四、结转下年度继续办理"][-1] == "2"
    proactive = next(t for t in tables if t[0][0] == "第二十条第（一）项")
    assert ["行政许可", "12", "12", "12"] in proactive
    reviews = next(t for t in tables if t[0][0] == "行政复议")
    assert reviews[3][:5] == ["2", "1", "", "", "3"]


def test_the_pdf_report_reads_back(requests_2024_to_2026, world, client, auth):
    auth.login(world.admin)
    response = client.get("/office/disclosure/report.pdf?year=2025&department=all")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "2025年政府信息公开工作年度报告" in text and "收到和处理政府信息公开申请情况" in text
    assert "本年新收政府信息公开申请数量" in text and "属于国家秘密" in text


@pytest.mark.parametrize("department, status", [("own", 200), ("other", 403), ("all", 403)])
def test_officers_get_only_their_own_department(world, client, auth, department, status):
    auth.login(world.officer)
    wanted = {"own": world.dept.id, "other": world.other_dept.id, "all": "all"}[department]
    assert client.get(f"/office/disclosure/report.pdf?year=2025&department={wanted}").status_code == status
    assert client.get("/office/disclosure/report.odt?year=2025").status_code == 404


def test_citizens_get_no_report(world, client, auth):
    auth.login(world.citizen)
    assert client.get("/office/disclosure/report.docx").status_code == 403


def test_visitors_are_sent_to_log_in(world, client):
    assert client.get("/office/disclosure/report.pdf").status_code == 302


def test_the_monthly_summary_downloads_as_word_and_pdf_for_admins(world, client, auth):
    from datetime import date

    from tests.mailbox_support import login_as
    from tests.tracking_support import file_submission, local

    old = file_submission(world, received_at=local(2026, 1, 5)).submission
    db.session.commit()
    login_as(auth, world.admin)
    month = f"{date.today():%Y-%m}"
    word = client.get(f"/admin/compliance/summary.docx?month={month}")
    assert word.status_code == 200 and "no-store" in word.headers["Cache-Control"]
    text = docx_text(word.data)
    assert "Monthly summary" in text and old.tracking_no in text and "Response rate" in text
    pdf = client.get(f"/admin/compliance/summary.pdf?month={month}")
    assert pdf.status_code == 200 and old.tracking_no in pdf_text(pdf.data)
    assert client.get(f"/admin/compliance/summary.odt?month={month}").status_code == 404


def test_officers_get_no_monthly_summary(world, client, auth):
    from tests.mailbox_support import login_as

    login_as(auth, world.officer)
    assert client.get("/admin/compliance/summary.pdf").status_code == 403
