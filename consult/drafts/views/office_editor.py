"""The editors' office: list, create and edit drafts, interpretation material and files, submit, withdraw."""


from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult import uploads
from consult.accounts.departments import department_ids_with_reviewers
from consult.accounts.models import ADMIN, EDITOR, OFFICER, REVIEWER
from consult.authz import builds_questionnaires, role_required, sees_questionnaires_of
from consult.database import utcnow
from consult.domain import DomainError
from consult.drafts import publishing, services, transitions, word_import
from consult.drafts.articles import split_articles
from consult.drafts.forms import (
    ConfirmForm, DraftForm, InterpretationForm, NoteForm, PublishForm, UploadForm, WordImportForm,
)  # fmt: skip
from consult.drafts.models import DRAFT_STATUSES, OPEN, Draft, DraftFile
from consult.drafts.views import bp
from consult.drafts.windows import minimum_window, window_is_short
from consult.drafts.views.common import (
    department_choices, flash_saved, get_draft_for_staff_or_404, localized_domain, localized_domain_choices,
)  # fmt: skip
from consult.errors import show_error
from consult.extensions import db
from consult.i18n import current_locale_code
from consult.localtime import from_local, to_local_naive
from consult.pagination import InvalidCursor, paginate
from consult.surveys.models import STATUS_LABELS as QUESTIONNAIRE_STATUS_LABELS
from consult.surveys.queries import on_draft

editor_required = role_required(EDITOR, ADMIN)
staff_required = role_required(EDITOR, ADMIN, REVIEWER, OFFICER)


@bp.get("/office/drafts")
@staff_required
def manage():
    """The drafts the visitor may see in the office (other departments' only once published), newest first."""
    status = request.args.get("status", "")
    status = status if status in DRAFT_STATUSES else ""
    stmt = services.office_drafts_query(current_user, status)
    try:
        page = paginate(db.session, stmt, (Draft.id.desc(),), request.args.get("cursor"), per_page=30)
    except InvalidCursor:
        abort(400)
    return render_template("drafts/office/list.html", page=page, status=status, statuses=DRAFT_STATUSES,
                           domain_label=localized_domain)


@bp.get("/office/drafts/<int:draft_id>")
@staff_required
def office_detail(draft_id: int):
    """A draft's workspace: status, review notes, and the actions the visitor's role allows."""
    draft = get_draft_for_staff_or_404(draft_id)
    publication = publishing.latest_publication(draft.id)
    stale = publication is not None and publishing.is_stale(publication)
    return render_template(
        "drafts/office/detail.html", draft=draft, confirm=ConfirmForm(), note_form=NoteForm(), publish=PublishForm(),
        has_interpretation=services.has_interpretation(draft), history=services.draft_history(draft),
        actions=transitions.allowed_actions(current_user, draft),
        domain_label=localized_domain, lead_can_approve=services.lead_department_can_approve(draft.department_id),
        questionnaires=[q for q in on_draft(draft.id, public=False)
                        if sees_questionnaires_of(current_user, q.department_id)],
        builds_questionnaires=builds_questionnaires(current_user),
        questionnaire_status_labels=QUESTIONNAIRE_STATUS_LABELS,
        publication=publication, publishing_now=publication is not None and publication.status in publishing.ACTIVE
        and not stale, publishing_failed=publication is not None and (publication.status == "failed" or stale),
    )


def _prepare(form: DraftForm) -> None:
    with_reviewers = department_ids_with_reviewers()
    form.department_id.choices = [
        (id_, name if id_ in with_reviewers else _("%(department)s (no reviewer)", department=name))
        for id_, name in department_choices()
    ]
    form.domain.choices = localized_domain_choices()


def _warn_without_reviewer(draft: Draft) -> None:
    """Say so when nobody in the lead department can approve the draft (only an administrator could)."""
    if not services.lead_department_can_approve(draft.department_id):
        flash(_("No reviewer works in %(department)s, so only an administrator can approve this draft. "
                "Ask an administrator to add a reviewer, or choose another lead department.",
                department=draft.department.display_name(current_locale_code())), "warning")


def _warn_short_window(draft: Draft) -> None:
    """Warn when the saved window is shorter than the rule for the draft's type and no reason is given (a
    draft saved before types existed, or whose type changed while open): the compliance self-check lists it."""
    if not draft.short_window_reason.strip() and window_is_short(
            draft.opens_at, draft.closes_at, draft.decision_type, draft.market_related):
        flash(_("This consultation is shorter than the rule for its type (%(rule)s) and no reason is given. "
                "Give the reason below; it is shown to the public.",
                rule=minimum_window(draft.decision_type, draft.market_related).text), "warning")


