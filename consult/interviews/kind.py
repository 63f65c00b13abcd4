"""The interview question kind, as online interviews register it with the tracking engine: a question the
officials did not answer during the session, now owed an answer by the department. Its policy and labels,
the panel of the staff submission page (the interview and what the moderator noted) and the interview on the
asker's status page."""

from datetime import date

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_login import current_user
from sqlalchemy.orm import joinedload

from consult.authz import moderates_interviews_of
from consult.interviews.models import QUESTION_STATUS_LABELS, Interview, Question
from consult.tracking import kind_details, kinds
from consult.tracking.models import INTERVIEW_QUESTION, Submission
from consult.tracking.notes import timeline_note
from consult.tracking.policies import KindPolicy
from consult.tracking.services import create_submission, record_kind_event

NOT_REACHED = "interview_not_reached"


def create_question_submission(interview: Interview, question: Question, *, ended_on: date) -> Submission:
    """The tracked submission an unanswered question becomes: received when it was asked, its clock counted
    from the day the interview ended; the asker gets the receipt (tracking number and query code)."""
    created = create_submission(
        kind=INTERVIEW_QUESTION,
        target=f"interview:{interview.id}",
        department=interview.department,
        subject=interview.title[:200],
        body=question.body,
        user=question.user,
        name=question.name,
        email=question.email,
        phone=question.phone,
        locale=question.locale,
        received_at=question.created_at,
        clock_start_on=ended_on,
        notify_by=question.notify_by,
    )
    record_kind_event(created.submission, NOT_REACHED, actor=None, public_note=timeline_note(
        "Asked during the online interview “%(title)s”, which ended before it was answered. The department "
        "answers it in writing.", title=interview.title))
    return created.submission


def _question_of(submission: Submission) -> Question | None:
    return kind_details.detail_row(Question, submission, joinedload(Question.interview))


def question_details(submission: Submission) -> kind_details.KindDetails | None:
    question = _question_of(submission)
    if question is None:
        return None
    return kind_details.KindDetails("interviews/_staff_details.html", {
        "question": question, "status_labels": QUESTION_STATUS_LABELS,
        "may_moderate": moderates_interviews_of(current_user, question.interview.department_id),
    })


def question_facts(submission: Submission) -> list[kind_details.CitizenFact]:
    question = _question_of(submission)
    if question is None:
        return []
    interview = question.interview
    return [kind_details.CitizenFact(_("Online interview"), interview.title,
                                     url_for("interviews.detail", interview_id=interview.id))]


kinds.register(kinds.Kind(
    INTERVIEW_QUESTION,
    policy=KindPolicy(INTERVIEW_QUESTION, "I", 10, "keep", max_extensions=1, max_extension_workdays=10),
    label=_l("Online interview question"),
    noun=lazy_pgettext("a submission", "question"),
    action_labels={NOT_REACHED: _l("Not answered during the interview")},
    details=question_details,
    citizen_facts=question_facts,
))
