"""Public mailbox pages: the list of mailboxes, published letters with search and filters, writing a letter."""

from flask import abort, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation

from consult.database import defer_write_lock
from consult import uploads
from consult.extensions import db, limiter
from consult.forms import chosen_channel
from consult.i18n import current_locale_code
from consult.limits import LETTER_LIMIT, SIMILAR_LIMIT
from consult.mailbox import faq, queries
from consult.mailbox.answers import similar_answers, similar_answers_dict
from consult.mailbox.forms import LetterForm
from consult.mailbox.models import CATEGORIES, CATEGORY_LABELS, PRIVATE_CATEGORIES, Mailbox
from consult.mailbox.services import check_letter, submit_letter
from consult.mailbox.views import bp
from consult.pagination import InvalidCursor, paginate
from consult.public_forms import RATE_LIMITED, form_rate_limit, rate_limited, submit_form
from consult.public_pages import public_page
from consult.urls import int_arg
from consult.tracking.receipt import after_submit, honeypot_filled, receipt_to_show

LETTERS_PER_PAGE = 20
RECEIPT_KEY = "mailbox_receipt"


def _letters_page(mailbox_id: int | None):
    filters = queries.LetterFilters.from_args(request.args)
    stmt, order = queries.public_letters_listing(filters, mailbox_id)
    try:
        page = paginate(db.session, stmt, order, request.args.get("cursor"), per_page=LETTERS_PER_PAGE)
    except InvalidCursor:
        abort(400)
    return filters, page, queries.present(page.items, current_locale_code(), query=filters.query)


def _filter_choices(mailbox_id: int | None = None) -> dict:
    public_categories = [(c, CATEGORY_LABELS[c]) for c in CATEGORIES if c not in PRIVATE_CATEGORIES]
    return {
        "categories": public_categories,
        "years": queries.year_choices(mailbox_id),
        "departments": queries.department_choices(current_locale_code()),
    }


@bp.get("/mailboxes")
@public_page
def index():
    """Every mailbox with its counters, and a way to search the published letters."""
    return render_template("mailbox/index.html", mailboxes=queries.mailboxes_for_public(), **_filter_choices())


@bp.get("/mailboxes/letters")
@public_page
def letters():
    """Published letters of every mailbox, searchable and filtered by category, year and department."""
    filters, page, shown = _letters_page(None)
    return render_template("mailbox/letters.html", filters=filters, page=page, letters=shown, **_filter_choices())


@bp.get("/mailboxes/<int:mailbox_id>")
@public_page
def show(mailbox_id: int):
    """A mailbox: what it is for, its frequently asked questions, a link to write, and its published letters
    (a search looks in both)."""
    mailbox = db.get_or_404(Mailbox, mailbox_id)
    filters, page, shown = _letters_page(mailbox.id)
    entries = faq.search_faq(mailbox.id, filters.query) if filters.query else faq.faq_entries(mailbox.id)
    return render_template("mailbox/show.html", mailbox=mailbox, filters=filters, page=page, letters=shown,
                           faqs=entries, **_filter_choices(mailbox.id))


@bp.get("/mailboxes/letters/<int:letter_id>")
@public_page
def letter(letter_id: int):
    """One published letter and its answer (404 for anything not publishable)."""
    found = queries.get_public_letter_or_none(letter_id)
    if found is None:
        abort(404)
    shown = queries.present([found], current_locale_code(), with_body=True)[0]
    return render_template("mailbox/letter.html", letter=shown, mailbox=found.mailbox)


def _mailbox_choices(mailboxes: list[Mailbox]) -> list[tuple[int, str]]:
    return [SelectChoice(0, "—")] + [SelectChoice(m.id, m.name) for m in mailboxes]


