"""Questionnaires: built and reviewed by staff, answered by the public with branches decided on the server,
one response per person as far as the mode allows, results from counters."""

import re

import pytest
import sqlalchemy as sa

from consult.extensions import db
from consult.surveys.models import SurveyAnswer, SurveyOption, SurveyQuestion, Questionnaire, SurveyResponse

from tests.surveys_support import answer, close, ids, make_questionnaire, token

pytestmark = pytest.mark.usefixtures("request_ctx")


def _form(qids, options, **extra):
    """The answer form: yes to Q1 (so Q2 is hidden), two topics, 4 on the scale, a ranking."""
    data = {f"q{qids[0]}": options["是"], f"q{qids[2]}": [options["财政资金"], options["办事指南"]],
            f"q{qids[3]}": options["scale4"], f"q{qids[4]}-{options['透明']}": "1",
            f"q{qids[4]}-{options['便民']}": "2", "form_token": token()}
    data.update(extra)
    return data


def test_editor_builds_reviewer_approves_and_the_public_answers(client, auth, world):
    auth.login(world.editor)
    response = client.post("/office/questionnaires/new", data={
        "title": "老旧小区改造意见问卷", "intro": "", "department_id": world.dept.id, "draft_id": 0,
        "opens_at": "2026-01-01T09:00", "closes_at": "2099-01-01T09:00", "answer_mode": "anonymous",
        "results_visibility": "public"})
    assert response.status_code == 302
    qid = int(re.search(r"/office/questionnaires/(\d+)", response.headers["Location"]).group(1))
    page = client.post(f"/office/questionnaires/{qid}/questions", data={
        "kind": "single", "prompt": "是否加装电梯？", "options": "是\n否\n", "required": "y", "branch_option_id": 0})
    assert page.status_code == 302
    assert client.post(f"/office/questionnaires/{qid}/submit").status_code == 302
    assert client.get(f"/questionnaires/{qid}").status_code == 404  # not public before approval
    auth.login(world.reviewer)
    client.post(f"/office/questionnaires/{qid}/approve")
    assert db.session.get(Questionnaire, qid).status == "open"
    auth.logout()
    assert "老旧小区改造意见问卷" in client.get("/questionnaires").get_data(as_text=True)
    form = client.get(f"/questionnaires/{qid}/answer").get_data(as_text=True)
    assert "是否加装电梯？" in form and "only be checked in your browser" in form
    option = db.session.scalar(sa.select(SurveyOption.id).where(SurveyOption.label == "是"))
    question = db.session.scalar(sa.select(SurveyQuestion.id).where(SurveyQuestion.questionnaire_id == qid))
    sent = client.post(f"/questionnaires/{qid}/answer", data={f"q{question}": option, "form_token": token()})
    assert sent.status_code == 302 and "/thanks" in sent.headers["Location"]
    db.session.expire_all()
    assert db.session.get(Questionnaire, qid).response_count == 1
    assert db.session.get(SurveyOption, option).chosen_count == 1


def test_a_required_visible_question_missing_shows_every_error_and_keeps_the_text(client, world):
    qid = make_questionnaire(world)
    qids, options = ids(qid)
    data = {f"q{qids[0]}": options["否"], f"q{qids[3]}": "999999", "form_token": token()}  # Q2 now shown, empty
    page = client.post(f"/questionnaires/{qid}/answer", data={**data, f"q{qids[2]}": options["财政资金"]})
    text = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "Please answer this question." in text and "Please choose from the options given." in text
    assert f'id="q{qids[1]}-error"' in text and f'id="q{qids[3]}-error"' in text
    assert re.search(rf'value="{options["否"]}" checked', text)  # what was chosen is kept
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SurveyResponse)) == 0


def test_a_hidden_questions_answer_is_ignored(client, world):
    qid = make_questionnaire(world)
    qids, options = ids(qid)
    sent = client.post(f"/questionnaires/{qid}/answer", data=_form(qids, options, **{f"q{qids[1]}": "不该保存"}))
    assert sent.status_code == 302
    assert db.session.scalar(sa.select(SurveyAnswer.id).where(SurveyAnswer.question_id == qids[1])) is None
    db.session.expire_all()
    assert db.session.get(SurveyQuestion, qids[1]).answer_count == 0
    assert db.session.get(SurveyQuestion, qids[2]).answer_count == 1


