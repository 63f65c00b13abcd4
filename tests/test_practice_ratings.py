"""好差评 on five levels: poor ratings open rectification tasks that close only with a follow-up record,
departments appeal ratings, an admin outside the department decides, and the statistics follow."""

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from consult.accounts.models import ADMIN
from consult.database import utcnow
from consult.domain import DomainError
from consult.extensions import db
from consult.practice import appeals, rectification
from consult.practice.models import TASK_DONE, TASK_OPEN, TASK_WITHDRAWN, RectificationTask
from consult.practice.settings import save_settings
from consult.stats.services import compute_stats
from consult.tracking import citizen, replies
from consult.tracking.models import (
    CLOSED, REOPENED, SATISFACTION_LEVELS, UNSATISFIED, VERY_SATISFIED, VERY_UNSATISFIED,
)  # fmt: skip
from consult.workdays import add_workdays
from tests.tracking_support import events, file_submission, local
from tests.world_support import make_staff


def answer(world, submission):
    reply = replies.create_reply(world.officer, [submission], "已办理。")
    replies.submit_reply(reply, actor=world.officer)
    replies.approve_reply(reply, reviewer=world.reviewer)
    db.session.commit()


def answered(world, received=None):
    submission = file_submission(world, received_at=received or local(2025, 11, 10)).submission
    answer(world, submission)
    return submission


def tasks(submission):
    return list(db.session.scalars(sa.select(RectificationTask).where(RectificationTask.submission_id == submission.id)))


def test_the_scale_has_the_five_national_levels_best_first():
    assert SATISFACTION_LEVELS == ("very_satisfied", "satisfied", "basically_satisfied", "unsatisfied",
                                   "very_unsatisfied")
    assert set(citizen.SATISFACTION_LABELS) == set(SATISFACTION_LEVELS)


@pytest.mark.parametrize("verdict", ["very_satisfied", "satisfied", "basically_satisfied"])
def test_a_good_rating_closes_and_opens_no_task(world, verdict):
    submission = answered(world)
    assert citizen.rate(submission, resolved=True, satisfaction=verdict) == CLOSED
    assert tasks(submission) == []


@pytest.mark.parametrize("verdict", [UNSATISFIED, VERY_UNSATISFIED])
def test_a_poor_rating_reopens_once_and_opens_a_task_due_in_fifteen_working_days(world, verdict):
    submission = answered(world)
    status = citizen.rate(submission, resolved=False, satisfaction=verdict, comment="没解决", now=local(2026, 2, 10))
    db.session.commit()
    assert status == REOPENED
    [task] = tasks(submission)
    assert (task.status, task.satisfaction, task.complaint) == (TASK_OPEN, verdict, "没解决")
    assert task.due_on == add_workdays(date(2026, 2, 10), 15) and task.department_id == world.dept.id
    assert "rectification_opened" in [e.action for e in events(submission)]


def test_a_second_poor_rating_closes_and_joins_the_open_task(world):
    submission = answered(world)
    citizen.rate(submission, resolved=False, satisfaction=UNSATISFIED, comment="第一次")
    answer(world, submission)
    assert citizen.rate(submission, resolved=False, satisfaction=VERY_UNSATISFIED, comment="第二次") == CLOSED
    [task] = tasks(submission)
    assert task.satisfaction == VERY_UNSATISFIED and "第一次" in task.complaint and "第二次" in task.complaint


def test_the_admin_sets_how_many_working_days_a_rectification_takes(world):
    save_settings(rectification_workdays=5)
    submission = answered(world)
    citizen.rate(submission, resolved=False, satisfaction=UNSATISFIED, now=local(2026, 3, 2))
    assert tasks(submission)[0].due_on == add_workdays(date(2026, 3, 2), 5)
    with pytest.raises(DomainError) as error:
        save_settings(rectification_workdays=0)
    assert error.value.field == "rectification_workdays"


def _follow_up(task, world, **changes):
    values = dict(actor=world.officer, contacted_by="钱经办", contacted_at=utcnow() - timedelta(hours=1),
                  method="phone", outcome="市民表示路灯已修好。")
    values.update(changes)
    rectification.record_follow_up(task, **values)


def test_a_task_cannot_be_completed_without_a_follow_up_record(world):
    submission = answered(world)
    citizen.rate(submission, resolved=False, satisfaction=UNSATISFIED)
    answer(world, submission)
    citizen.rate(submission, resolved=False, satisfaction=UNSATISFIED)
    [task] = tasks(submission)
    with pytest.raises(DomainError) as error:
        rectification.complete_task(task, actor=world.officer, result="已更换灯泡。")
    assert error.value.status == 409 and task.status == TASK_OPEN
    _follow_up(task, world)
    rectification.complete_task(task, actor=world.officer, result="已更换灯泡。")
    assert (task.status, task.result) == (TASK_DONE, "已更换灯泡。")
    assert rectification.public_results(submission) == [task]


def test_a_task_waits_for_the_new_answer_of_a_reopened_submission(world):
    submission = answered(world)
    citizen.rate(submission, resolved=False, satisfaction=UNSATISFIED)
    [task] = tasks(submission)
    _follow_up(task, world)
    with pytest.raises(DomainError) as error:
        rectification.complete_task(task, actor=world.officer, result="已整改。")
    assert error.value.status == 409
    answer(world, submission)
    rectification.complete_task(task, actor=world.officer, result="已整改。")
    assert task.status == TASK_DONE


