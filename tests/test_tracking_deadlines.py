"""Deadlines: extensions with approval, calendar changes reaching open submissions, explanations,
and the due-soon / overdue / very-overdue predicates (Python and SQL agree)."""

from datetime import date

import pytest
import sqlalchemy as sa

from consult.domain import DomainError
from consult.extensions import db
from consult.tracking import actions, replies
from consult.tracking.deadlines import explain_due, remove_calendar_override, set_calendar_override
from consult.tracking.extension_requests import decide_extension, request_extension
from consult.tracking.models import APPROVED, DECLINED, DISCLOSURE, LETTER, Submission
from tests.tracking_support import events, file_submission, local, mails


def disclosure(world):
    submission = file_submission(world, kind=DISCLOSURE, received_at=local(2026, 2, 10)).submission
    actions.assign_submission(submission, world.officer, actor=world.officer)
    return submission


def test_extension_moves_the_due_date_only_after_approval_and_tells_the_citizen(world):
    submission = disclosure(world)
    assert submission.due_on == date(2026, 3, 16)
    request = request_extension(submission, actor=world.officer, workdays=20, reason="需要征求第三方意见")
    assert submission.due_on == date(2026, 3, 16)  # not yet
    assert mails("submission_extended") == []
    decide_extension(request, reviewer=world.reviewer, approve=True)
    db.session.commit()
    assert request.status == APPROVED
    assert (submission.extension_workdays, submission.due_on) == (20, date(2026, 4, 14))
    event = events(submission)[-1]
    assert event.action == "extension_approved" and "April 14, 2026" in event.public_note
    [mail] = mails("submission_extended")
    assert "需要征求第三方意见" in mail.body_text and "April 14, 2026" in mail.body_text


def test_a_declined_extension_changes_nothing_for_the_citizen(world):
    submission = disclosure(world)
    request = request_extension(submission, actor=world.officer, workdays=5, reason="忙")
    decide_extension(request, reviewer=world.reviewer, approve=False, note="理由不充分")
    assert request.status == DECLINED and submission.due_on == date(2026, 3, 16)
    assert mails("submission_extended") == []
    assert not events(submission)[-1].is_public


def test_disclosure_extension_is_at_most_20_working_days_and_only_once(world):
    submission = disclosure(world)
    with pytest.raises(DomainError):
        request_extension(submission, actor=world.officer, workdays=21, reason="太多")
    with pytest.raises(DomainError):
        request_extension(submission, actor=world.officer, workdays=0, reason="零")
    first = request_extension(submission, actor=world.officer, workdays=10, reason="第一次")
    with pytest.raises(DomainError):  # one pending request at a time
        request_extension(submission, actor=world.officer, workdays=5, reason="并行")
    decide_extension(first, reviewer=world.reviewer, approve=True)
    with pytest.raises(DomainError):
        request_extension(submission, actor=world.officer, workdays=5, reason="第二次")
    assert submission.extension_workdays == 10


@pytest.mark.parametrize("who", ["officer", "colleague", "other_reviewer"])
def test_extension_needs_another_reviewer_of_the_department(world, who):
    submission = disclosure(world)
    request = request_extension(submission, actor=world.officer, workdays=5, reason="原因")
    with pytest.raises(DomainError):
        decide_extension(request, reviewer=getattr(world, who), approve=True)
    assert request.status == "pending" and submission.extension_workdays == 0


def test_a_closed_submission_cannot_be_extended(world):
    submission = disclosure(world)
    request = request_extension(submission, actor=world.officer, workdays=5, reason="原因")
    actions.dismiss_submission(submission, actor=world.officer, reason="撤回")
    with pytest.raises(DomainError):
        decide_extension(request, reviewer=world.reviewer, approve=True)
    with pytest.raises(DomainError):
        request_extension(submission, actor=world.officer, workdays=5, reason="原因")