def test_a_branch_question_shown_is_required_and_kept(app, world):
    qid = make_questionnaire(world)
    qids, options = ids(qid)
    from consult.domain import DomainError

    with pytest.raises(DomainError) as refused:
        answer(qid, {qids[0]: options["否"]})
    assert list(refused.value.errors) == [f"q{qids[1]}"]
    answer(qid, {qids[0]: options["否"], qids[1]: "位置不方便"})
    assert db.session.scalar(sa.select(SurveyAnswer.text).where(SurveyAnswer.question_id == qids[1])) == "位置不方便"


def test_the_same_form_sent_twice_makes_one_response(client, world):
    qid = make_questionnaire(world)
    qids, options = ids(qid)
    data = _form(qids, options)
    first = client.post(f"/questionnaires/{qid}/answer", data=data)
    client.delete_cookie("answered_questionnaires", domain="consult.test")
    second = client.post(f"/questionnaires/{qid}/answer", data=data)
    assert first.status_code == second.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SurveyResponse)) == 1
    db.session.expire_all()
    assert db.session.get(SurveyOption, options["财政资金"]).chosen_count == 1


def test_anonymous_mode_refuses_a_second_answer_from_the_same_browser(client, world):
    qid = make_questionnaire(world)
    qids, options = ids(qid)
    client.post(f"/questionnaires/{qid}/answer", data=_form(qids, options))
    assert "already sent an answer" in client.get(f"/questionnaires/{qid}/answer").get_data(as_text=True)
    again = client.post(f"/questionnaires/{qid}/answer", data=_form(qids, options))
    assert again.status_code == 409
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SurveyResponse)) == 1


def test_contact_mode_keeps_one_response_per_phone_and_stores_no_number(client, world):
    qid = make_questionnaire(world, answer_mode="contact")
    qids, options = ids(qid)
    page = client.get(f"/questionnaires/{qid}/answer").get_data(as_text=True)
    assert "one-way key" in page
    missing = client.post(f"/questionnaires/{qid}/answer", data=_form(qids, options))
    assert missing.status_code == 422
    assert "Please give a phone number or an e-mail address." in missing.get_data(as_text=True)
    first = client.post(f"/questionnaires/{qid}/answer", data=_form(qids, options, phone="138 0013 8000"))
    assert first.status_code == 302
    again = client.post(f"/questionnaires/{qid}/answer", data=_form(qids, options, phone="+86 13800138000"))
    assert again.status_code == 409 and "already answered" in again.get_data(as_text=True)
    by_mail = client.post(f"/questionnaires/{qid}/answer", data=_form(qids, options, email="a@example.org"))
    assert by_mail.status_code == 302
    keys = list(db.session.scalars(sa.select(SurveyResponse.respondent_key)))
    assert len(keys) == 2 and not any("13800138000" in k or "example" in k for k in keys)


def test_account_mode_needs_a_login_and_takes_one_response_per_user(client, auth, world):
    qid = make_questionnaire(world, answer_mode="account")
    qids, options = ids(qid)
    page = client.get(f"/questionnaires/{qid}/answer").get_data(as_text=True)
    assert "Log in to answer" in page and "<fieldset" not in page
    assert client.post(f"/questionnaires/{qid}/answer", data=_form(qids, options)).status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SurveyResponse)) == 0
    auth.login(world.citizen)
    assert client.post(f"/questionnaires/{qid}/answer", data=_form(qids, options)).status_code == 302
    assert client.post(f"/questionnaires/{qid}/answer", data=_form(qids, options)).status_code == 409
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SurveyResponse)) == 1


def test_the_honeypot_keeps_nothing(client, world):
    qid = make_questionnaire(world)
    qids, options = ids(qid)
    page = client.post(f"/questionnaires/{qid}/answer", data=_form(qids, options, website="http://spam"))
    assert page.status_code == 200 and "Thank you" in page.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SurveyResponse)) == 0