def _fields(form: DraftForm) -> dict:
    return {
        "title": form.title.data, "summary": (form.summary.data or "").strip(),
        "department_id": form.department_id.data, "domain": form.domain.data,
        "legal_basis": (form.legal_basis.data or "").strip(), "premoderate": bool(form.premoderate.data),
        "opens_at": from_local(form.opens_at.data), "closes_at": from_local(form.closes_at.data),
        "short_window_reason": (form.short_window_reason.data or "").strip(),
        "decision_type": form.decision_type.data, "market_related": bool(form.market_related.data),
    }


@bp.route("/office/drafts/new", methods=["GET", "POST"])
@editor_required
def new():
    """Write a new draft."""
    form = DraftForm()
    _prepare(form)
    if request.method == "GET":
        opens_at, closes_at = services.proposed_window(utcnow())
        form.opens_at.data, form.closes_at.data = to_local_naive(opens_at), to_local_naive(closes_at)
        if current_user.department_id:  # the editor's own department leads, unless they choose another
            form.department_id.data = current_user.department_id
    status = 200
    if _previewing():
        return _form_page(form, None)
    if form.validate_on_submit():
        try:
            draft = services.create_draft(current_user, body=form.body.data, **_fields(form))
            _keep_original(draft, form)
        except DomainError as error:
            status = show_error(error, form)
        else:
            flash(_("The draft has been saved."), "success")
            _warn_without_reviewer(draft)
            return redirect(url_for("drafts.office_detail", draft_id=draft.id))
    elif form.errors:
        status = 422
    return _form_page(form, None, status)


@bp.route("/office/drafts/<int:draft_id>/edit", methods=["GET", "POST"])
@editor_required
def edit(draft_id: int):
    """Edit a draft; once it is open, a changed text becomes a new version with a change note."""
    draft = get_draft_for_staff_or_404(draft_id)
    form = DraftForm(obj=draft)
    _prepare(form)
    if request.method == "GET":
        form.body.data = draft.current_version.body
        form.opens_at.data, form.closes_at.data = to_local_naive(draft.opens_at), to_local_naive(draft.closes_at)
        _warn_short_window(draft)
    if draft.status == OPEN:  # the window is fixed once open
        form.opens_at.data, form.closes_at.data = to_local_naive(draft.opens_at), to_local_naive(draft.closes_at)
    status = 200
    if _previewing():
        return _form_page(form, draft)
    if form.validate_on_submit():
        try:
            services.update_draft(draft, current_user, body=form.body.data, change_note=form.change_note.data or "",
                                  **_fields(form))
            _keep_original(draft, form)
        except DomainError as error:
            status = show_error(error, form)
        else:
            flash_saved()
            _warn_without_reviewer(draft)
            return redirect(url_for("drafts.office_detail", draft_id=draft.id))
    elif form.errors:
        status = 422
    return _form_page(form, draft, status)


def _previewing() -> bool:
    """The editor asked to see the articles of the text as it stands, without saving."""
    return request.method == "POST" and "preview" in request.form


def _form_page(form: DraftForm, draft: Draft | None, status: int = 200, imported=None):
    """The draft form, with the articles its text splits into (after an import, or when asked)."""
    preview = split_articles(form.body.data or "") if (imported is not None or _previewing()) else None
    articles = sum(1 for part in preview or () if part.anchor.startswith("art-"))
    return render_template("drafts/office/form.html", form=form, draft=draft, import_form=WordImportForm(),
                           preview=preview, preview_articles=articles, imported=imported), status


def _keep_original(draft: Draft, form: DraftForm) -> None:
    if form.source_id.data and form.source_id.data.isdigit():
        word_import.keep_word_original(draft, current_user, int(form.source_id.data),
                                       word_import.parse_ids(form.figure_ids.data))


