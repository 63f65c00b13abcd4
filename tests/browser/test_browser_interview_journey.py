"""An online interview in a real browser: a citizen asks a question, the moderator puts it to the officials
and records the answer, and a reader who keeps the live page open sees both arrive without reloading."""

from datetime import timedelta

import sqlalchemy as sa

from consult.accounts.models import Department, User
from consult.database import utcnow
from consult.extensions import db
from consult.interviews import services
from tests.browser.support import assert_accessible, login, shoot, submit

MODERATOR = "officer.mzj@consult.localhost"


def live_interview(live_server, title: str) -> int:
    """A live interview of the Civil Affairs Bureau with two officials, announced and started by its staff."""
    with live_server.app.app_context():
        department = db.session.scalar(sa.select(Department).where(Department.code == "MZJ"))
        editor = db.session.scalar(sa.select(User).where(User.email == "editor@consult.localhost"))
        moderator = db.session.scalar(sa.select(User).where(User.email == MODERATOR))
        starts = utcnow() - timedelta(minutes=5)
        interview = services.save_interview(None, {
            "title": title, "department_id": department.id, "starts_at": starts, "ends_at": starts + timedelta(hours=1),
            "description": "解读社区养老服务政策。"}, services.parse_officials("周建国，县民政局局长\n何丽，养老服务股股长"),
            actor=editor)
        services.start_interview(interview, actor=moderator)
        db.session.commit()
        return interview.id


def test_a_question_is_put_answered_and_shown_live(new_page, live_server, screenshot_dir):
    zh = live_server.zh
    interview_id = live_interview(live_server, "社区养老服务在线访谈")

    citizen = new_page()
    citizen.goto(f"/interviews/{interview_id}")
    with citizen.expect_navigation():
        citizen.get_by_role("main").get_by_role("link", name=zh("Ask a question"), exact=True).click()
    citizen.locator("#body").fill("社区日间照料中心周末开放吗？")
    citizen.locator("#name").fill("刘晓红")
    citizen.locator("#phone").fill("13900001111")
    assert_accessible(citizen)
    submit(citizen, zh("Send the question"))
    assert citizen.get_by_role("heading", level=1).inner_text() == zh("Your question has been sent")

    reader = new_page()  # keeps the live page open from here on
    reader.goto(f"/interviews/{interview_id}")
    assert reader.get_by_role("link", name=zh("Refresh for the latest answers")).is_visible()
    assert "社区日间照料中心" not in reader.locator("main").inner_text()  # not put yet
    assert_accessible(reader)

    moderator = new_page()
    login(moderator, MODERATOR)
    moderator.goto(f"/office/interviews/{interview_id}")
    question = moderator.locator(".moderation-list li", has_text="社区日间照料中心周末开放吗？")
    with moderator.expect_navigation():
        question.get_by_role("button", name=zh("Put to the officials")).click()
    moderator.locator("#question_id").select_option(label="社区日间照料中心周末开放吗？")
    moderator.locator("#official_id").select_option(label="何丽 · 养老服务股股长")
    moderator.locator("#body").fill("周末**正常开放**，时间为上午8点至下午5点。")
    assert_accessible(moderator)
    submit(moderator, zh("Publish the answer"))
    assert zh("The answer is on the live page.") in moderator.locator("main").inner_text()

    # The reader did not reload: the question (name masked) and the answer arrived through the stream.
    answer = reader.locator(".transcript-answer", has_text="正常开放")
    answer.wait_for()
    transcript = reader.locator(".transcript").inner_text()
    assert "刘*" in transcript and "社区日间照料中心周末开放吗？" in transcript and "刘晓红" not in transcript
    assert answer.locator("strong", has_text="正常开放").count() == 1 and "何丽" in answer.inner_text()
    assert transcript.index("社区日间照料中心") < transcript.index("正常开放")
    assert "13900001111" not in reader.content()
    shoot(reader, screenshot_dir, "interview-live", full_page=True)
