"""The state machine: every legal transition, every illegal one refused without change, officer actions."""

from datetime import date

import pytest
import sqlalchemy as sa

from consult.domain import DomainError
from consult.extensions import db
from consult.tracking import actions, citizen, replies
from consult.tracking.models import (
    ANSWERED, ASSIGNED, CLOSED, DISCLOSURE, DISMISSED, NEEDS_INFO, OPEN_STATUSES, RECEIVED, REOPENED, STATUSES,
    SATISFIED, UNSATISFIED, TimelineEvent, TimelineIsAppendOnly,
)  # fmt: skip
from consult.tracking.timeline import public_events
from consult.tracking.transitions import TRANSITIONS, allowed_actions, transition
from tests.tracking_support import events, file_submission, local, mails

LEGAL = {
    (RECEIVED, "assign"), (ASSIGNED, "request_info"), (NEEDS_INFO, "info_received"), (ASSIGNED, "answer"),
    (REOPENED, "answer"), (ANSWERED, "reopen"), (ANSWERED, "close"),
    *((status, "dismiss") for status in OPEN_STATUSES),
    *((status, "answer_by_publication") for status in OPEN_STATUSES),
    (RECEIVED, "transfer"), (ASSIGNED, "transfer"), (REOPENED, "transfer"),
}  # fmt: skip


def answer(world, submission, officer=None, reviewer=None):
    reply = replies.create_reply(officer or world.officer, [submission], "已办理。")
    replies.submit_reply(reply, actor=officer or world.officer)
    replies.approve_reply(reply, reviewer=reviewer or world.reviewer)
    return reply


def test_transition_table_is_exactly_the_design():
    table = {(source, action) for action, rule in TRANSITIONS.items() for source in rule.sources}
    assert table == LEGAL
    targets = {action: rule.target for action, rule in TRANSITIONS.items()}
    assert targets == {
        "assign": ASSIGNED, "request_info": NEEDS_INFO, "info_received": ASSIGNED, "answer": ANSWERED,
        "reopen": REOPENED, "close": CLOSED, "dismiss": DISMISSED, "transfer": RECEIVED,
        "answer_by_publication": ANSWERED,
    }  # fmt: skip


def test_full_walk_through_the_services(world):
    submission = file_submission(world).submission
    actions.assign_submission(submission, world.officer, actor=world.officer)
    actions.request_info(submission, actor=world.officer, message="请提供小区名称。", today=date(2025, 11, 11))
    actions.provide_info(submission, "阳光小区")
    answer(world, submission)
    assert citizen.rate(submission, resolved=False, satisfaction=UNSATISFIED) == REOPENED
    answer(world, submission)
    assert citizen.rate(submission, resolved=True, satisfaction=SATISFIED) == CLOSED
    db.session.commit()
    walked = [(e.action, e.from_status, e.to_status) for e in events(submission) if e.changes_status]
    assert walked == [
        ("received", None, RECEIVED),
        ("assign", RECEIVED, ASSIGNED),
        ("request_info", ASSIGNED, NEEDS_INFO),
        ("info_received", NEEDS_INFO, ASSIGNED),
        ("answer", ASSIGNED, ANSWERED),
        ("reopen", ANSWERED, REOPENED),
        ("answer", REOPENED, ANSWERED),
        ("close", ANSWERED, CLOSED),
    ]
    assert submission.answered_at is not None and submission.closed_at is not None


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("action", sorted(TRANSITIONS))
def test_every_illegal_transition_is_refused_without_change(world, status, action):
    submission = file_submission(world).submission
    submission.status = status  # test set-up only: put the submission straight into the status under test
    db.session.commit()
    before = len(events(submission))
    if (status, action) in LEGAL:
        transition(submission, action, actor=world.officer)
        assert submission.status == TRANSITIONS[action].target
        assert len(events(submission)) == before + 1
        return
    with pytest.raises(DomainError) as error:
        transition(submission, action, actor=world.officer)
    assert error.value.status == 409
    assert "cannot" in str(error.value)
    db.session.commit()
    db.session.refresh(submission)
    assert submission.status == status
    assert len(events(submission)) == before


def test_allowed_actions_follow_the_table(world):
    submission = file_submission(world).submission
    assert set(allowed_actions(submission)) == {"assign", "dismiss", "transfer"}


def test_assign_to_a_colleague_notifies_them_and_reassign_keeps_the_status(world):
    submission = file_submission(world).submission
    actions.assign_submission(submission, world.colleague, actor=world.officer)
    assert (submission.status, submission.assignee) == (ASSIGNED, world.colleague)
    [mail] = mails("submission_assigned")
    assert mail.recipient == world.colleague.email
    actions.assign_submission(submission, world.officer, actor=world.officer)  # take it over: no mail to self
    assert submission.assignee == world.officer and submission.status == ASSIGNED
    assert events(submission)[-1].action == "reassign"
    assert len(mails("submission_assigned")) == 1


@pytest.mark.parametrize("who", ["other_officer", "citizen"])
def test_assign_only_within_the_department(world, who):
    submission = file_submission(world).submission
    with pytest.raises(DomainError):
        actions.assign_submission(submission, getattr(world, who), actor=world.officer)
    with pytest.raises(DomainError):  # nor can another department's officer act on it
        actions.assign_submission(submission, world.other_officer, actor=world.other_officer)
    assert submission.status == RECEIVED and submission.assignee_id is None


