"""The outbox is delivered to a real SMTP server on loopback: content, language, headers, exactly once,
retries with backoff while the server is down, failures an admin can retry, several senders at once."""

import re
import threading
import uuid
from datetime import timedelta

import jinja2
import pytest

from consult.database import utcnow
from consult.extensions import db
from consult.notify import sender
from consult.notify.models import FAILED, PENDING, SENT
from consult.notify.services import MailAttachment, queue_mail
from tests.smtp_support import SENDER, drain, mail_settings, outbox_rows


@pytest.fixture
def app_config(smtp_port):
    return mail_settings(smtp_port)

# A small optional mail of the tests' own, built on the shared layouts.
TEST_TEMPLATES = {
    "email/notice.subject.txt": "Notice {{ n }}",
    "email/notice.txt": '{% extends "email/_layout.txt" %}{% block body %}Notice number {{ n }}.{% endblock %}'
                        "{% block reason %}You follow notices.{% endblock %}",
    "email/notice.html": '{% extends "email/_layout.html" %}{% block body %}<p>Notice number {{ n }}.</p>'
                         "{% endblock %}{% block reason %}You follow notices.{% endblock %}",
}


@pytest.fixture
def notice_templates(app):
    app.jinja_env.loader = jinja2.ChoiceLoader([jinja2.DictLoader(TEST_TEMPLATES), app.jinja_env.loader])


def queue_notices(app, count: int, **kwargs) -> list[int]:
    with app.app_context():
        ids = [queue_mail(f"reader{n}@example.org", "notice", n=n, **kwargs).id for n in range(count)]
        db.session.commit()
    return ids


def later(minutes: float):
    return utcnow() + timedelta(minutes=minutes)


def test_mail_arrives_once_in_the_recipients_language_with_proper_headers(app, client, runner, smtp, make_user):
    make_user(email="wang@example.org", locale="zh_CN")
    make_user(email="smith@example.org", locale="en")
    for address in ("wang@example.org", "smith@example.org"):
        assert client.post("/account/forgot-password", data={"email": address}).status_code == 302

    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert "Sent 2, will retry 0, failed 0." in result.output
    assert runner.invoke(args=["send-mail"]).output.strip() == "Sent 0, will retry 0, failed 0."

    assert len(smtp.messages) == 2
    by_recipient = {m["To"]: m for m in smtp.messages}
    chinese, english = by_recipient["wang@example.org"], by_recipient["smith@example.org"]
    assert chinese["Subject"].startswith("设置您在")
    assert english["Subject"].startswith("Choose a new password for")
    assert "有人申请重置您账号的密码" in chinese.get_body(("plain",)).get_content()
    assert "Someone asked to reset the password" in english.get_body(("plain",)).get_content()
    assert '<html lang="zh-CN">' in chinese.get_body(("html",)).get_content()
    assert '<html lang="en">' in english.get_body(("html",)).get_content()
    assert "/account/reset-password/" in english.get_body(("html",)).get_content()

    rows = {row.recipient: row for row in outbox_rows(app)}
    for message in (chinese, english):
        row = rows[message["To"]]
        assert message["From"] == SENDER
        assert re.fullmatch(rf"<outbox\.{row.id}\.\d{{14}}@consult\.test>", message["Message-ID"])
        assert message["Auto-Submitted"] == "auto-generated"
        alternative = [part for part in message.walk() if part.get_content_type() == "multipart/alternative"]
        assert len(alternative) == 1
        assert [p.get_content_type() for p in alternative[0].iter_parts()] == ["text/plain", "text/html"]
        assert row.status == SENT and row.sent_at is not None and row.attempts == 0


def test_every_mail_says_why_it_was_sent(app, smtp, notice_templates):
    queue_notices(app, 1, essential=False)
    drain(app)
    message = smtp.messages[0]
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = message.get_body(("html",)).get_content()
    assert "-- \nYou follow notices." in text
    assert "You follow notices." in html
    # optional mail also says how to stop it
    assert "://consult.test/account/notifications" in text
    assert '://consult.test/account/notifications"' in html


def test_attachments_are_sent_from_the_database(app, smtp, notice_templates):
    ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
    queue_notices(app, 1, attachments=[MailAttachment("open-day.ics", "text/calendar", ics)])
    drain(app)
    (message,) = smtp.messages
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == "open-day.ics"
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_payload(decode=True).decode() == ics


