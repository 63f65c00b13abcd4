"""No page changes the database: every GET route, with real ids from the demo world, as an anonymous visitor,
a citizen and every staff role, leaves every table exactly as it was.

Two witnesses: a checksum of every row of every table before and after each visitor's walk, and a listener on
the engine that names the route of any INSERT, UPDATE or DELETE issued while a GET is answered. Stamps a GET
would be allowed to write are named in ``ALLOWED_GET_WRITES``; there are none (login sessions note their
last use only on requests that change something anyway).

The tests start from a copy of the demo data (``demo_data``: seeded once per backend, not once per test).
"""

import hashlib
import itertools
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import has_request_context, request

from consult.accounts.models import ADMIN, CITIZEN, EDITOR, OFFICER, REVIEWER, User
from consult.database import utcnow
from consult.drafts.models import Article, Comment, Draft
from consult.extensions import db


# (table, column) a GET may write, each with the reason. Empty: reading never writes.
ALLOWED_GET_WRITES: tuple[tuple[str, str], ...] = ()
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
VALUES_PER_ARGUMENT = 2

pytestmark = pytest.mark.demo_data


def _table_checksums(app) -> dict[str, tuple[int, str]]:
    """Row count and SHA-256 of every row (in primary-key order) of every table."""
    sums = {}
    with app.app_context(), db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            digest, count = hashlib.sha256(), 0
            order = list(table.primary_key.columns) or list(table.columns)
            for row in conn.execute(sa.select(table).order_by(*order)):
                digest.update(repr(tuple(row)).encode())
                count += 1
            sums[table.name] = (count, digest.hexdigest())
    return sums


def _scalars(stmt, n: int = VALUES_PER_ARGUMENT) -> list:
    values = list(db.session.scalars(stmt))
    return list(dict.fromkeys(values[:n] + values[-n:]))


def _world(app) -> dict[str, list]:
    """The demo world (the test's database starts with it), plus the drafts that used to be written by whoever looked first: one approved whose
    opening time has passed, one open whose closing time has passed (neither recorded yet)."""
    from consult.drafts.models import OPEN
    from consult.events.models import Event, Registration
    from consult.mailbox.models import Letter, Mailbox
    from consult.notify.models import OutboxMessage
    from consult.tracking.models import Reply, Submission
    from consult.uploads import Attachment
    from consult.accounts.models import Department

    with app.app_context():
        drafts = list(db.session.scalars(sa.select(Draft).order_by(Draft.id)))
        due_to_open, due_to_close = _scheduled_draft(drafts[0]), _scheduled_draft(drafts[0])
        # Time passes: one has reached its opening time, the other its closing time; nothing recorded it.
        now = utcnow()
        due_to_open.opens_at = now - timedelta(minutes=5)
        due_to_close.recorded_status, due_to_close.opened_at = OPEN, now - timedelta(days=31)
        due_to_close.opens_at, due_to_close.closes_at = now - timedelta(days=31), now - timedelta(minutes=5)
        db.session.commit()
        comments = db.session.execute(sa.select(Comment.draft_id, Comment.id).order_by(Comment.id)).all()
        groups = db.session.execute(sa.select(Comment.draft_id, Comment.group_id)
                                    .where(Comment.group_id.is_not(None)).order_by(Comment.id)).all()
        registrations = db.session.execute(sa.select(Registration.event_id, Registration.id)
                                           .order_by(Registration.id)).all()
        attachments = db.session.execute(sa.select(Attachment.id, Attachment.original_filename)
                                         .order_by(Attachment.id)).all()
        numbers = _scalars(sa.select(Submission.tracking_no).order_by(Submission.id))
        mailbox = db.session.scalars(sa.select(Mailbox).order_by(Mailbox.id)).first()
        questions, units = _analysed_questionnaires()
        return {
            "draft_id": [d.id for d in drafts] + [due_to_open.id, due_to_close.id],
            "department_id": _scalars(sa.select(Department.id).order_by(Department.id)),
            "user_id": _scalars(sa.select(User.id).order_by(User.id)),
            "event_id": _scalars(sa.select(Event.id).order_by(Event.id)),
            "mailbox_id": _scalars(sa.select(Mailbox.id).order_by(Mailbox.id)),
            "letter_id": _scalars(sa.select(Letter.submission_id).order_by(Letter.submission_id)),
            "submission_id": _scalars(sa.select(Submission.id).order_by(Submission.id)),
            "reply_id": _scalars(sa.select(Reply.id).order_by(Reply.id)),
            "message_id": _scalars(sa.select(OutboxMessage.id).order_by(OutboxMessage.id)),
            "registration_id": [r.id for r in registrations[:VALUES_PER_ARGUMENT]],
            "tracking_no": numbers, "request_id": numbers,
            "code": [f"{mailbox.id}-{mailbox.categories[0]}"] if mailbox else ["1-complaint"],
            "token": ["not-a-real-token"],
            "anchor": _scalars(sa.select(Article.anchor).where(Article.anchor != "").order_by(Article.id), 1),
            "attachment_id": [a.id for a in attachments[:VALUES_PER_ARGUMENT]],
            "fmt": ["csv", "json", "xml"],
            "_comment": comments[:VALUES_PER_ARGUMENT] + comments[-1:],
            "_group": groups[:1],
            "_registration": registrations[:VALUES_PER_ARGUMENT],
            "_attachment": attachments[:VALUES_PER_ARGUMENT],
            "_question": questions,
            "_unit": units,
        }