@pytest.mark.parametrize("changes, field", [
    ({"contacted_by": " "}, "contacted_by"),
    ({"contacted_at": None}, "contacted_at"),
    ({"contacted_at": datetime(2099, 1, 1, tzinfo=local(2026, 1, 1).tzinfo)}, "contacted_at"),
    ({"method": "pigeon"}, "method"),
    ({"outcome": ""}, "outcome"),
])
def test_an_incomplete_follow_up_is_refused_field_by_field(world, changes, field):
    submission = answered(world)
    citizen.rate(submission, resolved=False, satisfaction=UNSATISFIED)
    [task] = tasks(submission)
    with pytest.raises(DomainError) as error:
        _follow_up(task, world, **changes)
    assert field in error.value.errors and not task.has_follow_up


def test_another_departments_officer_cannot_touch_the_task(world):
    submission = answered(world)
    citizen.rate(submission, resolved=False, satisfaction=UNSATISFIED)
    [task] = tasks(submission)
    with pytest.raises(DomainError) as error:
        _follow_up(task, world, actor=world.other_officer)
    assert error.value.status == 403


def test_an_upheld_appeal_takes_the_rating_out_of_the_rates_and_withdraws_the_task(world):
    kept, appealed = answered(world), answered(world)
    citizen.rate(kept, resolved=True, satisfaction=VERY_SATISFIED)
    citizen.rate(appealed, resolved=False, satisfaction=VERY_UNSATISFIED, comment="乱评")
    answer(world, appealed)
    citizen.rate(appealed, resolved=False, satisfaction=VERY_UNSATISFIED)
    db.session.commit()
    today = date(2025, 11, 28)
    before = compute_stats(today=today)["totals"]
    assert (before["rated"], before["satisfied"], before["satisfaction_rate"], before["resolution_rate"]) == \
        (2, 1, 0.5, 0.5)
    appeal = appeals.file_appeal(appealed, actor=world.officer, ground="malicious", reason="评价与办理无关")
    with pytest.raises(DomainError):  # one appeal per rating
        appeals.file_appeal(appealed, actor=world.officer, ground="mistaken", reason="再次申诉")
    appeals.decide_appeal(appeal, actor=world.admin, uphold=True)
    db.session.commit()
    after = compute_stats(today=today)["totals"]
    assert (after["rated"], after["satisfaction_rate"], after["resolution_rate"], after["ratings_removed"]) == \
        (1, 1.0, 1.0, 1)
    assert after["rectifications"] == 0  # the withdrawn task no longer counts
    assert [t.status for t in tasks(appealed)] == [TASK_WITHDRAWN]


def test_only_a_poor_rating_that_counts_can_be_appealed(world):
    submission = answered(world)
    citizen.rate(submission, resolved=True, satisfaction=VERY_SATISFIED)
    with pytest.raises(DomainError) as error:
        appeals.file_appeal(submission, actor=world.officer, ground="mistaken", reason="x")
    assert error.value.status == 409


def test_an_appeal_needs_a_ground_and_a_reason(world):
    submission = answered(world)
    citizen.rate(submission, resolved=False, satisfaction=UNSATISFIED)
    with pytest.raises(DomainError) as error:
        appeals.file_appeal(submission, actor=world.officer, ground="bored", reason=" ")
    assert set(error.value.errors) == {"ground", "reason"}


def test_only_an_admin_outside_the_department_decides(world):
    submission = answered(world)
    citizen.rate(submission, resolved=False, satisfaction=UNSATISFIED)
    appeal = appeals.file_appeal(submission, actor=world.officer, ground="mistaken", reason="市民评错了事项")
    own_admin = make_staff("own.admin@example.org", ADMIN, world.dept)
    db.session.flush()
    for judge in (world.reviewer, own_admin):
        with pytest.raises(DomainError) as error:
            appeals.decide_appeal(appeal, actor=judge, uphold=True)
        assert error.value.status == 403
    with pytest.raises(DomainError) as error:  # rejecting needs a reason
        appeals.decide_appeal(appeal, actor=world.admin, uphold=False)
    assert error.value.field == "note"
    appeals.decide_appeal(appeal, actor=world.admin, uphold=False, note="评价属实")
    assert not submission.rating_removed and appeal.status == "rejected"
    with pytest.raises(DomainError) as error:
        appeals.decide_appeal(appeal, actor=world.admin, uphold=True)
    assert error.value.status == 409


def test_a_new_rating_after_an_upheld_appeal_counts_again(world):
    submission = answered(world)
    citizen.rate(submission, resolved=False, satisfaction=UNSATISFIED)
    appeal = appeals.file_appeal(submission, actor=world.officer, ground="mistaken", reason="评错")
    appeals.decide_appeal(appeal, actor=world.admin, uphold=True)
    assert submission.rating_removed
    answer(world, submission)  # it was reopened by the rating: the new answer is rated afresh
    citizen.rate(submission, resolved=True, satisfaction=VERY_SATISFIED)
    assert not submission.rating_removed
