"""Mail preferences (optional mail can be turned off, essential mail cannot) and the admin outbox page."""

import pathlib
import re

import jinja2
import pytest
import sqlalchemy as sa

from consult import PROJECT_ROOT
from consult.accounts.models import User
from consult.extensions import db
from consult.notify.models import FAILED, PENDING, SENT, OutboxMessage
from consult.notify.services import queue_mail

TEST_TEMPLATES = {
    "email/notice.subject.txt": "Notice",
    "email/notice.txt": '{% extends "email/_layout.txt" %}{% block body %}A notice.{% endblock %}'
                        "{% block reason %}You follow notices.{% endblock %}",
    "email/notice.html": '{% extends "email/_layout.html" %}{% block body %}<p>A notice.</p>{% endblock %}'
                         "{% block reason %}You follow notices.{% endblock %}",
}


@pytest.fixture
def notice_templates(app):
    app.jinja_env.loader = jinja2.ChoiceLoader([jinja2.DictLoader(TEST_TEMPLATES), app.jinja_env.loader])


def add_messages(app, count: int, status: str = PENDING) -> None:
    with app.app_context():
        db.session.add_all(
            OutboxMessage(recipient=f"r{n}@example.org", locale="en", template="notice", subject=f"Notice {n}",
                          body_text="A notice.", status=status, last_error="boom" if status == FAILED else "")
            for n in range(count)
        )
        db.session.commit()


def outbox_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))


def test_optional_mail_is_skipped_for_people_who_turned_it_off(app, make_user, notice_templates):
    quiet = make_user(email="quiet@example.org", optional_mail=False)
    make_user(email="keen@example.org")
    with app.app_context():
        quiet = db.session.get(User, quiet.id)
        assert queue_mail(quiet.email, "notice", user=quiet, essential=False) is None
        assert queue_mail("QUIET@example.org", "notice", essential=False) is None  # found by address
        assert queue_mail(quiet.email, "notice", user=quiet) is not None  # essential: always sent
        assert queue_mail("keen@example.org", "notice", essential=False) is not None
        assert queue_mail("no-account@example.org", "notice", essential=False) is not None
        db.session.commit()
        rows = db.session.execute(sa.select(OutboxMessage.recipient, OutboxMessage.essential)).all()
    assert sorted(rows) == [("keen@example.org", False), ("no-account@example.org", False),
                            ("quiet@example.org", True)]


def test_a_user_turns_optional_mail_off_and_on(app, client, auth, make_user):
    user = make_user()
    auth.login(user)
    page = client.get("/account/notifications").get_data(as_text=True)
    assert 'name="optional_mail"' in page and "checked" in page
    assert "always sent" in page

    response = client.post("/account/notifications", data={})
    assert response.status_code == 302
    assert "Your mail preferences have been saved." in client.get(response.location).get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, user.id).optional_mail is False

    client.post("/account/notifications", data={"optional_mail": "y"})
    with app.app_context():
        assert db.session.get(User, user.id).optional_mail is True


def test_mail_preferences_need_a_login(client):
    response = client.get("/account/notifications")
    assert response.status_code == 302
    assert "/account/login" in response.location


@pytest.mark.parametrize("role", ["citizen", "officer", "reviewer", "editor"])
def test_only_admins_see_the_outbox(app, client, auth, make_user, make_department, role):
    add_messages(app, 1, FAILED)
    auth.login(make_user(role=role, department=make_department()))
    assert client.get("/admin/outbox").status_code == 403
    assert client.get("/admin/outbox/1").status_code == 403
    assert client.get("/admin/outbox/1/html").status_code == 403
    assert client.post("/admin/outbox/1/retry").status_code == 403


def test_anonymous_visitors_are_sent_to_login_from_the_outbox(app, client):
    for response in (client.get("/admin/outbox"), client.get("/admin/outbox/1"), client.get("/admin/outbox/1/html"),
                     client.post("/admin/outbox/1/retry")):
        assert response.status_code == 302
        assert "/account/login" in response.location


HOSTILE_HTML = (
    '<p style="color: #333">Your answer is ready.</p><script>parent.document.title = "owned"</script>'
    '<img src="https://tracker.example/pixel.gif" alt="">'
)


def add_rich_message(app, **fields) -> int:
    with app.app_context():
        message = OutboxMessage(recipient="li@example.org", locale="en", template="submission_answer",
                                subject="Answer to L-1", body_text="Hello Li,\n\nyour answer is ready.\n",
                                body_html=HOSTILE_HTML, **fields)
        db.session.add(message)
        db.session.commit()
        return message.id


