"""Online interviews, staff side: announcing, moderating (putting questions, setting them aside, recording
answers with images), ending — when every question not answered becomes a tracked submission of the
department and its asker receives the tracking number — and archiving. Who may do what, on every route."""

import io
import re

import pytest
import sqlalchemy as sa

from consult.extensions import db
from consult.interviews.models import Question
from consult.notify.models import OutboxMessage
from consult.tracking.models import Submission
from tests.interviews_support import ask, make_interview, officials_of, question_ids

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
       b"\x00\x00\x00\x0cIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x9a\xa0\xa0\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture
def department(make_department):
    return make_department(code="JYJ", name="县教育局")


@pytest.fixture
def other_department(make_department):
    return make_department(code="CZJ", name="县财政局")


@pytest.fixture
def editor(make_user):
    return make_user(role="editor")


@pytest.fixture
def officer(make_user, department):
    return make_user(role="officer", department=department)


@pytest.fixture
def live_id(app, department, editor):
    return make_interview(app, department, editor=editor, status="live")


def _select(client, interview_id, question_id):
    return client.post(f"/office/interviews/{interview_id}/questions/{question_id}/select")


def _answer(client, interview_id, official_id, body, question_id=0, files=()):
    data = {"question_id": str(question_id), "official_id": str(official_id), "body": body,
            "files": [(io.BytesIO(content), name) for name, content in files]}
    return client.post(f"/office/interviews/{interview_id}/answers", data=data, content_type="multipart/form-data")


def test_the_moderator_puts_a_question_and_the_answer_appears_on_the_live_page(app, client, auth, officer, live_id):
    ask(client, live_id, name="王小明", body="学区划分什么时候公布？")
    auth.login(officer)
    (question_id,) = question_ids(app, live_id)
    console = client.get(f"/office/interviews/{live_id}").get_data(as_text=True)
    assert "王小明" in console and "学区划分什么时候公布？" in console  # staff see who asked
    assert _select(client, live_id, question_id).status_code == 302
    director = officials_of(app, live_id)[0]
    response = _answer(client, live_id, director, "学区划分方案将于**五月**公布。", question_id,
                       files=[("学区图.png", PNG), ("方案.pdf", b"%PDF-1.4\n%demo\n")])
    assert response.status_code == 302
    page = client.get(f"/interviews/{live_id}")
    html = page.get_data(as_text=True)
    assert "学区划分什么时候公布？" in html and "<strong>五月</strong>" in html and "张明" in html
    image = re.search(r'<img src="(/files/\d+\?inline=1)"', html).group(1)
    pdf = re.search(r'href="(/files/\d+/[^"]+\.pdf)"', html).group(1)
    reader = app.test_client()  # anonymous
    for url in (image, pdf):
        download = reader.get(url)
        assert download.status_code == 200
        download.close()
    assert reader.get(f"/interviews/{live_id}").headers["Cache-Control"] == "public, max-age=10, s-maxage=10"
    with app.app_context():
        assert db.session.get(Question, question_id).status == "answered"


def test_an_answer_needs_an_official_and_text_and_a_live_interview(app, client, auth, officer, department, editor,
                                                                  live_id):
    auth.login(officer)
    response = _answer(client, live_id, 0, "")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Please choose the official who answered." in html and "Please write the answer." in html
    scheduled = make_interview(app, department, editor=editor, title="尚未开始的访谈")
    refused = _answer(client, scheduled, officials_of(app, scheduled)[0], "提前的回答")
    assert refused.status_code == 409
    assert client.get(f"/interviews/{scheduled}").get_data(as_text=True).count("transcript-entry") == 0


def test_an_answer_with_a_disguised_file_is_refused_and_nothing_is_published(app, client, auth, officer, live_id):
    auth.login(officer)
    response = _answer(client, live_id, officials_of(app, live_id)[0], "附件有问题", files=[("x.png", b"MZ\x90\x00")])
    assert response.status_code == 422
    assert "This type of file is not allowed." in response.get_data(as_text=True)
    assert "附件有问题" not in client.get(f"/interviews/{live_id}").get_data(as_text=True)


