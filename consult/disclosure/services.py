"""Information requests: receiving them (web form), and recording the outcome with the written answer.

The answer goes out through the tracking engine's reply flow: :func:`record_outcome` stores the outcome
category on the request and drafts a reply (submitted for review at once); a reviewer approves it in the
ordinary review queue, which answers the submission and mails the applicant. The request counts in the
annual report as finished from that moment (``Submission.answered_at``). Pauses for third-party opinions
and closing abandoned requests live in :mod:`consult.disclosure.handling`.

Services add and flush, never commit; they raise :class:`consult.domain.DomainError`.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.datastructures import FileStorage

from consult import uploads
from consult.accounts.models import Department, User
from consult.authz import require_worker, works_for
from consult.contacts import mask_id_number, normalize_email, normalize_id_number, normalize_phone
from consult.database import utcnow
from consult.disclosure import identity
from consult.disclosure.handling import close_abandoned_requests, pause_request, resume_request  # noqa: F401
from consult.disclosure.models import (
    ATTACHMENT_OWNER, CREDIT_CODE, DELIVERIES, EMAIL, FORMATS, ID_TYPES, MAX_ATTACHMENTS, POST, RESIDENT_ID,
    DisclosureRequest,
)  # fmt: skip
from consult.disclosure.outcomes import APPLICANT_TYPES, NATURAL_PERSON, outcome_for
from consult.domain import DomainError, FieldErrors
from consult.extensions import db
from consult.tracking import services as tracking
from consult.tracking.models import ANSWERED, APPROVED, ASSIGNED, CLOSED, DISCLOSURE, PENDING_REVIEW, RECEIVED, REOPENED
from consult.tracking.notes import label_note, timeline_note

NAME_MAX, SUBJECT_MAX, DESCRIPTION_MAX, ADDRESS_MAX, ANSWER_MAX = 120, 100, 5000, 300, 20000


@dataclass(frozen=True)
class RequestReceipt:
    """What the confirmation shows. ``query_code`` is None when this form had already been sent."""

    request: DisclosureRequest
    query_code: str | None

    @property
    def duplicate(self) -> bool:
        return self.query_code is None


@dataclass(frozen=True)
class Applicant:
    """Who asks, as typed on the form."""

    applicant_type: str
    name: str
    id_type: str
    id_number: str
    contact_person: str = ""
    phone: str = ""
    email: str = ""
    postal_address: str = ""
    postcode: str = ""


def _text(value: str | None, field: str, maximum: int, missing) -> str:
    value = (value or "").strip()
    if not value and missing is not None:
        raise DomainError(missing, field=field)
    if len(value) > maximum:
        raise DomainError(_l("At most %(n)s characters.", n=maximum), field=field)
    return value


def _collect_text(problems: FieldErrors, value: str | None, field: str, maximum: int, missing) -> str:
    """:func:`_text`, its problem collected instead of raised."""
    try:
        return _text(value, field, maximum, missing)
    except DomainError as error:
        problems.add(field, error.message)
        return (value or "").strip()


def _check_identity(applicant: Applicant, problems: FieldErrors) -> str:
    if applicant.id_type not in ID_TYPES:
        problems.add("id_type", _l("Please choose the kind of document."))
    elif applicant.applicant_type in APPLICANT_TYPES:
        organisation = applicant.applicant_type != NATURAL_PERSON
        if organisation != (applicant.id_type == CREDIT_CODE):
            problems.add("id_type", _l("An organisation identifies itself with its unified social credit code.")
                         if organisation else _l("A natural person identifies themselves with an identity document."))
    number = normalize_id_number(applicant.id_number)
    if not number:
        problems.add("id_number", _l("Please enter the document number."))
    elif applicant.id_type == RESIDENT_ID and not identity.valid_resident_id(number):
        problems.add("id_number", _l("This is not a valid resident identity card number."))
    elif applicant.id_type == CREDIT_CODE and not identity.valid_credit_code(number):
        problems.add("id_number", _l("This is not a valid unified social credit code."))
    elif not 5 <= len(number) <= 40:
        problems.add("id_number", _l("Please enter the document number."))
    return number


def _check_applicant(applicant: Applicant, delivery: str, problems: FieldErrors) -> Applicant:
    """Check who asks and how to reach them, collecting the problems; return the cleaned-up values."""
    if applicant.applicant_type not in APPLICANT_TYPES:
        problems.add("applicant_type", _l("Please choose who is asking."))
    name = _collect_text(problems, applicant.name, "name", NAME_MAX, _l("Please enter the name."))
    number = _check_identity(applicant, problems)
    contact_person = _collect_text(problems, applicant.contact_person, "contact_person", 80, None)
    if applicant.applicant_type in APPLICANT_TYPES and applicant.applicant_type != NATURAL_PERSON \
            and not contact_person and "contact_person" not in problems:
        problems.add("contact_person", _l("Please name the organisation's contact person."))
    phone = normalize_phone(applicant.phone)
    if phone is None:
        problems.add("phone", _l("Please enter a mainland China mobile or landline number, e.g. 13800138000."))
    email = normalize_email(applicant.email)
    if email is None:
        problems.add("email", _l("Please enter a valid e-mail address."))
    if phone == "" and not email and "email" not in problems:
        problems.add("phone", _l("Please give a phone number or an e-mail address so we can reach you."))
    if delivery == EMAIL and not email and "email" not in problems:
        problems.add("email", _l("Please give the e-mail address the information should be sent to."))
    address = _collect_text(problems, applicant.postal_address, "postal_address", ADDRESS_MAX, None)
    postcode = (applicant.postcode or "").strip()
    if postcode and not (len(postcode) == 6 and postcode.isdigit()):
        problems.add("postcode", _l("A postcode has six digits."))
    if delivery == POST and not address and "postal_address" not in problems:
        problems.add("postal_address", _l("Please give the postal address the information should be sent to."))
    return Applicant(applicant.applicant_type, name, applicant.id_type, number, contact_person, phone or "", email or "",
                     address, postcode)


@dataclass(frozen=True)
class CheckedRequest:
    """An information request's fields cleaned up."""

    applicant: Applicant
    subject: str
    description: str