def test_an_admin_reads_a_mail_as_its_recipient_will(app, client, auth, make_user):
    message_id = add_rich_message(app, attachments=[{"filename": "event.ics", "content_type": "text/calendar",
                                                     "data": ""}])
    auth.login(make_user(role="admin"))
    listing = client.get("/admin/outbox").get_data(as_text=True)
    assert f'href="/admin/outbox/{message_id}"' in listing

    page = client.get(f"/admin/outbox/{message_id}").get_data(as_text=True)
    assert "Answer to L-1" in page and "li@example.org" in page and "event.ics (text/calendar)" in page
    assert "Hello Li,\n\nyour answer is ready." in page  # the text part, as written
    assert "<script>" not in page  # the HTML part is never part of the site's page…
    frame = re.search(r"<iframe[^>]*>", page).group(0)
    assert f'src="/admin/outbox/{message_id}/html"' in frame and " sandbox" in frame  # …but framed in a sandbox

    html = client.get(f"/admin/outbox/{message_id}/html")
    assert html.status_code == 200 and html.mimetype == "text/html"
    assert html.get_data(as_text=True) == HOSTILE_HTML
    policy = html.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "sandbox" in policy.split("; ")
    assert "script-src" not in policy and "img-src data:" in policy  # no scripts, no outside images
    assert html.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert html.headers["Cache-Control"] == "no-store"


def test_a_mail_without_html_or_an_unknown_mail(app, client, auth, make_user):
    add_messages(app, 1)
    auth.login(make_user(role="admin"))
    page = client.get("/admin/outbox/1").get_data(as_text=True)
    assert "This mail has no HTML part." in page and "<iframe" not in page
    assert client.get("/admin/outbox/1/html").status_code == 404
    assert client.get("/admin/outbox/999").status_code == 404
    assert client.get("/admin/outbox/999/html").status_code == 404


def test_a_failed_mail_is_retried_from_its_own_page(app, client, auth, make_user):
    message_id = add_rich_message(app, status=FAILED, last_error="SMTPRecipientsRefused: 550", attempts=8)
    auth.login(make_user(role="admin"))
    page = client.get(f"/admin/outbox/{message_id}").get_data(as_text=True)
    assert "SMTPRecipientsRefused: 550" in page and "8 attempts" in page
    response = client.post(f"/admin/outbox/{message_id}/retry?back=message")
    assert response.status_code == 302 and response.location.endswith(f"/admin/outbox/{message_id}")
    with app.app_context():
        assert db.session.get(OutboxMessage, message_id).status == PENDING


def test_the_outbox_filters_by_status_and_pages_newest_first(app, client, auth, make_user):
    add_messages(app, 60, SENT)
    add_messages(app, 2, FAILED)
    auth.login(make_user(role="admin"))

    page = client.get("/admin/outbox").get_data(as_text=True)
    assert page.count("<tr>") == 1 + 50
    assert "Failed (2)" in page and "Sent (60)" in page and "All (62)" in page
    assert 'href="/admin/outbox?before=13"' in page  # ids 62..13 on the first page

    older = client.get("/admin/outbox?before=13").get_data(as_text=True)
    assert older.count("<tr>") == 1 + 12
    assert "Older" not in older and "Newest" in older

    failed = client.get("/admin/outbox?status=failed").get_data(as_text=True)
    assert failed.count("<tr>") == 1 + 2
    assert "boom" in failed
    assert failed.count(">Retry<") == 2


def test_only_failed_mail_can_be_retried(app, client, auth, make_user):
    add_messages(app, 1, SENT)
    auth.login(make_user(role="admin"))
    response = client.post("/admin/outbox/1/retry", follow_redirects=True)
    assert "Only failed mail can be sent again." in response.get_data(as_text=True)
    assert client.post("/admin/outbox/999/retry").status_code == 404
    assert outbox_count(app) == 1


def test_the_retry_button_needs_a_csrf_token(app, client, auth, make_user):
    app.config["WTF_CSRF_ENABLED"] = True
    add_messages(app, 1, FAILED)
    auth.login(make_user(role="admin"))
    assert client.post("/admin/outbox/1/retry").status_code == 400
    with app.app_context():
        assert db.session.get(OutboxMessage, 1).status == FAILED


def test_every_mail_template_says_why_it_was_sent():
    """Each ``templates/email/<name>.html`` fills the layout's ``reason`` block; the .txt ends with it."""
    folder = pathlib.Path(PROJECT_ROOT, "templates", "email")
    names = {path.name.split(".")[0] for path in folder.glob("*.html") if not path.name.startswith("_")}
    assert "password_reset" in names
    for name in names:
        html = (folder / f"{name}.html").read_text()
        text = (folder / f"{name}.txt").read_text()
        assert '{% extends "email/_layout.html" %}' in html, name
        assert "{% block reason %}" in html, name
        assert "{% block reason %}" in text or "\n--" in text, name
