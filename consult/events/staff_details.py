"""A question after an open day on the staff submission page: the event and the registration it came
from (consult.tracking.kind_details)."""

from flask_login import current_user
from sqlalchemy.orm import joinedload

from consult.events import services
from consult.events.models import STATUS_LABELS, EventQuestion
from consult.tracking import kind_details
from consult.tracking.models import EVENT_QUESTION, Submission


def question_details(submission: Submission) -> kind_details.KindDetails | None:
    question = kind_details.detail_row(
        EventQuestion, submission, joinedload(EventQuestion.event), joinedload(EventQuestion.registration)
    )
    if question is None:
        return None
    return kind_details.KindDetails("events/_staff_details.html", {
        "question": question, "status_labels": STATUS_LABELS,
        "may_manage": services.can_manage(current_user, question.event),
    })


kind_details.register(EVENT_QUESTION, question_details)
