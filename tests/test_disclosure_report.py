"""The annual report: the application table's arithmetic on hand-built data (requests spanning year ends,
the local-time year boundary), the balance check, the downloads and who may see which department."""

import csv
import io
from datetime import timedelta

from openpyxl import load_workbook

from consult.disclosure.figures import proactive_counts
from consult.disclosure.report import application_table
from consult.drafts.models import Draft
from consult.events.models import Event
from consult.extensions import db
from tests.disclosure_support import RESIDENT_ID_NUMBER, answer_request, file_request
from tests.tracking_support import local


def test_the_table_of_2025_counts_each_request_in_its_rows(requests_2024_to_2026, world):
    table = application_table(2025, world.dept.id)
    assert table.new["total"] == 5  # B, C, D, E, G
    assert table.carried_in["total"] == 1  # A
    assert table.finished["total"] == 4  # A, B, C, G
    assert table.carried_out["total"] == 2  # D, E
    assert table.balances
    assert table.new["natural_person"] == 1 and table.new["commercial"] == 1 and table.new["legal_service"] == 1
    assert table.carried_in["natural_person"] == 1
    assert table.outcomes["disclosed"]["natural_person"] == 1
    assert table.outcomes["withheld:state_secret"]["commercial"] == 1
    assert table.outcomes["partly"]["research"] == 1
    assert table.outcomes["other:other"]["social_welfare"] == 1 and table.unclassified == 1
    assert table.outcomes["unavailable:not_held"]["total"] == 0  # answered in 2026 local time
    assert table.category_total("withheld")["total"] == 1


def test_a_request_spanning_the_year_end_is_carried_into_the_next_year(requests_2024_to_2026, world):
    table = application_table(2026, world.dept.id)
    assert (table.new["total"], table.carried_in["total"]) == (0, 2)  # D and E
    assert table.outcomes["unavailable:not_held"]["legal_service"] == 1
    assert (table.finished["total"], table.carried_out["total"]) == (1, 1)
    assert table.balances
    earlier = application_table(2024, world.dept.id)
    assert (earlier.new["total"], earlier.finished["total"], earlier.carried_out["total"]) == (2, 1, 1)  # A, F


def test_all_departments_together(requests_2024_to_2026, world):
    table = application_table(2025)
    assert table.new["total"] == 6 and table.carried_out["total"] == 3 and table.balances


def test_inconsistent_dates_fail_the_check(world):
    found = file_request(world, received_at=local(2025, 3, 1)).request
    answer_request(world, found, "disclosed", None, local(2024, 12, 20))  # answered before it was received
    db.session.commit()
    table = application_table(2025, world.dept.id)
    assert not table.balances and table.imbalanced_columns == ["natural_person", "total"]


def test_proactive_counts_come_from_the_platform(world):
    opened = local(2025, 4, 1)
    db.session.add_all([
        Draft(title="草案", department_id=world.dept.id, domain="finance", opens_at=opened,
              closes_at=opened + timedelta(days=30), opened_at=opened, status="closed"),
        Event(title="开放日", department_id=world.dept.id, venue="大厅", starts_at=local(2025, 5, 1, 9),
              ends_at=local(2025, 5, 1, 11), registration_opens_at=local(2025, 4, 1),
              registration_closes_at=local(2025, 4, 30), capacity=10),
    ])
    db.session.commit()
    counts = proactive_counts(2025, world.dept.id)
    assert (counts.drafts_opened, counts.events_held, counts.letters_published) == (1, 1, 0)
    assert proactive_counts(2025, world.other_dept.id).drafts_opened == 0
    assert proactive_counts(2024).events_held == 0


# --- pages and downloads ----------------------------------------------------------------------------------

def test_the_report_page_shows_the_table_and_the_check(requests_2024_to_2026, world, client, auth):
    auth.login(world.officer)
    page = client.get("/office/disclosure/report?year=2025")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="h-org"' in html and 'scope="colgroup"' in html
    assert 'headers="r-new h-applicant h-natural_person"' in html
    assert "balance-ok" in html and "balance-failed" not in html
    assert RESIDENT_ID_NUMBER not in html


