"""Read side of the mailboxes: what the public may see of letters, and officers' lists.

A letter is publishable only when all hold: the writer opted in (``Submission.is_public``), it is not a
report (举报), its mailbox publishes answered letters, and it is answered or closed. Public pages get
:class:`PublicLetter` objects — built here, so a template can never reach the writer's contact details.
"""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from markupsafe import Markup

from consult import workdays
from consult.accounts.departments import in_official_order
from consult.accounts.models import Department
from consult.contacts import redact_html, redact_text
from consult.extensions import db
from consult.localtime import local_date, local_years, year_bounds
from consult.mailbox.models import CATEGORIES, CATEGORY_LABELS, PRIVATE_CATEGORIES, Letter, Mailbox
from consult.practice.models import TASK_DONE, RectificationTask
from consult.search.documents import PUBLISHED_SCOPE
from consult.search.matching import DATE, PUBLIC, RELEVANCE, search
from consult.search.query import EMPTY, SearchQuery, parse_or_empty
from consult.search.snippets import highlight
from consult.text import render_plain
from consult.tracking.models import ANSWERED, APPROVED, CLOSED, OPEN_STATUSES, Reply, Submission, reply_submissions
from consult.urls import int_arg
from consult.workdays import current_overrides

PUBLISHED_STATUSES = (ANSWERED, CLOSED)
PUBLIC_ORDER = (Submission.answered_at.desc(), Submission.id.desc())
# A search by relevance ranks (and lists) only this many of the newest published letters matching: a common
# word costs the same as a rare one whatever the number of letters; by date, every match is listed.
RANKED = 1000


@dataclass(frozen=True)
class LetterFilters:
    """The public list's GET parameters, each ignored when not valid (``error``: why the query was)."""

    query: SearchQuery = EMPTY
    category: str = ""
    year: int | None = None
    department_id: int | None = None
    sort: str = RELEVANCE
    error: str = ""

    @property
    def text(self) -> str:
        return self.query.text

    @classmethod
    def from_args(cls, args) -> "LetterFilters":
        category = args.get("category", "")
        year = int_arg("year", args=args)
        query, error = parse_or_empty(args.get("q"))
        return cls(
            query=query,
            sort=DATE if args.get("sort") == DATE else RELEVANCE,
            error=str(error.message) if error else "",
            category=category if category in CATEGORIES and category not in PRIVATE_CATEGORIES else "",
            year=year if year and 2000 <= year <= 2100 else None,
            department_id=int_arg("department", args=args) or None,
        )

    @property
    def active(self) -> bool:
        return bool(self.text or self.category or self.year or self.department_id)


def publishable() -> sa.ColumnElement[bool]:
    """The SQL condition for a letter the public may see (needs Letter, Submission and Mailbox joined)."""
    return sa.and_(
        Submission.kind == "letter",
        Submission.is_public.is_(True),
        Submission.status.in_(PUBLISHED_STATUSES),
        Submission.answered_at.is_not(None),
        Letter.category.not_in(tuple(PRIVATE_CATEGORIES)),
        Mailbox.allow_publication.is_(True),
    )


def public_letters_query(filters: LetterFilters, mailbox_id: int | None = None) -> sa.Select:
    """Publishable letters (``select(Letter)``), filtered; order with :data:`PUBLIC_ORDER`."""
    stmt = (
        sa.select(Letter)
        .join(Submission, Submission.id == Letter.submission_id)
        .join(Mailbox, Mailbox.id == Letter.mailbox_id)
        .where(publishable())
        .options(sa.orm.contains_eager(Letter.submission).joinedload(Submission.department),
                 sa.orm.contains_eager(Letter.mailbox))
    )
    if mailbox_id is not None:
        stmt = stmt.where(Letter.mailbox_id == mailbox_id)
    if filters.category:
        stmt = stmt.where(Letter.category == filters.category)
    if filters.department_id:
        stmt = stmt.where(Submission.department_id == filters.department_id)
    if filters.year:
        start, end = year_bounds(filters.year)
        stmt = stmt.where(Submission.received_at >= start, Submission.received_at < end)
    return stmt


def public_letters_listing(filters: LetterFilters, mailbox_id: int | None = None) -> tuple[sa.Select, tuple]:
    """:func:`public_letters_query` with the search query applied, and the order to paginate by: relevance
    when searching (unless ``filters.sort`` is "date"), else :data:`PUBLIC_ORDER` (latest answer first)."""
    stmt = public_letters_query(filters, mailbox_id)
    if not filters.query:
        return stmt, PUBLIC_ORDER
    found = search(stmt, kind="submissions", id_column=Submission.id, text_columns=(Submission.subject,
                   Submission.body), query=filters.query, fields=PUBLIC, sort=filters.sort, date_order=PUBLIC_ORDER,
                   scope=PUBLISHED_SCOPE, ranked=RANKED)
    return found.stmt, found.order_by


def get_public_letter_or_none(letter_id: int) -> Letter | None:
    """The letter if the public may see it, else None (the view answers 404)."""
    stmt = public_letters_query(LetterFilters()).where(Letter.id == letter_id)
    return db.session.scalar(stmt)


# --- what public pages show ----------------------------------------------------------------------------