def check_request(department: Department | None, applicant: Applicant, *, subject: str, description: str,
                  preferred_format: str, delivery: str) -> CheckedRequest:
    """Every problem of an information request at once (one DomainError naming each field); writes nothing."""
    problems = FieldErrors()
    if department is None:
        problems.add("department_id", _l("Please choose the body you ask."))
    if preferred_format not in FORMATS:
        problems.add("preferred_format", _l("Please choose a format."))
    if delivery not in DELIVERIES:
        problems.add("delivery", _l("Please choose how you want to receive the information."))
    applicant = _check_applicant(applicant, delivery, problems)
    subject = _collect_text(problems, subject, "subject", SUBJECT_MAX, _l("Please name the information you ask for."))
    description = _collect_text(problems, description, "description", DESCRIPTION_MAX,
                                _l("Please describe the information you ask for."))
    problems.raise_if_any()
    return CheckedRequest(applicant, subject, description)


def submit_request(
    department: Department | None,
    applicant: Applicant,
    *,
    subject: str,
    description: str,
    preferred_format: str,
    delivery: str,
    form_token: str,
    user: User | None = None,
    locale: str | None = None,
    received_at: datetime | None = None,
    recognise_resend: bool = False,
    notify_by: str | None = None,
) -> RequestReceipt:
    """Receive an information request: a tracked ``disclosure`` submission due in 20 working days (receipt
    mail queued), plus its detail row. The same ``form_token`` never creates a second request; with
    ``recognise_resend`` (the request form) neither does the same request from the same person within
    ``DUPLICATE_WINDOW``: the first one is returned."""
    if user is not None and not user.is_authenticated:
        user = None
    target = f"department:{department.id}" if department is not None else ""

    def check() -> RequestReceipt | None:
        nonlocal applicant, subject, description
        checked = check_request(department, applicant, subject=subject, description=description,
                                preferred_format=preferred_format, delivery=delivery)
        applicant, subject, description = checked.applicant, checked.subject, checked.description
        duplicate = recognise_resend and tracking.find_duplicate(
            kind=DISCLOSURE, target=target, subject=subject, body=description, user=user, email=applicant.email,
            phone=applicant.phone, received_at=received_at)
        return _receipt_of(duplicate) if duplicate else None

    def create(token: str) -> RequestReceipt:
        new = tracking.create_submission(
            kind=DISCLOSURE, target=target, department=department, body=description, subject=subject, user=user,
            name=applicant.name, email=applicant.email, phone=applicant.phone, locale=locale, notify_by=notify_by,
            received_at=received_at, form_token=token,
        )
        request = DisclosureRequest(
            submission=new.submission, applicant_type=applicant.applicant_type, applicant_name=applicant.name,
            contact_person=applicant.contact_person, id_type=applicant.id_type, id_number=applicant.id_number,
            id_number_masked=mask_id_number(applicant.id_number), postal_address=applicant.postal_address,
            postcode=applicant.postcode, preferred_format=preferred_format, delivery=delivery,
        )
        db.session.add(request)
        db.session.flush()
        return RequestReceipt(request, new.query_code)

    return tracking.receive_once(form_token, check=check, create=create, receipt_of=_receipt_of)


