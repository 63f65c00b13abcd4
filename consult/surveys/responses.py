"""Answering a questionnaire: reading what was sent (branches decided here, on the server), keeping one
response per person as far as the questionnaire's answer mode honestly allows, and the counters.

* ``account``: one response per user (the unique respondent key says so to the database);
* ``contact``: one per phone number or e-mail address, normalised by consult.contacts and kept only as a
  keyed hash — never the number or address itself;
* ``anonymous``: a soft check in the browser (a cookie the page reads); the page says so.

The same ``form_token`` sent twice is one response.
"""

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from consult.contacts import email_key, normalize_email, normalize_phone, phone_key
from consult.domain import DomainError, FieldErrors
from consult.extensions import db
from consult.surveys.models import (
    ACCOUNT, CHOICE_KINDS, CONTACT, MULTIPLE, OPEN, RANKING, SCALE, SINGLE, TEXT, Questionnaire, SurveyAnswer,
    SurveyOption, SurveyPairCount, SurveyQuestion, SurveyResponse,
)
from consult.tracking.services import receive_once

TEXT_MAX = 5000
FAST = {"synchronize_session": False}
PAIRS_PER_STATEMENT = 500


@dataclass
class ReadAnswers:
    """What a respondent answered, question by question, of the questions shown to them."""

    chosen: dict[int, list[int]] = field(default_factory=dict)  # question id → option ids (choice, scale)
    ranks: dict[int, dict[int, int]] = field(default_factory=dict)  # question id → {option id: rank (1 first)}
    texts: dict[int, str] = field(default_factory=dict)
    visible: set[int] = field(default_factory=set)

    def answered(self, question_id: int) -> bool:
        return bool(self.chosen.get(question_id) or self.ranks.get(question_id) or self.texts.get(question_id))


def field_name(question: SurveyQuestion) -> str:
    return f"q{question.id}"


def _ints(values) -> list[int]:
    if values is None:
        return []
    if not isinstance(values, (list, tuple)):
        values = [values]
    out = []
    for value in values:
        try:
            out.append(int(value))
        except (TypeError, ValueError):
            out.append(-1)  # not an option of this question: refused below
    return out


def read_answers(questionnaire: Questionnaire, raw: Mapping[int, object]) -> ReadAnswers:
    """Read the answers (``raw``: question id → option id, list of option ids, {option id: rank} or text) and
    check them all at once; raise one DomainError naming every question at fault (field ``q<id>``).

    A question behind a branch counts only when the option it depends on was chosen: otherwise whatever was
    sent for it is dropped, and it cannot be missing.
    """
    answers, errors = ReadAnswers(), FieldErrors()
    for question in questionnaire.questions:
        branch = question.branch_option
        if branch is not None and branch.id not in answers.chosen.get(branch.question_id, ()):
            continue
        answers.visible.add(question.id)
        name, value, option_ids = field_name(question), raw.get(question.id), {o.id for o in question.options}
        if question.kind in (SINGLE, SCALE, MULTIPLE):
            chosen = list(dict.fromkeys(_ints(value)))
            if any(option_id not in option_ids for option_id in chosen):
                errors.add(name, _l("Please choose from the options given."))
            elif question.kind != MULTIPLE and len(chosen) > 1:
                errors.add(name, _l("Please choose one option."))
            elif chosen:
                answers.chosen[question.id] = chosen
        elif question.kind == RANKING:
            given = value if isinstance(value, Mapping) else {}
            ranks = {}
            for option_id, rank in given.items():
                if rank in (None, ""):
                    continue
                option, number = _ints(option_id)[0], _ints(rank)[0]
                if option not in option_ids or not 1 <= number <= len(option_ids):
                    errors.add(name, _l("Please number the options from 1 to %(n)d.", n=len(option_ids)))
                    break
                ranks[option] = number
            else:
                if len(set(ranks.values())) != len(ranks):
                    errors.add(name, _l("Please give each option a different number."))
                elif ranks:
                    answers.ranks[question.id] = ranks
        elif question.kind == TEXT:
            text = value.strip() if isinstance(value, str) else ""
            if len(text) > TEXT_MAX:
                errors.add(name, _l("At most %(max)d characters.", max=TEXT_MAX))
            elif text:
                answers.texts[question.id] = text
        if question.required and name not in errors and not answers.answered(question.id):
            errors.add(name, _l("Please answer this question."))
    errors.raise_if_any(status=422)
    return answers


