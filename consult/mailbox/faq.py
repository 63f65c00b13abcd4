"""A mailbox's frequently asked questions (常见问题): kept by the staff of the mailbox's department.

An entry is written by hand or made in one step from an answered letter: the letter's subject becomes the
question and its approved answer the answer, both with the writer's personal data removed as on the
published letters page. Services add and flush, never commit; they raise :class:`DomainError`.
"""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from consult.accounts.models import User
from consult.authz import works_for
from consult.contacts import redact_text
from consult.domain import DomainError, FieldErrors
from consult.extensions import db
from consult.mailbox.models import FaqEntry, Letter, Mailbox
from consult.search.matching import PUBLIC, search
from consult.search.query import SearchQuery
from consult.tracking.models import ANSWERED, APPROVED, CLOSED, Reply, reply_submissions

QUESTION_MAX, ANSWER_MAX = 300, 5000
MAX_SHOWN_FOUND = 20  # entries shown for a search on the mailbox's page


def require_faq_editor(user: User | None, mailbox: Mailbox) -> None:
    """Only officers and reviewers of the mailbox's department (and admins) keep its FAQ."""
    if not works_for(user, mailbox.department_id):
        raise DomainError(_l("Only staff of the mailbox's department can change its frequently asked questions."),
                          status=403)


def faq_entries(mailbox_id: int) -> list[FaqEntry]:
    """The entries of a mailbox in their order (a FAQ is short: a page or two of questions)."""
    return list(db.session.scalars(
        sa.select(FaqEntry).where(FaqEntry.mailbox_id == mailbox_id).order_by(FaqEntry.position, FaqEntry.id)))


def save_faq(entry: FaqEntry | None, *, mailbox: Mailbox, actor: User, question: str, answer: str,
             position: int = 0) -> FaqEntry:
    """Create (``entry`` None) or change an entry of ``mailbox``'s FAQ after checking it."""
    require_faq_editor(actor, mailbox)
    question, answer = (question or "").strip(), (answer or "").strip()
    problems = FieldErrors()
    if not question:
        problems.add("question", _l("Please enter the question."))
    elif len(question) > QUESTION_MAX:
        problems.add("question", _l("At most %(max)d characters.", max=QUESTION_MAX))
    if not answer:
        problems.add("answer", _l("Please enter the answer."))
    elif len(answer) > ANSWER_MAX:
        problems.add("answer", _l("At most %(max)d characters.", max=ANSWER_MAX))
    problems.raise_if_any()
    if entry is None:
        entry = FaqEntry(mailbox_id=mailbox.id, created_by_id=actor.id)
        db.session.add(entry)
    entry.question, entry.answer, entry.position = question, answer, position
    db.session.flush()
    return entry


def delete_faq(entry: FaqEntry, *, actor: User) -> None:
    """Remove an entry (its index row goes with it)."""
    require_faq_editor(actor, entry.mailbox)
    db.session.delete(entry)
    db.session.flush()


def _approved_answer(submission_id: int) -> Reply | None:
    return db.session.scalar(
        sa.select(Reply).join(reply_submissions, reply_submissions.c.reply_id == Reply.id)
        .where(reply_submissions.c.submission_id == submission_id, Reply.status == APPROVED)
        .order_by(Reply.id.desc()).limit(1))


def faq_from_letter(letter: Letter, *, actor: User) -> FaqEntry:
    """A new entry of the letter's mailbox from an answered letter: its subject and its approved answer, with
    the writer's name, phone numbers, e-mail and ID numbers removed. Staff may then edit it."""
    mailbox = letter.mailbox
    require_faq_editor(actor, mailbox)
    submission = letter.submission
    reply = _approved_answer(submission.id) if submission.status in (ANSWERED, CLOSED) else None
    if reply is None:
        raise DomainError(_l("Only a letter with an approved answer can become a frequently asked question."),
                          status=409)
    personal = {"name": submission.submitter_name, "phone": submission.submitter_phone,
                "email": submission.contact_email}
    entry = save_faq(None, mailbox=mailbox, actor=actor,
                     question=redact_text(submission.subject, **personal)[:QUESTION_MAX],
                     answer=redact_text(reply.body, **personal)[:ANSWER_MAX],
                     position=len(faq_entries(mailbox.id)))
    entry.source_letter_id = letter.id
    db.session.flush()
    return entry


def search_faq(mailbox_id: int, query: SearchQuery) -> list[FaqEntry]:
    """The entries of a mailbox matching a search (every word, through the index), best first."""
    stmt = sa.select(FaqEntry).where(FaqEntry.mailbox_id == mailbox_id)
    found = search(stmt, kind="faqs", id_column=FaqEntry.id, text_columns=(FaqEntry.question, FaqEntry.answer),
                   query=query, fields=PUBLIC)
    return list(db.session.scalars(found.stmt.order_by(*found.order_by).limit(MAX_SHOWN_FOUND)))