def test_ending_turns_every_unanswered_question_into_a_tracked_submission(app, client, auth, officer, live_id):
    for n in range(1, 5):
        ask(client, live_id, n=n)
    answered, put_only, set_aside, waiting = question_ids(app, live_id)
    auth.login(officer)
    director = officials_of(app, live_id)[0]
    _select(client, live_id, answered)
    _answer(client, live_id, director, "已答复。", answered)
    _select(client, live_id, put_only)
    client.post(f"/office/interviews/{live_id}/questions/{set_aside}/set-aside", data={"note": "与主题无关"})
    ended = client.post(f"/office/interviews/{live_id}/end", follow_redirects=True)
    assert "3 unanswered questions became tracked submissions" in ended.get_data(as_text=True)
    with app.app_context():
        questions = {q.id: q for q in db.session.scalars(sa.select(Question))}
        submissions = {s.id: s for s in db.session.scalars(sa.select(Submission))}
        assert questions[answered].submission_id is None
        tracked = [questions[i].submission_id for i in (put_only, set_aside, waiting)]
        assert all(tracked) and len(set(tracked)) == 3
        # No question silently dropped: each was answered during the interview or is now tracked.
        assert all(q.status == "answered" or q.submission_id for q in questions.values())
        for question_id, submission_id in zip((put_only, set_aside, waiting), tracked):
            submission = submissions[submission_id]
            question = questions[question_id]
            assert submission.kind == "interview" and submission.tracking_no.startswith("I-")
            assert submission.department_id == question.interview.department_id
            assert submission.body == question.body and submission.submitter_email == question.email
            assert submission.status == "received" and submission.due_on > submission.clock_start_on
            assert [e.action for e in submission.events] == ["received", "interview_not_reached"]
        receipts = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.template == "submission_receipt")
                                      .order_by(OutboxMessage.id)).all()
        by_recipient = {m.recipient: m.body_text for m in receipts}
        assert sorted(by_recipient) == sorted(questions[i].email for i in (put_only, set_aside, waiting))
        for question_id, submission_id in zip((put_only, set_aside, waiting), tracked):
            mail = by_recipient[questions[question_id].email]
            assert submissions[submission_id].tracking_no in mail and "Query code" in mail
    console = client.get(f"/office/interviews/{live_id}").get_data(as_text=True)
    assert console.count("I-") >= 3  # the moderator sees the tracking numbers
    assert client.post(f"/office/interviews/{live_id}/end").status_code == 302  # a second end changes nothing
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Submission)) == 3


def test_a_tracked_question_shows_its_interview_to_staff_and_to_the_asker(app, client, auth, officer, live_id):
    ask(client, live_id)
    auth.login(officer)
    client.post(f"/office/interviews/{live_id}/end")
    with app.app_context():
        submission = db.session.scalar(sa.select(Submission))
        submission_id = submission.id
    staff = client.get(f"/office/submissions/{submission_id}").get_data(as_text=True)
    assert "Question to an online interview" in staff and "县教育局在线访谈：义务教育招生" in staff
    assert "Not answered during the interview" in staff


def test_archiving_publishes_the_summary_above_the_transcript(app, client, auth, officer, live_id):
    auth.login(officer)
    too_early = client.post(f"/office/interviews/{live_id}/archive", data={"summary": "总结"}, follow_redirects=True)
    assert "Only an ended interview can be archived." in too_early.get_data(as_text=True)
    client.post(f"/office/interviews/{live_id}/end")
    client.post(f"/office/interviews/{live_id}/archive", data={"summary": "本期访谈回答了**两个**问题。"})
    auth.logout()
    page = client.get(f"/interviews/{live_id}").get_data(as_text=True)
    assert "Archived" in page and "<strong>两个</strong>" in page
    assert "县教育局在线访谈：义务教育招生" in client.get("/interviews?past=1").get_data(as_text=True)