def _hmac(questionnaire: Questionnaire, identity: str) -> str:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, f"{questionnaire.salt}:{identity}".encode(), hashlib.sha256).hexdigest()


def respondent_key(questionnaire: Questionnaire, *, user=None, phone: str = "", email: str = "") -> str | None:
    """The key that keeps one response per person in this questionnaire's mode (None: anonymous).

    Refuses a missing account or contact, with the message on the field at fault.
    """
    if questionnaire.answer_mode == ACCOUNT:
        if user is None or not getattr(user, "is_authenticated", False):
            raise DomainError(_l("Please log in to answer this questionnaire."), status=401)
        return _hmac(questionnaire, f"user:{user.id}")
    if questionnaire.answer_mode == CONTACT:
        errors = FieldErrors()
        if phone and not normalize_phone(phone):
            errors.add("phone", _l("Please enter a valid phone number, such as 13800138000."))
        if email and not normalize_email(email):
            errors.add("email", _l("Please enter a valid e-mail address."))
        if not phone and not email:
            errors.add("phone", _l("Please give a phone number or an e-mail address."))
        errors.raise_if_any(status=422)
        identity = f"phone:{phone_key(phone)}" if phone else f"email:{email_key(normalize_email(email))}"
        return _hmac(questionnaire, identity)
    return None


def _already_answered() -> DomainError:
    return DomainError(_l("You have already answered this questionnaire. Thank you: each person answers once."),
                       status=409)


def check_response(questionnaire: Questionnaire, raw: Mapping[int, object], *, user=None, phone: str = "",
                   email: str = "") -> tuple[ReadAnswers, str | None]:
    """Everything that decides whether a response is taken, without writing: the window, the answers and the
    respondent. Every problem with what was typed is reported at once."""
    if questionnaire.status != OPEN:
        raise DomainError(_l("This questionnaire is not open for answers."), status=409)
    errors = FieldErrors()
    answers, key = None, None
    try:
        answers = read_answers(questionnaire, raw)
    except DomainError as error:
        for name, messages in error.errors.items():
            for message in messages:
                errors.add(name, message)
    try:
        key = respondent_key(questionnaire, user=user, phone=phone, email=email)
    except DomainError as error:
        if not error.errors:
            raise
        for name, messages in error.errors.items():
            for message in messages:
                errors.add(name, message)
    errors.raise_if_any(status=422)
    return answers, key


def submit_response(questionnaire: Questionnaire, raw: Mapping[int, object], *, form_token: str, user=None,
                    phone: str = "", email: str = "") -> tuple[SurveyResponse, bool]:
    """Take a response: ``(response, True)`` when it is new, ``(the first one, False)`` for the same form sent
    again (the intake kit's :func:`~consult.tracking.intake.receive_once`, with the token kept on the response:
    a response is never a submission). Counters move in the same transaction; SQLite's write lock is held only
    for the writes."""
    answers, key = None, None

    def check() -> None:
        nonlocal answers, key
        answers, key = check_response(questionnaire, raw, user=user, phone=phone, email=email)
        if key is not None and _with_key(questionnaire.id, key) is not None:
            raise _already_answered()

    try:
        return receive_once(form_token, find=lambda token: response_with_token(questionnaire.id, token), check=check,
                            create=lambda token: (_insert(questionnaire, answers, token, key), True),
                            receipt_of=lambda first: (first, False))
    except IntegrityError:  # the same person at the same moment, from another form
        if key is not None and _with_key(questionnaire.id, key) is not None:
            raise _already_answered() from None
        raise


def response_with_token(questionnaire_id: int, form_token: str) -> SurveyResponse | None:
    """The response to this questionnaire sent from the form with this one-time token, if any."""
    return db.session.scalar(sa.select(SurveyResponse).where(SurveyResponse.form_token == form_token,
                                                             SurveyResponse.questionnaire_id == questionnaire_id))


