"""Online interviews, staff side: the moderator's list and console. The moderator (an officer or reviewer of
the interview's department; editors and admins for every department) starts the session, puts questions to
the officials or sets them aside, records the answers as they are given, ends the session (unanswered
questions become tracked submissions) and archives it with a summary."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from consult import uploads
from consult.authz import EVENT_MANAGE_ROLES, edits_interviews, moderates_interviews_of, role_required
from consult.domain import DomainError
from consult.errors import show_error
from consult.extensions import db
from consult.interviews import queries, services
from consult.interviews.forms import AnswerForm, ArchiveForm, ConfirmForm, ModerateForm
from consult.interviews.models import (
    NOT_PUT, QUESTION_STATUS_LABELS, SELECTED, STATUS_LABELS, SUBMITTED, Interview, Question,
)  # fmt: skip
from consult.interviews.views import bp
from consult.pagination import page_or_400
from consult.text import excerpt
from consult.tracking.models import Submission

MODERATOR_ROLES = EVENT_MANAGE_ROLES


def _moderated_or_404(interview_id: int) -> Interview:
    interview = db.get_or_404(Interview, interview_id)
    if not moderates_interviews_of(current_user, interview.department_id):
        abort(403)
    return interview


def _question_of(interview: Interview, question_id: int) -> Question:
    question = db.get_or_404(Question, question_id)
    if question.interview_id != interview.id:
        abort(404)
    return question


@bp.get("/office/interviews")
@role_required(*MODERATOR_ROLES)
def manage():
    """The interviews this staff member moderates, latest first, with their questions counted."""
    page = page_or_400(queries.managed_interviews, current_user, cursor=request.args.get("cursor"))
    counts = queries.question_counts([i.id for i in page.items])
    return render_template("interviews/manage.html", page=page, counts=counts, status_labels=STATUS_LABELS,
                           can_announce=edits_interviews(current_user))


def _answer_form(interview: Interview, selected: list[Question]) -> AnswerForm:
    form = AnswerForm()
    form.question_id.choices = [SelectChoice(0, _("No question: a statement by the official"))] + [
        SelectChoice(q.id, excerpt(q.body, 60)) for q in selected]
    form.official_id.choices = [SelectChoice(o.id, f"{o.name} · {o.title}" if o.title else o.name)
                                for o in interview.officials]
    return form


def _console(interview: Interview, answer_form: AnswerForm | None = None, archive_form: ArchiveForm | None = None,
             status: int = 200):
    cursor = request.args.get("cursor")
    waiting = page_or_400(queries.questions, interview, SUBMITTED, cursor=cursor)
    selected = page_or_400(queries.questions, interview, SELECTED, cursor=None, per_page=200).items
    set_aside = page_or_400(queries.questions, interview, NOT_PUT, cursor=None, per_page=200).items
    tracked = db.session.execute(
        sa.select(Question.id, Submission.id, Submission.tracking_no, Submission.due_on)
        .join(Submission, Submission.id == Question.submission_id)
        .where(Question.interview_id == interview.id).order_by(Question.id)
    ).all()
    return render_template(
        "interviews/console.html", interview=interview, waiting=waiting, selected=selected, set_aside=set_aside,
        tracked=tracked, entries=queries.transcript(interview.id),
        counts=queries.question_counts([interview.id])[interview.id],
        status_labels=STATUS_LABELS, question_labels=QUESTION_STATUS_LABELS,
        answer_form=answer_form or _answer_form(interview, selected), archive_form=archive_form or ArchiveForm(),
        moderate_form=ModerateForm(formdata=None), confirm_form=ConfirmForm(formdata=None),
        can_edit=edits_interviews(current_user),
    ), status


@bp.get("/office/interviews/<int:interview_id>")
@role_required(*MODERATOR_ROLES)
def console(interview_id: int):
    """The moderator's console: questions waiting, put and set aside; the answer form; the transcript."""
    return _console(_moderated_or_404(interview_id))