def test_a_failed_check_is_a_clear_warning(world, client, auth):
    found = file_request(world, received_at=local(2025, 3, 1)).request
    answer_request(world, found, "disclosed", None, local(2024, 12, 20))
    db.session.commit()
    auth.login(world.officer)
    html = client.get("/office/disclosure/report?year=2025").get_data(as_text=True)
    assert "balance-failed" in html and 'role="alert"' in html


def test_the_csv_has_the_official_rows_and_no_personal_data(requests_2024_to_2026, world, client, auth):
    auth.login(world.officer)
    response = client.get(f"/office/disclosure/report.csv?year=2025&department={world.dept.id}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data().decode("utf-8-sig")
    assert RESIDENT_ID_NUMBER not in text and "张三" not in text
    rows = {row[0] + row[1]: row[2:] for row in csv.reader(io.StringIO(text)) if len(row) >= 9}
    assert rows["一、本年新收政府信息公开申请数量"] == ["1", "1", "1", "1", "1", "0", "5"]
    assert rows["四、结转下年度继续办理"][-1] == "2"
    assert rows["（七）总计"][-1] == "4"
    assert rows["（三）不予公开 1.属于国家秘密"][1] == "1"  # 商业企业
    assert any(key.startswith("校验") and values[-1] == "0" for key, values in rows.items())


def test_the_xlsx_is_laid_out_like_the_official_table(requests_2024_to_2026, world, client, auth):
    auth.login(world.admin)
    response = client.get("/office/disclosure/report.xlsx?year=2025&department=all")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.get_data()))
    sheet = book["政府信息公开申请"]
    assert "D3:H3" in {str(r) for r in sheet.merged_cells.ranges}  # 法人或其他组织 over its five columns
    assert sheet["D3"].value == "法人或其他组织" and sheet["D4"].value == "商业企业" and sheet["I3"].value == "总计"
    labels = {sheet.cell(row=r, column=1).value or sheet.cell(row=r, column=2).value: r
              for r in range(5, sheet.max_row + 1)}
    assert sheet.cell(row=labels["一、本年新收政府信息公开申请数量"], column=9).value == 6
    assert sheet.cell(row=labels["四、结转下年度继续办理"], column=9).value == 3
    assert "其他情况" in book.sheetnames


def test_officers_see_only_their_department(world, client, auth):
    auth.login(world.officer)
    assert client.get(f"/office/disclosure/report?department={world.dept.id}").status_code == 200
    assert client.get(f"/office/disclosure/report?department={world.other_dept.id}").status_code == 403
    assert client.get("/office/disclosure/report.csv?department=all").status_code == 403
    assert client.get("/office/disclosure/report/figures").status_code == 403


def test_admins_choose_any_department(world, client, auth):
    auth.login(world.admin)
    assert client.get(f"/office/disclosure/report?department={world.other_dept.id}").status_code == 200
    assert client.get("/office/disclosure/report?department=999999").status_code == 404


def test_editors_type_in_the_other_figures(world, client, auth, make_user):
    editor = make_user("editor")
    auth.login(editor)
    url = f"/office/disclosure/report/figures?year=2025&department={world.dept.id}"
    refused = client.post(url, data={"licences": "-3"})
    assert refused.status_code == 422
    saved = client.post(url, data={"licences": "12", "fees": "3.5", "notes": "加强培训。"})
    assert saved.status_code == 303
    page = client.get(f"/office/disclosure/report?year=2025&department={world.dept.id}").get_data(as_text=True)
    assert "12" in page and "3.50" in page and "加强培训。" in page
    download = client.get(f"/office/disclosure/report.csv?year=2025&department={world.dept.id}")
    csv_text = download.get_data().decode("utf-8-sig")
    assert "行政许可 本年处理决定数量,12" in csv_text