@bp.post("/office/drafts/import")
@bp.post("/office/drafts/<int:draft_id>/import")
@editor_required
def import_word(draft_id: int | None = None):
    """Read a Word draft into the form: the editor checks the articles, fixes the text and saves."""
    uploads.allow_large_request()
    draft = get_draft_for_staff_or_404(draft_id) if draft_id is not None else None
    form = DraftForm(formdata=None, obj=draft)
    _prepare(form)
    if draft is not None:
        form.opens_at.data, form.closes_at.data = to_local_naive(draft.opens_at), to_local_naive(draft.closes_at)
    else:
        opens_at, closes_at = services.proposed_window(utcnow())
        form.opens_at.data, form.closes_at.data = to_local_naive(opens_at), to_local_naive(closes_at)
        form.department_id.data = current_user.department_id
    import_form = WordImportForm()
    if not import_form.validate_on_submit():
        abort(400)
    try:
        imported = word_import.import_word(request.files.get("file"), current_user)
    except DomainError as error:
        db.session.rollback()
        form.body.data = draft.current_version.body if draft is not None else ""
        flash(str(error.message), "error")
        return _form_page(form, draft, 422)
    form.body.data = imported.draft.body
    if imported.draft.title and not form.title.data:
        form.title.data = imported.draft.title
    form.source_id.data = str(imported.source.id)
    form.figure_ids.data = ",".join(str(f.id) for f in imported.figures)
    return _form_page(form, draft, 200, imported=imported)


@bp.route("/office/drafts/<int:draft_id>/interpretation", methods=["GET", "POST"])
@editor_required
def interpretation(draft_id: int):
    """The interpretation (解读): text, questions and answers, figures and attachments."""
    draft = get_draft_for_staff_or_404(draft_id)
    form = InterpretationForm()
    if request.method == "GET":
        form.interpretation.data = draft.interpretation
        while len(form.qa.entries):
            form.qa.pop_entry()
        for pair in draft.qa_pairs:
            form.qa.append_entry({"question": pair.question, "answer": pair.answer})
        form.qa.append_entry()
    if form.validate_on_submit():
        services.set_interpretation(draft, form.interpretation.data or "",
                                    [(e.question.data or "", e.answer.data or "") for e in form.qa.entries])
        flash_saved()
        return redirect(url_for("drafts.interpretation", draft_id=draft.id))
    return render_template("drafts/office/interpretation.html", draft=draft, form=form, upload=UploadForm(),
                           confirm=ConfirmForm()), 422 if form.errors else 200


@bp.post("/office/drafts/<int:draft_id>/files")
@editor_required
def upload_file(draft_id: int):
    """Attach a figure or document to the interpretation (type checked by content, size-limited)."""
    uploads.allow_large_request()
    draft = get_draft_for_staff_or_404(draft_id)
    form = UploadForm()
    if form.validate_on_submit():
        try:
            attachment = uploads.save_upload(request.files.get("file"), owner="draft", uploaded_by=current_user)
        except DomainError as error:
            show_error(error)
        else:
            services.attach_file(draft, attachment, form.caption.data or "")
            flash(_("The file has been attached."), "success")
    return redirect(url_for("drafts.interpretation", draft_id=draft.id))


@bp.post("/office/drafts/<int:draft_id>/files/<int:file_id>/delete")
@editor_required
def remove_file(draft_id: int, file_id: int):
    """Remove an attachment of the interpretation."""
    get_draft_for_staff_or_404(draft_id)
    draft_file = db.get_or_404(DraftFile, file_id)
    if draft_file.draft_id != draft_id or not ConfirmForm().validate_on_submit():
        abort(404)
    services.remove_file(draft_file)
    flash(_("The file has been removed."), "success")
    return redirect(url_for("drafts.interpretation", draft_id=draft_id))


@bp.post("/office/drafts/<int:draft_id>/submit")
@editor_required
def submit(draft_id: int):
    """Send the draft to a reviewer."""
    draft = get_draft_for_staff_or_404(draft_id)
    form = PublishForm()
    if form.validate_on_submit():
        try:
            services.submit_for_review(draft, current_user, without_interpretation=form.without_interpretation.data)
            flash(_("The draft is waiting for a reviewer's approval."), "success")
        except DomainError as error:
            show_error(error)
    return redirect(url_for("drafts.office_detail", draft_id=draft.id))


@bp.post("/office/drafts/<int:draft_id>/withdraw")
@editor_required
def withdraw(draft_id: int):
    """Withdraw a draft; the reason is shown publicly if it had opened."""
    draft = get_draft_for_staff_or_404(draft_id)
    form = NoteForm()
    if form.validate_on_submit():
        try:
            services.withdraw_draft(draft, current_user, form.note.data or "")
            flash(_("The draft has been withdrawn."), "success")
        except DomainError as error:
            show_error(error)
    return redirect(url_for("drafts.office_detail", draft_id=draft.id))