@bp.route("/mailboxes/write", methods=["GET", "POST"])
@defer_write_lock
@form_rate_limit(LETTER_LIMIT)
def write():
    """Write a letter (guests and logged-in citizens); the form keeps what was typed when it is refused."""
    if request.method == "POST":
        uploads.allow_large_request()
        if honeypot_filled():  # a bot: look normal, keep nothing
            return render_template("mailbox/thanks.html", receipt=None, duplicate=False)
    form, mailbox, mailboxes = _letter_form()
    status = 200
    if request.method == "POST":
        values = dict(category=form.category.data or "", subject=form.subject.data or "", body=form.body.data or "",
                      name=form.name.data or "", phone=form.phone.data or "", email=form.email.data or "",
                      public=form.public.data, files=request.files.getlist(form.attachments.name))
        if mailbox is None:  # no (accepting) mailbox chosen: the other fields are still checked
            form.mailbox_id.validators = [_no_mailbox]
        receipt, status = submit_form(
            form,
            submit=lambda: submit_letter(
                mailbox, form_token=form.form_token.data or "", locale=current_locale_code(), recognise_resend=True,
                user=current_user._get_current_object() if current_user.is_authenticated else None,
                notify_by=chosen_channel(form), **values),
            check=lambda: check_letter(mailbox, verified_phone=getattr(current_user, "phone", None), **values),
        )
        if receipt is not None:
            return _after_submit(receipt)
    return render_template("mailbox/write.html", form=form, mailbox=mailbox, mailboxes=mailboxes,
                           faqs=faq.faq_entries(mailbox.id) if mailbox else []), status


def _letter_form() -> tuple[LetterForm, Mailbox | None, list[Mailbox]]:
    """The letter form with its choices (and, on a first GET, the mailbox asked for and the user's name),
    the mailbox chosen and every accepting mailbox."""
    mailboxes = [m for m in queries.mailboxes_for_public() if m.active]
    form = LetterForm()
    form.mailbox_id.choices = _mailbox_choices(mailboxes)
    if request.method == "GET":
        form.mailbox_id.data = int_arg("mailbox") or 0
        if current_user.is_authenticated:
            form.name.data, form.email.data = current_user.display_name, current_user.email
    form.mailbox_id.flags.required = True
    mailbox = next((m for m in mailboxes if m.id == form.mailbox_id.data), None)
    categories = mailbox.category_choices if mailbox else [(c, CATEGORY_LABELS[c]) for c in CATEGORIES]
    form.category.choices = [SelectChoice("", "—")] + [SelectChoice(code, label) for code, label in categories]
    return form, mailbox, mailboxes


@bp.post("/mailboxes/write/similar")
@form_rate_limit(SIMILAR_LIMIT)
def write_similar():
    """Without JavaScript, the step "find similar answered letters": the letter form again, everything typed
    kept (attachments must be chosen again), with the FAQ entries and published letters similar to it.
    Nothing is sent or stored."""
    form, mailbox, mailboxes = _letter_form()
    if rate_limited():
        form.form_errors.append(str(RATE_LIMITED))
        return render_template("mailbox/write.html", form=form, mailbox=mailbox, mailboxes=mailboxes), 429
    found = similar_answers(form.subject.data, form.body.data, current_locale_code(), form.mailbox_id.data or None)
    return render_template("mailbox/write.html", form=form, mailbox=mailbox, mailboxes=mailboxes, similar=found,
                           faqs=faq.faq_entries(mailbox.id) if mailbox else [])


@bp.post("/mailboxes/similar-answers")
@limiter.limit(SIMILAR_LIMIT)
def similar_answers_json():
    """As a citizen types (the letter form's script): the similar FAQ entries and published letters, as JSON."""
    mailbox_id = request.form.get("mailbox_id", type=int)
    found = similar_answers(request.form.get("subject"), request.form.get("body"), current_locale_code(),
                            mailbox_id or None)
    return jsonify(similar_answers_dict(found))


def _no_mailbox(form, field):
    raise StopValidation(_("Please choose a mailbox."))


def _after_submit(receipt):
    """Keep the confirmation in the session (the query code exists nowhere else) and show it."""
    letter = receipt.letter
    return after_submit(
        RECEIPT_KEY, letter.submission, receipt.query_code,
        {"mailbox_id": letter.mailbox_id, "mailbox_name": letter.mailbox.name}, thanks_url=url_for("mailbox.thanks"),
        show_again=lambda shown: render_template("mailbox/thanks.html", receipt=shown, duplicate=True))


@bp.get("/mailboxes/write/thanks")
def thanks():
    """Confirmation: tracking number, query code (shown once) and the date the answer is due."""
    receipt = receipt_to_show(RECEIPT_KEY)
    if not receipt:
        return redirect(url_for("mailbox.index"))
    return render_template("mailbox/thanks.html", receipt=receipt, duplicate=False)
