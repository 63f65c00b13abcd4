"""Building a questionnaire and taking it through review: plain functions that add and flush, never commit,
and refuse with DomainError. Answering is in :mod:`consult.surveys.responses`."""

import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from consult.accounts.models import Department
from consult.authz import builds_questionnaires
from consult.database import utcnow
from consult.domain import DomainError, FieldErrors
from consult.drafts.models import Draft
from consult.extensions import db
from consult.localtime import as_utc
from consult.surveys.models import (
    ANSWER_MODES, APPROVED, DRAFT, IN_REVIEW, MULTIPLE, QUESTION_KINDS, RESULTS_VISIBILITIES, SCALE, SCALE_POINTS,
    SINGLE, TEXT, WITHDRAWN, SurveyOption, SurveyQuestion, Questionnaire,
)
from consult.surveys.transitions import require_action

TITLE_MAX, PROMPT_MAX, OPTION_MAX, INTRO_MAX, NOTE_MAX = 200, 1000, 200, 10_000, 2000
MAX_OPTIONS, MAX_QUESTIONS = 30, 100
DETAIL_FIELDS = ("title", "intro", "department_id", "draft_id", "opens_at", "closes_at", "answer_mode",
                 "results_visibility")


def _check_details(fields: dict) -> dict:
    errors = FieldErrors()
    title = (fields.get("title") or "").strip()
    if not title:
        errors.add("title", _l("Please enter a title."))
    elif len(title) > TITLE_MAX:
        errors.add("title", _l("At most %(max)d characters.", max=TITLE_MAX))
    if len(fields.get("intro") or "") > INTRO_MAX:
        errors.add("intro", _l("At most %(max)d characters.", max=INTRO_MAX))
    if db.session.get(Department, fields.get("department_id") or 0) is None:
        errors.add("department_id", _l("Please choose the department that runs the questionnaire."))
    draft_id = fields.get("draft_id") or None
    if draft_id is not None:
        if db.session.get(Draft, draft_id) is None:
            errors.add("draft_id", _l("Please choose a draft from the list."))
    opens_at, closes_at = fields.get("opens_at"), fields.get("closes_at")
    if not isinstance(opens_at, datetime):
        errors.add("opens_at", _l("Please give the opening time."))
    if not isinstance(closes_at, datetime):
        errors.add("closes_at", _l("Please give the closing time."))
    elif isinstance(opens_at, datetime) and closes_at <= opens_at:
        errors.add("closes_at", _l("The questionnaire must close after it opens."))
    if fields.get("answer_mode") not in ANSWER_MODES:
        errors.add("answer_mode", _l("Please choose who may answer."))
    if fields.get("results_visibility") not in RESULTS_VISIBILITIES:
        errors.add("results_visibility", _l("Please choose whether the results are published."))
    errors.raise_if_any(status=422)
    return {**{name: fields.get(name) for name in DETAIL_FIELDS}, "title": title, "intro": fields.get("intro") or "",
            "draft_id": draft_id}


def create_questionnaire(user, **fields) -> Questionnaire:
    """A new questionnaire (being written) with no questions yet."""
    probe = Questionnaire(department_id=fields.get("department_id") or 0, recorded_status=DRAFT)
    require_action(user, probe, "edit")
    questionnaire = Questionnaire(recorded_status=DRAFT, salt=secrets.token_hex(16), created_by_id=user.id,
                                  **_check_details(fields))
    db.session.add(questionnaire)
    db.session.flush()
    return questionnaire


def update_questionnaire(questionnaire: Questionnaire, user, **fields) -> Questionnaire:
    """Change the details of a questionnaire still being written."""
    require_action(user, questionnaire, "edit")
    for name, value in _check_details(fields).items():
        setattr(questionnaire, name, value)
    db.session.flush()
    return questionnaire


def _option_labels(kind: str, labels: list[str], errors: FieldErrors) -> list[str]:
    if kind == SCALE:
        return [str(point) for point in range(1, SCALE_POINTS + 1)]
    if kind == TEXT:
        return []
    labels = [label.strip() for label in labels if label.strip()]
    if len(labels) < 2:
        errors.add("options", _l("Please give at least two options, one per line."))
    elif len(labels) > MAX_OPTIONS:
        errors.add("options", _l("At most %(max)d options.", max=MAX_OPTIONS))
    elif len(set(labels)) != len(labels):
        errors.add("options", _l("Each option may appear only once."))
    elif any(len(label) > OPTION_MAX for label in labels):
        errors.add("options", _l("An option may have at most %(max)d characters.", max=OPTION_MAX))
    return labels