def test_an_editor_announces_an_interview_and_every_problem_is_shown_at_once(app, client, auth, editor, department):
    auth.login(editor)
    refused = client.post("/admin/interviews/new", data={
        "title": "", "department_id": str(department.id), "starts_at": "2027-03-01T10:00",
        "ends_at": "2027-03-01T09:00", "officials": ""})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Please enter a topic." in html and "Name at least one official" in html
    created = client.post("/admin/interviews/new", data={
        "title": "县教育局局长谈招生", "department_id": str(department.id), "starts_at": "2027-03-01T10:00",
        "ends_at": "2027-03-01T11:00", "officials": "张明，县教育局局长\nLi Hua, Deputy director"})
    assert created.status_code == 302
    interview_id = int(created.location.rstrip("/").rsplit("/", 1)[1])
    page = client.get(f"/interviews/{interview_id}").get_data(as_text=True)
    assert "县教育局局长谈招生" in page and "Deputy director" in page
    assert "10:00" in page or "10:00 AM" in page  # typed in local time, shown in local time
    edit = client.post(f"/admin/interviews/{interview_id}/edit", data={
        "title": "县教育局局长谈招生（改期）", "department_id": str(department.id), "starts_at": "2027-03-02T10:00",
        "ends_at": "2027-03-02T11:00", "officials": "张明，县教育局局长"})
    assert edit.status_code == 302
    assert "改期" in client.get(f"/interviews/{interview_id}").get_data(as_text=True)


# --- who may do what -------------------------------------------------------------------------------------
ROUTES = [
    ("get", "/office/interviews/{id}"),
    ("post", "/office/interviews/{id}/start"),
    ("post", "/office/interviews/{id}/end"),
    ("post", "/office/interviews/{id}/archive"),
    ("post", "/office/interviews/{id}/answers"),
    ("post", "/office/interviews/{id}/questions/{q}/select"),
    ("post", "/office/interviews/{id}/questions/{q}/set-aside"),
]


@pytest.mark.parametrize("method,path", ROUTES)
def test_staff_of_another_department_and_citizens_are_refused(app, client, auth, make_user, other_department,
                                                            department, editor, method, path):
    interview_id = make_interview(app, department, editor=editor)
    ask(client, interview_id)
    (question_id,) = question_ids(app, interview_id)
    url = path.format(id=interview_id, q=question_id)
    assert getattr(client, method)(url).status_code == 302  # anonymous: the login page
    for role, dept in (("citizen", None), ("officer", other_department), ("reviewer", other_department)):
        auth.login(make_user(role=role, department=dept))
        assert getattr(client, method)(url).status_code == 403, (role, url)
    with app.app_context():
        assert db.session.get(Question, question_id).status == "submitted"


@pytest.mark.parametrize("method,path", ROUTES)
def test_a_missing_interview_or_a_question_of_another_is_404(app, client, auth, officer, department, editor,
                                                             method, path):
    interview_id = make_interview(app, department, editor=editor)
    other = make_interview(app, department, editor=editor, title="另一场访谈")
    ask(client, other)
    (foreign_question,) = question_ids(app, other)
    auth.login(officer)
    assert getattr(client, method)(path.format(id=999, q=foreign_question)).status_code == 404
    if "{q}" in path:
        assert getattr(client, method)(path.format(id=interview_id, q=foreign_question)).status_code == 404
        assert getattr(client, method)(path.format(id=interview_id, q=999)).status_code == 404


def test_only_editors_and_admins_announce(client, auth, officer, make_user):
    auth.login(officer)
    assert client.get("/admin/interviews/new").status_code == 403
    assert client.get("/admin/interviews").status_code == 403
    auth.login(make_user(role="editor"))
    assert client.get("/admin/interviews/new").status_code == 200
    assert client.get("/admin/interviews").status_code == 403  # the admin list is the admin's
    auth.login(make_user(role="admin"))
    assert client.get("/admin/interviews").status_code == 200


