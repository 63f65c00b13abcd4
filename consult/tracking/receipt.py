"""The intake kit's page side, for every public form that sends a submission (letter, comment, information
request, open-day question): the one honeypot, and the one-time receipt.

The query code exists in clear only in the service's first answer: it is kept in the visitor's session
until the confirmation page has shown it once, then forgotten; for ``PRINT_WINDOW`` after that the visitor
may print the receipt PDF (with the code if the page showed it). A kind's views use it like this::

    if honeypot_filled():                             # a bot: look normal, keep nothing
        return render_template("mailbox/thanks.html", receipt=None)

    receipt = submit_form(...)                        # the service's receipt
    return after_submit(RECEIPT_KEY, submission, receipt.query_code, {"mailbox_name": ...},
                        thanks_url=url_for(".thanks"),
                        show_again=lambda shown: render_template("mailbox/thanks.html", receipt=shown, duplicate=True))

    @bp.get("/…/thanks")
    def thanks():
        receipt = receipt_to_show(RECEIPT_KEY)        # None: nothing was sent in this session
        ...render it...
"""

import time
from collections.abc import Callable

from flask import redirect, request, session

from consult.tracking.forms import HONEYPOT
from consult.tracking.models import Submission
from consult.tracking.numbers import normalise_tracking_no

PRINT_KEY = "printable_receipt"
PRINT_WINDOW = 30 * 60  # seconds after sending during which the receipt can be printed with the query code


def honeypot_filled() -> bool:
    """Whether this POST filled in the honeypot field people never see (``IntakeForm.website``): a bot.
    The view then answers as if all went well and keeps nothing."""
    return request.method == "POST" and bool(request.form.get(HONEYPOT))


def allow_receipt_print(tracking_no: str, query_code: str | None) -> None:
    """Called as a confirmation page shows the receipt: for ``PRINT_WINDOW`` this visitor may download the
    receipt PDF of ``tracking_no``, with ``query_code`` on it when the page showed it."""
    session[PRINT_KEY] = {"tracking_no": tracking_no, "query_code": query_code, "until": int(time.time()) + PRINT_WINDOW}


def printable_receipt(tracking_no: str) -> tuple[bool, str | None]:
    """Whether this visitor is printing the receipt they were just shown, and its query code (or None)."""
    held = session.get(PRINT_KEY) or {}
    if held.get("tracking_no") != normalise_tracking_no(tracking_no) or int(held.get("until") or 0) < time.time():
        return False, None
    return True, held.get("query_code")


def after_submit(key: str, submission: Submission, query_code: str | None, details: dict, *, thanks_url: str,
                 show_again: Callable[[dict], object]):
    """What a form's POST answers once the service has received it.

    A new submission (with its query code), or the same form sent again in the session that holds its
    receipt (the code kept if not yet shown): the receipt goes into the session under ``key`` and the
    visitor is redirected (302, as after every form) to ``thanks_url``, so reloading that page never sends the form again.
    The same submission sent again from a session that does not hold it (another browser, or after a
    newer receipt): ``show_again(receipt)`` shows it at once, marked ``duplicate``, never with the code.
    """
    previous = session.get(key) or {}
    same = previous.get("tracking_no") == submission.tracking_no
    receipt = {"tracking_no": submission.tracking_no, "due_on": submission.due_on.isoformat(),
               "estimated": submission.estimated_due, "has_email": bool(submission.contact_email), **details}
    if query_code is None and not same:
        allow_receipt_print(submission.tracking_no, None)
        return show_again({**receipt, "query_code": None, "duplicate": True})
    code = query_code or (previous.get("query_code") if same else None)
    session[key] = {**receipt, "query_code": code, "code_shown": bool(same and previous.get("code_shown"))}
    return redirect(thanks_url)


def receipt_to_show(key: str) -> dict | None:
    """The receipt the confirmation page shows, or None when this session sent nothing.

    The query code is in it the first time only: the session then forgets it. The receipt PDF may be
    printed (for ``PRINT_WINDOW``) with the code the first time, without it afterwards.
    """
    receipt = session.get(key)
    if not receipt:
        return None
    if not receipt.get("code_shown"):
        allow_receipt_print(receipt["tracking_no"], receipt.get("query_code"))
        session[key] = {**receipt, "query_code": None, "code_shown": True}
    return receipt