def add_question(questionnaire: Questionnaire, user, *, kind: str, prompt: str, required: bool = False,
                 options: list[str] = (), branch_option_id: int | None = None,
                 article_anchor: str = "") -> SurveyQuestion:
    """Add a question at the end. A branch names an option of an earlier choice question: the new question is
    shown (and its answer kept) only when that option was chosen."""
    require_action(user, questionnaire, "edit")
    errors = FieldErrors()
    if kind not in QUESTION_KINDS:
        errors.add("kind", _l("Please choose the kind of question."))
    prompt = (prompt or "").strip()
    if not prompt:
        errors.add("prompt", _l("Please write the question."))
    elif len(prompt) > PROMPT_MAX:
        errors.add("prompt", _l("At most %(max)d characters.", max=PROMPT_MAX))
    labels = _option_labels(kind, list(options or ()), errors) if kind in QUESTION_KINDS else []
    branch = None
    if branch_option_id:
        branch = db.session.get(SurveyOption, branch_option_id)
        if (branch is None or branch.question.questionnaire_id != questionnaire.id
                or branch.question.kind not in (SINGLE, MULTIPLE, SCALE)):
            errors.add("branch_option_id", _l("Please choose an option of an earlier question."))
    anchor = (article_anchor or "").strip()
    if anchor and anchor not in article_anchors(questionnaire):
        errors.add("article_anchor", _l("Please choose an article of the draft."))
    if len(questionnaire.questions) >= MAX_QUESTIONS:
        errors.add("prompt", _l("A questionnaire may have at most %(max)d questions.", max=MAX_QUESTIONS))
    errors.raise_if_any(status=422)
    position = max((q.position for q in questionnaire.questions), default=0) + 1
    question = SurveyQuestion(kind=kind, prompt=prompt, required=bool(required), position=position,
                              article_anchor=anchor, branch_option_id=branch.id if branch else None,
                              options=[SurveyOption(position=n, label=label) for n, label in enumerate(labels, 1)])
    questionnaire.questions.append(question)
    db.session.flush()
    return question


def remove_question(questionnaire: Questionnaire, user, question_id: int) -> None:
    """Remove a question (and any branch that pointed at its options) while the questionnaire is written."""
    require_action(user, questionnaire, "edit")
    question = next((q for q in questionnaire.questions if q.id == question_id), None)
    if question is None:
        raise DomainError(_l("No such question."), status=404)
    option_ids = [o.id for o in question.options]
    for other in questionnaire.questions:
        if other.branch_option_id in option_ids:
            other.branch_option_id = None
    questionnaire.questions.remove(question)
    db.session.flush()


def article_anchors(questionnaire: Questionnaire) -> dict[str, str]:
    """The articles of the attached draft's current version (anchor → title), for per-article questions."""
    if questionnaire.draft_id is None:
        return {}
    draft = db.session.get(Draft, questionnaire.draft_id)
    version = draft.current_version if draft is not None else None
    return {a.anchor: a.heading for a in version.articles if a.anchor} if version is not None else {}


def submit_for_review(questionnaire: Questionnaire, user) -> None:
    """Send a questionnaire with at least one question to its department's reviewers."""
    require_action(user, questionnaire, "submit")
    if not questionnaire.questions:
        raise DomainError(_l("Please add at least one question before sending it for review."), status=409)
    questionnaire.recorded_status, questionnaire.submitted_at, questionnaire.review_note = IN_REVIEW, utcnow(), ""
    db.session.flush()


def approve(questionnaire: Questionnaire, user) -> None:
    """A reviewer of the department approves: it opens at its opening time and closes at its closing time."""
    require_action(user, questionnaire, "review")
    if as_utc(questionnaire.closes_at) <= utcnow():
        raise DomainError(_l("Its closing time has passed: return it so the window can be changed."), status=409)
    questionnaire.recorded_status, questionnaire.approved_at = APPROVED, utcnow()
    questionnaire.approved_by_id = user.id
    db.session.flush()


def return_for_changes(questionnaire: Questionnaire, user, note: str) -> None:
    """A reviewer sends it back to the editor with a note saying what to change."""
    require_action(user, questionnaire, "review")
    note = (note or "").strip()
    if not note:
        raise DomainError(_l("Please say what should change."), field="note", status=422)
    questionnaire.recorded_status, questionnaire.review_note = DRAFT, note[:NOTE_MAX]
    db.session.flush()


def withdraw(questionnaire: Questionnaire, user) -> None:
    """Withdraw a questionnaire before it closes; responses already given are kept but no longer shown."""
    require_action(user, questionnaire, "withdraw")
    questionnaire.recorded_status = WITHDRAWN
    db.session.flush()


def questionnaires_for_staff(user) -> sa.Select:
    """The questionnaires ``user`` may see in the office, newest first (scoped by department)."""
    stmt = sa.select(Questionnaire).order_by(Questionnaire.id.desc())
    if not builds_questionnaires(user):
        stmt = stmt.where(Questionnaire.department_id == (user.department_id or 0))
    return stmt

