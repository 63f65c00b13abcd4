"""Receiving submissions: tracking numbers, query codes, due dates on real calendars, the receipt mail."""

import re
import threading
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from consult import create_app
from consult.accounts.models import User
from consult.extensions import db
from consult.tracking import numbers
from consult.tracking.citizen import find_submission
from consult.tracking.intake import create_submission, find_duplicate
from consult.tracking.models import (
    COMMENT, DISCLOSURE, EVENT_QUESTION, LETTER, RECEIVED, Submission, TrackingCounter,
)  # fmt: skip
from tests.tracking_support import events, file_submission, local, mails


def test_tracking_number_has_prefix_local_date_and_daily_sequence(world):
    first = file_submission(world, received_at=local(2026, 11, 22, 9)).submission
    second = file_submission(world, received_at=local(2026, 11, 22, 15)).submission
    question = file_submission(world, kind=EVENT_QUESTION, received_at=local(2026, 11, 22)).submission
    next_day = file_submission(world, received_at=local(2026, 11, 23)).submission
    assert [first.tracking_no, second.tracking_no] == ["L-20261122-00001", "L-20261122-00002"]
    assert question.tracking_no == "Q-20261122-00001"
    assert next_day.tracking_no == "L-20261123-00001"


def test_tracking_date_is_the_local_day_not_the_utc_day(world):
    # 01:30 in Shanghai on 2026-11-22 is still 2026-11-21 in UTC.
    created = file_submission(world, received_at=local(2026, 11, 22, 1))
    assert created.submission.tracking_no.startswith("L-20261122-")


@pytest.mark.parametrize(("kind", "prefix"), [(LETTER, "L"), (COMMENT, "C"), (DISCLOSURE, "D"), (EVENT_QUESTION, "Q")])
def test_every_kind_has_its_prefix(world, kind, prefix):
    assert file_submission(world, kind=kind).submission.tracking_no.startswith(f"{prefix}-")


def test_new_submission_is_received_with_a_timeline_event(world):
    submission = file_submission(world).submission
    assert submission.status == RECEIVED
    assert submission.assignee_id is None
    [event] = events(submission)
    assert (event.action, event.from_status, event.to_status) == ("received", None, RECEIVED)
    assert event.actor_role == "citizen"


def test_concurrent_creation_never_duplicates_a_tracking_number(app, world):
    department_id, threads_count, per_thread = world.dept.id, 8, 5
    numbers_made, errors = [], []
    barrier = threading.Barrier(threads_count)

    def work():
        try:
            barrier.wait()
            for _ in range(per_thread):
                # A POST request context: the same transaction handling (BEGIN IMMEDIATE on SQLite) as a form post.
                with app.test_request_context("/letters", method="POST"):
                    department = db.session.get(type(world.dept), department_id)
                    created = create_submission(
                        kind=LETTER, department=department, body="同时提交", received_at=local(2026, 3, 2),
                    )
                    db.session.commit()
                    numbers_made.append(created.submission.tracking_no)
                    db.session.remove()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    total = threads_count * per_thread
    assert len(set(numbers_made)) == total
    if db.engine.dialect.name == "postgresql":  # a sequence: unique, in order, gaps allowed
        assert all(re.fullmatch(r"L-20260302-\d{5}", n) for n in numbers_made) and "L-20260302-00000" not in numbers_made
        return
    assert sorted(numbers_made) == [f"L-20260302-{n:05d}" for n in range(1, total + 1)]
    db.session.rollback()  # end the snapshot taken before the threads ran
    counter = db.session.get(TrackingCounter, ("L", date(2026, 3, 2)))
    assert counter.last_value == total


@pytest.mark.postgres_only  # SQLite counts each day's numbers in its counter row, one writer at a time
def test_on_postgresql_each_process_takes_numbers_in_blocks_and_none_is_given_twice(app, world, backend):
    """Two processes (two apps on one database) each take the sequence's values BLOCK at a time: their numbers
    interleave, each process's in the order it received, and no number is given twice."""
    other, department_type, department_id = create_app(backend.config()), type(world.dept), world.dept.id
    made = {app: [], other: []}
    try:
        for n in range(2 * numbers.BLOCK + 3):
            process = app if n % 2 == 0 else other
            with process.test_request_context("/letters", method="POST"):
                created = create_submission(kind=LETTER, department=db.session.get(department_type, department_id),
                                            body=f"第{n}封来信", received_at=local(2026, 3, 2))
                db.session.commit()
                made[process].append(int(created.submission.tracking_no.rsplit("-", 1)[1]))
                db.session.remove()
    finally:
        with other.app_context():
            db.engine.dispose()
    first, second = made[app], made[other]
    assert not set(first) & set(second)
    assert first == sorted(first) and second == sorted(second)
    assert first[0] == 1 and second[0] > numbers.BLOCK  # the other process took a later block