def test_a_dedup_key_queues_a_mail_only_once(app, notice_templates):
    with app.app_context():
        assert queue_mail("a@example.org", "notice", n=1, dedup_key="reminder:7:3d") is not None
        assert queue_mail("a@example.org", "notice", n=1, dedup_key="reminder:7:3d") is None
        db.session.commit()
    assert len(outbox_rows(app)) == 1


def test_a_duplicate_queued_by_a_concurrent_request_is_dropped_quietly(app, notice_templates, monkeypatch):
    queue_notices(app, 1, dedup_key="digest:2025-01-06")
    with app.app_context():
        # The other transaction committed after our look-up for the key: only the unique index sees it.
        monkeypatch.setattr(db.session, "scalar", lambda *args, **kwargs: None)
        assert queue_mail("a@example.org", "notice", n=1, dedup_key="digest:2025-01-06") is None
        assert queue_mail("a@example.org", "notice", n=2) is not None  # the transaction goes on
        db.session.commit()
    assert [row.subject for row in outbox_rows(app)] == ["Notice 0", "Notice 2"]


def test_a_server_that_is_down_loses_nothing(app, smtp_down, notice_templates):
    queue_notices(app, 3)
    before = utcnow()

    result = drain(app)
    assert (result.sent, result.retrying, result.failed) == (0, 3, 0)
    rows = outbox_rows(app)
    assert {row.status for row in rows} == {PENDING}
    assert {row.attempts for row in rows} == {1}
    assert all("ConnectionRefusedError" in row.last_error for row in rows)
    for row in rows:  # first retry after a minute
        due = row.next_attempt_at.replace(tzinfo=before.tzinfo)
        assert before + timedelta(seconds=59) < due < utcnow() + timedelta(seconds=61)
    assert drain(app).claimed == 0  # not due yet

    smtp_down.start()
    assert drain(app).claimed == 0  # the server is back, but the backoff still applies
    result = drain(app, now=later(2))
    assert result.sent == 3
    assert sorted(m["To"] for m in smtp_down.messages) == [f"reader{n}@example.org" for n in range(3)]
    assert {row.status for row in outbox_rows(app)} == {SENT}


def test_backoff_grows_and_is_capped(app):
    with app.app_context():
        app.config.update(MAIL_RETRY_BASE_SECONDS=60, MAIL_RETRY_MAX_SECONDS=3600)
        delays = [sender.retry_delay(n).total_seconds() for n in range(1, 10)]
    assert delays == [60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]


def test_after_the_last_attempt_the_mail_fails_and_an_admin_can_retry_it(
    app, client, auth, make_user, smtp_down, notice_templates
):
    app.config["MAIL_MAX_ATTEMPTS"] = 3
    (message_id,) = queue_notices(app, 1)
    for minutes in (0, 10, 30):
        drain(app, now=later(minutes))
    (row,) = outbox_rows(app)
    assert (row.status, row.attempts) == (FAILED, 3)
    assert drain(app, now=later(600)).claimed == 0  # given up

    auth.login(make_user(role="admin", locale="en"))
    page = client.get("/admin/outbox?status=failed").get_data(as_text=True)
    assert "reader0@example.org" in page
    assert "ConnectionRefusedError" in page
    assert f"/admin/outbox/{message_id}/retry" in page

    response = client.post(f"/admin/outbox/{message_id}/retry?status=failed")
    assert response.status_code == 302
    assert "Outgoing mail" in client.get(response.location).get_data(as_text=True)
    (row,) = outbox_rows(app)
    assert (row.status, row.attempts) == (PENDING, 0)
    assert "ConnectionRefusedError" in row.last_error  # the old reason stays visible

    smtp_down.start()
    assert drain(app).sent == 1
    assert len(smtp_down.messages) == 1


def test_a_mailbox_the_server_refuses_fails_at_once(app, smtp, notice_templates):
    smtp.refused.add("reader1@example.org")
    queue_notices(app, 3)
    result = drain(app)
    assert (result.sent, result.failed) == (2, 1)
    statuses = {row.recipient: (row.status, row.attempts) for row in outbox_rows(app)}
    assert statuses["reader1@example.org"] == (FAILED, 1)
    assert sorted(m["To"] for m in smtp.messages) == ["reader0@example.org", "reader2@example.org"]


