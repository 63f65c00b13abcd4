"""A questionnaire's written answers in the analysis workbench: staff of its department run and read the
analysis (form answers found, topics and stances per question), others are refused, the daily job analyses a
closed questionnaire once, and the published topic summary reads the stored analysis, never clustering on a
page, with nothing personal in it."""

import pytest
import sqlalchemy as sa

from consult.database import utcnow
from consult.domain import DomainError
from consult.extensions import db
from consult.surveys.models import TEXT, Questionnaire, SurveyQuestion
from consult.tracking.models import Submission
from consult.workbench import jobs, queries, services
from consult.workbench.models import AnalysisMember, AnalysisRun, AnalysisUnit

from tests.surveys_support import answer, close, make_questionnaire

pytestmark = pytest.mark.usefixtures("request_ctx")

QUESTIONS = (
    ("single", "您是否办理过延时服务业务？", True, ["办理过", "没有办理过"], None),
    ("text", "您对延时服务还有什么建议？", False, [], None),
    ("text", "您对窗口工作人员有什么意见？", False, [], None),
)
FORM = "强烈建议延时服务增加公积金和不动产登记窗口，周六上午也要开放，方便上班族办事。"
IDEAS = (
    "希望周六上午也能办理社保业务，工作日没时间。", "周六上午办理社保业务很方便，建议继续开放。",
    "社保业务周六上午排队太久，建议多开窗口。", "希望手机上能查看排队叫号，不用在大厅等。",
    "排队叫号能不能在手机上查看，等的时间太长。", "叫号系统建议接入手机，查看排队进度。",
    "有事请联系我13800138000，我想当面提建议。",
)


def _questionnaire(world) -> tuple[int, list[int]]:
    """A questionnaire with two free-text questions and its answers: a form answer sent by five people
    (one with a word changed), varied ideas, and a few remarks on the staff."""
    qid = make_questionnaire(world, questions=QUESTIONS)
    from consult.surveys.models import Questionnaire

    questions = db.session.get(Questionnaire, qid).questions
    choice, ideas, staff = questions[0], questions[1], questions[2]
    yes = choice.options[0].id
    for _ in range(4):
        answer(qid, {choice.id: yes, ideas.id: FORM})
    answer(qid, {choice.id: yes, ideas.id: FORM.replace("强烈建议", "建议") + "我的电话13900139000。"})
    for text in IDEAS:
        answer(qid, {choice.id: yes, ideas.id: text})
    for text in ("工作人员态度很好，解释耐心。", "窗口人员服务热情，点赞。"):
        answer(qid, {choice.id: yes, staff.id: text})
    return qid, [ideas.id, staff.id]


def _analyse(client, qid: int) -> AnalysisRun:
    """Ask for the analysis through the page and wait for its background job."""
    response = client.post(f"/office/questionnaires/{qid}/analysis")
    assert response.status_code == 302
    run = queries.latest_run(questionnaire_id=qid)
    jobs.wait(run.id, timeout=120)
    db.session.commit()  # end this session's read transaction: see what the job wrote
    return db.session.get(AnalysisRun, run.id)


def _units(run_id: int) -> list[AnalysisUnit]:
    return list(db.session.scalars(sa.select(AnalysisUnit).where(AnalysisUnit.run_id == run_id)
                                   .order_by(AnalysisUnit.position)))


def test_staff_run_and_read_the_analysis_of_the_written_answers(client, auth, world):
    qid, (ideas, staff) = _questionnaire(world)
    submissions = db.session.scalar(sa.select(sa.func.count(Submission.id)))
    auth.login(world.officer)
    assert "Analysis of the written answers" in client.get(f"/office/questionnaires/{qid}").get_data(as_text=True)
    page = client.get(f"/office/questionnaires/{qid}/analysis").get_data(as_text=True)
    assert "have not been analysed yet" in page
    run = _analyse(client, qid)
    assert run.status == "done", run.error
    assert run.preview and run.draft_id is None and run.summary["comments"] == 14
    # Every written answer is in exactly one unit; the form answer is one campaign of five, on its question.
    placed = db.session.scalars(sa.select(AnalysisMember.comment_id).where(AnalysisMember.run_id == run.id)).all()
    assert len(placed) == len(set(placed)) == 14
    campaigns = [u for u in _units(run.id) if u.kind == "campaign"]
    assert [(u.size, u.article_anchor, u.edited_count) for u in campaigns] == [(5, str(ideas), 1)]
    assert set(run.summary["stance_by_article"]) == {str(ideas), str(staff)}
    page = client.get(f"/office/questionnaires/{qid}/analysis").get_data(as_text=True)
    assert "1 form answers given by 5 people" in page and "您对窗口工作人员有什么意见？" in page
    assert "this is a preview" in page and "Disposition" not in page
    question_page = client.get(f"/office/questionnaires/{qid}/analysis/questions/{staff}").get_data(as_text=True)
    assert "工作人员态度很好" in question_page and "强烈建议延时服务" not in question_page
    unit = campaigns[0]
    unit_page = client.get(f"/office/questionnaires/{qid}/analysis/units/{unit.id}").get_data(as_text=True)
    assert FORM in unit_page and "Form answer given by 5 people" in unit_page
    assert "我的电话" in unit_page and "13900139000" not in unit_page  # what the sender added, redacted
    single = next(u for u in _units(run.id) if "13800138000" in queries.answer_texts([u.lead_comment_id])
                  .get(u.lead_comment_id, ""))
    unit_page = client.get(f"/office/questionnaires/{qid}/analysis/units/{single.id}").get_data(as_text=True)
    assert "13800138000" not in unit_page  # typed personal data is removed, as in the exports
    assert client.post(f"/office/questionnaires/{qid}/analysis/units/{unit.id}/read").status_code == 302
    assert db.session.get(AnalysisUnit, unit.id).read_at is not None
    # Written answers are read, never answered: no disposition, no tracked submission.
    with pytest.raises(DomainError) as refused:
        services.decide_unit(db.session.get(AnalysisUnit, unit.id), "noted", "已阅", world.officer)
    assert refused.value.status == 409
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Submission.id))) == submissions
    # A draft's pages do not reach a questionnaire's unit.
    assert client.get(f"/office/drafts/1/analysis/units/{unit.id}").status_code == 404