def test_query_code_is_long_unambiguous_grouped_and_stored_only_hashed(world):
    created = file_submission(world)
    code = created.query_code
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    assert not set(code.replace("-", "")) & set("01IOL")
    row = db.session.execute(sa.select(Submission.__table__)).one()._mapping
    stored = " ".join(str(value) for value in row.values())
    assert code.replace("-", "") not in stored and code not in stored
    assert row["query_code_hash"] == numbers.hash_query_code(code, row["query_code_salt"])


def test_two_submissions_with_the_same_code_have_different_hashes():
    salt_a, hash_a = numbers.new_code_hash("ABCDEFGHJKMN")
    salt_b, hash_b = numbers.new_code_hash("ABCDEFGHJKMN")
    assert salt_a != salt_b and hash_a != hash_b


def test_lookup_accepts_the_code_as_typed(world):
    created = file_submission(world)
    number = created.submission.tracking_no
    typed = created.query_code.lower().replace("-", " ")
    assert find_submission(number, created.query_code) == created.submission
    assert find_submission(f" {number.lower()} ", typed) == created.submission


def test_lookup_answers_the_same_for_unknown_number_and_wrong_code(world, monkeypatch):
    created = file_submission(world)
    checks = []
    real = numbers.query_code_matches
    monkeypatch.setattr(numbers, "query_code_matches", lambda *args: checks.append(args) or real(*args))
    assert find_submission(created.submission.tracking_no, "WRONG-CODE-XXXX") is None
    assert find_submission("L-19990101-00001", created.query_code) is None
    assert find_submission("", "") is None
    assert len(checks) == 3  # the hash is computed and compared on every path


@pytest.mark.parametrize(
    ("kind", "received", "due"),
    [
        # National Day 2025 (Oct 1-8 off; Sun Sep 28 and Sat Oct 11 are make-up working days).
        (LETTER, local(2025, 9, 26), date(2025, 10, 23)),
        (DISCLOSURE, local(2025, 9, 26), date(2025, 10, 30)),
        # Spring Festival 2026 (Feb 15-23 off; Sat Feb 14 and Sat Feb 28 are make-up working days).
        (DISCLOSURE, local(2026, 2, 10), date(2026, 3, 16)),
        (EVENT_QUESTION, local(2025, 11, 14), date(2025, 11, 28)),
    ],
)
def test_due_dates_on_real_calendars(world, kind, received, due):
    submission = file_submission(world, kind=kind, received_at=received).submission
    assert submission.due_on == due
    assert submission.estimated_due is False


def test_comment_counts_from_the_consultation_close(world):
    submission = file_submission(
        world, kind=COMMENT, received_at=local(2025, 9, 1), clock_start_on=date(2025, 9, 26)
    ).submission
    assert submission.clock_start_on == date(2025, 9, 26)
    assert submission.due_on == date(2025, 10, 23)


def test_a_mailbox_may_set_its_own_window(world):
    submission = file_submission(world, received_at=local(2025, 11, 10), window_workdays=5).submission
    assert submission.due_on == date(2025, 11, 17)


def test_window_can_be_configured_per_kind(app, world):
    app.config["CONSULT_ANSWER_WINDOWS"] = {LETTER: 1}
    assert file_submission(world, received_at=local(2025, 11, 14)).submission.due_on == date(2025, 11, 17)


def test_due_date_in_a_year_without_published_calendar_is_estimated(world):
    submission = file_submission(world, received_at=datetime(2031, 3, 3, 2)).submission
    assert submission.estimated_due is True
    assert submission.due_on == date(2031, 3, 24)  # 15 weekdays after Monday 2031-03-03


