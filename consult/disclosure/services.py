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
from email_validator import EmailNotValidError, validate_email
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import FileStorage

from consult import uploads
from consult.accounts.models import Department, User
from consult.authz import require_worker, works_for
from consult.database import utcnow
from consult.disclosure import identity
from consult.disclosure.handling import close_abandoned_requests, pause_request, resume_request  # noqa: F401
from consult.disclosure.models import (
    ATTACHMENT_OWNER, CREDIT_CODE, DELIVERIES, EMAIL, FORMATS, ID_TYPES, MAX_ATTACHMENTS, POST, RESIDENT_ID,
    DisclosureRequest,
)  # fmt: skip
from consult.disclosure.outcomes import APPLICANT_TYPES, NATURAL_PERSON, outcome_for
from consult.domain import DomainError
from consult.extensions import db
from consult.mailbox.contacts import normalize_phone
from consult.tracking import services as tracking
from consult.tracking.models import ANSWERED, APPROVED, ASSIGNED, CLOSED, DISCLOSURE, PENDING_REVIEW, RECEIVED, REOPENED
from consult.tracking.notes import label_note, timeline_note
from consult.tracking.timeline import record_event

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


def _check_identity(applicant: Applicant) -> str:
    if applicant.id_type not in ID_TYPES:
        raise DomainError(_l("Please choose the kind of document."), field="id_type")
    organisation = applicant.applicant_type != NATURAL_PERSON
    if organisation != (applicant.id_type == CREDIT_CODE):
        message = (_l("An organisation identifies itself with its unified social credit code.") if organisation
                   else _l("A natural person identifies themselves with an identity document."))
        raise DomainError(message, field="id_type")
    number = identity.normalize(applicant.id_number)
    if not number:
        raise DomainError(_l("Please enter the document number."), field="id_number")
    if applicant.id_type == RESIDENT_ID and not identity.valid_resident_id(number):
        raise DomainError(_l("This is not a valid resident identity card number."), field="id_number")
    if applicant.id_type == CREDIT_CODE and not identity.valid_credit_code(number):
        raise DomainError(_l("This is not a valid unified social credit code."), field="id_number")
    if not 5 <= len(number) <= 40:
        raise DomainError(_l("Please enter the document number."), field="id_number")
    return number


def _check_applicant(applicant: Applicant, delivery: str) -> Applicant:
    """Validate who asks and how to reach them; return the cleaned-up values."""
    if applicant.applicant_type not in APPLICANT_TYPES:
        raise DomainError(_l("Please choose who is asking."), field="applicant_type")
    name = _text(applicant.name, "name", NAME_MAX, _l("Please enter the name."))
    number = _check_identity(applicant)
    contact_person = _text(applicant.contact_person, "contact_person", 80, None)
    if applicant.applicant_type != NATURAL_PERSON and not contact_person:
        raise DomainError(_l("Please name the organisation's contact person."), field="contact_person")
    phone = normalize_phone(applicant.phone)
    if phone is None:
        raise DomainError(_l("Please enter a mainland China mobile or landline number, e.g. 13800138000."),
                          field="phone")
    email = (applicant.email or "").strip().lower()
    if email:
        try:
            email = validate_email(email, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            raise DomainError(_l("Please enter a valid e-mail address."), field="email") from None
    if not (phone or email):
        raise DomainError(_l("Please give a phone number or an e-mail address so we can reach you."), field="phone")
    if delivery == EMAIL and not email:
        raise DomainError(_l("Please give the e-mail address the information should be sent to."), field="email")
    address = _text(applicant.postal_address, "postal_address", ADDRESS_MAX, None)
    postcode = (applicant.postcode or "").strip()
    if postcode and not (len(postcode) == 6 and postcode.isdigit()):
        raise DomainError(_l("A postcode has six digits."), field="postcode")
    if delivery == POST and not address:
        raise DomainError(_l("Please give the postal address the information should be sent to."),
                          field="postal_address")
    return Applicant(applicant.applicant_type, name, applicant.id_type, number, contact_person, phone, email,
                     address, postcode)


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
) -> RequestReceipt:
    """Receive an information request: a tracked ``disclosure`` submission due in 20 working days (receipt
    mail queued), plus its detail row. The same ``form_token`` never creates a second request."""
    form_token = (form_token or "").strip()
    if not 16 <= len(form_token) <= 64:
        raise DomainError(_l("The form has expired. Please send it again."), status=400)
    existing = _request_with_token(form_token)
    if existing is not None:
        return RequestReceipt(existing, None)
    if department is None:
        raise DomainError(_l("Please choose the body you ask."), field="department_id")
    if preferred_format not in FORMATS:
        raise DomainError(_l("Please choose a format."), field="preferred_format")
    if delivery not in DELIVERIES:
        raise DomainError(_l("Please choose how you want to receive the information."), field="delivery")
    applicant = _check_applicant(applicant, delivery)
    subject = _text(subject, "subject", SUBJECT_MAX, _l("Please name the information you ask for."))
    description = _text(description, "description", DESCRIPTION_MAX,
                        _l("Please describe the information you ask for."))
    if user is not None and not user.is_authenticated:
        user = None
    try:
        with db.session.begin_nested():
            new = tracking.create_submission(
                kind=DISCLOSURE, department=department, body=description, subject=subject, user=user,
                name=applicant.name, email=applicant.email, phone=applicant.phone, locale=locale,
                received_at=received_at,
            )
            request = DisclosureRequest(
                submission=new.submission, applicant_type=applicant.applicant_type, applicant_name=applicant.name,
                contact_person=applicant.contact_person, id_type=applicant.id_type, id_number=applicant.id_number,
                id_number_masked=identity.mask(applicant.id_number), postal_address=applicant.postal_address,
                postcode=applicant.postcode, preferred_format=preferred_format, delivery=delivery,
                form_token=form_token,
            )
            db.session.add(request)
            db.session.flush()
    except IntegrityError:  # the same form sent twice at the same moment
        existing = _request_with_token(form_token)
        if existing is None:
            raise
        return RequestReceipt(existing, None)
    return RequestReceipt(request, new.query_code)


def _request_with_token(form_token: str) -> DisclosureRequest | None:
    return db.session.scalar(sa.select(DisclosureRequest).where(DisclosureRequest.form_token == form_token))


def request_of(submission_id: int) -> DisclosureRequest | None:
    return db.session.get(DisclosureRequest, submission_id)


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
    record_event(submission, "disclosure_outcome", actor=actor,
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
