"""Questionnaires for staff: the list, building one (details and questions), and its review."""

from datetime import timedelta

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.accounts.departments import ordered_departments
from consult.accounts.models import ADMIN, EDITOR, OFFICER, REVIEWER
from consult.authz import QUESTIONNAIRE_ROLES, role_required
from consult.database import utcnow
from consult.domain import DomainError
from consult.drafts.models import Draft
from consult.errors import show_error
from consult.extensions import db
from consult.i18n import current_locale_code
from consult.localtime import from_local, to_local_naive
from consult.pagination import InvalidCursor, paginate
from consult.surveys import results, services
from consult.surveys.forms import ConfirmForm, QuestionForm, QuestionnaireForm, ReturnForm
from consult.surveys.models import (
    ANSWER_MODE_LABELS, KIND_LABELS, SCALE, STATUS_LABELS, TEXT, Questionnaire,
)
from consult.surveys.transitions import allowed_actions, may_see
from consult.surveys.views import bp
from consult.urls import int_arg

builder_required = role_required(*QUESTIONNAIRE_ROLES)
staff_required = role_required(EDITOR, ADMIN, REVIEWER, OFFICER)
PER_PAGE = 30


def get_for_staff_or_404(questionnaire_id: int) -> Questionnaire:
    """The questionnaire with its questions, if the user may see it (others' departments: 404)."""
    questionnaire = results.load(questionnaire_id)
    if questionnaire is None or not may_see(current_user, questionnaire):
        abort(404)
    return questionnaire


def _detail_choices(form: QuestionnaireForm) -> None:
    locale = current_locale_code()
    form.department_id.choices = [(d.id, d.display_name(locale)) for d in ordered_departments()]
    drafts = db.session.execute(sa.select(Draft.id, Draft.title).order_by(Draft.id.desc()).limit(200)).all()
    form.draft_id.choices = [(0, "—")] + [(d.id, d.title) for d in drafts]


def _details(form: QuestionnaireForm) -> dict:
    return {"title": form.title.data, "intro": form.intro.data or "", "department_id": form.department_id.data,
            "draft_id": form.draft_id.data or None, "opens_at": from_local(form.opens_at.data),
            "closes_at": from_local(form.closes_at.data), "answer_mode": form.answer_mode.data,
            "results_visibility": form.results_visibility.data}


@bp.get("/office/questionnaires")
@staff_required
def manage():
    """The questionnaires the user may see (all for editors, their department's for officers and reviewers)."""
    try:
        page = paginate(db.session, services.questionnaires_for_staff(current_user), [Questionnaire.id.desc()],
                        request.args.get("cursor"), per_page=PER_PAGE)
    except InvalidCursor:
        abort(400)
    return render_template("surveys/office_list.html", page=page, status_labels=STATUS_LABELS)


@bp.route("/office/questionnaires/new", methods=["GET", "POST"])
@builder_required
def new():
    """Start a questionnaire: its details; the questions come next."""
    form = QuestionnaireForm()
    _detail_choices(form)
    status = 200
    if request.method == "GET":
        start = utcnow().replace(minute=0, second=0, microsecond=0)
        form.opens_at.data = to_local_naive(start + timedelta(days=1))
        form.closes_at.data = to_local_naive(start + timedelta(days=31))
        form.draft_id.data = int_arg("draft") or 0
    elif form.validate_on_submit():
        try:
            questionnaire = services.create_questionnaire(current_user, **_details(form))
        except DomainError as error:
            status = show_error(error, form)
        else:
            flash(_("The questionnaire has been created. Now add its questions."), "success")
            return redirect(url_for("surveys.office_show", questionnaire_id=questionnaire.id))
    else:
        status = 422
    return render_template("surveys/office_form.html", form=form, questionnaire=None), status


@bp.route("/office/questionnaires/<int:questionnaire_id>/edit", methods=["GET", "POST"])
@builder_required
def edit(questionnaire_id: int):
    """Change the details of a questionnaire still being written."""
    questionnaire = get_for_staff_or_404(questionnaire_id)
    form = QuestionnaireForm(obj=questionnaire if request.method == "GET" else None)
    _detail_choices(form)
    status = 200
    if request.method == "GET":
        form.opens_at.data, form.closes_at.data = (to_local_naive(questionnaire.opens_at),
                                                   to_local_naive(questionnaire.closes_at))
        form.draft_id.data = questionnaire.draft_id or 0
    elif form.validate_on_submit():
        try:
            services.update_questionnaire(questionnaire, current_user, **_details(form))
        except DomainError as error:
            status = show_error(error, form)
        else:
            flash(_("The questionnaire has been saved."), "success")
            return redirect(url_for("surveys.office_show", questionnaire_id=questionnaire.id))
    else:
        status = 422
    return render_template("surveys/office_form.html", form=form, questionnaire=questionnaire), status