@dataclass(frozen=True)
class PublicLetter:
    """A published letter as the public sees it: no phone, no e-mail, no attachments, name masked."""

    id: int
    subject: str
    category: str
    category_label: str
    public_name: str
    mailbox_id: int
    mailbox_name: str
    department_id: int
    department_name: str
    received_on: date
    answered_on: date
    due_on: date
    workdays_taken: int
    on_time: bool
    answer_html: Markup
    body_html: Markup
    snippet: Markup = Markup("")  # when searching: the (redacted) text around the words searched for
    rectification_results: tuple[str, ...] = ()  # what was put right after a poor rating (整改结果)


def count_workdays(start: date, end: date, overrides=None) -> int:
    """Working days in (start, end]: the day of receipt is not counted (民法典 Art. 201)."""
    return sum(
        workdays.is_workday(date.fromordinal(n), overrides) for n in range(start.toordinal() + 1, end.toordinal() + 1)
    )


def completed_rectifications(submission_ids: list[int]) -> dict[int, list[str]]:
    """The results of the completed rectification tasks of these submissions, oldest first, in one query."""
    if not submission_ids:
        return {}
    results: dict[int, list[str]] = {}
    rows = db.session.execute(
        sa.select(RectificationTask.submission_id, RectificationTask.result)
        .where(RectificationTask.submission_id.in_(submission_ids), RectificationTask.status == TASK_DONE)
        .order_by(RectificationTask.id)
    )
    for submission_id, result in rows:
        results.setdefault(submission_id, []).append(result)
    return results


def _answers(submission_ids: list[int]) -> dict[int, Reply]:
    """The latest approved reply of each submission, in one query."""
    if not submission_ids:
        return {}
    rows = db.session.execute(
        sa.select(reply_submissions.c.submission_id, Reply)
        .join(Reply, Reply.id == reply_submissions.c.reply_id)
        .where(reply_submissions.c.submission_id.in_(submission_ids), Reply.status == APPROVED)
        .order_by(Reply.id)
    ).all()
    return {submission_id: reply for submission_id, reply in rows}


def present(letters: list[Letter], locale: str, *, with_body: bool = False,
            query: SearchQuery = EMPTY) -> list[PublicLetter]:
    """Build what public pages show of ``letters`` (which must be publishable), with personal data removed;
    with a search ``query``, an excerpt of each letter's text with the words searched for marked."""
    answers = _answers([letter.submission_id for letter in letters])
    rectified = completed_rectifications([letter.submission_id for letter in letters])
    overrides = current_overrides() if letters else None
    shown = []
    for letter in letters:
        submission = letter.submission
        personal = {"name": submission.submitter_name, "phone": submission.submitter_phone,
                    "email": submission.contact_email}
        received_on, answered_on = local_date(submission.received_at), local_date(submission.answered_at)
        reply = answers.get(submission.id)
        shown.append(PublicLetter(
            id=letter.id, subject=redact_text(submission.subject, **personal), category=letter.category,
            category_label=str(CATEGORY_LABELS[letter.category]), public_name=letter.public_name,
            mailbox_id=letter.mailbox_id, mailbox_name=letter.mailbox.name, department_id=submission.department_id,
            department_name=submission.department.display_name(locale),
            received_on=received_on, answered_on=answered_on, due_on=submission.due_on,
            workdays_taken=count_workdays(received_on, answered_on, overrides),
            on_time=answered_on <= submission.due_on,
            answer_html=redact_html(reply.body_html if reply else "", **personal),
            body_html=render_plain(redact_text(submission.body, **personal)) if with_body else Markup(""),
            snippet=highlight(redact_text(submission.body, **personal), query) if query else Markup(""),
            rectification_results=tuple(redact_text(text, **personal) for text in rectified.get(submission.id, ())),
        ))
    return shown


def mailboxes_for_public() -> list[Mailbox]:
    """Every mailbox, accepting ones first, by name."""
    return list(db.session.scalars(
        sa.select(Mailbox).options(sa.orm.joinedload(Mailbox.department))
        .order_by(Mailbox.active.desc(), Mailbox.name)
    ))


def department_choices(locale: str) -> list[tuple[int, str]]:
    """Departments that own a mailbox (for the department filter)."""
    departments = db.session.scalars(
        in_official_order(sa.select(Department).where(Department.id.in_(sa.select(Mailbox.department_id))))
    )
    return [(d.id, d.display_name(locale)) for d in departments]


def year_choices(mailbox_id: int | None = None) -> list[int]:
    """The years in which the published letters (of one mailbox, or all) were received, newest first."""
    stmt = (
        sa.select(Submission.received_at)
        .join(Letter, Letter.submission_id == Submission.id)
        .join(Mailbox, Mailbox.id == Letter.mailbox_id)
        .where(publishable())
    )
    if mailbox_id is not None:
        stmt = stmt.where(Letter.mailbox_id == mailbox_id)
    return local_years(stmt, Submission.received_at)


# --- officers -------------------------------------------------------------------------------------------

def department_letters_query(department_id: int | None) -> sa.Select:
    """Open letters handled by a department (all departments for None: admins); order by due date."""
    stmt = (
        sa.select(Letter)
        .join(Submission, Submission.id == Letter.submission_id)
        .where(Submission.status.in_(OPEN_STATUSES))
        .options(sa.orm.contains_eager(Letter.submission), sa.orm.joinedload(Letter.mailbox))
    )
    if department_id is not None:
        stmt = stmt.where(Submission.department_id == department_id)
    return stmt


OFFICE_ORDER = (Submission.due_on, Submission.id)
