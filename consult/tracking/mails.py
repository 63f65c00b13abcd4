"""The mails the tracking engine queues, with links that work before and after the views exist.

Endpoints the views provide (links fall back to these paths until they are registered):
``tracking.lookup`` at ``/track`` (``?tracking_no=``), ``tracking.rate`` at ``/track/rate/<token>``, and
``tracking.submission_detail`` at ``/office/submissions/<submission_id>`` for staff.
"""

from dataclasses import dataclass
from types import SimpleNamespace
from urllib.parse import urlencode

from flask import current_app, url_for
from werkzeug.routing import BuildError

from consult.accounts.models import User
from consult.database import execute_built
from consult.notify import sms
from consult.notify.models import SMS, OutboxMessage
from consult.extensions import db
from consult.notify.services import merge_mark, merged, queue_mail, render_merged
from consult.tracking.models import Submission


def _url(endpoint: str, fallback_path: str, query: dict | None = None, **values) -> str:
    """``url_for(endpoint)`` as an absolute URL, or the site root + ``fallback_path`` if it is not built."""
    try:
        return url_for(endpoint, _external=True, **values, **(query or {}))
    except (BuildError, RuntimeError):
        pass
    try:
        root = url_for("main.index", _external=True).rstrip("/")
    except (BuildError, RuntimeError):  # no request and no SERVER_NAME: a relative link is all we have
        root = ""
    return root + fallback_path + (f"?{urlencode(query)}" if query else "")


def absolute_url(endpoint: str, fallback_path: str, **values) -> str:
    """``url_for(endpoint, **values)`` as an absolute URL for a mail, also outside a request (a command)."""
    return _url(endpoint, fallback_path, **values)


def lookup_url(tracking_no: str) -> str:
    """The public status page of a submission (the citizen types the query code there)."""
    return _url("tracking.lookup", "/track", {"tracking_no": tracking_no})


def rate_url(token: str) -> str:
    """The satisfaction questionnaire for one answer (signed token, see ``citizen.rating_token``)."""
    return _url("tracking.rate", f"/track/rate/{token}", token=token)


def short_url(tracking_no: str) -> str:
    """A short link to a submission's status, for text messages (``/t/<tracking_no>``)."""
    return _url("tracking.short_link", f"/t/{tracking_no}", tracking_no=tracking_no)


def sms_number(submission: Submission) -> str | None:
    """The mobile number to text about ``submission``: the citizen chose SMS, or left a mobile number and
    no e-mail address. None otherwise (and for numbers that cannot receive SMS)."""
    phone = sms.mobile_number(submission.contact_phone)
    if phone is None:
        return None
    if submission.notify_by == SMS or (submission.notify_by is None and not submission.contact_email):
        return phone
    return None


def text_citizen(submission: Submission, template: str, *, dedup_key: str | None = None,
                 **params) -> OutboxMessage | None:
    """Queue the SMS ``template`` about ``submission`` (number, due date and short link filled in), if the
    citizen is to be told by SMS."""
    phone = sms_number(submission)
    if phone is None:
        return None
    values = {"no": submission.tracking_no, "due": submission.due_on, "url": short_url(submission.tracking_no)}
    values |= params
    return sms.queue_sms(phone, template, dedup_key=dedup_key, **values)


def staff_url(submission: Submission) -> str:
    """The submission's page in the officers' workspace."""
    return _url(
        "tracking.submission_detail", f"/office/submissions/{submission.id}", submission_id=submission.id
    )


def notify_citizen(
    submission: Submission, template: str, *, essential: bool = True, dedup_key: str | None = None, **context
) -> OutboxMessage | None:
    """Queue ``template`` to the submitter in their language, if there is an address.

    Mail about the citizen's own case (receipt, request for information, extension, answer, dismissal) is
    essential; pass ``essential=False`` for anything they may turn off (e.g. a reminder to rate).

    A citizen who is told by SMS (:func:`sms_number`) gets the matching text message instead, where there
    is one (``consult.notify.sms.FOR_MAIL``); the query code is never in it.
    """
    if template in sms.FOR_MAIL and sms_number(submission) is not None:
        return text_citizen(submission, sms.FOR_MAIL[template],
                            dedup_key=f"sms:{dedup_key}" if dedup_key else None)
    recipient = submission.contact_email
    if not recipient:
        return None
    locale = submission.locale or (submission.user.locale if submission.user is not None else None)
    return queue_mail(
        recipient,
        template,
        locale=locale,
        essential=essential,
        dedup_key=dedup_key,
        submission=submission,
        lookup_url=lookup_url(submission.tracking_no),
        **context,
    )


