"""The public information-request form and its confirmation."""

from flask import redirect, render_template, request, url_for
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
from consult.tracking.receipt import after_submit, honeypot_filled, receipt_to_show

APPLY_LIMIT = "5 per minute;30 per hour"
RECEIPT_KEY = "disclosure_receipt"


@bp.route("/disclosure", methods=["GET", "POST"])
@defer_write_lock
@form_rate_limit(APPLY_LIMIT)
def apply():
    """Ask a government body for information (政府信息公开申请); guests and logged-in citizens alike."""
    if honeypot_filled():  # a bot: look normal, keep nothing
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


def _after_submit(receipt: RequestReceipt):
    """Keep the confirmation in the session (the query code exists nowhere else) and show it once."""
    submission = receipt.request.submission
    return after_submit(
        RECEIPT_KEY, submission, receipt.query_code,
        {"department": submission.department.display_name(current_locale_code()),
         "id_number_masked": receipt.request.id_number_masked},
        thanks_url=url_for("disclosure.thanks"),
        show_again=lambda shown: render_template("disclosure/thanks.html", receipt=shown, duplicate=True))


@bp.get("/disclosure/thanks")
def thanks():
    """Confirmation: tracking number, query code (shown once) and the due date (20 working days)."""
    receipt = receipt_to_show(RECEIPT_KEY)
    if not receipt:
        return redirect(url_for("disclosure.apply"))
    return render_template("disclosure/thanks.html", receipt=receipt, duplicate=False)
