"""A letter on the staff submission page (its mailbox, category and attachments) and on the writer's status
page (mailbox and category) — consult.tracking.kind_details."""

from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from consult.mailbox.models import CATEGORY_LABELS, Letter
from consult.tracking import kind_details
from consult.tracking.models import LETTER, Submission


def letter_details(submission: Submission) -> kind_details.KindDetails | None:
    letter = kind_details.detail_row(Letter, submission, joinedload(Letter.mailbox), selectinload(Letter.attachments))
    if letter is None:
        return None
    return kind_details.KindDetails(
        "mailbox/_staff_details.html", {"letter": letter, "category_labels": CATEGORY_LABELS}
    )


def letter_facts(submission: Submission) -> list[kind_details.CitizenFact]:
    letter = kind_details.detail_row(Letter, submission, joinedload(Letter.mailbox))
    if letter is None:
        return []
    return [kind_details.CitizenFact(_("Mailbox"), letter.mailbox.name),
            kind_details.CitizenFact(_("Category"), str(CATEGORY_LABELS.get(letter.category, letter.category)))]


kind_details.register(LETTER, letter_details)
kind_details.register_citizen_facts(LETTER, letter_facts)
