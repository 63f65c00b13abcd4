"""The citizen's side: status lookup by tracking number and query code, the status page with the answer,
the public timeline and the satisfaction questionnaire, rating links from the answer mail, providing
requested information, and "my submissions" for logged-in citizens.

A successful lookup remembers the submission in the visitor's (signed) session and redirects to
``/track/<tracking_no>``, so the query code never appears in a link or in a later page.
"""

import sqlalchemy as sa
from flask import abort, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from consult.accounts.models import CITIZEN
from consult.authz import role_required
from consult.domain import DomainError
from consult.errors import show_error
from consult.extensions import db, limiter
from consult.formats import format_day
from consult.limits import LOOKUP_LIMIT
from consult.pagination import InvalidCursor, paginate
from consult.tracking import kind_details, services
from consult.tracking.codes import reissue_query_code
from consult.tracking.forms import LookupForm, NewCodeForm, ProvideInfoForm, RateForm
from consult.tracking.models import NEEDS_INFO, REOPENED, Submission
from consult.tracking.numbers import normalise_tracking_no
from consult.tracking.policies import REOPEN_WINDOW_WORKDAYS
from consult.tracking.views import bp

ACCESS_KEY = "tracked_submissions"
ACCESS_MAX = 20
WRITE_LIMIT = "10 per minute"
NOT_FOUND = _l("No submission matches this tracking number and query code. Please check both and try again.")


def _grant(submission: Submission) -> None:
    """Remember in the session that this visitor proved they may follow ``submission``."""
    ids = [i for i in session.get(ACCESS_KEY, []) if i != submission.id]
    session[ACCESS_KEY] = (ids + [submission.id])[-ACCESS_MAX:]


def _is_owner(submission: Submission) -> bool:
    """The signed-in citizen sent it (account, verified phone or e-mail address)."""
    user = current_user
    return user.is_authenticated and user.role == CITIZEN and services.is_sender(submission, user)


def _tracked(tracking_no: str) -> Submission | None:
    """The submission if this visitor looked it up with its code (or owns it); None otherwise, alike."""
    submission = db.session.scalar(
        sa.select(Submission)
        .where(Submission.tracking_no == normalise_tracking_no(tracking_no))
        .options(joinedload(Submission.department), selectinload(Submission.events), selectinload(Submission.replies))
    )
    if submission is None:
        return None
    if submission.id in session.get(ACCESS_KEY, []) or _is_owner(submission):
        return submission
    return None


def _tracked_or_lookup(tracking_no: str):
    """The submission, or a redirect to the lookup form (the same for unknown numbers and strangers)."""
    submission = _tracked(tracking_no)
    if submission is None:
        return None, redirect(url_for("tracking.lookup", tracking_no=tracking_no[:40]))
    return submission, None


def _is_lookup_attempt() -> bool:
    return request.method == "POST" or bool(request.args.get("code"))