@pytest.mark.parametrize("role, status", [("citizen", 403), ("officer", 403), ("other_reviewer", 404)])
def test_only_a_reviewer_of_the_department_approves(client, auth, world, role, status):
    qid = make_questionnaire(world, status="in_review")
    auth.login(getattr(world, role))
    assert client.post(f"/office/questionnaires/{qid}/approve").status_code == status
    db.session.expire_all()
    assert db.session.get(Questionnaire, qid).status == "in_review"


def test_citizens_cannot_open_the_office_pages_and_others_departments_are_hidden(client, auth, world):
    qid = make_questionnaire(world, status="draft")
    auth.login(world.citizen)
    assert client.get("/office/questionnaires").status_code == 403
    added = client.post(f"/office/questionnaires/{qid}/questions", data={"kind": "text", "prompt": "x"})
    assert added.status_code == 403
    auth.login(world.other_reviewer)
    assert client.get(f"/office/questionnaires/{qid}").status_code == 404
    assert "社区政务公开专区问卷" not in client.get("/office/questionnaires").get_data(as_text=True)
    auth.login(world.officer)
    assert client.get(f"/office/questionnaires/{qid}").status_code == 200
    assert client.post(f"/office/questionnaires/{qid}/submit").status_code == 403


def test_a_returned_questionnaire_goes_back_with_the_note(client, auth, world):
    qid = make_questionnaire(world, status="in_review")
    auth.login(world.reviewer)
    empty = client.post(f"/office/questionnaires/{qid}/return", data={"note": ""})
    assert empty.status_code == 422 and "Please say what should change." in empty.get_data(as_text=True)
    client.post(f"/office/questionnaires/{qid}/return", data={"note": "第三题选项不全"})
    auth.login(world.editor)
    page = client.get(f"/office/questionnaires/{qid}").get_data(as_text=True)
    assert "第三题选项不全" in page and "Add a question" in page


def test_a_question_with_one_option_is_refused_with_its_message(client, auth, world):
    qid = make_questionnaire(world, status="draft")
    auth.login(world.editor)
    page = client.post(f"/office/questionnaires/{qid}/questions",
                       data={"kind": "single", "prompt": "只有一个选项？", "options": "是", "branch_option_id": 0})
    assert page.status_code == 422
    assert "Please give at least two options, one per line." in page.get_data(as_text=True)


def test_no_answers_once_closed_and_no_edits_once_open(client, auth, world):
    qid = make_questionnaire(world)
    qids, options = ids(qid)
    auth.login(world.editor)
    assert client.post(f"/office/questionnaires/{qid}/questions",
                       data={"kind": "text", "prompt": "晚加的题", "branch_option_id": 0}).status_code == 409
    auth.logout()
    close(qid)
    page = client.post(f"/questionnaires/{qid}/answer", data=_form(qids, options))
    assert page.status_code == 302 and db.session.scalar(sa.select(sa.func.count()).select_from(SurveyResponse)) == 0


@pytest.mark.demo_data  # the database starts as a first seed-demo leaves it
def test_the_demo_has_an_open_questionnaire_on_the_open_draft_and_published_results(app, client):
    from consult import seed
    from consult.drafts.models import Draft

    seed.seed_demo()  # a second run adds nothing
    db.session.commit()
    found = {q.title: q for q in db.session.scalars(sa.select(Questionnaire))}
    assert len(found) == 2
    open_one = next(q for q in found.values() if q.status == "open")
    closed = next(q for q in found.values() if q.status == "closed")
    assert db.session.get(Draft, open_one.draft_id).status == "open" and open_one.response_count > 0
    assert any(q.article_anchor for q in open_one.questions) and any(q.branch_option_id for q in open_one.questions)
    assert client.get(f"/questionnaires/{closed.id}/results").status_code == 200
    assert open_one.title in client.get("/questionnaires").get_data(as_text=True)
    assert "/questionnaires" in client.get("/").get_data(as_text=True)
