"""The open-day question and hearing statement kinds, as the events register them with the tracking engine: its policy and labels,
the panel of the staff submission page (the event and the registration it came from) and the event on the
asker's status page."""

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_login import current_user
from sqlalchemy.orm import joinedload

from consult.authz import manages_events_of
from consult.events.models import (
    CATEGORY_LABELS, SPEAKER_STATUS_LABELS, STATUS_LABELS, EventQuestion, HearingSpeaker,
)  # fmt: skip
from consult.tracking import kind_details, kinds
from consult.tracking.models import EVENT_QUESTION, HEARING_STATEMENT, Submission
from consult.tracking.policies import KindPolicy


def question_details(submission: Submission) -> kind_details.KindDetails | None:
    question = kind_details.detail_row(
        EventQuestion, submission, joinedload(EventQuestion.event), joinedload(EventQuestion.registration)
    )
    if question is None:
        return None
    return kind_details.KindDetails("events/_staff_details.html", {
        "question": question, "status_labels": STATUS_LABELS,
        "may_manage": manages_events_of(current_user, question.event.department_id),
    })


def question_facts(submission: Submission) -> list[kind_details.CitizenFact]:
    question = kind_details.detail_row(EventQuestion, submission, joinedload(EventQuestion.event))
    if question is None:
        return []
    event = question.event
    url = url_for("events.detail", event_id=event.id) if event.published else None
    return [kind_details.CitizenFact(_("Event"), event.title, url)]


kinds.register(kinds.Kind(
    EVENT_QUESTION,
    policy=KindPolicy(EVENT_QUESTION, "Q", 10, "keep", max_extensions=1, max_extension_workdays=10),
    label=_l("Open-day question"),
    noun=lazy_pgettext("a submission", "question"),
    details=question_details,
    citizen_facts=question_facts,
))


def statement_details(submission: Submission) -> kind_details.KindDetails | None:
    speaker = kind_details.detail_row(HearingSpeaker, submission, joinedload(HearingSpeaker.event))
    if speaker is None:
        return None
    return kind_details.KindDetails("events/_speaker_details.html", {
        "speaker": speaker, "category_labels": CATEGORY_LABELS, "status_labels": SPEAKER_STATUS_LABELS,
        "may_manage": manages_events_of(current_user, speaker.event.department_id),
    })


def statement_facts(submission: Submission) -> list[kind_details.CitizenFact]:
    speaker = kind_details.detail_row(HearingSpeaker, submission, joinedload(HearingSpeaker.event))
    if speaker is None:
        return []
    event = speaker.event
    url = url_for("events.detail", event_id=event.id) if event.published else None
    return [kind_details.CitizenFact(_("Hearing"), event.title, url),
            kind_details.CitizenFact(_("Speaking for"), str(CATEGORY_LABELS[speaker.category])),
            kind_details.CitizenFact(_("Application to speak"), str(SPEAKER_STATUS_LABELS[speaker.status]))]


kinds.register(kinds.Kind(
    HEARING_STATEMENT,
    # Due 15 working days after the hearing (the clock starts on the hearing's day, see events.hearings).
    policy=KindPolicy(HEARING_STATEMENT, "H", 15, "keep", max_extensions=1, max_extension_workdays=15),
    label=_l("Hearing statement"),
    noun=lazy_pgettext("a submission", "statement"),
    action_labels={"speaker_chosen": _l("Chosen to speak"), "speaker_not_chosen": _l("Not chosen to speak")},
    details=statement_details,
    citizen_facts=statement_facts,
))
