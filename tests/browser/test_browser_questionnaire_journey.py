"""A questionnaire in a real browser: a citizen answers the demo questionnaire on the open draft, takes the
branch ("不赞成" shows the question why), is told beside the question what is missing with the choice kept,
sends it once, and the browser is told it has answered; an officer sees the response in the results."""

import sqlalchemy as sa

from consult.extensions import db
from consult.surveys.models import Questionnaire
from consult.surveys.seed import OPEN_TITLE
from tests.browser.support import assert_accessible, login, shoot, submit


def test_a_citizen_answers_with_a_branch_and_the_office_sees_it(new_page, live_server, screenshot_dir):
    zh = live_server.zh
    with live_server.app.app_context():
        questionnaire = db.session.scalar(sa.select(Questionnaire).where(Questionnaire.title == OPEN_TITLE))
        qid, before = questionnaire.id, questionnaire.response_count
        why = next(q.id for q in questionnaire.questions if q.branch_option_id is not None)

    page = new_page()
    page.goto("/questionnaires")
    page.get_by_role("link", name=OPEN_TITLE).click()
    page.get_by_role("link", name=zh("Answer the questionnaire")).click()
    assert page.locator("#answer-mode").inner_text() == zh(
        "Anyone may answer without giving a name. Each person should answer once; this can only be checked in your "
        "browser, so please do not answer again from another device.")
    page.get_by_role("radio", name="不赞成", exact=True).check()
    submit(page, zh("Send my answers"))
    error = page.locator(f"#q{why}-error")
    assert error.inner_text() == zh("Please answer this question.")
    assert page.get_by_role("radio", name="不赞成", exact=True).is_checked()  # the choice is kept
    assert_accessible(page)
    shoot(page, screenshot_dir, "questionnaire-error")

    page.locator(f"#q{why}-text").fill("离家太远，去一趟不方便。")
    submit(page, zh("Send my answers"))
    assert page.get_by_role("heading", level=1).inner_text() == zh("Thank you for your answers")
    page.goto(f"/questionnaires/{qid}/answer")
    assert zh("This browser has already sent an answer to this questionnaire.") in page.locator("main").inner_text()

    staff = new_page()
    login(staff, "officer.xzfb@consult.localhost")
    staff.goto(f"/office/questionnaires/{qid}/results")
    assert zh("%(count)d responses", count=before + 1) in staff.locator("main").inner_text()
    assert_accessible(staff)
    shoot(staff, screenshot_dir, "questionnaire-results", full_page=True)