def _receipt_of(submission) -> RequestReceipt:
    """The receipt of a request already received (its query code was shown the first time)."""
    return RequestReceipt(db.session.get(DisclosureRequest, submission.id), None)


# --- the outcome and the written answer ---------------------------------------------------------------

def record_outcome(
    request: DisclosureRequest,
    *,
    actor: User,
    category: str,
    reason: str | None,
    answer: str,
    files: Sequence[FileStorage] = (),
):
    """Record the outcome and its written answer; the answer goes to the department's reviewers.

    Creates the reply (or, if a previous one was returned or is still a draft, rewrites it) and submits
    it for review. Refused while the request waits for a third party or for the applicant, while a
    reply is already waiting for review, and once the request has been answered.
    """
    submission = request.submission
    require_worker(actor, submission.department_id)
    outcome = outcome_for(category, reason)
    if outcome is None:
        raise DomainError(_l("Please choose the outcome (and its reason)."), field="outcome")
    answer = _text(answer, "answer", ANSWER_MAX, _l("Please write the answer to the applicant."))
    if request.is_paused:
        raise DomainError(_l("The request is paused for a third party's opinion; resume it first."), status=409)
    if submission.status not in (RECEIVED, ASSIGNED, REOPENED):
        raise DomainError(_l("This request cannot be answered in its current state."), status=409)
    reply = request.outcome_reply
    if reply is not None and reply.status == PENDING_REVIEW:
        raise DomainError(_l("The answer is waiting for a reviewer."), status=409)
    if reply is not None and reply.status == APPROVED:
        reply = None  # answered before and reopened: a new answer
    files = [f for f in files if f is not None and f.filename]
    if len(request.attachments) + len(files) > MAX_ATTACHMENTS:
        raise DomainError(_l("At most %(n)s files.", n=MAX_ATTACHMENTS), field="attachments")
    for file in files:
        try:
            request.attachments.append(uploads.save_upload(file, owner=ATTACHMENT_OWNER, uploaded_by=actor))
        except DomainError as error:
            raise DomainError(_l("%(file)s: %(problem)s", file=file.filename, problem=error.message),
                              field="attachments") from error
    body = _answer_with_files(request, answer)
    if reply is None:
        reply = tracking.create_reply(actor, [submission], body)
    elif reply.author_id != actor.id:
        raise DomainError(_l("Only the author of the returned answer can change it."), status=409)
    else:
        tracking.update_reply(reply, editor=actor, body=body)
    tracking.submit_reply(reply, actor=actor)
    request.outcome_category, request.outcome_reason = outcome.category, outcome.reason or None
    request.outcome_reply, request.outcome_recorded_at = reply, utcnow()
    tracking.record_kind_event(submission, "disclosure_outcome", actor=actor,
                               internal_note=timeline_note("Outcome proposed for review: %(outcome)s",
                                                           outcome=label_note(outcome.label)))
    db.session.flush()
    return reply


def _answer_with_files(request: DisclosureRequest, answer: str) -> str:
    """The answer, followed by download links for its files (they work once the answer is approved)."""
    if not request.attachments:
        return answer
    token = attachment_token(request)
    links = [
        f"- [{a.original_filename}]({url_for('uploads.download', attachment_id=a.id, filename=a.original_filename, key=token, _external=True)})"  # noqa: E501
        for a in request.attachments
    ]
    return "\n\n".join([answer, str(_l("Files:")), "\n".join(links)])


# --- answer files: the handling department, and the applicant once the answer is out ------------------

def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="disclosure-answer-files")


def attachment_token(request: DisclosureRequest) -> str:
    return _serializer().dumps(request.submission_id)


def _token_allows(request: DisclosureRequest, token: str | None) -> bool:
    try:
        return token is not None and _serializer().loads(token) == request.submission_id
    except BadSignature:
        return False


def may_download_answer_file(attachment: uploads.Attachment) -> bool:
    """Staff of the handling department always; the applicant (link in the answer) once it is approved."""
    from flask import request as http_request

    found = db.session.scalar(
        sa.select(DisclosureRequest).join(DisclosureRequest.attachments).where(uploads.Attachment.id == attachment.id)
    )
    if found is None:
        return False
    if current_user.is_authenticated and works_for(current_user, found.submission.department_id):
        return True
    reply = found.outcome_reply
    answered = found.submission.status in (ANSWERED, CLOSED) and reply is not None and reply.status == APPROVED
    return answered and _token_allows(found, http_request.args.get("key"))


uploads.register_access_check(ATTACHMENT_OWNER, may_download_answer_file)
