"""Deadline alerts: one digest per person and day listing each stage of each submission once; the CLI."""

from datetime import date

import pytest
import sqlalchemy as sa

from consult.extensions import db
from consult.tracking import actions
from consult.tracking.alerts import DeadlineAlert
from consult.tracking.models import DISCLOSURE
from consult.tracking.reminders import DUE_SOON, OVERDUE, VERY_OVERDUE, send_reminders
from tests.tracking_support import file_submission, local, mails

# A letter received Mon 2025-11-10: due soon from 2025-11-26, overdue from 2025-12-02, very overdue from 2025-12-23.
DUE_SOON_DAY, OVERDUE_DAY, VERY_OVERDUE_DAY = date(2025, 11, 26), date(2025, 12, 2), date(2025, 12, 23)


@pytest.fixture
def assigned(world):
    submission = file_submission(world, received_at=local(2025, 11, 10)).submission
    actions.assign_submission(submission, world.colleague, actor=world.officer)
    db.session.commit()
    return submission


def digests():
    return mails("staff_digest")


def digest_recipients():
    return sorted(mail.recipient for mail in digests())


def test_nothing_before_due_soon(assigned):
    run = send_reminders(date(2025, 11, 25))
    assert sum(run.queued.values()) == 0 and run.digests == 0
    assert digests() == []


def test_each_stage_is_listed_once_in_one_digest_per_person(world, assigned):
    staff = sorted([world.colleague.email, world.reviewer.email, world.second_reviewer.email])
    run = send_reminders(DUE_SOON_DAY)
    assert run.queued == {DUE_SOON: 1, OVERDUE: 0, VERY_OVERDUE: 0}
    assert run.digests == 3
    assert digest_recipients() == staff
    db.session.commit()
    assert sum(send_reminders(DUE_SOON_DAY).queued.values()) == 0  # a second run the same day
    assert sum(send_reminders(date(2025, 11, 27)).queued.values()) == 0  # and the next day
    assert send_reminders(OVERDUE_DAY).queued[OVERDUE] == 1
    assert sum(send_reminders(date(2025, 12, 10)).queued.values()) == 0
    assert send_reminders(VERY_OVERDUE_DAY).queued[VERY_OVERDUE] == 1
    assert sum(send_reminders(date(2026, 1, 5)).queued.values()) == 0
    assert len(digests()) == 9  # three stages, three people
    stages = db.session.execute(sa.select(DeadlineAlert.threshold, DeadlineAlert.digest_on)).all()
    assert sorted(stages) == sorted([(DUE_SOON, DUE_SOON_DAY), (OVERDUE, OVERDUE_DAY),
                                     (VERY_OVERDUE, VERY_OVERDUE_DAY)])
    assert all(assigned.tracking_no in mail.body_text for mail in digests())
    footers = [mail.body_text.split("\n-- \n")[1] for mail in digests()]  # every mail says why it was sent
    assert all("one digest a day" in footer for footer, mail in zip(footers, digests()) if mail.locale == "en")
    assert all(footer.strip() for footer in footers)


def test_many_submissions_make_one_digest_per_person_grouped_by_stage(world):
    late = [file_submission(world, received_at=local(2025, 11, 10), subject=f"迟了{n}").submission for n in range(3)]
    soon = file_submission(world, received_at=local(2025, 11, 12), subject="快到期").submission
    for submission in [*late, soon]:
        actions.assign_submission(submission, world.colleague, actor=world.officer)
    db.session.commit()

    run = send_reminders(date(2025, 12, 2))  # the first three are overdue, the fourth is due soon
    assert run.queued == {DUE_SOON: 1, OVERDUE: 3, VERY_OVERDUE: 0}
    assert digest_recipients() == sorted([world.colleague.email, world.reviewer.email, world.second_reviewer.email])
    mail = next(m for m in digests() if m.recipient == world.reviewer.email)
    assert mail.dedup_key == f"digest:{world.reviewer.id}:2025-12-02"
    assert mail.subject == "Deadline digest for December 2, 2025: Overdue 3, Due soon 1"
    text = mail.body_text
    assert text.index("== Overdue (3) ==") < text.index("== Due soon (1) ==")
    for submission in [*late, soon]:
        assert f"/office/submissions/{submission.id}" in text
        assert f'href="http://consult.test/office/submissions/{submission.id}"' in mail.body_html
    assert "assigned to colleague" in text
    assert "you review submissions of 县司法局" in text