def test_officers_see_only_their_own_departments_interviews(app, client, auth, officer, make_user, other_department,
                                                           department, editor):
    make_interview(app, department, editor=editor, title="教育局的访谈")
    make_interview(app, other_department, editor=editor, title="财政局的访谈")
    auth.login(officer)
    own = client.get("/office/interviews").get_data(as_text=True)
    assert "教育局的访谈" in own and "财政局的访谈" not in own
    auth.login(editor)
    every = client.get("/office/interviews").get_data(as_text=True)
    assert "教育局的访谈" in every and "财政局的访谈" in every


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_moderation_without_the_form_token_is_refused(app, client, auth, officer, live_id):
    ask(client, live_id, csrf_token="")
    assert question_ids(app, live_id) == []  # the public form needs its token too
    with app.app_context():
        db.session.add(Question(interview_id=live_id, name="王小", phone="13800000001", body="问题",
                                form_token="direct-1"))
        db.session.commit()
    (question_id,) = question_ids(app, live_id)
    auth.login(officer)
    assert _select(client, live_id, question_id).status_code == 400
    assert client.post(f"/office/interviews/{live_id}/end").status_code == 400
    with app.app_context():
        assert db.session.get(Question, question_id).status == "submitted"


def test_the_daily_run_ends_an_interview_nobody_ended_and_tracks_its_questions(app, client, runner, department,
                                                                              editor, live_id):
    from datetime import timedelta

    from consult.database import utcnow
    from consult.interviews.models import Interview

    recent = make_interview(app, department, editor=editor, status="live", title="刚结束的访谈")
    ask(client, live_id, n=1)
    ask(client, recent, n=2)
    with app.app_context():
        now = utcnow()
        for interview_id, ended_ago in ((live_id, timedelta(days=2)), (recent, timedelta(hours=2))):
            interview = db.session.get(Interview, interview_id)
            interview.starts_at, interview.ends_at = now - ended_ago - timedelta(hours=1), now - ended_ago
        db.session.commit()
    result = runner.invoke(args=["remind"])
    assert "Online interviews nobody ended, ended now: 1." in result.output
    with app.app_context():
        assert db.session.get(Interview, live_id).status == "ended"
        assert db.session.get(Interview, recent).status == "live"  # its moderator may still end it
        tracked = db.session.scalars(sa.select(Question).where(Question.submission_id.is_not(None))).all()
        assert [q.interview_id for q in tracked] == [live_id]
    assert "Online interviews nobody ended, ended now: 0." in runner.invoke(args=["remind"]).output


def test_questions_sent_while_the_interview_ends_are_either_tracked_or_refused(app, client, auth, officer, live_id):
    import threading

    auth.login(officer)
    barrier, answers = threading.Barrier(9), []

    def send(n):
        asker = app.test_client()
        barrier.wait()
        response = asker.post(f"/api/v1/interviews/{live_id}/questions",
                              json={"body": f"结束时刻的第{n}个问题", "name": "王五", "phone": f"1380000{n:04d}"})
        answers.append(response.status_code)

    def end():
        barrier.wait()
        answers.append(("end", client.post(f"/office/interviews/{live_id}/end").status_code))

    threads = [threading.Thread(target=send, args=(n,)) for n in range(8)] + [threading.Thread(target=end)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert ("end", 302) in answers
    statuses = sorted(a for a in answers if not isinstance(a, tuple))
    assert set(statuses) <= {201, 409} and len(statuses) == 8
    with app.app_context():
        questions = db.session.scalars(sa.select(Question)).all()
        assert len(questions) == statuses.count(201)  # every question taken is stored …
        assert all(q.submission_id for q in questions)  # … and tracked: none slipped in after the end
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Submission)) == len(questions)
