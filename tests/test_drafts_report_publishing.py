"""Publishing the feedback report runs as a job: the reviewer's click queues it and shows a page that follows it
(without JavaScript, by reloading itself), a second click queues nothing more, and a failure is shown with a
clear message while nothing at all has been published."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from tests.drafts_support import get, publish_report
from tests.test_drafts_report_answers import _ready_report, _submission

from consult import jobs
from consult.accounts.models import User
from consult.database import utcnow
from consult.drafts import publishing, report
from consult.drafts.models import Draft, ReportPublication
from consult.extensions import db
from consult.notify.models import OutboxMessage
from consult.tracking.models import TimelineEvent

pytestmark = pytest.mark.usefixtures("request_ctx")


@pytest.fixture
def started(monkeypatch):
    """Jobs are recorded instead of started, so a test sees the queued state and runs the job itself."""
    calls = []
    monkeypatch.setattr(jobs, "start", lambda job, job_id, **kwargs: calls.append((job, job_id)))
    return calls


def _publications(draft_id):
    return list(db.session.scalars(sa.select(ReportPublication).where(ReportPublication.draft_id == draft_id)
                                   .order_by(ReportPublication.id)))


def _outbox_count():
    return db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))


def test_the_click_queues_the_publication_and_its_page_follows_it(world, client, auth, started):
    draft_id, by_mail, *_ = _ready_report(world)
    auth.login(world.reviewer)
    response = client.post(f"/office/drafts/{draft_id}/report/approve")
    [publication] = _publications(draft_id)
    assert response.status_code == 302
    assert response.location.endswith(f"/office/drafts/{draft_id}/report/publications/{publication.id}")
    assert started == [(publishing.run_publication, publication.id)]
    # Nothing was published in the request: the report still waits, the comments are still open.
    assert publication.status == "queued" and get(Draft, draft_id).status == "closed"
    assert _submission(by_mail[0]).status == "received"

    page = client.get(response.location).get_data(as_text=True)
    assert "Waiting to start…" in page and '<meta http-equiv="refresh" content="5">' in page
    assert "The feedback report is being published. This page shows how far it has got." in page
    office = client.get(f"/office/drafts/{draft_id}").get_data(as_text=True)
    assert "The feedback report is being published." in office and "Approve and publish the report" not in office

    assert publishing.run_publication(publication.id) == "done"
    db.session.commit()
    page = client.get(response.location).get_data(as_text=True)
    assert "The feedback report has been published." in page and "3 comments were answered" not in page
    assert "2 comments were answered with their disposition and reason." in page  # one had a group reply
    assert 'http-equiv="refresh"' not in page and f"/drafts/{draft_id}/report" in page
    assert get(Draft, draft_id).status == "report_published"
    assert _submission(by_mail[0]).status == "answered"


def test_the_job_runs_on_a_thread_and_its_mails_link_to_the_site(world, client, auth):
    draft_id, by_mail, *_ = _ready_report(world)
    auth.login(world.reviewer)
    page = publish_report(client, draft_id).get_data(as_text=True)
    assert "The feedback report has been published." in page
    [mail] = db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.template == "comment_answered_in_report")).all()
    assert f"http://consult.test/drafts/{draft_id}/report" in mail.body_text  # absolute, as from the request


def test_a_double_click_queues_one_publication(world, client, auth, started):
    draft_id, *_ = _ready_report(world)
    auth.login(world.reviewer)
    first = client.post(f"/office/drafts/{draft_id}/report/approve")
    second = client.post(f"/office/drafts/{draft_id}/report/approve", follow_redirects=True)
    [publication] = _publications(draft_id)
    assert len(started) == 1 and second.request.path == first.location.removeprefix("http://consult.test")
    assert "The feedback report is already being published." in second.get_data(as_text=True)
    # Another reviewer of the department clicking meanwhile is shown the same one too.
    auth.login(world.second_reviewer)
    client.post(f"/office/drafts/{draft_id}/report/approve")
    assert len(_publications(draft_id)) == 1 and len(started) == 1
    assert publishing.run_publication(publication.id) == "done"
    assert publishing.run_publication(publication.id) == "done"  # a job delivered twice does nothing more


def test_a_failure_is_shown_and_nothing_is_half_published(world, client, auth, started, monkeypatch):
    draft_id, by_mail, no_contact, _replied = _ready_report(world)
    events, outbox = db.session.scalar(sa.select(sa.func.count(TimelineEvent.id))), _outbox_count()
    real = report.answer_open_comments

    def answer_then_fail(*args, **kwargs):
        real(*args, **kwargs)  # every comment answered and every mail queued, in the transaction...
        raise RuntimeError("the disk is full")  # ...then the job fails before it commits

    monkeypatch.setattr(report, "answer_open_comments", answer_then_fail)
    auth.login(world.reviewer)
    url = client.post(f"/office/drafts/{draft_id}/report/approve").location
    [publication] = _publications(draft_id)
    assert publishing.run_publication(publication.id) == "failed"
    db.session.commit()

    draft = get(Draft, draft_id)
    assert draft.status == "closed" and draft.report_state == "pending_review" and draft.report_published_at is None
    assert _submission(by_mail[0]).status == "received" and _submission(no_contact[0]).status == "received"
    assert db.session.scalar(sa.select(sa.func.count(TimelineEvent.id))) == events and _outbox_count() == outbox
    assert client.get(f"/drafts/{draft_id}/report").status_code == 404

    page = client.get(url).get_data(as_text=True)
    assert ("Publishing failed. Nothing was published: no comment was answered, and the report is still waiting "
            "for approval.") in page
    assert "RuntimeError: the disk is full" in page and "Publish again" in page and 'http-equiv="refresh"' not in page
    assert "Publishing failed." in client.get(f"/office/drafts/{draft_id}").get_data(as_text=True)

    # Trying again queues a new publication, which publishes everything once.
    monkeypatch.setattr(report, "answer_open_comments", real)
    client.post(f"/office/drafts/{draft_id}/report/approve")
    retry = _publications(draft_id)[-1]
    assert retry.id != publication.id and publishing.run_publication(retry.id) == "done"
    db.session.commit()
    assert get(Draft, draft_id).status == "report_published" and _submission(by_mail[0]).status == "answered"


def test_a_report_returned_before_the_job_runs_is_not_published(world, client, auth, started):
    draft_id, by_mail, *_ = _ready_report(world)
    auth.login(world.reviewer)
    url = client.post(f"/office/drafts/{draft_id}/report/approve").location
    [publication] = _publications(draft_id)
    auth.login(world.second_reviewer)
    assert client.post(f"/office/drafts/{draft_id}/report/return", data={"note": "请补充理由。"}).status_code == 302
    assert publishing.run_publication(publication.id) == "failed"
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert "There is no report waiting for approval." in page and "Publish again" not in page
    assert get(Draft, draft_id).status == "closed" and _submission(by_mail[0]).status == "received"


def test_why_a_publication_failed_reads_in_the_language_of_the_reviewer_who_asked(world, client, auth, started):
    draft_id, *_ = _ready_report(world)
    db.session.execute(sa.update(User).where(User.id == world.reviewer.id).values(locale="zh_CN"))
    db.session.commit()
    auth.login(world.reviewer)
    url = client.post(f"/office/drafts/{draft_id}/report/approve").location
    [publication] = _publications(draft_id)
    auth.login(world.second_reviewer)
    client.post(f"/office/drafts/{draft_id}/report/return", data={"note": "请补充理由。"})
    with force_locale("en"):  # a worker runs the job in the site's default language (English here)
        assert publishing.run_publication(publication.id) == "failed"
    db.session.commit()
    auth.login(world.reviewer)
    page = client.get(url).get_data(as_text=True)
    assert "暂无待审核的意见采纳情况。" in page and "There is no report waiting for approval." not in page


def test_a_job_that_never_finished_may_be_asked_for_again(world, client, auth, started):
    draft_id, *_ = _ready_report(world)
    auth.login(world.reviewer)
    url = client.post(f"/office/drafts/{draft_id}/report/approve").location
    [dead] = _publications(draft_id)
    db.session.execute(sa.update(ReportPublication).where(ReportPublication.id == dead.id).values(
        status="running", started_at=utcnow() - publishing.STALE_AFTER - timedelta(minutes=1)))
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert "The publishing job stopped without finishing." in page and "Publish again" in page and 'http-equiv="refresh"' not in page
    client.post(f"/office/drafts/{draft_id}/report/approve")
    dead, retry = _publications(draft_id)
    assert dead.status == "failed" and retry.status == "queued"
    assert "The publishing job stopped without finishing." in client.get(url).get_data(as_text=True)


@pytest.mark.parametrize("who", ["editor", "officer", "reviewer", "other_reviewer", "citizen"])
def test_who_sees_the_publication_page(world, client, auth, started, who):
    draft_id, *_ = _ready_report(world)
    auth.login(world.reviewer)
    url = client.post(f"/office/drafts/{draft_id}/report/approve").location
    auth.login(getattr(world, who))
    status = client.get(url).status_code
    assert status == {"citizen": 403, "other_reviewer": 403}.get(who, 200)  # another department: not theirs
    [publication] = _publications(draft_id)
    other_id, *_ = _ready_report(world)
    assert client.get(f"/office/drafts/{other_id}/report/publications/{publication.id}").status_code in (403, 404)