def _analysed_questionnaires() -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(questionnaire, free-text question) pairs of the demo questionnaires, and (questionnaire, unit) pairs
    of the stored analysis of the closed one's written answers (analysed here, as the daily job would)."""
    from consult.surveys.models import TEXT, Questionnaire, SurveyQuestion
    from consult.workbench import jobs, services
    from consult.workbench.models import AnalysisRun, AnalysisUnit

    questions = db.session.execute(sa.select(SurveyQuestion.questionnaire_id, SurveyQuestion.id)
                                   .where(SurveyQuestion.kind == TEXT).order_by(SurveyQuestion.id)).all()
    closed = db.session.scalars(sa.select(Questionnaire).order_by(Questionnaire.id)).all()
    run_ids = [services.request_answer_analysis(q, None).id for q in closed if q.status == "closed"]
    db.session.commit()
    for run_id in run_ids:
        assert jobs.run_analysis(run_id) == "done"
    units = db.session.execute(sa.select(AnalysisRun.questionnaire_id, AnalysisUnit.id)
                               .join(AnalysisUnit.run).order_by(AnalysisUnit.id)).all()
    return [tuple(q) for q in questions], [tuple(u) for u in units[:VALUES_PER_ARGUMENT]]

def _scheduled_draft(template: Draft) -> Draft:
    """A draft approved to open tomorrow, made through the services."""
    from consult.drafts import services

    editor = db.session.scalars(sa.select(User).where(User.role == EDITOR)).first()
    reviewer = db.session.scalars(sa.select(User).where(User.role == REVIEWER,
                                                       User.department_id == template.department_id)).first()
    opens_at = utcnow() + timedelta(days=1)
    draft = services.create_draft(
        editor, body=template.current_version.body, title="定时开放的草案", summary="", department_id=template.department_id,
        domain=template.domain, opens_at=opens_at, closes_at=opens_at + timedelta(days=30), interpretation="解读。")
    services.submit_for_review(draft, editor)
    services.approve_draft(draft, reviewer)
    assert draft.recorded_status == "in_review"
    return draft


def _each_value_once(choices: list[list[tuple]]) -> list[dict]:
    """Combinations of arguments in which every value of every argument appears, as many as the longest list
    of values, not their product (which made 18 URLs of each draft export for 6 drafts and 3 formats): every
    draft once, every format once. Whether a page writes depends on the record it shows, not on which format
    it is shown in; the formats themselves are checked by the drafts' export tests
    (tests/test_drafts_answers.py, tests/test_drafts_report_figures.py). A route that refuses one of the values
    (a format it does not take) gets the product, so no value of the other argument goes untried."""
    longest = max(len(values) for values in choices)
    return [dict(values[i % len(values)] for values in choices) for i in range(longest)]


