"""After closing: group similar comments, reply to a group at once, set dispositions, write the report."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.accounts.models import ADMIN, EDITOR, OFFICER, REVIEWER
from consult.authz import role_required
from consult.domain import DomainError
from consult.drafts import grouping, report, transitions
from consult.drafts.figures import STANCE_LABELS
from consult.drafts.forms import ConfirmForm, DispositionForm, GroupReplyForm, ReportForm
from consult.drafts.queries import article_labels
from consult.drafts.views import bp
from consult.drafts.views.common import get_draft_for_staff_or_404
from consult.drafts.views.public import export_response
from consult.errors import show_error

answer_roles = role_required(EDITOR, ADMIN, OFFICER, REVIEWER)


def _draft_for_answering(draft_id: int):
    draft = get_draft_for_staff_or_404(draft_id)
    if not transitions.may_answer(current_user, draft):
        abort(403)
    return draft


@bp.get("/office/drafts/<int:draft_id>/answers")
@answer_roles
def answers(draft_id: int):
    """Groups of identical and near-identical comments with their sizes, largest first."""
    draft = _draft_for_answering(draft_id)
    groups = grouping.group_summaries(draft.id)
    return render_template("drafts/office/answers.html", draft=draft, groups=groups, confirm=ConfirmForm(),
                           undecided=report.undecided_count(draft), labels=report.DISPOSITION_LABELS)


@bp.post("/office/drafts/<int:draft_id>/answers/group")
@answer_roles
def regroup(draft_id: int):
    """(Re)compute the groups."""
    draft = _draft_for_answering(draft_id)
    if ConfirmForm().validate_on_submit():
        n = grouping.group_comments(draft.id)
        flash(_("Comments grouped: %(n)s groups with more than one comment.", n=n), "success")
    return redirect(url_for("drafts.answers", draft_id=draft.id))


@bp.route("/office/drafts/<int:draft_id>/answers/groups/<int:group_id>", methods=["GET", "POST"])
@answer_roles
def group(draft_id: int, group_id: int):
    """One group: its comments, a disposition for all of them, and one reply to all of them."""
    draft = _draft_for_answering(draft_id)
    members = report.group_members(draft, group_id)
    if not members:
        abort(404)
    form, reply_form = DispositionForm(prefix="d"), GroupReplyForm(prefix="r")
    status = 200
    if request.method == "POST" and request.form.get("what") == "reply":
        if reply_form.validate_on_submit():
            try:
                report.reply_to_group(draft, group_id, current_user, reply_form.body.data)
                flash(_("The reply is waiting for a reviewer's approval; it answers every comment of the group."),
                      "success")
                return redirect(url_for("drafts.group", draft_id=draft.id, group_id=group_id))
            except DomainError as error:
                status = show_error(error, reply_form)
        else:
            status = 422
    elif request.method == "POST":
        if form.validate_on_submit():
            try:
                n = report.set_disposition(draft, members, form.disposition.data, form.reason.data, current_user)
                flash(_("%(n)s comments updated.", n=n), "success")
                return redirect(url_for("drafts.answers", draft_id=draft.id))
            except DomainError as error:
                status = show_error(error, form)
        else:
            status = 422
    return render_template("drafts/office/group.html", draft=draft, members=members, form=form,
                           reply_form=reply_form, group_id=group_id, labels=report.DISPOSITION_LABELS,
                           headings=article_labels(draft.id)), status


@bp.route("/office/drafts/<int:draft_id>/report", methods=["GET", "POST"])
@answer_roles
def write_report(draft_id: int):
    """Write the feedback report's summary and send it for approval."""
    draft = _draft_for_answering(draft_id)
    form = ReportForm()
    if request.method == "GET":
        form.summary.data = draft.report_summary
    status = 200
    if form.validate_on_submit():
        try:
            report.submit_report(draft, current_user, form.summary.data or "")
            flash(_("The report is waiting for a reviewer's approval."), "success")
            return redirect(url_for("drafts.office_detail", draft_id=draft.id))
        except DomainError as error:
            status = show_error(error, form)
    return render_template("drafts/office/report_form.html", draft=draft, form=form,
                           figures=report.report_figures(draft), labels=report.DISPOSITION_LABELS,
                           stance_labels=STANCE_LABELS), status


@bp.get("/office/drafts/<int:draft_id>/comments.<fmt>")
@answer_roles
def export(draft_id: int, fmt: str):
    """Every comment (held and rejected too) with its disposition, streamed as CSV or JSON."""
    draft = _draft_for_answering(draft_id)
    if fmt not in ("csv", "json"):
        abort(404)
    return export_response(draft, fmt, public=False)
