"""Information requests: intake, the deadline rules of 政府信息公开条例 (Art. 30, 32, 33), the outcome with
its reviewed answer, and closing requests whose applicant never clarified them."""

from datetime import date

import pytest
import sqlalchemy as sa

from consult.disclosure import handling
from consult.disclosure.models import EMAIL, POST, RESIDENT_ID, DisclosureRequest
from consult.disclosure.services import record_outcome
from consult.domain import DomainError
from consult.extensions import db
from consult.tracking import actions, replies
from consult.tracking.extension_requests import decide_extension, request_extension
from consult.tracking.models import ANSWERED, DISCLOSURE, DISMISSED, NEEDS_INFO, PENDING_REVIEW, Submission
from tests.disclosure_support import RESIDENT_ID_NUMBER, file_request, organisation, person
from tests.tracking_support import events, local, mails


def _assigned(world, **kwargs) -> DisclosureRequest:
    found = file_request(world, **kwargs).request
    actions.assign_submission(found.submission, world.officer, actor=world.officer)
    db.session.commit()
    return found


# --- intake ---------------------------------------------------------------------------------------------

def test_a_request_is_due_20_working_days_after_receipt_skipping_holidays(world):
    found = file_request(world, received_at=local(2025, 9, 26)).request  # National Day holiday ahead
    submission = found.submission
    assert submission.kind == DISCLOSURE and submission.tracking_no.startswith("D-")
    assert submission.due_on == date(2025, 10, 30) and submission.estimated_due is False
    receipt = mails("submission_receipt")
    assert len(receipt) == 1 and RESIDENT_ID_NUMBER not in receipt[0].body_text


def test_a_due_date_in_a_year_without_a_published_calendar_is_estimated(world):
    submission = file_request(world, received_at=local(2026, 12, 10)).request.submission
    assert submission.due_on == date(2027, 1, 8)  # Monday to Friday in 2027, but New Year's Day is off by law
    assert submission.estimated_due is True


def test_the_id_number_is_stored_in_full_and_masked_once(world):
    found = file_request(world, applicant=person(id_number="110105 19491231 002x")).request
    assert found.id_number == RESIDENT_ID_NUMBER
    assert found.id_number_masked == "**************002X"


def test_sending_the_same_form_twice_creates_one_request(world):
    first = file_request(world, form_token="same-form-token-123456")
    second = file_request(world, form_token="same-form-token-123456")
    assert second.duplicate and second.query_code is None
    assert second.request.submission_id == first.request.submission_id
    assert db.session.scalar(sa.select(sa.func.count(Submission.id))) == 1


@pytest.mark.parametrize(("applicant", "delivery", "field"), [
    (person(id_number="110105194912310021"), "online", "id_number"),  # wrong check character
    (person(applicant_type="commercial", contact_person="李四"), "online", "id_type"),  # a company needs its code
    (organisation(id_number="91350100M000100Y44"), "online", "id_number"),
    (organisation(contact_person=""), "online", "contact_person"),
    (organisation(id_type=RESIDENT_ID, id_number=RESIDENT_ID_NUMBER), "online", "id_type"),
    (person(phone="", email=""), "online", "phone"),
    (person(email=""), EMAIL, "email"),
    (person(), POST, "postal_address"),
    (person(postal_address="某路1号", postcode="12345"), POST, "postcode"),
])
def test_an_incomplete_request_is_refused_on_the_right_field(world, applicant, delivery, field):
    with pytest.raises(DomainError) as refused:
        file_request(world, applicant=applicant, delivery=delivery)
    assert refused.value.field == field
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Submission.id))) == 0


# --- clarification (补正): within 7 working days, restarts the clock -------------------------------------

def test_a_clarification_request_must_go_out_within_7_working_days(world):
    submission = _assigned(world).submission  # received Monday 10 November 2025
    with pytest.raises(DomainError) as late:
        actions.request_info(submission, actor=world.officer, message="请明确文号。", today=date(2025, 11, 20))
    assert late.value.status == 409
    actions.request_info(submission, actor=world.officer, message="请明确文号。", today=date(2025, 11, 19))
    assert submission.status == NEEDS_INFO


