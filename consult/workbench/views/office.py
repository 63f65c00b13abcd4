"""Staff pages of a draft's comment analysis: the run and its progress, units per draft and per article,
one unit with its comments, and the forms that read and dispose of units."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from consult.accounts.models import ADMIN, EDITOR, OFFICER, REVIEWER
from consult.authz import role_required
from consult.domain import DomainError
from consult.drafts.forms import DispositionForm
from consult.drafts.models import CLOSED, REPORT_APPROVED, REPORT_PENDING, Draft
from consult.drafts.queries import article_labels
from consult.drafts.report import DISPOSITION_LABELS
from consult.drafts.views.common import get_draft_for_staff_or_404
from consult.errors import show_error
from consult.extensions import db
from consult.pagination import InvalidCursor
from consult.workbench import jobs, queries, services, trace
from consult.workbench.forms import ChangesForm, ReadForm, RevisionForm, RunForm
from consult.workbench.models import (
    ACTIVE_STATUSES, CAMPAIGN, SINGLE, STANCE_CODES, TOPIC, UNIT_KINDS, AnalysisUnit,
)  # fmt: skip
from consult.workbench.views import bp

analysis_roles = role_required(EDITOR, ADMIN, OFFICER, REVIEWER)
WHOLE_DRAFT = "draft"  # the URL segment of comments on the draft as a whole (no anchor is called that)

STANCE_LABELS = {"support": _l("Support"), "oppose": _l("Oppose"), "revise": _l("Suggests changes"),
                 "other": _l("Other")}
KIND_LABELS = {CAMPAIGN: _l("Campaign"), TOPIC: _l("Topic"), SINGLE: _l("Single comment")}
KIND_PLURALS = {CAMPAIGN: _l("Campaigns"), TOPIC: _l("Topics"), SINGLE: _l("Single comments")}
STEP_LABELS = {"reading": _l("Reading the comments"), "analysing": _l("Finding campaigns and topics"),
               "writing": _l("Saving the units")}


@bp.context_processor
def _labels():
    def resolved(labels: dict) -> dict:  # translated once per page, not once per row
        return {key: str(label) for key, label in labels.items()}

    return {"stance_labels": resolved(STANCE_LABELS), "stance_codes": STANCE_CODES,
            "kind_labels": resolved(KIND_LABELS), "kind_plurals": resolved(KIND_PLURALS),
            "step_labels": resolved(STEP_LABELS), "disposition_labels": resolved(DISPOSITION_LABELS),
            "whole_draft": WHOLE_DRAFT}


def _draft_for_analysis(draft_id: int) -> Draft:
    draft = get_draft_for_staff_or_404(draft_id)
    if not services.may_analyse(current_user, draft):
        abort(403)
    return draft


def _may_dispose(draft: Draft) -> bool:
    return draft.status == CLOSED and draft.report_state not in (REPORT_PENDING, REPORT_APPROVED)


def _overview(draft: Draft, article: str | None):
    """The overview of the draft (``article`` None) or of one article: run, progress, stances, units."""
    latest = queries.latest_run(draft.id)
    run = queries.current_run(draft.id)
    kind = request.args.get("kind", "")
    filters = queries.UnitFilters(kind=kind if kind in UNIT_KINDS else "", article=article,
                                  undecided=request.args.get("undecided") == "1")
    page = None
    if run is not None:
        try:
            page = queries.unit_page(run, filters, request.args.get("cursor"))
        except InvalidCursor:
            abort(400)
    order = [a.anchor for a in draft.current_version.articles] if draft.current_version else []
    labels = article_labels(draft.id)
    stances = queries.stance_table(run, order, labels) if run else []
    if article is not None:
        stances = [row for row in stances if row[0] == article]
    active = latest is not None and latest.status in ACTIVE_STATUSES and not jobs.is_stale(latest)
    return render_template(
        "workbench/overview.html", draft=draft, latest=latest, run=run, active=active,
        stale=latest is not None and jobs.is_stale(latest), page=page, filters=filters, stances=stances,
        labels=labels, article=article, new_comments=queries.new_comments_since(run) if run else 0,
        run_form=RunForm(), may_dispose=_may_dispose(draft), revised=trace.revised_version(draft),
    )


@bp.get("/office/drafts/<int:draft_id>/analysis")
@analysis_roles
def overview(draft_id: int):
    """The analysis of a draft: its run and progress, campaign numbers, stances per article, the units."""
    return _overview(_draft_for_analysis(draft_id), None)


@bp.get("/office/drafts/<int:draft_id>/analysis/articles/<anchor>")
@analysis_roles
def article(draft_id: int, anchor: str):
    """The analysis of one article (``draft``: comments on the draft as a whole)."""
    draft = _draft_for_analysis(draft_id)
    anchor = "" if anchor == WHOLE_DRAFT else anchor
    if anchor not in article_labels(draft.id):
        abort(404)
    return _overview(draft, anchor)


@bp.post("/office/drafts/<int:draft_id>/analysis")
@analysis_roles
def start(draft_id: int):
    """Queue an analysis (or a retry) and start its job once the request has committed."""
    draft = _draft_for_analysis(draft_id)
    return start_run(lambda: services.request_analysis(draft, current_user),
                     url_for("workbench.overview", draft_id=draft.id))


def start_run(request_run, back: str):
    """The end of a POST that starts an analysis: check the form, queue the run (``request_run()``; a refusal is
    shown), commit, start its job, and go ``back`` to the page that shows its progress."""
    if not RunForm().validate_on_submit():
        abort(400)
    try:
        run = request_run()
    except DomainError as error:
        show_error(error)
        return redirect(back)
    db.session.commit()  # the job reads the run from its own session
    jobs.dispatch(run.id)
    flash(_("The analysis has started. This page shows its progress."), "success")
    return redirect(back)


def _unit_or_404(draft: Draft, unit_id: int) -> AnalysisUnit:
    unit = db.get_or_404(AnalysisUnit, unit_id)
    if unit.run.draft_id != draft.id:
        abort(404)
    return unit


def _render_unit(draft: Draft, unit: AnalysisUnit, form: DispositionForm, status: int = 200):
    edited_only = unit.kind == CAMPAIGN and request.args.get("all") != "1"
    try:
        members = queries.member_page(unit, request.args.get("cursor"), edited_only=edited_only)
    except InvalidCursor:
        abort(400)
    current = queries.current_run(draft.id)
    representatives = queries.comments_by_id([unit.lead_comment_id, *unit.representative_ids])
    labels, linked = article_labels(draft.id), trace.linked_anchors(unit)
    return render_template(
        "workbench/unit.html", draft=draft, unit=unit, members=members, edited_only=edited_only,
        lead=representatives.get(unit.lead_comment_id),
        representatives=[representatives[i] for i in unit.representative_ids if i in representatives],
        form=form, member_form=DispositionForm(prefix="m"), read_form=ReadForm(), labels=labels,
        outdated=current is None or current.id != unit.run_id, may_dispose=_may_dispose(draft),
        changed=trace.changed_articles(draft) if unit.disposition in trace.ADOPTING else {},
        linked=linked, linked_labels=[labels.get(a, a) for a in linked], changes_form=ChangesForm(),
    ), status


@bp.get("/office/drafts/<int:draft_id>/analysis/units/<int:unit_id>")
@analysis_roles
def unit(draft_id: int, unit_id: int):
    """One unit: a campaign's template once and only what each sender changed, a topic's keywords and
    representatives, or the single comment; then its comments, paged."""
    draft = _draft_for_analysis(draft_id)
    unit = _unit_or_404(draft, unit_id)
    form = DispositionForm()
    if unit.disposition:
        form.disposition.data, form.reason.data = unit.disposition, unit.disposition_reason
    return _render_unit(draft, unit, form)


@bp.post("/office/drafts/<int:draft_id>/analysis/units/<int:unit_id>")
@analysis_roles
def decide(draft_id: int, unit_id: int):
    """Give the unit one disposition with its reason."""
    draft = _draft_for_analysis(draft_id)
    unit = _unit_or_404(draft, unit_id)
    form = DispositionForm()
    if not form.validate_on_submit():
        return _render_unit(draft, unit, form, 422)
    try:
        n = services.decide_unit(unit, form.disposition.data, form.reason.data, current_user)
    except DomainError as error:
        return _render_unit(draft, unit, form, show_error(error, form))
    flash(_("Disposition saved for the unit: %(n)s comments updated.", n=n), "success")
    return redirect(url_for("workbench.unit", draft_id=draft.id, unit_id=unit.id))


@bp.post("/office/drafts/<int:draft_id>/analysis/units/<int:unit_id>/read")
@analysis_roles
def mark_read(draft_id: int, unit_id: int):
    """Mark the unit as read."""
    draft = _draft_for_analysis(draft_id)
    unit = _unit_or_404(draft, unit_id)
    if not ReadForm().validate_on_submit():
        abort(400)
    try:
        services.mark_read(unit, current_user)
    except DomainError as error:
        show_error(error)
    return redirect(url_for("workbench.unit", draft_id=draft.id, unit_id=unit.id))


@bp.post("/office/drafts/<int:draft_id>/analysis/units/<int:unit_id>/comments/<int:comment_id>")
@analysis_roles
def decide_member(draft_id: int, unit_id: int, comment_id: int):
    """Give one comment of the unit its own disposition."""
    draft = _draft_for_analysis(draft_id)
    unit = _unit_or_404(draft, unit_id)
    form = DispositionForm(prefix="m")
    if form.validate_on_submit():
        try:
            services.decide_member(unit, comment_id, form.disposition.data, form.reason.data, current_user)
            flash(_("Disposition saved for this comment."), "success")
        except DomainError as error:
            show_error(error)
            return _render_unit(draft, unit, DispositionForm(), 409 if error.status == 409 else 422)
    else:
        flash(_("Please choose a disposition and give its reason."), "error")
        return _render_unit(draft, unit, DispositionForm(), 422)
    return redirect(url_for("workbench.unit", draft_id=draft.id, unit_id=unit.id, **request.args))


@bp.route("/office/drafts/<int:draft_id>/analysis/revision", methods=["GET", "POST"])
@role_required(EDITOR, ADMIN)
def revision(draft_id: int):
    """Record the draft's revised text (its next version), to which adopted units are linked."""
    draft = _draft_for_analysis(draft_id)
    form = RevisionForm()
    if request.method == "GET":
        current = draft.current_version
        form.body.data = current.body if current else ""
        revised = trace.revised_version(draft)
        form.change_note.data = revised.change_note if revised else ""
    status = 200
    if form.validate_on_submit():
        try:
            trace.record_revision(draft, form.body.data, form.change_note.data, current_user)
            flash(_("The revised text is recorded. Link adopted units to the articles it changed."), "success")
            return redirect(url_for("workbench.overview", draft_id=draft.id))
        except DomainError as error:
            status = show_error(error, form)
    elif request.method == "POST":
        status = 422
    return render_template("workbench/revision.html", draft=draft, form=form,
                           changed=trace.changed_articles(draft), labels=article_labels(draft.id)), status


@bp.post("/office/drafts/<int:draft_id>/analysis/units/<int:unit_id>/changes")
@analysis_roles
def link_changes(draft_id: int, unit_id: int):
    """Link an adopted unit to the articles of the revised text it changed."""
    draft = _draft_for_analysis(draft_id)
    unit = _unit_or_404(draft, unit_id)
    if not ChangesForm().validate_on_submit():
        abort(400)
    try:
        trace.link_unit(unit, request.form.getlist("anchors"), current_user)
        flash(_("Saved."), "success")
    except DomainError as error:
        show_error(error)
    return redirect(url_for("workbench.unit", draft_id=draft.id, unit_id=unit.id))