def test_a_crash_after_sending_resends_with_the_same_message_id(app, smtp, notice_templates, monkeypatch):
    queue_notices(app, 1)

    def crash(row_id):
        raise SystemExit("sender killed")

    with monkeypatch.context() as patch:
        patch.setattr(sender, "_record_sent", crash)
        with pytest.raises(SystemExit):
            drain(app)
    (row,) = outbox_rows(app)
    assert row.status == PENDING and row.claimed_until is not None
    assert drain(app).claimed == 0  # leased: no second copy while the first sender might still run

    assert drain(app, now=later(6)).sent == 1  # the lease (5 minutes) has run out
    assert len(smtp.messages) == 2
    assert smtp.messages[0]["Message-ID"] == smtp.messages[1]["Message-ID"]
    assert outbox_rows(app)[0].status == SENT


@pytest.mark.postgres
def test_two_senders_at_once_never_send_a_message_twice(app, smtp, notice_templates):
    count = 120
    queue_notices(app, count)
    start = threading.Barrier(3)
    results, errors = [], []

    def run_sender():
        try:
            with app.app_context():
                start.wait()
                results.append(sender.drain(batch=7))
        except Exception as error:  # noqa: BLE001 -- reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=run_sender) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sum(r.sent for r in results) == count
    assert all(r.sent > 0 for r in results) or app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    assert len(smtp.messages) == count
    assert len(set(smtp.message_ids())) == count
    assert {row.status for row in outbox_rows(app)} == {SENT}


def test_suppressed_sending_logs_each_mail_in_full_and_marks_it_sent(app, smtp, notice_templates, caplog):
    app.extensions["mail"].suppress = True
    queue_notices(app, 2)
    with caplog.at_level("INFO", logger="consult.notify.sender"):
        assert drain(app).sent == 2
    assert smtp.messages == []
    assert "To: reader1@example.org" in caplog.text and "Subject: Notice 1" in caplog.text
    assert "Notice number 1." in caplog.text  # the text part
    assert "<p>Notice number 1.</p>" in caplog.text  # the HTML part
    assert "You follow notices." in caplog.text
    assert {row.status for row in outbox_rows(app)} == {SENT}


def test_send_mail_without_a_mail_server_prints_every_mail(app, runner, smtp, notice_templates, caplog):
    """In development (no MAIL_SERVER) ``send-mail`` shows each mail whole, where the developer reads it."""
    app.extensions["mail"].suppress = True
    queue_notices(app, 1)
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert "No mail server is configured" in result.output
    assert "Sent 1, will retry 0, failed 0." in result.output
    shown = [r.getMessage() for r in caplog.records if r.name == "consult.notify.sender"]
    assert len(shown) == 1 and "Notice number 0." in shown[0] and "<p>Notice number 0.</p>" in shown[0]
    assert app.logger.level == 0, "the command leaves the log level as it found it"


def test_send_mail_loop_runs_until_interrupted(app, runner, smtp, notice_templates, monkeypatch):
    queue_notices(app, 2)

    def interrupt(seconds):
        raise KeyboardInterrupt

    monkeypatch.setattr(sender.time, "sleep", interrupt)
    result = runner.invoke(args=["send-mail", "--loop", "--interval", "1", "--batch", "1"])
    assert result.exit_code == 0, result.output
    assert "Sent 2, will retry 0, failed 0." in result.output
    assert "Stopped." in result.output
    assert len(smtp.messages) == 2


def test_enqueue_needs_redis(app, runner):
    app.config["REDIS_URL"] = None
    result = runner.invoke(args=["send-mail", "--enqueue"])
    assert result.exit_code != 0
    assert "REDIS_URL" in result.output


@pytest.fixture
def redis_url():
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/0"
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    finally:
        client.close()
    return url


def test_an_rq_worker_drains_the_outbox(app, runner, smtp, notice_templates, redis_url):
    from rq import SimpleWorker

    from consult.notify.queue import mail_queue

    app.config.update(REDIS_URL=redis_url, MAIL_RQ_QUEUE=f"consult-mail-test-{uuid.uuid4().hex[:8]}")
    queue_notices(app, 3)
    result = runner.invoke(args=["send-mail", "--enqueue"])
    assert result.exit_code == 0, result.output
    assert "Queued job" in result.output
    assert smtp.messages == []  # nothing is sent by the command itself

    with app.app_context():
        queue = mail_queue()
        try:
            (job,) = queue.get_jobs()
            worker = SimpleWorker([queue], connection=queue.connection)
            assert worker.work(burst=True)
            assert job.get_status(refresh=True) == "finished"
            assert job.return_value() == {"sent": 3, "retrying": 0, "failed": 0}
        finally:
            job.delete()
            queue.delete(delete_jobs=True)
            queue.connection.close()
    assert len(smtp.messages) == 3
