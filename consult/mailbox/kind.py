"""The letter kind, as the mailboxes register it with the tracking engine: its policy and labels, the
panel of the staff submission page (mailbox, category, attachments) and what the writer's status page shows
(mailbox and category)."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy.orm import joinedload, selectinload

from consult.mailbox.models import CATEGORY_LABELS, Letter
from consult.tracking import kind_details, kinds
from consult.tracking.models import LETTER, Submission
from consult.tracking.policies import KindPolicy


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


kinds.register(kinds.Kind(
    LETTER,
    policy=KindPolicy(LETTER, "L", 15, "keep", max_extensions=1, max_extension_workdays=15),
    label=_l("Letter"),
    noun=lazy_pgettext("a submission", "letter"),
    action_labels={"mailbox_moved": _l("Moved to another mailbox")},
    details=letter_details,
    citizen_facts=letter_facts,
))