def test_calendar_override_recomputes_open_submissions_and_logs_it(world):
    open_one = file_submission(world, received_at=local(2025, 11, 10)).submission  # due 2025-12-01
    answered = file_submission(world, received_at=local(2025, 11, 10)).submission
    reply = replies.create_reply(world.officer, [answered], "已办理")
    replies.submit_reply(reply, actor=world.officer)
    replies.approve_reply(reply, reviewer=world.reviewer)
    assert open_one.due_on == answered.due_on == date(2025, 12, 1)
    moved = set_calendar_override(date(2025, 11, 20), False, "临时停电放假", actor=world.admin)
    db.session.commit()
    assert moved == [open_one]
    assert open_one.due_on == date(2025, 12, 2)
    assert answered.due_on == date(2025, 12, 1)  # answered: left alone
    event = events(open_one)[-1]
    assert event.action == "due_date_recomputed"
    assert "December 1, 2025 to December 2, 2025" in event.public_note and "临时停电放假" in event.public_note
    assert event.actor_id == world.admin.id
    assert [e.action for e in events(answered)].count("due_date_recomputed") == 0

    assert remove_calendar_override(date(2025, 11, 20), actor=world.admin) == [open_one]
    assert open_one.due_on == date(2025, 12, 1)


def test_a_make_up_working_day_brings_the_due_date_forward(world):
    submission = file_submission(world, received_at=local(2025, 11, 10)).submission
    set_calendar_override(date(2025, 11, 15), True, "周六调休上班", actor=world.admin)
    assert submission.due_on == date(2025, 11, 28)


def test_only_admins_change_the_calendar_and_with_a_note(world):
    with pytest.raises(DomainError):
        set_calendar_override(date(2025, 11, 20), False, "x", actor=world.officer)
    with pytest.raises(DomainError):
        set_calendar_override(date(2025, 11, 20), False, " ", actor=world.admin)


def test_explain_due_lists_skipped_days_and_make_up_days(world):
    submission = file_submission(world, received_at=local(2025, 9, 26)).submission
    explanation = explain_due(submission)
    assert explanation.due_on == submission.due_on == date(2025, 10, 23)
    skipped = {info.day: info.reason for info in explanation.skipped}
    assert skipped[date(2025, 10, 1)] == "holiday" and skipped[date(2025, 9, 27)] == "weekend"
    assert [info.day for info in explanation.makeup_days] == [date(2025, 9, 28), date(2025, 10, 11)]
    assert explanation.estimated is False and explanation.window_workdays == 15


def test_explain_due_says_when_the_calendar_is_an_estimate(world):
    submission = file_submission(world, received_at=local(2031, 12, 20)).submission
    assert explain_due(submission).estimated is True


# Letter received Mon 2025-11-10: due Mon 2025-12-01; due soon from Wed 2025-11-26 (3 working days before);
# very overdue once another 15 working days have passed after the due date (from Tue 2025-12-23).
@pytest.mark.parametrize(
    ("today", "due_soon", "overdue", "very_overdue"),
    [
        (date(2025, 11, 25), False, False, False),
        (date(2025, 11, 26), True, False, False),
        (date(2025, 12, 1), True, False, False),
        (date(2025, 12, 2), False, True, False),
        (date(2025, 12, 22), False, True, False),
        (date(2025, 12, 23), False, True, True),
    ],
)
def test_deadline_predicates_in_python_and_sql(world, today, due_soon, overdue, very_overdue):
    submission = file_submission(world, kind=LETTER, received_at=local(2025, 11, 10)).submission
    assert (submission.due_soon_on, submission.due_on, submission.very_overdue_on) == (
        date(2025, 11, 26), date(2025, 12, 1), date(2025, 12, 23)
    )
    assert (submission.is_due_soon(today), submission.is_overdue(today), submission.is_very_overdue(today)) == (
        due_soon, overdue, very_overdue
    )
    for predicate, expected in [(Submission.is_due_soon, due_soon), (Submission.is_overdue, overdue),
                                (Submission.is_very_overdue, very_overdue)]:
        found = db.session.scalars(sa.select(Submission.id).where(predicate(today))).all()
        assert found == ([submission.id] if expected else [])


def test_a_closed_submission_is_never_overdue(world):
    submission = file_submission(world, received_at=local(2025, 11, 10)).submission
    actions.dismiss_submission(submission, actor=world.officer, reason="重复")
    assert not submission.is_overdue(date(2026, 6, 1))
    assert db.session.scalars(sa.select(Submission).where(Submission.is_overdue(date(2026, 6, 1)))).all() == []
