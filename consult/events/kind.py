"""A question after an open day on the staff submission page: the event and the registration it came
from (consult.tracking.kind_details)."""

from flask import url_for
from flask_babel import gettext as _
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


def question_facts(submission: Submission) -> list[kind_details.CitizenFact]:
    question = kind_details.detail_row(EventQuestion, submission, joinedload(EventQuestion.event))
    if question is None:
        return []
    event = question.event
    url = url_for("events.detail", event_id=event.id) if event.published else None
    return [kind_details.CitizenFact(_("Event"), event.title, url)]


kind_details.register(EVENT_QUESTION, question_details)
kind_details.register_citizen_facts(EVENT_QUESTION, question_facts)