def test_the_clock_restarts_when_the_clarification_arrives(world):
    submission = _assigned(world).submission
    actions.request_info(submission, actor=world.officer, message="请明确文号。", today=date(2025, 11, 12))
    actions.provide_info(submission, "文号为某政发〔2025〕1号。", now=local(2025, 11, 20))
    assert submission.clock_start_on == date(2025, 11, 20)
    assert submission.due_on == date(2025, 12, 18)  # 20 working days after the clarification arrived


def test_a_request_without_clarification_is_closed_as_no_longer_processed(world):
    found = _assigned(world)
    submission = found.submission
    actions.request_info(submission, actor=world.officer, message="请明确文号。", today=date(2025, 11, 12))
    db.session.commit()
    awaited = handling.clarification_due_on(submission)
    assert awaited is not None
    assert handling.close_abandoned_requests(awaited) == []  # the last day still counts
    assert submission.status == NEEDS_INFO
    closed = handling.close_abandoned_requests(date.fromordinal(awaited.toordinal() + 1))
    assert closed == [submission]
    assert submission.status == DISMISSED and submission.answered_at is not None
    assert (found.outcome_category, found.outcome_reason) == ("other", "no_clarification")
    assert events(submission)[-1].public_note == submission.dismissal_reason
    assert len(mails("submission_dismissed")) == 1
    assert handling.close_abandoned_requests(date.fromordinal(awaited.toordinal() + 5)) == []  # only once


# --- extension: once, at most 20 working days ------------------------------------------------------------

def test_one_extension_of_at_most_20_working_days(world):
    submission = _assigned(world).submission
    with pytest.raises(DomainError) as too_long:
        request_extension(submission, actor=world.officer, workdays=21, reason="需要调取档案。")
    assert too_long.value.field == "workdays"
    extension = request_extension(submission, actor=world.officer, workdays=20, reason="需要调取档案。")
    decide_extension(extension, reviewer=world.reviewer, approve=True)
    assert submission.due_on == date(2026, 1, 6)  # 40 working days, New Year's Day skipped
    assert len(mails("submission_extended")) == 1  # the applicant is told
    with pytest.raises(DomainError) as again:
        request_extension(submission, actor=world.officer, workdays=1, reason="还需要时间。")
    assert again.value.status == 409


# --- third-party opinion: the waiting time is not counted -----------------------------------------------

def test_time_waiting_for_a_third_party_is_not_counted(world):
    found = _assigned(world)
    submission = found.submission
    assert submission.due_on == date(2025, 12, 8)
    handling.pause_request(found, actor=world.officer, reason="征求第三方意见。", today=date(2025, 11, 14))
    waited = handling.resume_request(found, actor=world.officer, today=date(2025, 11, 19))
    assert waited == 3  # Monday 17 to Wednesday 19 November
    assert submission.due_on == date(2025, 12, 11) and found.paused_workdays == 3 and not found.is_paused
    actions_seen = [e.action for e in events(submission)]
    assert actions_seen[-2:] == ["disclosure_paused", "disclosure_resumed"]
    assert all(e.public_note for e in events(submission)[-2:])  # the applicant sees both on the timeline


def test_a_paused_request_is_never_due_soon_or_overdue_until_it_resumes(world):
    found = _assigned(world)
    submission = found.submission  # due 8 December 2025
    handling.pause_request(found, actor=world.officer, reason="征求第三方意见。", today=date(2025, 11, 14))
    db.session.commit()
    late = date(2025, 12, 20)
    assert not submission.is_overdue(late) and not submission.is_due_soon(date(2025, 12, 5))
    overdue_ids = db.session.scalars(sa.select(Submission.id).where(Submission.is_overdue(late))).all()
    assert submission.id not in overdue_ids
    waited = handling.resume_request(found, actor=world.officer, today=date(2025, 12, 19))
    assert waited == 25 and submission.due_on == date(2026, 1, 13) and not submission.is_overdue(late)
    assert submission.is_overdue(date(2026, 1, 14))