RECEIPT = "submission_receipt"


def queue_receipt(submission: Submission, query_code: str, *, connection=None) -> OutboxMessage | None:
    """The receipt of a new submission with its query code: ``notify_citizen(submission, "submission_receipt",
    query_code=...)``, the same mail to the letter, made as a mail merge (see :func:`merged_receipt`).

    With ``connection``, the mail is written there with one Core ``INSERT`` (the same row; nothing is
    returned), for a submission written so.
    """
    if sms_number(submission) is not None:  # the receipt goes by SMS (without the query code)
        return notify_citizen(submission, RECEIPT, query_code=query_code)
    receipt = merged_receipt(submission, query_code)
    if receipt is None:
        return None
    if connection is not None:
        receipt.write(connection, submission.tracking_no)
        return None
    message = OutboxMessage(**receipt.values(submission.tracking_no))
    db.session.add(message)  # no dedup key: written with the submission's own flush, in its transaction
    return message


# Stands for the tracking number in a status link made before the number is known (letters, digits and
# hyphens, like the numbers themselves: a URL carries it unchanged).
NUMBER_MARK = "TRACKING-NUMBER"


@dataclass(frozen=True)
class MergedReceipt:
    """A receipt mail ready but for the submission's tracking number: its rows differ from one submission to
    the next only by the values filled in, so it can be made before the number is taken."""

    rendered: dict
    recipient: str
    name: str
    query_code: str
    url: str  # the status link, NUMBER_MARK standing for the number

    def values(self, tracking_no: str) -> dict:
        """The outbox row of the receipt of submission ``tracking_no``."""
        return merged(self.rendered, self.recipient, {"name": self.name, "no": tracking_no, "code": self.query_code,
                                                      "url": self.url.replace(NUMBER_MARK, tracking_no)})

    def write(self, connection, tracking_no: str) -> None:
        execute_built(connection, _INSERT_MESSAGE, self.values(tracking_no))


def merged_receipt(submission: Submission, query_code: str) -> MergedReceipt | None:
    """The receipt mail of ``submission`` (which may not have its tracking number yet), or None when it is not
    sent by mail (the citizen is told by SMS, or left no address).

    The templates are rendered once per language, kind, department, due date and site address, with
    placeholders for what differs on every submission (the sender's name, tracking number, query code and
    status link); each receipt is that text with its own values filled in.
    """
    recipient = submission.contact_email
    if not recipient or sms_number(submission) is not None:
        return None
    locale = (submission.locale or (submission.user.locale if submission.user is not None else None)
              or current_app.config["CONSULT_DEFAULT_LOCALE"])
    url = lookup_url(NUMBER_MARK)
    name, department = submission.submitter_name, submission.department.name
    stand_in = SimpleNamespace(  # what the receipt templates read of the submission
        kind=submission.kind, submitter_name=merge_mark("name") if name else "", tracking_no=merge_mark("no"),
        department=SimpleNamespace(name=department), estimated_due=submission.estimated_due,
        due_on=submission.due_on,
    )
    key = (submission.kind, department, bool(name), submission.estimated_due, submission.due_on,
           url.split("?", 1)[0])
    rendered = render_merged(RECEIPT, locale=locale, key=key, context={
        "submission": stand_in, "query_code": merge_mark("code"), "lookup_url": merge_mark("url")})
    return MergedReceipt(rendered, recipient, name, query_code, url)


_INSERT_MESSAGE = OutboxMessage.__table__.insert()  # built once: every receipt written with Core runs it


def notify_staff(
    user: User, submission: Submission, template: str, *, dedup_key: str | None = None, **context
) -> OutboxMessage | None:
    """Queue ``template`` to a staff member about ``submission``: operational mail (a new assignment, a
    returned reply, a reopened case) is essential and ignores the opt-out of optional mail."""
    if not user.active:
        return None
    return queue_mail(
        user.email,
        template,
        locale=user.locale,
        dedup_key=dedup_key,
        essential=True,
        user=user,
        submission=submission,
        staff_url=staff_url(submission),
        **context,
    )