def test_only_staff_who_may_see_the_questionnaire_analyse_its_answers(client, auth, world):
    qid, (ideas, _staff) = _questionnaire(world)
    other_qid = make_questionnaire(world, questions=QUESTIONS)
    auth.login(world.officer)
    run = _analyse(client, qid)
    unit = _units(run.id)[0]
    auth.login(world.other_officer)
    assert client.get(f"/office/questionnaires/{qid}/analysis").status_code == 403
    assert client.get(f"/office/questionnaires/{qid}/analysis/questions/{ideas}").status_code == 403
    assert client.get(f"/office/questionnaires/{qid}/analysis/units/{unit.id}").status_code == 403
    assert client.post(f"/office/questionnaires/{qid}/analysis").status_code == 403
    assert client.post(f"/office/questionnaires/{qid}/analysis/units/{unit.id}/read").status_code == 403
    assert db.session.get(AnalysisUnit, unit.id).read_at is None
    assert queries.latest_run(questionnaire_id=qid).id == run.id  # nothing queued
    auth.login(world.citizen)
    assert client.get(f"/office/questionnaires/{qid}/analysis").status_code == 403
    auth.login(world.officer)
    assert client.get("/office/questionnaires/999999/analysis").status_code == 404
    assert client.get(f"/office/questionnaires/{qid}/analysis/questions/999999").status_code == 404
    assert client.get(f"/office/questionnaires/{other_qid}/analysis/units/{unit.id}").status_code == 404
    # Not yet public: nothing to analyse.
    draft_qid = make_questionnaire(world, status="draft", questions=QUESTIONS)
    assert client.get(f"/office/questionnaires/{draft_qid}/analysis").status_code == 404


def test_a_second_request_while_one_runs_is_refused(client, auth, world):
    qid, _questions = _questionnaire(world)
    from consult.surveys.models import Questionnaire

    questionnaire = db.session.get(Questionnaire, qid)
    services.request_answer_analysis(questionnaire, world.officer)
    db.session.commit()
    auth.login(world.officer)
    response = client.post(f"/office/questionnaires/{qid}/analysis", follow_redirects=True)
    assert "The answers are already being analysed." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(AnalysisRun.id)).where(AnalysisRun.questionnaire_id == qid)) == 1


def test_published_topics_come_from_the_stored_analysis_made_when_the_questionnaire_closed(client, world, runner,
                                                                                            sql):
    qid, (ideas, _staff) = _questionnaire(world)
    close(qid)
    url = f"/questionnaires/{qid}/results/questions/{ideas}/topics"
    with sql() as statements:
        page = client.get(url)
    assert page.status_code == 200
    assert "12 written answers were given. The summary by topic is being prepared." in page.get_data(as_text=True)
    assert not any("survey_answers" in s for s in statements.selects)  # counts only: no answer is read on a GET
    assert queries.latest_run(questionnaire_id=qid) is None  # and nothing was queued by it
    result = runner.invoke(args=["remind"])
    assert "Closed questionnaires whose written answers were analysed: 1." in result.output, result.output
    db.session.commit()
    run = queries.latest_run(questionnaire_id=qid)
    assert run.status == "done" and not run.preview, run.error
    topics = [u for u in _units(run.id) if u.kind == "topic" and u.article_anchor == str(ideas)]
    assert topics
    text = client.get(url).get_data(as_text=True)
    assert "12 written answers were read" in text and "5 of them were 1 form answers" in text
    assert all("、".join(u.keywords[:2]) in text for u in topics)
    assert "13800138000" not in text and "联系我" not in text  # no answer text, nothing personal
    # The daily job analyses a closed questionnaire once.
    assert "analysed: 0." in runner.invoke(args=["remind"]).output
    assert db.session.scalar(sa.select(sa.func.count(AnalysisRun.id)).where(AnalysisRun.questionnaire_id == qid)) == 1


def test_the_demo_shows_the_topics_of_its_closed_questionnaire_at_once(client, runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    qid, question_id = db.session.execute(
        sa.select(SurveyQuestion.questionnaire_id, SurveyQuestion.id).join(Questionnaire)
        .where(SurveyQuestion.kind == TEXT, SurveyQuestion.answer_count > 0, Questionnaire.closes_at <= utcnow())
    ).one()
    text = client.get(f"/questionnaires/{qid}/results/questions/{question_id}/topics").get_data(as_text=True)
    assert "written answers were read" in text and "being prepared" not in text
    assert runner.invoke(args=["seed-demo"]).exit_code == 0  # seeding again analyses nothing again
    assert db.session.scalar(sa.select(sa.func.count(AnalysisRun.id)).where(AnalysisRun.questionnaire_id == qid)) == 1