def test_holidays_during_a_pause_are_not_counted_twice(world):
    found = _assigned(world, received_at=local(2025, 9, 26))
    handling.pause_request(found, actor=world.officer, reason="征求第三方意见。", today=date(2025, 9, 30))
    assert handling.resume_request(found, actor=world.officer, today=date(2025, 10, 9)) == 1  # 1–8 Oct: holiday
    assert found.submission.due_on == date(2025, 10, 31)


def test_a_pause_resumed_the_same_day_moves_nothing(world):
    found = _assigned(world)
    handling.pause_request(found, actor=world.officer, reason="征求第三方意见。", today=date(2025, 11, 14))
    assert handling.resume_request(found, actor=world.officer, today=date(2025, 11, 14)) == 0
    assert found.submission.due_on == date(2025, 12, 8)


def test_pause_and_resume_refuse_the_wrong_state(world):
    found = _assigned(world)
    with pytest.raises(DomainError):
        handling.resume_request(found, actor=world.officer, today=date(2025, 11, 14))
    handling.pause_request(found, actor=world.officer, reason="征求第三方意见。", today=date(2025, 11, 14))
    with pytest.raises(DomainError):
        handling.pause_request(found, actor=world.officer, reason="again", today=date(2025, 11, 15))
    with pytest.raises(DomainError) as paused:
        record_outcome(found, actor=world.officer, category="disclosed", reason=None, answer="予以公开。")
    assert paused.value.status == 409
    with pytest.raises(DomainError) as foreign:
        handling.resume_request(found, actor=world.other_officer, today=date(2025, 11, 17))
    assert foreign.value.status == 403


# --- the outcome and its reviewed answer ------------------------------------------------------------------

def test_the_outcome_goes_out_with_the_answer_after_review(world):
    found = file_request(world).request
    reply = record_outcome(found, actor=world.officer, category="withheld", reason="third_party_rights",
                           answer="经征求第三方意见，不予公开。")
    submission = found.submission
    assert reply.status == PENDING_REVIEW and submission.status != ANSWERED
    assert (found.outcome_category, found.outcome_reason, found.outcome_reply_id) == (
        "withheld", "third_party_rights", reply.id)
    with pytest.raises(DomainError) as waiting:
        record_outcome(found, actor=world.officer, category="disclosed", reason=None, answer="予以公开。")
    assert waiting.value.status == 409
    replies.approve_reply(reply, reviewer=world.reviewer)
    assert submission.status == ANSWERED and submission.answered_at is not None
    assert len(mails("submission_answer")) == 1


def test_a_returned_answer_is_corrected_in_the_same_reply(world):
    found = file_request(world).request
    reply = record_outcome(found, actor=world.officer, category="disclosed", reason=None, answer="予以公开。")
    replies.return_reply(reply, reviewer=world.reviewer, note="请写明依据。")
    again = record_outcome(found, actor=world.officer, category="partly", reason=None,
                           answer="依据条例第三十七条，部分公开。")
    assert again.id == reply.id and again.status == PENDING_REVIEW and found.outcome_category == "partly"


@pytest.mark.parametrize(("category", "reason"), [
    ("withheld", None), ("disclosed", "state_secret"), ("unavailable", "repeated"), ("nonsense", None),
])
def test_an_outcome_must_be_a_row_of_the_official_table(world, category, reason):
    found = file_request(world).request
    with pytest.raises(DomainError) as refused:
        record_outcome(found, actor=world.officer, category=category, reason=reason, answer="答复。")
    assert refused.value.field == "outcome"


def test_only_the_handling_department_records_the_outcome(world):
    found = file_request(world).request
    with pytest.raises(DomainError) as refused:
        record_outcome(found, actor=world.other_officer, category="disclosed", reason=None, answer="予以公开。")
    assert refused.value.status == 403