def _question_form(questionnaire: Questionnaire, form: QuestionForm | None = None) -> QuestionForm:
    form = form or QuestionForm()
    form.branch_option_id.choices = [(0, _("Everyone"))] + [
        (o.id, _("Question %(n)d: %(option)s", n=n, option=o.label))
        for n, q in enumerate(questionnaire.questions, 1) if q.kind != TEXT and q.kind != "ranking"
        for o in q.options]
    anchors = services.article_anchors(questionnaire)
    form.article_anchor.choices = [("", _("The whole draft") if anchors else "—")] + list(anchors.items())
    return form


@bp.get("/office/questionnaires/<int:questionnaire_id>")
@staff_required
def office_show(questionnaire_id: int, question_form: QuestionForm | None = None, return_form=None):
    """A questionnaire for staff: details, questions, what may be done now (build, submit, review, withdraw)."""
    questionnaire = get_for_staff_or_404(questionnaire_id)
    actions = allowed_actions(current_user, questionnaire)
    return render_template(
        "surveys/office_show.html", questionnaire=questionnaire, actions=actions,
        question_form=_question_form(questionnaire, question_form) if "edit" in actions else None,
        return_form=return_form or ReturnForm(), confirm=ConfirmForm(), status_labels=STATUS_LABELS,
        kind_labels=KIND_LABELS, mode_labels=ANSWER_MODE_LABELS, anchors=services.article_anchors(questionnaire),
        scale=SCALE)


@bp.post("/office/questionnaires/<int:questionnaire_id>/questions")
@builder_required
def add_question(questionnaire_id: int):
    """Add a question; a refused one comes back on the page with every message and what was typed."""
    questionnaire = get_for_staff_or_404(questionnaire_id)
    form = _question_form(questionnaire)
    if form.validate_on_submit():
        try:
            services.add_question(questionnaire, current_user, kind=form.kind.data, prompt=form.prompt.data,
                                  required=form.required.data, options=(form.options.data or "").splitlines(),
                                  branch_option_id=form.branch_option_id.data or None,
                                  article_anchor=form.article_anchor.data or "")
        except DomainError as error:
            status = show_error(error, form)
            return office_show(questionnaire_id, question_form=form), status
        flash(_("The question has been added."), "success")
        return redirect(url_for("surveys.office_show", questionnaire_id=questionnaire.id) + "#questions")
    return office_show(questionnaire_id, question_form=form), 422


@bp.post("/office/questionnaires/<int:questionnaire_id>/questions/<int:question_id>/remove")
@builder_required
def remove_question(questionnaire_id: int, question_id: int):
    """Remove a question while the questionnaire is being written."""
    questionnaire = get_for_staff_or_404(questionnaire_id)
    if ConfirmForm().validate_on_submit():
        services.remove_question(questionnaire, current_user, question_id)
        flash(_("The question has been removed."), "success")
    return redirect(url_for("surveys.office_show", questionnaire_id=questionnaire.id) + "#questions")


def _step(questionnaire_id: int, action, done: str):
    questionnaire = get_for_staff_or_404(questionnaire_id)
    if ConfirmForm().validate_on_submit():
        try:
            action(questionnaire, current_user)
        except DomainError as error:
            show_error(error)
        else:
            flash(done, "success")
    return redirect(url_for("surveys.office_show", questionnaire_id=questionnaire.id))


@bp.post("/office/questionnaires/<int:questionnaire_id>/submit")
@builder_required
def submit(questionnaire_id: int):
    """Send the questionnaire to its department's reviewers."""
    return _step(questionnaire_id, services.submit_for_review, _("The questionnaire has been sent for review."))


@bp.post("/office/questionnaires/<int:questionnaire_id>/approve")
@role_required(REVIEWER, ADMIN)
def approve(questionnaire_id: int):
    """A reviewer of the department approves: it opens at its opening time."""
    return _step(questionnaire_id, services.approve, _("The questionnaire has been approved."))


@bp.post("/office/questionnaires/<int:questionnaire_id>/withdraw")
@builder_required
def withdraw(questionnaire_id: int):
    """Withdraw the questionnaire."""
    return _step(questionnaire_id, services.withdraw, _("The questionnaire has been withdrawn."))


@bp.post("/office/questionnaires/<int:questionnaire_id>/return")
@role_required(REVIEWER, ADMIN)
def return_for_changes(questionnaire_id: int):
    """A reviewer returns it to the editor with a note."""
    questionnaire = get_for_staff_or_404(questionnaire_id)
    form = ReturnForm()
    if form.validate_on_submit():
        try:
            services.return_for_changes(questionnaire, current_user, form.note.data)
        except DomainError as error:
            return office_show(questionnaire_id, return_form=form), show_error(error, form)
        flash(_("The questionnaire has been returned to the editor."), "success")
        return redirect(url_for("surveys.office_show", questionnaire_id=questionnaire.id))
    return office_show(questionnaire_id, return_form=form), 422
