"""Mailbox rules: configuring boxes, receiving letters (web form and API alike), moving letters between boxes.

Services add and flush, never commit; they raise :class:`consult.domain.DomainError` with a user-facing
message naming the field at fault.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import FileStorage

from consult import uploads
from consult.accounts.models import Department, User
from consult.authz import require_worker, works_for
from consult.contacts import mask_name, mask_phone, normalize_email, normalize_phone
from consult.domain import DomainError, FieldErrors
from consult.extensions import db
from consult.kept_rows import KeptRows, Related
from consult.mailbox import counters
from consult.mailbox.models import (
    ATTACHMENT_OWNER, CATEGORIES, CATEGORY_LABELS, MAX_ATTACHMENTS, PRIVATE_CATEGORIES, Letter, Mailbox,
)  # fmt: skip
from consult.tracking import services as tracking
from consult.tracking.models import LETTER
from consult.tracking.notes import timeline_note

SUBJECT_MAX, BODY_MAX, NAME_MAX, NOTE_MAX = 100, 5000, 40, 1000


@dataclass(frozen=True)
class LetterReceipt:
    """What the confirmation shows. ``query_code`` is None when this form had already been sent."""

    letter: Letter
    query_code: str | None

    @property
    def duplicate(self) -> bool:
        return self.query_code is None


# --- configuration ------------------------------------------------------------------------------------

def save_mailbox(
    mailbox: Mailbox | None, *, name: str, department: Department | None, description: str = "",
    categories: Sequence[str], window_workdays: int, allow_publication: bool, allow_attachments: bool,
    active: bool, require_verified_phone: bool = False,
) -> Mailbox:
    """Create (``mailbox`` None) or update a mailbox after checking its settings."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_l("Please enter a name."), field="name")
    clash = db.session.scalar(
        sa.select(Mailbox.id).where(Mailbox.name == name, Mailbox.id != (mailbox.id if mailbox else 0))
    )
    if clash is not None:
        raise DomainError(_l("Another mailbox already has this name."), field="name")
    if department is None:
        raise DomainError(_l("Please choose the department that answers the letters."), field="department_id")
    chosen = [c for c in CATEGORIES if c in set(categories or ())]
    if not chosen:
        raise DomainError(_l("Choose at least one category."), field="categories")
    if not 1 <= int(window_workdays) <= 120:
        raise DomainError(_l("Between 1 and 120 working days."), field="window_workdays")
    mailbox = mailbox or Mailbox()
    mailbox.name, mailbox.department, mailbox.description = name, department, (description or "").strip()
    mailbox.categories, mailbox.window_workdays = chosen, int(window_workdays)
    mailbox.allow_publication, mailbox.allow_attachments, mailbox.active = (
        bool(allow_publication), bool(allow_attachments), bool(active),
    )
    mailbox.require_verified_phone = bool(require_verified_phone)
    db.session.add(mailbox)
    db.session.flush()
    return mailbox


# --- writing a letter ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class CheckedLetter:
    """A letter's fields cleaned up: the phone number normalised, the e-mail address lower-case."""

    subject: str
    body: str
    name: str
    phone: str
    email: str


def check_letter(mailbox: Mailbox | None, *, category: str, subject: str, body: str, name: str, phone: str = "",
                 email: str = "", public: bool = False, files: Sequence[FileStorage] = (),
                 verified_phone: str | None = None) -> CheckedLetter:
    """Every problem of a letter at once (one DomainError naming each field); writes nothing.

    A mailbox that no longer accepts letters is refused on its own (409). A mailbox that requires a verified
    phone takes letters only from a citizen signed in with one (``verified_phone``), and with that number.
    """
    if mailbox is not None and not mailbox.active:
        raise DomainError(_l("This mailbox no longer accepts letters."), field="mailbox_id", status=409)
    problems = FieldErrors()
    if mailbox is None:
        problems.add("mailbox_id", _l("Please choose a mailbox."))
    if not category:
        problems.add("category", _l("Please choose a category."))
    elif mailbox is not None and category not in (mailbox.categories or ()):
        problems.add("category", _l("This mailbox does not take letters of this category."))
    subject, body, name = (subject or "").strip(), (body or "").strip(), (name or "").strip()
    _required_text(problems, "subject", subject, SUBJECT_MAX, _l("Please enter a subject."))
    _required_text(problems, "body", body, BODY_MAX, _l("Please write your letter."))
    _required_text(problems, "name", name, NAME_MAX, _l("Please enter your name."))
    if mailbox is not None and mailbox.require_verified_phone and verified_phone and not (phone or "").strip():
        phone = verified_phone  # the number the writer proved is the letter's
    normalized = normalize_phone(phone)
    if normalized is None:
        problems.add("phone", _l("Please enter a mainland China mobile or landline number, e.g. 13800138000."))
    elif mailbox is not None and mailbox.require_verified_phone:
        if not verified_phone:
            problems.add("phone", _l("This mailbox takes letters from verified mobile numbers only. Please log in "
                                     "with your mobile number first."))
        elif normalized != verified_phone:
            problems.add("phone", _l("Please give the mobile number you verified, %(phone)s.",
                                     phone=mask_phone(verified_phone)))
    email = normalize_email(email)
    if email is None:
        problems.add("email", _l("Please enter a valid e-mail address."))
    if not (phone or "").strip() and not email and "email" not in problems:
        problems.add("phone", _l("Please give a phone number or an e-mail address so we can reach you."))
    if public and category in PRIVATE_CATEGORIES:
        problems.add("public", _l("Reports (举报) are never published. Please untick “may be published”."))
    files = [f for f in files if f is not None and f.filename]
    if files and mailbox is not None and not mailbox.allow_attachments:
        problems.add("attachments", _l("This mailbox does not accept attachments."))
    elif len(files) > MAX_ATTACHMENTS:
        problems.add("attachments", _l("At most %(n)s files.", n=MAX_ATTACHMENTS))
    problems.raise_if_any()
    return CheckedLetter(subject, body, name, normalized or "", email or "")


