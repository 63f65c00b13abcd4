"""A letter on the staff submission page: its mailbox, category and attachments (consult.tracking.kind_details)."""

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


kind_details.register(LETTER, letter_details)
