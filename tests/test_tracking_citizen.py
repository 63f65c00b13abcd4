"""The citizen's side: rating once per answer, reopening once, closing, rating links, auto-close."""

from datetime import date

import pytest

from consult.domain import DomainError
from consult.extensions import db
from consult.tracking import citizen, replies
from consult.tracking.models import (
    ANSWERED, BASICALLY_SATISFIED, CLOSED, REOPENED, SATISFIED, UNSATISFIED,
)  # fmt: skip
from tests.tracking_support import events, file_submission, local, mails


def answered(world, received=None):
    submission = file_submission(world, received_at=received or local(2025, 11, 10)).submission
    answer(world, submission)
    return submission


def answer(world, submission):
    reply = replies.create_reply(world.officer, [submission], "已办理。")
    replies.submit_reply(reply, actor=world.officer)
    replies.approve_reply(reply, reviewer=world.reviewer)
    db.session.commit()


def test_rating_is_only_possible_after_an_answer(world):
    submission = file_submission(world).submission
    with pytest.raises(DomainError):
        citizen.rate(submission, resolved=True, satisfaction=SATISFIED)
    assert submission.rated_at is None


@pytest.mark.parametrize("verdict", [SATISFIED, BASICALLY_SATISFIED])
def test_a_satisfied_rating_closes_the_submission(world, verdict):
    submission = answered(world)
    assert citizen.rate(submission, resolved=True, satisfaction=verdict, comment="谢谢") == CLOSED
    assert (submission.satisfaction, submission.resolved, submission.satisfaction_comment) == (verdict, True, "谢谢")
    assert submission.closed_at is not None
    with pytest.raises(DomainError):  # once per answer
        citizen.rate(submission, resolved=True, satisfaction=SATISFIED)


def test_unsatisfied_reopens_once_with_a_new_due_date_then_just_records(world):
    submission = answered(world)
    submission.assignee = world.officer
    status = citizen.rate(submission, resolved=False, satisfaction=UNSATISFIED, comment="没解决",
                          now=local(2026, 2, 10))
    assert status == REOPENED and submission.reopen_count == 1
    assert submission.clock_start_on == date(2026, 2, 10)
    assert submission.due_on == date(2026, 3, 2)  # 10 working days after reopening, across Spring Festival
    [mail] = mails("submission_reopened")
    assert mail.recipient == world.officer.email and "没解决" in mail.body_text
    answer(world, submission)
    assert submission.status == ANSWERED
    assert citizen.rate(submission, resolved=False, satisfaction=UNSATISFIED) == CLOSED
    assert submission.reopen_count == 1
    # The second poor rating closes it and joins the rectification task the first one opened.
    assert [e.action for e in events(submission)][-3:] == ["answer", "close", "rectification_joined"]


def test_invalid_satisfaction_is_refused(world):
    submission = answered(world)
    with pytest.raises(DomainError) as error:
        citizen.rate(submission, resolved=True, satisfaction="delighted")
    assert error.value.field == "satisfaction"
    assert submission.status == ANSWERED


def test_rating_link_token_is_bound_to_the_latest_answer(world):
    submission = answered(world)
    token = citizen.rating_token(submission)
    assert citizen.submission_from_rating_token(token) == submission
    assert citizen.submission_from_rating_token(token + "x") is None
    assert citizen.submission_from_rating_token("garbage") is None
    citizen.rate(submission, resolved=False, satisfaction=UNSATISFIED)
    answer(world, submission)
    assert citizen.submission_from_rating_token(token) is None  # the old link does not rate the new answer


def test_unrated_answers_close_automatically_after_ten_working_days(world):
    submission = answered(world)
    answered_on = citizen.local_date(submission.answered_at)
    from consult.workdays import add_workdays

    last_open_day = add_workdays(answered_on, 10)
    assert citizen.auto_close_answered(today=last_open_day) == []
    assert citizen.auto_close_answered(today=date.fromordinal(last_open_day.toordinal() + 1)) == [submission]
    assert submission.status == CLOSED
    last = events(submission)[-1]
    assert (last.action, last.actor_role) == ("close", "system") and last.public_note


def test_rated_answers_are_not_auto_closed_twice(world):
    submission = answered(world)
    citizen.rate(submission, resolved=True, satisfaction=SATISFIED)
    assert citizen.auto_close_answered(today=date(2099, 1, 1)) == []