def _back(interview: Interview):
    return redirect(url_for("interviews.console", interview_id=interview.id))


def _act(interview: Interview, action, success: str):
    """Run ``action()``; flash ``success`` or the refusal, and go back to the console."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        action()
    except DomainError as error:
        show_error(error)
    else:
        flash(success, "success")
    return _back(interview)


@bp.post("/office/interviews/<int:interview_id>/start")
@role_required(*MODERATOR_ROLES)
def start(interview_id: int):
    """Open the session: answers may now be recorded."""
    interview = _moderated_or_404(interview_id)
    return _act(interview, lambda: services.start_interview(interview, actor=current_user),
                _("The interview is live."))


@bp.post("/office/interviews/<int:interview_id>/end")
@role_required(*MODERATOR_ROLES)
def end(interview_id: int):
    """Close the session; every question not answered becomes a tracked submission of the department."""
    interview = _moderated_or_404(interview_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        tracked = services.end_interview(interview, actor=current_user)
    except DomainError as error:
        show_error(error)
    else:
        flash(_("The interview has ended. %(n)s unanswered questions became tracked submissions of the "
                "department.", n=len(tracked)), "success")
    return _back(interview)


@bp.post("/office/interviews/<int:interview_id>/questions/<int:question_id>/select")
@role_required(*MODERATOR_ROLES)
def select(interview_id: int, question_id: int):
    """Put a question to the officials: it appears on the live page."""
    interview = _moderated_or_404(interview_id)
    question = _question_of(interview, question_id)
    return _act(interview, lambda: services.select_question(question, actor=current_user),
                _("The question has been put to the officials."))


@bp.post("/office/interviews/<int:interview_id>/questions/<int:question_id>/set-aside")
@role_required(*MODERATOR_ROLES)
def set_aside(interview_id: int, question_id: int):
    """Decide not to put a question now; it is answered in writing after the interview."""
    interview = _moderated_or_404(interview_id)
    question = _question_of(interview, question_id)
    form = ModerateForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.set_aside_question(question, note=form.note.data or "", actor=current_user)
    except DomainError as error:
        show_error(error)
    else:
        flash(_("The question has been set aside. It will be answered in writing after the interview."), "success")
    return _back(interview)


@bp.post("/office/interviews/<int:interview_id>/answers")
@role_required(*MODERATOR_ROLES)
def answer(interview_id: int):
    """Record what an official said, with images or documents; it appears on the live page at once."""
    interview = _moderated_or_404(interview_id)
    uploads.allow_large_request()
    selected = page_or_400(queries.questions, interview, SELECTED, cursor=None, per_page=200).items
    form = _answer_form(interview, selected)
    files = request.files.getlist(form.files.name)
    question = None
    if form.question_id.data:
        question = _question_of(interview, form.question_id.data)
    valid = form.validate_on_submit()
    try:
        if not valid:
            services.check_answer(interview, official_id=form.official_id.data, body=form.body.data or "", files=files)
            return _console(interview, answer_form=form, status=422)
        services.record_answer(interview, question=question, official_id=form.official_id.data,
                               body=form.body.data or "", files=files, actor=current_user)
    except DomainError as error:
        status = show_error(error, form)
        return _console(interview, answer_form=form, status=status)
    flash(_("The answer is on the live page."), "success")
    return _back(interview)


@bp.post("/office/interviews/<int:interview_id>/archive")
@role_required(*MODERATOR_ROLES)
def archive(interview_id: int):
    """Publish the ended interview as an archived transcript with its summary."""
    interview = _moderated_or_404(interview_id)
    form = ArchiveForm()
    if not form.validate_on_submit():
        return _console(interview, archive_form=form, status=422)
    try:
        services.archive_interview(interview, summary=form.summary.data or "", actor=current_user)
    except DomainError as error:
        status = show_error(error, form)
        return _console(interview, archive_form=form, status=status)
    flash(_("The interview is archived with its transcript."), "success")
    return _back(interview)

