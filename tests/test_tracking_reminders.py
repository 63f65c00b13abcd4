"""Reminders: one message per threshold per submission and recipient, never a flood; the CLI command."""

from datetime import date

import pytest

from consult.extensions import db
from consult.tracking import actions
from consult.tracking.models import DISCLOSURE
from consult.tracking.reminders import OVERDUE, VERY_OVERDUE, init_cli, send_reminders
from tests.tracking_support import file_submission, local, mails, request_ctx, world  # noqa: F401

# A letter received Mon 2025-11-10: due soon from 2025-11-26, overdue from 2025-12-02, very overdue from 2025-12-23.
DUE_SOON_DAY, OVERDUE_DAY, VERY_OVERDUE_DAY = date(2025, 11, 26), date(2025, 12, 2), date(2025, 12, 23)


@pytest.fixture
def assigned(world):
    submission = file_submission(world, received_at=local(2025, 11, 10)).submission
    actions.assign_submission(submission, world.colleague, actor=world.officer)
    db.session.commit()
    return submission


def reminder_recipients():
    return sorted(mail.recipient for mail in mails("submission_reminder"))


def test_nothing_before_due_soon(assigned):
    assert sum(send_reminders(date(2025, 11, 25)).queued.values()) == 0


def test_each_threshold_is_reminded_once_to_assignee_and_reviewers(world, assigned):
    staff = sorted([world.colleague.email, world.reviewer.email, world.second_reviewer.email])
    run = send_reminders(DUE_SOON_DAY)
    assert run.queued == {"due_soon": 3, "overdue": 0, "very_overdue": 0}
    assert reminder_recipients() == staff
    db.session.commit()
    assert sum(send_reminders(DUE_SOON_DAY).queued.values()) == 0  # a second run the same day
    assert sum(send_reminders(date(2025, 11, 27)).queued.values()) == 0  # and the next day
    assert send_reminders(OVERDUE_DAY).queued[OVERDUE] == 3
    assert sum(send_reminders(date(2025, 12, 10)).queued.values()) == 0
    assert send_reminders(VERY_OVERDUE_DAY).queued[VERY_OVERDUE] == 3
    assert sum(send_reminders(date(2026, 1, 5)).queued.values()) == 0
    assert len(mails("submission_reminder")) == 9
    subjects = {mail.subject.split(":")[0] for mail in mails("submission_reminder")}
    assert subjects == {"Due soon", "Overdue", "Seriously overdue"}
    assert all("You receive this mail because" in mail.body_text for mail in mails("submission_reminder"))


def test_a_first_run_on_a_very_overdue_submission_sends_only_that_threshold(assigned):
    run = send_reminders(VERY_OVERDUE_DAY)
    assert run.queued == {"due_soon": 0, "overdue": 0, "very_overdue": 3}


def test_a_new_due_date_arms_the_reminders_again(world, assigned):
    send_reminders(OVERDUE_DAY)
    assigned.extension_workdays = 15  # as an approved extension would
    from consult.tracking.deadlines import apply_deadlines

    apply_deadlines(assigned)
    assert sum(send_reminders(assigned.due_soon_on).queued.values()) == 3


def test_unassigned_submissions_go_to_the_reviewers_or_the_department_address(world):
    file_submission(world, received_at=local(2025, 11, 10))
    file_submission(world, department=world.other_dept, received_at=local(2025, 11, 10))
    world.other_reviewer.active = False
    send_reminders(DUE_SOON_DAY)
    assert reminder_recipients() == sorted(["czj@example.org", world.reviewer.email, world.second_reviewer.email])


def test_answered_and_paused_submissions_are_not_reminded(world):
    answered = file_submission(world, received_at=local(2025, 11, 10)).submission
    actions.dismiss_submission(answered, actor=world.officer, reason="重复")
    waiting = file_submission(world, kind=DISCLOSURE, received_at=local(2025, 11, 10)).submission
    actions.assign_submission(waiting, world.officer, actor=world.officer)
    actions.request_info(waiting, actor=world.officer, message="补正", today=date(2025, 11, 11))
    assert sum(send_reminders(VERY_OVERDUE_DAY).queued.values()) == 0


def test_remind_command_queues_once_and_reports(app, world, assigned):
    init_cli(app)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["remind", "--today", "2025-12-02"])
    assert first.exit_code == 0, first.output
    assert "overdue: 3" in first.output
    second = runner.invoke(args=["remind", "--today", "2025-12-02"])
    assert "overdue: 0" in second.output
    db.session.rollback()
    assert len(mails("submission_reminder")) == 3