def test_transfer_keeps_the_due_date_and_starts_over_in_the_new_department(world):
    submission = file_submission(world).submission
    actions.assign_submission(submission, world.officer, actor=world.officer)
    due_on = submission.due_on
    actions.transfer_submission(submission, world.other_dept, actor=world.officer, reason="属于财政局职责")
    db.session.commit()
    assert submission.department == world.other_dept
    assert (submission.status, submission.assignee_id, submission.due_on) == (RECEIVED, None, due_on)
    event = events(submission)[-1]
    assert (event.action, event.internal_note) == ("transfer", "属于财政局职责")
    assert "县财政局" in event.public_note
    # The old department can no longer act on it; the new one can.
    with pytest.raises(DomainError):
        actions.assign_submission(submission, world.officer, actor=world.officer)
    actions.assign_submission(submission, world.other_officer, actor=world.other_officer)


def test_transfer_needs_a_reason_and_another_department(world):
    submission = file_submission(world).submission
    with pytest.raises(DomainError) as error:
        actions.transfer_submission(submission, world.other_dept, actor=world.officer, reason="  ")
    assert error.value.field == "reason"
    with pytest.raises(DomainError):
        actions.transfer_submission(submission, world.dept, actor=world.officer, reason="x")
    assert submission.department == world.dept


def test_info_request_keeps_the_due_date_of_a_letter(world):
    submission = file_submission(world).submission
    due_on = submission.due_on
    actions.assign_submission(submission, world.officer, actor=world.officer)
    actions.request_info(submission, actor=world.officer, message="请提供地址。")
    [mail] = mails("submission_info_request")
    assert "请提供地址。" in mail.body_text
    actions.provide_info(submission, "东门", now=local(2025, 11, 20))
    assert (submission.status, submission.due_on) == (ASSIGNED, due_on)


def test_info_request_restarts_the_clock_of_a_disclosure_request(world):
    submission = file_submission(world, kind=DISCLOSURE, received_at=local(2026, 2, 2)).submission
    actions.assign_submission(submission, world.officer, actor=world.officer)
    actions.request_info(submission, actor=world.officer, message="请明确所需信息。", today=date(2026, 2, 5))
    actions.provide_info(submission, "2025年预算", now=local(2026, 2, 10))
    assert submission.clock_start_on == date(2026, 2, 10)
    assert submission.due_on == date(2026, 3, 16)
    assert events(submission)[-1].action == "clock_restarted"


def test_disclosure_info_request_must_go_out_within_seven_working_days(world):
    submission = file_submission(world, kind=DISCLOSURE, received_at=local(2025, 11, 10)).submission
    actions.assign_submission(submission, world.officer, actor=world.officer)
    with pytest.raises(DomainError):
        actions.request_info(submission, actor=world.officer, message="补正", today=date(2025, 11, 20))
    assert submission.status == ASSIGNED
    actions.request_info(submission, actor=world.officer, message="补正", today=date(2025, 11, 19))
    assert submission.status == NEEDS_INFO


@pytest.mark.parametrize("status", [RECEIVED, ASSIGNED, NEEDS_INFO, REOPENED])
def test_dismiss_from_any_open_status_with_a_reason_the_citizen_sees(world, status):
    submission = file_submission(world).submission
    submission.status = status
    actions.dismiss_submission(submission, actor=world.officer, reason="与本局职责无关。")
    assert submission.status == DISMISSED
    assert submission.dismissal_reason == "与本局职责无关。"
    assert submission.answered_at is not None and submission.closed_at is not None
    assert events(submission)[-1].public_note == "与本局职责无关。"
    [mail] = mails("submission_dismissed")
    assert "与本局职责无关。" in mail.body_text


def test_dismiss_needs_a_reason(world):
    submission = file_submission(world).submission
    with pytest.raises(DomainError):
        actions.dismiss_submission(submission, actor=world.officer, reason="")
    assert submission.status == RECEIVED


def test_timeline_rows_cannot_be_changed_or_deleted(world):
    submission = file_submission(world).submission
    event = events(submission)[0]
    event.public_note_text = "rewritten history"
    with pytest.raises(TimelineIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    event = events(submission)[0]
    db.session.delete(event)
    with pytest.raises(TimelineIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(TimelineIsAppendOnly):
        db.session.execute(sa.update(TimelineEvent).values(public_note_text="x"))
    with pytest.raises(TimelineIsAppendOnly):
        db.session.execute(sa.delete(TimelineEvent))
    db.session.rollback()
    assert events(submission)[0].public_note == ""


def test_public_timeline_hides_internal_events(world):
    submission = file_submission(world).submission
    actions.assign_submission(submission, world.officer, actor=world.officer, note="内部备注")
    actions.assign_submission(submission, world.colleague, actor=world.officer, note="换人")
    db.session.commit()
    db.session.refresh(submission)
    visible = public_events(submission)
    assert [e.action for e in visible] == ["received", "assign"]
    assert all(event.action != "reassign" for event in visible)