def _required_text(problems: FieldErrors, field: str, value: str, maximum: int, missing) -> None:
    if not value:
        problems.add(field, missing)
    elif len(value) > maximum:
        problems.add(field, _l("At most %(n)s characters.", n=maximum))


def mailbox_to_write_to(mailbox_id: int) -> Mailbox | None:
    """The mailbox ``mailbox_id`` with only the columns receiving a letter reads (whether it is active, its
    categories, answer window and rules; its department's id and name); any other attribute loads when read.
    None: no such mailbox. Each worker keeps them while the mailbox is active (``consult.kept_rows``): a
    letter's write goes only while the mailbox's row still holds them, else the mailbox is read again and the
    letter checked again; a letter with files is checked against the mailbox read now (:func:`submit_letter`)."""
    return _KEPT_MAILBOXES.get(mailbox_id)


_KEPT_MAILBOXES = KeptRows(
    Mailbox, ("id", "active", "categories", "window_workdays", "allow_publication", "allow_attachments",
              "require_verified_phone", "department_id"),
    Related("department", Department, ("id", "name")), keep_if=lambda mailbox: mailbox.active)


def submit_letter(
    mailbox: Mailbox,
    *,
    category: str,
    subject: str,
    body: str,
    form_token: str,
    name: str,
    phone: str = "",
    email: str = "",
    public: bool = False,
    user: User | None = None,
    files: Sequence[FileStorage] = (),
    locale: str | None = None,
    received_at: datetime | None = None,
    recognise_resend: bool = False,
    notify_by: str | None = None,
) -> LetterReceipt:
    """Receive a letter: a tracked submission for the mailbox's department, due ``mailbox.window_workdays``
    working days later, with the receipt mail queued; plus its detail row and attachments.

    The same ``form_token`` never creates a second letter: the first one is returned (without its code). With
    ``recognise_resend`` (the letter form: going back and sending again makes a new token) neither does the
    same letter from the same person within ``DUPLICATE_WINDOW``.
    Reports (举报) are never public — asking for it is refused; a box that does not publish ignores it.
    """
    files = [f for f in files if f is not None and f.filename]
    if files:  # saved before the write, which then cannot go again: checked against the mailbox as it is now
        _KEPT_MAILBOXES.read_if_kept(mailbox)
    if user is not None and not user.is_authenticated:
        user = None

    prepared: list[tracking.PreparedSubmission] = []  # what each check() works out, for create()

    def check() -> LetterReceipt | None:
        letter = check_letter(mailbox, category=category, subject=subject, body=body, name=name, phone=phone,
                              email=email, public=public, files=files, verified_phone=getattr(user, "phone", None))
        duplicate = recognise_resend and tracking.find_duplicate(
            kind=LETTER, target=f"mailbox:{mailbox.id}", subject=letter.subject, body=letter.body, user=user,
            email=letter.email, phone=letter.phone, received_at=received_at)
        if duplicate:
            return _receipt_of(duplicate)
        prepared.append(_prepare(mailbox, category, letter, public and mailbox.allow_publication, user, locale,
                                 received_at, notify_by))
        return None

    def write(token: str, condition) -> LetterReceipt:  # what the last check() worked out
        # A letter with files, saved before the write, is written as checked against the mailbox read.
        receipt = _write(prepared[-1], token, files, user, condition=None if files else condition)
        counters.forget(db.session, mailbox.id)
        return receipt

    def create(token: str) -> LetterReceipt:
        return _KEPT_MAILBOXES.written(mailbox, partial(write, token), check_again=check)

    # A letter's files are saved before its submission: only then does a twin's token need the savepoint.
    return tracking.receive_once(form_token, check=lambda: _KEPT_MAILBOXES.checked(mailbox, check), create=create,
                                 receipt_of=_receipt_of, savepoint=bool(files))