def test_receipt_mail_has_number_code_due_date_and_link_in_the_citizens_language(world):
    created = file_submission(world, received_at=local(2025, 9, 26), locale="en")
    [mail] = mails("submission_receipt")
    assert mail.recipient == "zhang@example.org"
    assert mail.locale == "en"
    assert created.submission.tracking_no in mail.subject
    for text in (mail.body_text, mail.body_html):
        assert created.query_code in text
        assert "October 23, 2025" in text
        assert f"/track?tracking_no={created.submission.tracking_no}" in text
    assert "You receive this mail because" in mail.body_text


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_every_receipt_reads_exactly_as_its_own_full_rendering(world, locale):
    """The receipt is a mail merge of templates rendered once (consult.tracking.mails.queue_receipt): each
    citizen's mail must be word for word what rendering the templates for that submission gives."""
    from flask_babel import force_locale

    from consult.i18n import parsed_locale
    from consult.notify.services import render_mail
    from consult.tracking.mails import lookup_url

    other = type(world.dept)(code="OTHER", name="县<交通>局 & 路政", name_en="Transport")
    db.session.add(other)
    db.session.flush()
    sent = [
        file_submission(world, locale=locale, name="张三"),
        file_submission(world, locale=locale, name='<b>李&四</b> "x"', received_at=local(2025, 11, 11)),
        file_submission(world, locale=locale, name="", department=other),
        file_submission(world, locale=locale, name="王五", department=other),
        file_submission(world, locale=locale, name="赵六", received_at=datetime(2031, 3, 3, 2)),  # estimated due
        file_submission(world, locale=locale, kind=COMMENT, name="钱七"),
    ]
    assert sent[-2].submission.estimated_due
    receipts = mails("submission_receipt")
    assert len(receipts) == len(sent)
    for created, mail in zip(sent, receipts, strict=True):
        submission = created.submission
        with force_locale(parsed_locale(locale)):
            expected = render_mail(mail.recipient, "submission_receipt", locale=locale, submission=submission,
                                   query_code=created.query_code, lookup_url=lookup_url(submission.tracking_no))
        got = {name: getattr(mail, name) for name in expected if name != "user"}
        assert got == expected
    assert "&lt;b&gt;李&amp;四&lt;/b&gt;" in receipts[1].body_html and '<b>李&四</b> "x"' in receipts[1].body_text


def test_receipt_goes_to_the_account_address_of_a_logged_in_citizen(world):
    create_submission(kind=LETTER, department=world.dept, body="您好", user=world.citizen, email="")
    db.session.flush()
    [mail] = mails("submission_receipt")
    assert mail.recipient == world.citizen.email


def test_no_mail_without_an_address(world):
    file_submission(world, email="")
    assert mails() == []


def test_empty_body_is_refused(world):
    from consult.domain import DomainError

    with pytest.raises(DomainError) as error:
        create_submission(kind=LETTER, department=world.dept, body="   ")
    assert error.value.field == "body"


# --- the same submission sent again (consult.tracking.intake.find_duplicate) -------------------------------

def _sent(world, **fields):
    return file_submission(world, target="mailbox:1", received_at=local(2026, 11, 22, 10), phone="138 0013 8000",
                           **fields).submission


@pytest.mark.parametrize(("after_minutes", "contact", "found"), [
    (9, {"email": "ZHANG@example.org "}, True),  # the same address, typed differently
    (9, {"phone": "+86 13800138000"}, True),  # the same phone, typed differently
    (9, {"email": "li@example.org", "phone": "13900139000"}, False),  # someone else
    (11, {"email": "zhang@example.org"}, False),  # after the window: sent on purpose
    (-1, {"email": "zhang@example.org"}, False),  # a later submission is never "the first"
])
def test_the_same_text_from_the_same_person_is_recognised_within_the_window(world, after_minutes, contact, found):
    first = _sent(world, body="路灯坏了。  请尽快修理。")
    duplicate = find_duplicate(kind=LETTER, target="mailbox:1", subject="路灯不亮", body="路灯坏了。 请尽快修理。",
                               received_at=local(2026, 11, 22, 10) + timedelta(minutes=after_minutes), **contact)
    assert (duplicate == first) is found