def _urls(app, world: dict[str, list]) -> list[tuple[str, str]]:
    """(endpoint, URL) of every GET route with real ids; routes with several ids take ids that belong together."""
    pairs = {("comment_id", "draft_id"): [{"draft_id": d, "comment_id": c} for d, c in world["_comment"]],
             ("draft_id", "group_id"): [{"draft_id": d, "group_id": g} for d, g in world["_group"]],
             ("event_id", "registration_id"): [{"event_id": e, "registration_id": r}
                                               for e, r in world["_registration"]],
             ("attachment_id", "filename"): [{"attachment_id": a, "filename": f} for a, f in world["_attachment"]],
             ("question_id", "questionnaire_id"): [{"questionnaire_id": q, "question_id": i}
                                                   for q, i in world["_question"]],
             ("questionnaire_id", "unit_id"): [{"questionnaire_id": q, "unit_id": u} for q, u in world["_unit"]]}
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint == "static":
                continue
            names = tuple(sorted(rule.arguments))
            if not names:
                combos = [{}]
            elif names in pairs:
                combos = pairs[names]
            else:  # every real value of each argument at least once (an id and a format, an id and an anchor …)
                choices = [[(name, value) for value in world.get(name, [1])] for name in names]
                combos = _each_value_once(choices)
                if len(_built(rule, combos)) < len(combos):  # a value this route does not take hid another
                    combos = [dict(combo) for combo in itertools.product(*choices)]
            urls.extend((rule.endpoint, url) for url in _built(rule, combos))
    return sorted(set(urls))


def _built(rule, combos: list[dict]) -> list[str]:
    urls = []
    for values in combos:
        try:
            url = rule.build(values, append_unknown=False)
        except Exception:  # e.g. a format this route does not take
            continue
        if url is not None:
            urls.append(url[1])
    return urls


@pytest.fixture
def write_spy(app):
    """Statements that would change the database, issued while a GET was being answered."""
    seen: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if has_request_context() and request.method in ("GET", "HEAD") and WRITE.match(statement):
            table = statement.split()[2] if statement.upper().startswith(("INSERT", "DELETE")) else statement.split()[1]
            if not any(table.strip('"') == allowed for allowed, _ in ALLOWED_GET_WRITES):
                seen.append(f"{request.path}: {statement[:120]}")

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", before)
    yield seen
    sa.event.remove(engine, "before_cursor_execute", before)


ROLES = ("anonymous", CITIZEN, OFFICER, REVIEWER, EDITOR, ADMIN)


def test_no_get_route_changes_the_database(app, write_spy, auth):
    world = _world(app)
    urls = _urls(app, world)
    assert len({endpoint for endpoint, _ in urls}) > 100  # the walk really covers the site
    with app.app_context():
        users = {role: db.session.scalars(sa.select(User).where(User.role == role).order_by(User.id)).first()
                 for role in ROLES[1:]}
    answers: dict[int, int] = {}
    for role in ROLES:
        client = app.test_client()
        if role != "anonymous":
            auth.client = client
            auth.login(users[role])
        before = _table_checksums(app)
        for _endpoint, url in urls:
            response = client.get(url, base_url="http://consult.test")
            response.get_data()  # streamed downloads run to the end
            response.close()
            answers[response.status_code] = answers.get(response.status_code, 0) + 1
            assert response.status_code < 500, f"{role} GET {url}: {response.status_code}"
        after = _table_checksums(app)
        changed = sorted(name for name in before if before[name] != after[name])
        assert changed == [], f"GET pages as {role} changed the tables {changed}: {write_spy[:5]}"
    assert write_spy == []
    assert answers.get(200, 0) > 300  # most pages answered (not just refused)


def test_scheduled_draft_is_public_from_its_opening_without_anything_recorded(app, client):
    """The scheduled draft's own link, asked first of all pages, answers 200 after its opening time, and the
    draft list shows it open; the database still records it as approved until ``remind`` runs."""
    world = _world(app)
    due_to_open, due_to_close = world["draft_id"][-2:]
    assert client.get(f"/drafts/{due_to_open}").status_code == 200
    assert client.get(f"/api/v1/drafts/{due_to_open}").get_json()["status"] == "open"
    assert client.get(f"/api/v1/drafts/{due_to_close}").get_json()["status"] == "closed"
    listed = client.get("/api/v1/drafts?status=open").get_json()["items"]
    assert due_to_open in [d["id"] for d in listed] and due_to_close not in [d["id"] for d in listed]
    with app.app_context():
        recorded = dict(db.session.execute(sa.select(Draft.id, Draft.recorded_status)
                                           .where(Draft.id.in_([due_to_open, due_to_close]))).all())
    assert recorded == {due_to_open: "in_review", due_to_close: "open"}