def _receipt_of(submission) -> LetterReceipt:
    """The receipt of a letter already received (its query code was shown the first time)."""
    return LetterReceipt(db.session.scalar(sa.select(Letter).where(Letter.submission_id == submission.id)), None)


def _prepare(mailbox, category, checked, public, user, locale, received_at,
             notify_by) -> "tracking.PreparedSubmission":
    return tracking.prepare_submission(
        kind=LETTER, target=f"mailbox:{mailbox.id}", department=mailbox.department, body=checked.body,
        subject=checked.subject, user=user, name=checked.name, email=checked.email, phone=checked.phone,
        is_public=public and category not in PRIVATE_CATEGORIES, locale=locale, received_at=received_at,
        window_workdays=mailbox.window_workdays, notify_by=notify_by,
        detail=Letter(mailbox_id=mailbox.id, category=category, public_name=mask_name(checked.name)),
    )


def _write(prepared: "tracking.PreparedSubmission", form_token, files, user, condition) -> LetterReceipt:
    attachments = []
    for file in files:
        try:
            attachments.append(uploads.save_upload(file, owner=ATTACHMENT_OWNER, uploaded_by=user))
        except DomainError as error:
            raise DomainError(
                _l("%(file)s: %(problem)s", file=file.filename, problem=error.message), field="attachments"
            ) from error
    letter = prepared.detail
    new = tracking.write_submission(prepared, form_token,
                                    changes=[counters.bump_change(letter.mailbox_id, letters=1)], last=not files,
                                    condition=condition)
    if attachments:
        letter.attachments = attachments
        db.session.flush()
    return LetterReceipt(letter, new.query_code)


# --- officers: moving a letter to another mailbox -----------------------------------------------------

def move_letter(letter: Letter, target: Mailbox, *, actor: User, note: str, category: str | None = None) -> None:
    """Move a letter filed in the wrong box to ``target`` (with a note on its timeline).

    Only staff of the letter's current department may do it, and only while the letter is open. If
    ``target`` belongs to another department, the submission is transferred to it (due date unchanged).
    A letter moved into the 举报 category becomes private.
    """
    submission = letter.submission
    require_worker(actor, submission.department_id)
    note = (note or "").strip()
    if not note:
        raise DomainError(_l("Please say why the letter is moved."), field="note")
    if len(note) > NOTE_MAX:
        raise DomainError(_l("At most %(n)s characters.", n=NOTE_MAX), field="note")
    if target.id == letter.mailbox_id:
        raise DomainError(_l("The letter is already in this mailbox."), field="mailbox_id")
    if not target.active:
        raise DomainError(_l("This mailbox no longer accepts letters."), field="mailbox_id")
    if not submission.is_open:
        raise DomainError(_l("Only letters still waiting for an answer can be moved."), status=409)
    category = category or letter.category
    if category not in (target.categories or ()):
        raise DomainError(
            _l("“%(mailbox)s” does not take letters of the category “%(category)s”; choose another category.",
               mailbox=target.name, category=CATEGORY_LABELS.get(category, category)),
            field="category",
        )
    source = letter.mailbox
    if target.department_id != submission.department_id:
        tracking.transfer_submission(submission, target.department, actor=actor, reason=note)
    tracking.record_kind_event(
        submission, "mailbox_moved", actor=actor, internal_note=note,
        public_note=timeline_note("Moved from the mailbox “%(source)s” to “%(target)s”.",
                                  source=source.name, target=target.name),
    )
    letter.mailbox, letter.category = target, category
    if category in PRIVATE_CATEGORIES:
        submission.is_public = False
    counters.bump(db.session, source.id, letters=-1)
    counters.bump(db.session, target.id, letters=1)
    db.session.flush()


# --- attachments: only the handling department's staff ------------------------------------------------

def letter_of_attachment(attachment: uploads.Attachment) -> Letter | None:
    return db.session.scalar(
        sa.select(Letter).join(Letter.attachments).where(uploads.Attachment.id == attachment.id)
    )


def may_download_letter_attachment(attachment: uploads.Attachment) -> bool:
    """A letter's files are never public: only staff of the department now handling it (and admins)."""
    if not current_user.is_authenticated:
        return False
    letter = letter_of_attachment(attachment)
    return letter is not None and works_for(current_user, letter.submission.department_id)


uploads.register_access_check(ATTACHMENT_OWNER, may_download_letter_attachment)