def test_another_target_kind_or_text_is_not_the_same_submission(world):
    _sent(world)
    at, same = local(2026, 11, 22, 10), dict(subject="路灯不亮", email="zhang@example.org")
    assert find_duplicate(kind=LETTER, target="mailbox:1", body="小区东门的路灯坏了两周。", received_at=at, **same)
    assert find_duplicate(kind=LETTER, target="mailbox:2", body="小区东门的路灯坏了两周。", received_at=at, **same) is None
    assert find_duplicate(kind=COMMENT, target="mailbox:1", body="小区东门的路灯坏了两周。", received_at=at, **same) is None
    assert find_duplicate(kind=LETTER, target="mailbox:1", body="另一件事。", received_at=at, **same) is None
    assert find_duplicate(kind=LETTER, target="mailbox:1", body="小区东门的路灯坏了两周。", received_at=at,
                          subject="路灯不亮") is None  # nobody to recognise


def test_a_logged_in_sender_is_recognised_by_the_account(world):
    citizen = db.session.get(User, world.citizen.id)
    first = file_submission(world, target="draft:3", user=citizen, name="", email="", received_at=local(2026, 11, 22))
    assert find_duplicate(kind=LETTER, target="draft:3", subject="路灯不亮", body="小区东门的路灯坏了两周。",
                          user=citizen, received_at=local(2026, 11, 22)) == first.submission


@pytest.mark.parametrize("kind", [COMMENT, LETTER])
def test_the_busy_intake_writes_word_for_word_the_rows_of_the_ordinary_one(world, kind):
    """Comments and letters are written with prepare_submission and write_submission (Core inserts; on
    PostgreSQL all in one statement): the same submission, timeline entry, index row and receipt as
    create_submission, but for what is each submission's own (id, number, code, token)."""
    from consult.notify.models import OutboxMessage
    from consult.search.documents import index_tokens, indexed_for, stored_tokens
    from consult.tracking.intake import prepare_submission, write_submission
    from consult.tracking.models import TimelineEvent

    given = {"kind": kind, "department": world.dept, "subject": "路灯不亮", "body": "请回电 138-1234-5678：路灯坏了三天",
             "name": "张三", "email": "Zhang@Example.org", "phone": "13812345678", "is_public": True,
             "received_at": local(2026, 11, 24, 10)}
    ordinary = create_submission(**given, form_token="ordinary-form-token")
    db.session.flush()
    busy = write_submission(prepare_submission(**given), "busy-form-token-0001")
    db.session.flush()
    db.session.expire_all()
    own = {"id", "tracking_no", "query_code_salt", "query_code_hash", "form_token", "submission_id", "created_at",
           "next_attempt_at"}

    def rows(table, new, column=None, where=None):
        """The rows of ``new`` in ``table`` (by ``column``, or ``where``), its own number and code replaced."""
        found = db.session.execute(sa.select(table).where(where if where is not None else column == new.submission.id))
        text = {new.submission.tracking_no: "<no>", new.query_code: "<code>"}
        return [{name: _without(value, text) for name, value in row.items() if name not in own}
                for row in found.mappings()]

    submissions, timeline, outbox = Submission.__table__, TimelineEvent.__table__, OutboxMessage.__table__
    assert rows(submissions, busy, submissions.c.id) == rows(submissions, ordinary, submissions.c.id)
    assert rows(timeline, busy, timeline.c.submission_id) == rows(timeline, ordinary, timeline.c.submission_id)
    busy_receipt, ordinary_receipt = (
        rows(outbox, new, where=outbox.c.body_text.contains(new.submission.tracking_no)) for new in (busy, ordinary))
    assert len(busy_receipt) == 1 and busy_receipt == ordinary_receipt
    stored = stored_tokens(db.session.connection(), [busy.submission.id, ordinary.submission.id])
    for new in (busy, ordinary):  # each index row is what indexing the stored submission gives
        expected = index_tokens(indexed_for(Submission).fields(new.submission))
        got = stored[new.submission.id]
        for part in ("title", "body", "contact", "scope"):
            assert sorted(set(getattr(got, part))) == sorted(set(getattr(expected, part)))


def _without(value, replacements: dict[str, str]):
    """``value`` with each submission's own number and code replaced by the same placeholder."""
    if not isinstance(value, str):
        return value
    for old, new in replacements.items():
        value = value.replace(old, new)
    return value
