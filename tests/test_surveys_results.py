"""Questionnaire results: counts and shares from counters (no scan of the responses), charts with tables,
cross-tabulation, CSV and XLSX through the safe writer, published only when closed and public, no
personal data; and the JSON API."""

import io

import pytest
from openpyxl import load_workbook

from consult.extensions import db
from consult.surveys.models import Questionnaire

from tests.surveys_support import answer, close, ids, make_questionnaire

pytestmark = pytest.mark.usefixtures("request_ctx")


def _answers(qid):
    qids, o = ids(qid)
    answer(qid, {qids[0]: o["是"], qids[2]: [o["财政资金"], o["办事指南"]], qids[3]: o["scale5"],
                 qids[4]: {o["透明"]: 1, o["便民"]: 2, o["高效"]: 3}})
    answer(qid, {qids[0]: o["是"], qids[2]: [o["财政资金"]], qids[3]: o["scale3"]})
    answer(qid, {qids[0]: o["否"], qids[1]: "=HYPERLINK(\"http://x\") 请联系13800138000", qids[2]: [o["招聘信息"]]})
    return qids, o


def test_results_are_published_only_after_closing_and_read_the_counters(client, world, sql):
    qid = make_questionnaire(world)
    _answers(qid)
    assert client.get(f"/questionnaires/{qid}/results").status_code == 404  # still open
    close(qid)
    with sql() as statements:
        page = client.get(f"/questionnaires/{qid}/results")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert not any("survey_answers" in s or "survey_responses" in s for s in statements.selects)
    assert len(statements.selects) <= 8
    assert "67%" in text and "33%" in text  # 是 2 of 3, 否 1 of 3
    assert 'role="img"' in text and "<table" in text
    assert "Average: 4.0 of 5." in text
    assert "13800138000" not in text and "HYPERLINK" not in text  # written answers are not shown as such


def test_internal_results_stay_internal(client, auth, world):
    qid = make_questionnaire(world, results_visibility="internal")
    _answers(qid)
    close(qid)
    assert client.get(f"/questionnaires/{qid}/results").status_code == 404
    assert client.get(f"/questionnaires/{qid}/results.csv").status_code == 404
    assert client.get(f"/api/v1/questionnaires/{qid}/results").status_code == 404
    auth.login(world.officer)
    assert client.get(f"/office/questionnaires/{qid}/results").status_code == 200
    auth.login(world.other_reviewer)
    assert client.get(f"/office/questionnaires/{qid}/results").status_code == 404


def test_crosstab_counts_people_who_gave_both_answers(client, auth, world):
    qid = make_questionnaire(world)
    qids, o = _answers(qid)
    auth.login(world.officer)
    page = client.get(f"/office/questionnaires/{qid}/results?rows={qids[0]}&columns={qids[2]}")
    text = page.get_data(as_text=True)
    table = text[text.index('class="stats-table crosstab"'):]
    table = table[:table.index("</table>")]
    rows = [r for r in table.split("<tr>")[2:]]
    yes = [c.split("</td>")[0] for c in rows[0].split("<td>")[1:]]
    no = [c.split("</td>")[0] for c in rows[1].split("<td>")[1:]]
    assert yes == ["2", "1", "0", "3"] and no == ["0", "0", "1", "1"]


def test_exports_escape_formulas_and_hold_no_personal_data(client, auth, world):
    qid = make_questionnaire(world, answer_mode="contact")
    qids, o = ids(qid)
    answer(qid, {qids[0]: o["否"], qids[1]: "=HYPERLINK(\"http://x\") 请联系13800138000"}, phone="13900139000")
    auth.login(world.officer)
    csv = client.get(f"/office/questionnaires/{qid}/responses.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in csv and "13800138000" not in csv and "13900139000" not in csv
    book = load_workbook(io.BytesIO(client.get(f"/office/questionnaires/{qid}/responses.xlsx").data))
    cells = [c.value for row in book.active.iter_rows() for c in row if c.value is not None]
    assert not any(isinstance(c, str) and "13900139000" in c for c in cells)
    assert any(isinstance(c, str) and c.startswith("=HYPERLINK") for c in cells)
    assert all(cell.data_type == "s" for row in book.active.iter_rows() for cell in row if isinstance(cell.value, str))
    summary = client.get(f"/office/questionnaires/{qid}/summary.csv").get_data(as_text=True)
    assert "否,1,1" in summary.replace('"', "").replace(" ", "")
    auth.logout()
    assert client.get(f"/office/questionnaires/{qid}/responses.csv").status_code in (302, 401)


def test_the_api_lists_gets_answers_idempotently_and_gives_published_results(client, world):
    qid = make_questionnaire(world)
    qids, o = ids(qid)
    listed = client.get("/api/v1/questionnaires").get_json()
    assert [q["id"] for q in listed["items"]] == [qid] and listed["items"][0]["questions"] is None
    one = client.get(f"/api/v1/questionnaires/{qid}").get_json()
    assert one["questions"][1]["shown_if_option_id"] == o["否"]
    body = {"answers": {str(qids[0]): o["是"], str(qids[1]): "会被忽略", str(qids[4]): {str(o["高效"]): 1}}}
    headers = {"Idempotency-Key": "survey-key-0001"}
    first = client.post(f"/api/v1/questionnaires/{qid}/responses", json=body, headers=headers)
    again = client.post(f"/api/v1/questionnaires/{qid}/responses", json=body, headers=headers)
    assert first.status_code == 201 and again.status_code == 201
    assert first.get_json()["response_id"] == again.get_json()["response_id"]
    missing = client.post(f"/api/v1/questionnaires/{qid}/responses", json={"answers": {str(qids[0]): o["否"]}})
    assert missing.status_code == 409 and f"q{qids[1]}" in missing.get_json()["errors"]
    assert client.get(f"/api/v1/questionnaires/{qid}/results").status_code == 404
    close(qid)
    result = client.get(f"/api/v1/questionnaires/{qid}/results").get_json()
    assert result["response_count"] == 1
    first_question = result["questions"][0]
    assert [(x["label"], x["count"]) for x in first_question["options"]] == [("是", 1), ("否", 0)]
    ranking = result["questions"][4]["options"]
    assert ranking[0]["label"] == "高效" and ranking[0]["points"] == 3
    assert db.session.get(Questionnaire, qid).response_count == 1
    document = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/questionnaires/{questionnaire_id}/responses" in document["paths"] or any(
        "questionnaires" in path for path in document["paths"])
