"""The public information-request form and its confirmation."""

from flask import redirect, render_template, request, session, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from consult.database import defer_write_lock
from consult.accounts.departments import ordered_departments
from consult.disclosure.forms import RequestForm
from consult.disclosure.services import Applicant, RequestReceipt, check_request, submit_request
from consult.disclosure.views import bp
from consult.forms import chosen_channel
from consult.i18n import current_locale_code
from consult.public_forms import form_rate_limit, submit_form
from consult.urls import int_arg
from consult.tracking.views.documents import allow_receipt_print

APPLY_LIMIT = "5 per minute;30 per hour"
RECEIPT_KEY = "disclosure_receipt"


@bp.route("/disclosure", methods=["GET", "POST"])
@defer_write_lock
@form_rate_limit(APPLY_LIMIT)
def apply():
    """Ask a government body for information (政府信息公开申请); guests and logged-in citizens alike."""
    if request.method == "POST" and request.form.get("website"):  # honeypot: a bot. Look normal, keep nothing.
        return render_template("disclosure/thanks.html", receipt=None, duplicate=False)
    departments = ordered_departments()
    locale = current_locale_code()
    form = RequestForm()
    form.department_id.choices = [SelectChoice(0, "—")] + [
        SelectChoice(d.id, d.display_name(locale)) for d in departments
    ]
    if request.method == "GET":
        form.department_id.data = int_arg("department") or 0
        if current_user.is_authenticated and current_user.role == "citizen":
            form.name.data, form.email.data = current_user.display_name, current_user.email
    form.department_id.flags.required = True
    status = 200
    if request.method == "POST":
        department = next((d for d in departments if d.id == form.department_id.data), None)
        applicant = Applicant(
            applicant_type=form.applicant_type.data or "", name=form.name.data or "", id_type=form.id_type.data or "",
            id_number=form.id_number.data or "", contact_person=form.contact_person.data or "",
            phone=form.phone.data or "", email=form.email.data or "",
            postal_address=form.postal_address.data or "", postcode=form.postcode.data or "",
        )
        values = dict(subject=form.subject.data or "", description=form.description.data or "",
                      preferred_format=form.preferred_format.data or "", delivery=form.delivery.data or "")
        receipt, status = submit_form(
            form,
            submit=lambda: submit_request(
                department, applicant, form_token=form.form_token.data or "", locale=locale, recognise_resend=True,
                user=current_user._get_current_object() if current_user.is_authenticated else None,
                notify_by=chosen_channel(form), **values),
            check=lambda: check_request(department, applicant, **values),
        )
        if receipt is not None:
            return _after_submit(receipt)
    return render_template("disclosure/apply.html", form=form, departments=departments), status


def _receipt_dict(receipt: RequestReceipt, code: str | None) -> dict:
    submission = receipt.request.submission
    return {
        "tracking_no": submission.tracking_no, "query_code": code, "due_on": submission.due_on.isoformat(),
        "estimated": submission.estimated_due, "department": submission.department.display_name(current_locale_code()),
        "id_number_masked": receipt.request.id_number_masked, "has_email": bool(submission.contact_email),
    }


def _after_submit(receipt: RequestReceipt):
    """Keep the confirmation in the session (the query code exists nowhere else) and show it once."""
    previous = session.get(RECEIPT_KEY) or {}
    tracking_no = receipt.request.submission.tracking_no
    if receipt.duplicate and previous.get("tracking_no") != tracking_no:
        allow_receipt_print(tracking_no, None)
        return render_template("disclosure/thanks.html", receipt=_receipt_dict(receipt, None), duplicate=True)
    session[RECEIPT_KEY] = _receipt_dict(receipt, receipt.query_code or previous.get("query_code"))
    return redirect(url_for("disclosure.thanks"), 303)


@bp.get("/disclosure/thanks")
def thanks():
    """Confirmation: tracking number, query code (shown once) and the due date (20 working days)."""
    receipt = session.get(RECEIPT_KEY)
    if not receipt:
        return redirect(url_for("disclosure.apply"))
    page = render_template("disclosure/thanks.html", receipt=receipt, duplicate=False)
    if receipt.get("query_code"):
        allow_receipt_print(receipt["tracking_no"], receipt["query_code"])
        session[RECEIPT_KEY] = {**receipt, "query_code": None}
    return page