def _with_key(questionnaire_id: int, key: str) -> int | None:
    return db.session.scalar(sa.select(SurveyResponse.id).where(SurveyResponse.questionnaire_id == questionnaire_id,
                                                          SurveyResponse.respondent_key == key))


def _insert(questionnaire: Questionnaire, answers: ReadAnswers, form_token: str, key: str | None) -> SurveyResponse:
    response = SurveyResponse(questionnaire_id=questionnaire.id, form_token=form_token, respondent_key=key)
    db.session.add(response)
    db.session.flush()
    base = {"response_id": response.id, "option_id": None, "rank": None, "text": None}
    rows = []
    for question_id, option_ids in answers.chosen.items():
        rows += [{**base, "question_id": question_id, "option_id": o} for o in option_ids]
    for question_id, ranks in answers.ranks.items():
        rows += [{**base, "question_id": question_id, "option_id": o, "rank": r} for o, r in ranks.items()]
    rows += [{**base, "question_id": q, "text": t} for q, t in answers.texts.items()]
    if rows:
        db.session.execute(SurveyAnswer.__table__.insert(), rows)  # plain rows: no objects to build or track
    _count(questionnaire, answers)
    return response


def _count(questionnaire: Questionnaire, answers: ReadAnswers) -> None:
    """Move the counters the results page reads: one UPDATE per counter table, whatever the size. The
    loaded questions and options are not synchronised (nothing reads their counters in this request)."""
    db.session.execute(sa.update(Questionnaire).where(Questionnaire.id == questionnaire.id)
                       .values(response_count=Questionnaire.response_count + 1), execution_options=FAST)
    answered = [q for q in answers.visible if answers.answered(q)]
    if answered:
        db.session.execute(sa.update(SurveyQuestion).where(SurveyQuestion.id.in_(answered))
                           .values(answer_count=SurveyQuestion.answer_count + 1), execution_options=FAST)
    chosen = [o for options in answers.chosen.values() for o in options]
    firsts = [o for ranks in answers.ranks.values() for o, r in ranks.items() if r == 1]
    if chosen or firsts:
        db.session.execute(sa.update(SurveyOption).where(SurveyOption.id.in_(chosen + firsts))
                           .values(chosen_count=SurveyOption.chosen_count + 1), execution_options=FAST)
    points = {}
    for question_id, ranks in answers.ranks.items():
        size = len(next(q for q in questionnaire.questions if q.id == question_id).options)
        points.update({o: size - r + 1 for o, r in ranks.items()})
    if points:
        db.session.execute(sa.update(SurveyOption).where(SurveyOption.id.in_(list(points)))
                           .values(points=SurveyOption.points + sa.case(points, value=SurveyOption.id, else_=0)),
                           execution_options=FAST)
    _count_pairs(questionnaire, answers)
    db.session.expire(questionnaire, ["response_count", "updated_at"])


def pairs(questionnaire: Questionnaire, answers: ReadAnswers) -> list[dict]:
    """The pairs of chosen options of two different choice questions in one response, each once (the
    option of the question with the smaller id first), in one fixed order."""
    kinds = {q.id: q.kind for q in questionnaire.questions}
    chosen = sorted((q, o) for q, options in answers.chosen.items() if kinds.get(q) in CHOICE_KINDS
                    for o in options)
    return [{"option_a_id": oa, "option_b_id": ob, "question_a_id": qa, "question_b_id": qb, "count": 1}
            for n, (qa, oa) in enumerate(chosen) for qb, ob in chosen[n + 1:] if qa != qb]


def _count_pairs(questionnaire: Questionnaire, answers: ReadAnswers) -> None:
    """Add one to the cross-tabulation cell of every pair (an upsert a few hundred rows at a time). The rows
    go in one fixed order, so two responses arriving together on PostgreSQL lock them in the same order."""
    rows = pairs(questionnaire, answers)
    if not rows:
        return
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    table = SurveyPairCount.__table__
    for start in range(0, len(rows), PAIRS_PER_STATEMENT):
        statement = dialect.insert(table).values(rows[start:start + PAIRS_PER_STATEMENT])
        db.session.execute(statement.on_conflict_do_update(
            index_elements=[table.c.option_a_id, table.c.option_b_id],
            set_={"count": table.c.count + statement.excluded.count}))
