"""Questionnaire results from counters kept as responses arrive: the cross-tabulation's pair counters match
the answers they count (in both orientations, for multiple choice and scales), a form sent twice counts
once, the results pages read no answers, and a kept results page changes with the next response."""

import pytest
import sqlalchemy as sa

from consult.extensions import db
from consult.surveys import results
from consult.surveys.models import SurveyPairCount

from tests.surveys_support import answer, close, ids, make_questionnaire, token

pytestmark = pytest.mark.usefixtures("request_ctx")


def _some_answers(qid):
    qids, o = ids(qid)
    answer(qid, {qids[0]: o["是"], qids[2]: [o["财政资金"], o["办事指南"]], qids[3]: o["scale5"],
                 qids[4]: {o["透明"]: 1, o["便民"]: 2}})
    answer(qid, {qids[0]: o["是"], qids[2]: [o["财政资金"]], qids[3]: o["scale3"]})
    answer(qid, {qids[0]: o["否"], qids[1]: "不需要专区。", qids[2]: [o["招聘信息"], o["办事指南"]]})
    answer(qid, {qids[0]: o["否"], qids[1]: "已有网站。", qids[3]: o["scale3"]})
    return qids, o


def _choices(qid):
    return results.choice_questions(results.question_results(results.load(qid)))


def test_pair_counters_match_the_answers_in_both_orientations(world):
    qid = make_questionnaire(world)
    qids, o = _some_answers(qid)
    choices = _choices(qid)
    assert [q.id for q in choices] == [qids[0], qids[2], qids[3]]  # no free text, no ranking
    for rows, columns in ((qids[0], qids[2]), (qids[2], qids[0]), (qids[2], qids[3]), (qids[3], qids[0])):
        scanned = {cell: n for cell, n in results.crosstab_by_scan(rows, columns).items() if n}
        assert results.crosstab(choices, rows, columns).counts == scanned
    tab = results.crosstab(choices, qids[2], qids[0])
    assert tab.cell(o["办事指南"], o["是"]) == 1 and tab.cell(o["办事指南"], o["否"]) == 1
    assert tab.row_total(o["财政资金"]) == 2
    assert results.crosstab(choices, qids[0], qids[0]) is None  # a question against itself
    assert results.crosstab(choices, qids[0], qids[4]) is None  # a ranking is not cross-tabulated


def test_a_form_sent_twice_counts_its_pairs_once(world):
    qid = make_questionnaire(world)
    qids, o = ids(qid)
    raw = {qids[0]: o["是"], qids[2]: [o["财政资金"]], qids[3]: o["scale4"]}
    same = token()
    assert answer(qid, raw, form_token=same)[1] is True
    assert answer(qid, raw, form_token=same)[1] is False
    counts = db.session.scalars(sa.select(SurveyPairCount.count)).all()
    assert sorted(counts) == [1, 1, 1]  # (是, 财政资金), (是, 4), (财政资金, 4)


def test_the_cross_tabulation_page_reads_counters_not_answers(client, world, sql):
    qid = make_questionnaire(world)
    qids, o = _some_answers(qid)
    close(qid)
    with sql() as statements:
        page = client.get(f"/questionnaires/{qid}/results?rows={qids[3]}&columns={qids[0]}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert not any("survey_answers" in s or "survey_responses" in s for s in statements.selects)
    table = text[text.index('class="stats-table crosstab"'):]
    table = table[:table.index("</table>")]
    row_of_3 = table.split('<th scope="row">3</th>')[1].split("</tr>")[0]
    assert [c.split("</td>")[0] for c in row_of_3.split("<td>")[1:]] == ["1", "1", "2"]  # 是 1, 否 1, total 2


@pytest.mark.parametrize("app_config", [{"CONSULT_STATS_CACHE_SECONDS": 300}])
def test_kept_results_change_with_the_next_response(client, auth, world, sql):
    qid = make_questionnaire(world)
    qids, o = ids(qid)
    answer(qid, {qids[0]: o["是"]})
    auth.login(world.officer)
    assert "1 people answered this question." in client.get(f"/office/questionnaires/{qid}/results").get_data(
        as_text=True)
    with sql() as statements:
        again = client.get(f"/office/questionnaires/{qid}/results").get_data(as_text=True)
    assert "1 people answered this question." in again
    assert not any("OUTER JOIN survey_options" in s for s in statements.selects)  # kept: counters not read again
    answer(qid, {qids[0]: o["否"], qids[1]: "理由"})
    page = client.get(f"/office/questionnaires/{qid}/results").get_data(as_text=True)
    assert "2 people answered this question." in page and "50%" in page