def test_a_first_run_on_a_very_overdue_submission_lists_only_that_stage(assigned):
    run = send_reminders(VERY_OVERDUE_DAY)
    assert run.queued == {DUE_SOON: 0, OVERDUE: 0, VERY_OVERDUE: 1}
    assert all("Seriously overdue 1" in mail.subject for mail in digests())


def test_a_new_due_date_arms_the_stages_again(world, assigned):
    send_reminders(OVERDUE_DAY)
    assigned.extension_workdays = 15  # as an approved extension would
    from consult.tracking.deadlines import apply_deadlines

    apply_deadlines(assigned)
    run = send_reminders(assigned.due_soon_on)
    assert run.queued[DUE_SOON] == 1 and run.digests == 3


def test_a_stage_reached_after_the_days_digest_waits_for_the_next_day(world, assigned):
    send_reminders(OVERDUE_DAY)
    db.session.commit()
    newcomer = file_submission(world, received_at=local(2025, 11, 12)).submission  # due soon on 2025-12-02
    run = send_reminders(OVERDUE_DAY)  # everyone got today's digest already
    assert (sum(run.queued.values()), run.digests, run.deferred) == (0, 0, 1)
    run = send_reminders(date(2025, 12, 3))
    assert (run.queued[DUE_SOON], run.deferred) == (1, 0)
    assert run.digests == 2  # the department's reviewers; nobody is assigned
    tomorrow = [mail for mail in digests() if mail.dedup_key.endswith(":2025-12-03")]
    assert all(newcomer.tracking_no in mail.body_text for mail in tomorrow)


def test_unassigned_submissions_go_to_the_reviewers_or_the_department_address(world):
    file_submission(world, received_at=local(2025, 11, 10))
    file_submission(world, department=world.other_dept, received_at=local(2025, 11, 10))
    world.other_reviewer.active = False
    send_reminders(DUE_SOON_DAY)
    assert digest_recipients() == sorted(["czj@example.org", world.reviewer.email, world.second_reviewer.email])
    department_mail = next(m for m in digests() if m.recipient == "czj@example.org")
    assert department_mail.dedup_key == f"digest:department:{world.other_dept.id}:2025-11-26"
    assert "contact address of 县财政局" in department_mail.body_text


def test_digests_reach_staff_who_turned_optional_mail_off(world, assigned):
    world.colleague.optional_mail = False
    send_reminders(DUE_SOON_DAY)
    assert world.colleague.email in digest_recipients()
    assert all(mail.essential for mail in digests())


def test_answered_and_paused_submissions_are_not_reminded(world):
    answered = file_submission(world, received_at=local(2025, 11, 10)).submission
    actions.dismiss_submission(answered, actor=world.officer, reason="重复")
    waiting = file_submission(world, kind=DISCLOSURE, received_at=local(2025, 11, 10)).submission
    actions.assign_submission(waiting, world.officer, actor=world.officer)
    actions.request_info(waiting, actor=world.officer, message="补正", today=date(2025, 11, 11))
    assert sum(send_reminders(VERY_OVERDUE_DAY).queued.values()) == 0
    assert digests() == []


def test_remind_command_refreshes_the_planner_statistics(app, world, assigned):
    """The daily job gathers the statistics the query planner chooses indexes by (SQLite never does by
    itself; PostgreSQL's autovacuum may lag behind a bulk load)."""
    if db.engine.dialect.name == "sqlite":
        db.session.execute(sa.text("DROP TABLE IF EXISTS sqlite_stat1"))
        db.session.commit()
        statistics = "SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'submissions'"
    else:
        statistics = ("SELECT count(*) FROM pg_stat_user_tables "
                      "WHERE relname = 'submissions' AND last_analyze IS NOT NULL")
    result = app.test_cli_runner().invoke(args=["remind", "--today", "2025-12-02"])
    assert result.exit_code == 0, result.output
    assert "Planner statistics refreshed." in result.output
    db.session.rollback()
    assert db.session.execute(sa.text(statistics)).scalar() > 0


def test_remind_command_queues_once_and_reports(app, world, assigned):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["remind", "--today", "2025-12-02"])
    assert first.exit_code == 0, first.output
    assert "overdue: 1" in first.output and "in 3 digests" in first.output
    second = runner.invoke(args=["remind", "--today", "2025-12-02"])
    assert "overdue: 0" in second.output and "in 0 digests" in second.output
    db.session.rollback()
    assert len(digests()) == 3
