"""Staff pages of a questionnaire's written answers, analysed like a draft's comments: the run and its
progress, campaigns (identical form answers), topics and stances per free-text question, and one unit with its
answers. The same runs, units and queries as the draft's pages; the units are read, not disposed of (an answer
to a questionnaire needs no reply). Texts are shown with phone numbers, e-mail addresses and ID numbers
removed, as in the questionnaire's exports."""

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user

from consult.contacts import redact_text
from consult.domain import DomainError
from consult.errors import show_error
from consult.extensions import db
from consult.pagination import InvalidCursor
from consult.surveys.models import PUBLIC_STATUSES, TEXT, Questionnaire
from consult.surveys.results import load
from consult.workbench import jobs, queries, services
from consult.workbench.forms import ReadForm, RunForm
from consult.workbench.models import ACTIVE_STATUSES, CAMPAIGN, UNIT_KINDS, AnalysisUnit
from consult.workbench.views import bp
from consult.workbench.views.office import analysis_roles, start_run


def _questionnaire_for_analysis(questionnaire_id: int) -> Questionnaire:
    """The questionnaire (404 if missing or not yet public), if the user may see its answers (else 403)."""
    questionnaire = load(questionnaire_id)
    if questionnaire is None or questionnaire.status not in PUBLIC_STATUSES:
        abort(404)
    if not services.may_analyse_answers(current_user, questionnaire):
        abort(403)
    return questionnaire


def _question_labels(questionnaire: Questionnaire) -> dict[str, str]:
    """Group (the question's id as text) → "n. prompt", for the free-text questions in their order."""
    return {str(q.id): f"{n}. {q.prompt}" for n, q in enumerate(questionnaire.questions, 1) if q.kind == TEXT}


def _overview(questionnaire: Questionnaire, question: str | None):
    latest = queries.latest_run(questionnaire_id=questionnaire.id)
    run = queries.current_run(questionnaire_id=questionnaire.id)
    kind = request.args.get("kind", "")
    filters = queries.UnitFilters(kind=kind if kind in UNIT_KINDS else "", article=question)
    page = None
    if run is not None:
        try:
            page = queries.unit_page(run, filters, request.args.get("cursor"))
        except InvalidCursor:
            abort(400)
    labels = _question_labels(questionnaire)
    stances = queries.stance_table(run, list(labels), labels) if run else []
    if question is not None:
        stances = [row for row in stances if row[0] == question]
    stale = latest is not None and jobs.is_stale(latest)
    return render_template(
        "workbench/answers_overview.html", questionnaire=questionnaire, latest=latest, run=run,
        active=latest is not None and latest.status in ACTIVE_STATUSES and not stale, stale=stale, page=page,
        filters=filters, stances=stances, labels=labels, question=question, run_form=RunForm(),
        new_answers=queries.new_comments_since(run) if run else 0, redact=redact_text,
    )


@bp.get("/office/questionnaires/<int:questionnaire_id>/analysis")
@analysis_roles
def answers_overview(questionnaire_id: int):
    """The analysis of a questionnaire's written answers: its run, campaigns, stances per question, units."""
    return _overview(_questionnaire_for_analysis(questionnaire_id), None)


@bp.get("/office/questionnaires/<int:questionnaire_id>/analysis/questions/<int:question_id>")
@analysis_roles
def answers_question(questionnaire_id: int, question_id: int):
    """The analysis of the answers to one free-text question."""
    questionnaire = _questionnaire_for_analysis(questionnaire_id)
    if str(question_id) not in _question_labels(questionnaire):
        abort(404)
    return _overview(questionnaire, str(question_id))


@bp.post("/office/questionnaires/<int:questionnaire_id>/analysis")
@analysis_roles
def answers_start(questionnaire_id: int):
    """Queue an analysis of the written answers (or a retry) and start its job once the request has committed."""
    questionnaire = _questionnaire_for_analysis(questionnaire_id)
    return start_run(lambda: services.request_answer_analysis(questionnaire, current_user),
                     url_for("workbench.answers_overview", questionnaire_id=questionnaire.id))


def _redacted_edits(edits: list) -> list:
    """A campaign copy's edits ([kind, template words, sender's words]) with personal data removed."""
    return [[kind, redact_text(old), redact_text(new)] for kind, old, new in edits]


def _unit_or_404(questionnaire: Questionnaire, unit_id: int) -> AnalysisUnit:
    unit = db.get_or_404(AnalysisUnit, unit_id)
    if unit.run.questionnaire_id != questionnaire.id:
        abort(404)
    return unit


@bp.get("/office/questionnaires/<int:questionnaire_id>/analysis/units/<int:unit_id>")
@analysis_roles
def answers_unit(questionnaire_id: int, unit_id: int):
    """One unit: a campaign's form answer once and only what each sender changed, a topic's keywords and
    representative answers, or the single answer; then its answers, paged."""
    questionnaire = _questionnaire_for_analysis(questionnaire_id)
    unit = _unit_or_404(questionnaire, unit_id)
    edited_only = unit.kind == CAMPAIGN and request.args.get("all") != "1"
    try:
        members = queries.answer_page(unit, request.args.get("cursor"), edited_only=edited_only)
    except InvalidCursor:
        abort(400)
    current = queries.current_run(questionnaire_id=questionnaire.id)
    texts = queries.answer_texts([unit.lead_comment_id, *unit.representative_ids])
    return render_template(
        "workbench/answers_unit.html", questionnaire=questionnaire, unit=unit, members=members,
        edited_only=edited_only, lead=texts.get(unit.lead_comment_id, ""),
        representatives=[texts[i] for i in unit.representative_ids if i in texts], read_form=ReadForm(),
        labels=_question_labels(questionnaire), outdated=current is None or current.id != unit.run_id,
        redact=redact_text, redacted_edits=_redacted_edits,
    )


@bp.post("/office/questionnaires/<int:questionnaire_id>/analysis/units/<int:unit_id>/read")
@analysis_roles
def answers_mark_read(questionnaire_id: int, unit_id: int):
    """Mark the unit as read."""
    questionnaire = _questionnaire_for_analysis(questionnaire_id)
    unit = _unit_or_404(questionnaire, unit_id)
    if not ReadForm().validate_on_submit():
        abort(400)
    try:
        services.mark_read(unit, current_user)
    except DomainError as error:
        show_error(error)
    return redirect(url_for("workbench.answers_unit", questionnaire_id=questionnaire.id, unit_id=unit.id))
