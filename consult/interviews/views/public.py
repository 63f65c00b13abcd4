"""Online interviews, public side: the list, an interview's page (announcement, live transcript, archive),
asking a question, and the stream of new transcript entries for the live page.

The live page works without JavaScript: it is a short-lived public page with a "refresh" link. With
JavaScript (static/js/interview-live.js) it opens ``/interviews/<id>/stream``, server-sent events that carry
each new transcript entry as it is recorded. The stream only reads, polls the database at a modest interval
(``CONSULT_INTERVIEW_POLL_SECONDS``) and closes after ``CONSULT_INTERVIEW_STREAM_SECONDS``; the browser then
reconnects with the id of the last entry it has (``Last-Event-ID``) and misses nothing.
"""

import time

from flask import Response, current_app, render_template, request, stream_with_context
from flask_login import current_user

from consult.authz import moderates_interviews_of
from consult.database import defer_write_lock
from consult.extensions import db
from consult.forms import chosen_channel
from consult.i18n import current_locale_code
from consult.interviews import queries, services
from consult.interviews.forms import QuestionForm
from consult.interviews.models import LIVE, SCHEDULED, STATUS_LABELS, Interview
from consult.interviews.views import bp
from consult.limits import INTERVIEW_LIMIT
from consult.pagination import page_or_400
from consult.public_forms import form_rate_limit, submit_form
from consult.public_pages import keep_page, public_page, short_lived
from consult.text import render_markdown
from consult.tracking.receipt import honeypot_filled

STREAM_BATCH = 50  # entries per read while catching up


@bp.get("/interviews")
@public_page
def index():
    """Online interviews: live and upcoming ones first, or the archive of past ones."""
    which = queries.PAST if request.args.get("past") == "1" else queries.UPCOMING
    page = page_or_400(queries.public_interviews, which=which, cursor=request.args.get("cursor"))
    return render_template("interviews/index.html", page=page, past=which == queries.PAST,
                           status_labels=STATUS_LABELS)


@bp.get("/interviews/<int:interview_id>")
@public_page
def detail(interview_id: int):
    """An interview's page: the announcement (topic, time, officials), then the transcript as it grows, and
    after the session the summary and the archived transcript."""
    interview = db.get_or_404(Interview, interview_id)
    keep_page(queries.stamp, interview.id)
    if interview.status == LIVE:
        short_lived(current_app.config["CONSULT_LIVE_PAGE_MAX_AGE"])
    entries = queries.transcript(interview.id)
    return render_template(
        "interviews/detail.html", interview=interview, entries=entries, status_labels=STATUS_LABELS,
        description=render_markdown(interview.description), summary=render_markdown(interview.summary),
        last_entry_id=entries[-1].id if entries else 0,
        can_moderate=current_user.is_authenticated and moderates_interviews_of(current_user, interview.department_id),
    )


@bp.route("/interviews/<int:interview_id>/ask", methods=["GET", "POST"])
@defer_write_lock
@form_rate_limit(INTERVIEW_LIMIT)
def ask(interview_id: int):
    """Send a question to an interview, before or during it. Everything wrong is said at once, and the
    text stays in the form."""
    interview = db.get_or_404(Interview, interview_id)
    if honeypot_filled():  # a bot: look normal, keep nothing
        return render_template("interviews/question_sent.html", interview=interview, question=None)
    form = QuestionForm()
    if request.method == "GET" and current_user.is_authenticated:
        form.name.data, form.email.data = current_user.display_name, current_user.email
    status = 200 if interview.accepts_questions else 409
    if request.method == "POST":
        user = current_user._get_current_object() if current_user.is_authenticated else None
        values = dict(body=form.body.data or "", name=form.name.data or "", phone=form.phone.data or "",
                      email=form.email.data or "")
        receipt, status = submit_form(
            form,
            submit=lambda: services.ask_question(interview, form_token=form.form_token.data or "", user=user,
                                                 locale=current_locale_code(), notify_by=chosen_channel(form),
                                                 **values),
            check=lambda: services.check_question(interview, **values),
        )
        if receipt is not None:
            return render_template("interviews/question_sent.html", interview=receipt.question.interview,
                                   question=receipt.question)
    return render_template("interviews/ask.html", interview=interview, form=form), status


def _event(entry_id: int | None, name: str, data: str) -> str:
    """One server-sent event; every line of ``data`` gets its own ``data:`` field."""
    lines = [f"id: {entry_id}"] if entry_id is not None else []
    lines.append(f"event: {name}")
    lines.extend(f"data: {line}" for line in data.splitlines() or [""])
    return "\n".join(lines) + "\n\n"


def _after_id() -> int:
    raw = request.headers.get("Last-Event-ID") or request.args.get("after") or "0"
    return int(raw) if raw.isdigit() and len(raw) < 19 else 0


@bp.get("/interviews/<int:interview_id>/stream")
def stream(interview_id: int):
    """Server-sent events for the live page: each transcript entry after ``Last-Event-ID`` (or ``?after=``)
    as an ``entry`` event carrying its HTML, then new ones as they are recorded; a ``status`` event when the
    interview is not (or no longer) live, after which the stream ends. Reads only."""
    db.get_or_404(Interview, interview_id)  # an unknown interview is a 404, not an empty stream
    config = current_app.config
    lifetime, interval = config["CONSULT_INTERVIEW_STREAM_SECONDS"], config["CONSULT_INTERVIEW_POLL_SECONDS"]
    engine, after = db.engine, _after_id()
    db.session.rollback()  # nothing is held open between polls

    def events():
        last, deadline = after, time.monotonic() + lifetime
        yield f"retry: {int(interval * 1000) + 2000}\n\n"
        while True:
            status, newest = queries.newest_entry_id(engine, interview_id)
            while newest > last:
                batch = queries.transcript(interview_id, after_id=last, limit=STREAM_BATCH)
                for entry in batch:
                    yield _event(entry.id, "entry", render_template("interviews/_entry.html", entry=entry))
                    last = entry.id
                db.session.rollback()
                if not batch:
                    break
            if status != LIVE:
                if status is not None and status != SCHEDULED:
                    yield _event(None, "status", status)
                return
            if time.monotonic() >= deadline:
                return
            time.sleep(interval)

    response = Response(stream_with_context(events()), mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"  # nginx passes each event on at once
    return response