def _private(response):
    """Pages showing a submission are never cached, nor do they leak the URL in a Referer."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/track", methods=["GET", "POST"])
@limiter.limit(LOOKUP_LIMIT, exempt_when=lambda: not _is_lookup_attempt())
def lookup():
    """Find a submission with its tracking number and query code (also from the receipt mail's link)."""
    if request.method == "POST":
        form = LookupForm()
        attempt = form.validate_on_submit()
    else:
        number = request.args.get("tracking_no") or request.args.get("no") or ""
        form = LookupForm(formdata=None, tracking_no=number[:40], code=request.args.get("code", "")[:40])
        attempt = bool(form.tracking_no.data and form.code.data)
    status = 422 if form.errors else 200
    if attempt:
        submission = services.find_submission(form.tracking_no.data, form.code.data)
        if submission is not None:
            _grant(submission)
            return redirect(url_for("tracking.status", tracking_no=submission.tracking_no), 303)
        if request.method == "GET":  # from a link: drop the code from the address before showing anything
            flash(str(NOT_FOUND), "error")
            return redirect(url_for("tracking.lookup", tracking_no=form.tracking_no.data), 303)
        form.code.data = ""
        form.code.errors = [str(NOT_FOUND)]
        status = 404
    return _private(make_response(render_template("tracking/lookup.html", form=form), status))


@bp.route("/track/new-code", methods=["GET", "POST"])
@limiter.limit("5 per hour", methods=["POST"])
def new_code():
    """Lost the query code: a new one goes to the contact left with the submission (the same answer either
    way, so the form reveals nothing)."""
    form = NewCodeForm()
    if form.validate_on_submit():
        reissue_query_code(form.tracking_no.data, form.contact.data)
        flash(_("If the tracking number and the contact match, a new query code has been sent there. The old "
                "code no longer works."), "info")
        return redirect(url_for("tracking.lookup", tracking_no=form.tracking_no.data[:40]), 303)
    page = render_template("tracking/new_code.html", form=form)
    return _private(make_response(page, 422 if form.errors else 200))


@bp.get("/t/<tracking_no>")
def short_link(tracking_no: str):
    """The short link in text messages: the status page for whoever may see it, else the lookup form."""
    return redirect(url_for("tracking.status", tracking_no=normalise_tracking_no(tracking_no)[:40]))


def render_status(submission: Submission, status: int = 200, rate_form=None, info_form=None):
    """The citizen's view of one submission: public facts, answer, public timeline, and what they can do."""
    page = render_template(
        "tracking/status.html",
        submission=submission,
        explanation=services.explain_due(submission),
        answer=services.answer_of(submission),
        events=services.public_events(submission),
        kind_facts=kind_details.citizen_facts_for(submission),
        kind_answer=kind_details.citizen_answer_for(submission),
        can_rate=services.can_rate(submission),
        rate_form=rate_form or RateForm(formdata=None),
        info_form=info_form or ProvideInfoForm(formdata=None),
        needs_info=submission.status == NEEDS_INFO,
        may_reopen=submission.reopen_count == 0,
        reopen_days=REOPEN_WINDOW_WORKDAYS,
    )
    return _private(make_response(page, status))


@bp.get("/track/<tracking_no>")
def status(tracking_no: str):
    """A submission's status page, for the visitor who looked it up (or its logged-in owner)."""
    submission, lookup_redirect = _tracked_or_lookup(tracking_no)
    return lookup_redirect or render_status(submission)


def _rating_actor():
    return current_user._get_current_object() if current_user.is_authenticated and not current_user.is_staff else None


def _record_rating(submission: Submission, form: RateForm) -> None:
    """Record the questionnaire and tell the citizen what happens next (raises DomainError)."""
    new_status = services.rate(
        submission, resolved=form.resolved.data == "yes", satisfaction=form.satisfaction.data,
        comment=form.comment.data or "", actor=_rating_actor(),
    )
    if new_status == REOPENED:
        flash(_("Your submission has been reopened. The department will answer again by %(day)s.",
                day=format_day(submission.due_on)), "success")
    else:
        flash(_("Thank you for your rating. The submission is now closed."), "success")


def _citizen_form_action(tracking_no: str, form, form_name: str, act):
    """Validate ``form`` for the looked-up submission, run ``act(submission)``, back to the status page.

    Invalid input and refused actions re-render the status page with the form and its messages.
    """
    submission, lookup_redirect = _tracked_or_lookup(tracking_no)
    if lookup_redirect:
        return lookup_redirect
    if not form.validate_on_submit():
        return render_status(submission, 422, **{form_name: form})
    try:
        act(submission)
    except DomainError as error:
        code = show_error(error, form)
        return render_status(_tracked(tracking_no), code, **{form_name: form})
    return redirect(url_for("tracking.status", tracking_no=submission.tracking_no), 303)


@bp.post("/track/<tracking_no>/rate")
@limiter.limit(WRITE_LIMIT)
def rate_submission(tracking_no: str):
    """The satisfaction questionnaire sent from the status page."""
    form = RateForm()
    return _citizen_form_action(tracking_no, form, "rate_form", lambda submission: _record_rating(submission, form))


@bp.post("/track/<tracking_no>/info")
@limiter.limit(WRITE_LIMIT)
def provide_info(tracking_no: str):
    """The citizen sends the information the department asked for."""
    form = ProvideInfoForm()

    def send(submission):
        services.provide_info(submission, form.text.data, actor=_rating_actor())
        flash(_("Thank you. The department has received your information."), "success")

    return _citizen_form_action(tracking_no, form, "info_form", send)


@bp.route("/track/rate/<token>", methods=["GET", "POST"])
@limiter.limit(WRITE_LIMIT, methods=["POST"])
def rate(token: str):
    """Rate an answer from the link in the answer mail (a signed token, no query code needed)."""
    submission = services.submission_from_rating_token(token)
    if submission is None:
        abort(404, description=_("This rating link is not valid any more. You can still look up the "
                                 "submission with its tracking number and query code."))
    form = RateForm()
    code = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                _record_rating(submission, form)
            except DomainError as error:
                code = show_error(error, form)
                submission = services.submission_from_rating_token(token) or abort(404)
            else:
                _grant(submission)
                return redirect(url_for("tracking.status", tracking_no=submission.tracking_no), 303)
        else:
            code = 422
    page = render_template(
        "tracking/rate.html", submission=submission, form=form, answer=services.answer_of(submission),
        can_rate=services.can_rate(submission), may_reopen=submission.reopen_count == 0,
        reopen_days=REOPEN_WINDOW_WORKDAYS,
    )
    return _private(make_response(page, code))


@bp.get("/my/submissions")
@role_required(CITIZEN)
def my_submissions():
    """The logged-in citizen's own submissions, newest first."""
    stmt = services.user_submissions_query(current_user).options(joinedload(Submission.department))
    try:
        page = paginate(db.session, stmt, (Submission.id.desc(),), request.args.get("cursor"), per_page=30)
    except InvalidCursor:
        abort(400)
    return render_template("tracking/my_submissions.html", page=page)
