"""The compliance self-check (合规自查): what the 政府网站与政务新媒体检查指标 and the consultation rules would
flag, found before an inspector does. Each rule counts its items and lists them; the board and the monthly
summary (consult.practice.summary) are built from :func:`check`.

Rules that are plain conditions on stored columns are SQL (counted and paged in the database); the two that
need the working-day calendar or a date rule (short consultation windows, the annual report) are decided
in Python over small sets (drafts without a reason, one year).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload
from flask_babel import lazy_gettext as _l

from consult.accounts.models import Department
from consult.drafts.models import CLOSED, DRAFT, REPORT_APPROVED, WITHDRAWN, Draft
from consult.drafts.windows import DECISION_TYPE_LABELS, minimum_window, window_is_short
from consult.extensions import db
from consult.mailbox.models import Letter, Mailbox
from consult.practice.models import TASK_OPEN, AnnualReportPublication, RectificationTask
from consult.practice.settings import current_settings
from consult.localtime import zone
from consult.workdays import current_overrides
from consult.tracking.models import DISCLOSURE, OPEN_STATUSES, Submission

ITEM_LIMIT = 20  # items shown per rule on the board (the rule's own page lists them all)
VETO, WARNING = "veto", "warning"  # 单项否决 risk, or a finding to put right


ITEM_KINDS = ("submission", "mailbox", "draft", "annual_report", "rectification")


@dataclass(frozen=True)
class Item:
    """One thing a rule found: what it is, its department, why it is listed, and the page to fix it.

    ``kind`` and ``key`` name the thing for machines: a submission, mailbox, draft or rectification task by
    its id, the annual report by its year.
    """

    kind: str
    key: int
    label: str
    department: str
    detail: str
    endpoint: str
    args: dict = field(default_factory=dict)
    day: date | None = None  # the date that makes it late (received, due, closed…), for sorting and exports


@dataclass(frozen=True)
class Rule:
    code: str
    title: object  # lazy string
    basis: object  # the rule or indicator behind it, lazy string
    severity: str
    count: Callable[[date], int]
    items: Callable[[date, int | None], list[Item]]
    listing: Callable[[date], "Listing"] | None = None  # the rules decided in SQL, for cursor pages


@dataclass(frozen=True)
class Listing:
    """A rule's items as SQL: the statement (unordered), its total order, and how its rows become items."""

    stmt: sa.Select
    order: tuple
    build: Callable[[list], list[Item]]

    def items(self, limit: int | None) -> list[Item]:
        return self.build(list(db.session.scalars(_limited(self.stmt.order_by(*self.order), limit))))


def _sql_rule(code: str, title, basis, severity: str, listing: Callable[[date], Listing]) -> Rule:
    """A rule whose items one SELECT finds: counted and listed (or paged) in the database."""
    return Rule(code, title, basis, severity, count=lambda today: _count(listing(today).stmt),
                items=lambda today, limit: listing(today).items(limit), listing=listing)


@dataclass(frozen=True)
class Finding:
    """A rule's result on a day: how many items, and the first of them."""

    rule: Rule
    count: int
    items: list[Item]

    @property
    def code(self) -> str:
        return self.rule.code


# --- dates --------------------------------------------------------------------------------------------

def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (the last day of a shorter month)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for candidate in range(day.day, 0, -1):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    raise ValueError(day)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone()).astimezone(UTC)


def _department_names() -> dict[int, str]:
    return {row.id: row.name for row in db.session.execute(sa.select(Department.id, Department.name))}


def _count(stmt: sa.Select) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())) or 0


def _limited(stmt: sa.Select, limit: int | None) -> sa.Select:
    return stmt.limit(limit) if limit else stmt


# --- submissions unanswered for months --------------------------------------------------------------------

def _unanswered_since(months: int, today: date) -> sa.Select:
    return sa.select(Submission).where(Submission.status.in_(OPEN_STATUSES),
                                       Submission.received_at < _midnight(months_before(today, months)))


def _submission_items(rows, detail: Callable[[Submission], str], day: Callable[[Submission], date]) -> list[Item]:
    names = _department_names()
    return [
        Item(kind="submission", key=s.id, label=f"{s.tracking_no} {s.subject}".strip(),
             department=names.get(s.department_id, ""),
             detail=detail(s), endpoint="tracking.submission_detail", args={"submission_id": s.id}, day=day(s))
        for s in rows
    ]


def _received_detail(submission: Submission) -> str:
    from consult.formats import format_day

    return str(_l("Received %(day)s, due %(due)s", day=format_day(submission.received_at),
                  due=format_day(submission.due_on)))


def _unanswered_rule(code: str, months: int, title, severity: str) -> Rule:
    from consult.localtime import local_date

    return _sql_rule(
        code, title, _l("政府网站与政务新媒体检查指标: messages left unanswered (留言办理)"), severity,
        lambda today: Listing(
            _unanswered_since(months, today), (Submission.received_at, Submission.id),
            lambda rows: _submission_items(rows, _received_detail, lambda s: local_date(s.received_at))),
    )


# --- mailboxes without an answered letter in a year ------------------------------------------------------

def _silent_mailboxes(today: date) -> sa.Select:
    since = _midnight(today - timedelta(days=365))
    answered_lately = (sa.select(Letter.id).join(Submission, Submission.id == Letter.submission_id)
                       .where(Letter.mailbox_id == Mailbox.id, Submission.answered_at >= since))
    return sa.select(Mailbox).where(Mailbox.active.is_(True), ~answered_lately.exists())


def _mailbox_items(rows) -> list[Item]:
    names = _department_names()
    return [
        Item(kind="mailbox", key=m.id, label=m.name, department=names.get(m.department_id, ""),
             detail=str(_l("%(num)s letters received, %(answered)s answered in all", num=m.letter_count,
                           answered=m.answered_count)),
             endpoint="mailbox.admin_edit", args={"mailbox_id": m.id})
        for m in rows
    ]


# --- closed drafts without a feedback report -------------------------------------------------------------

def _reports_missing(today: date) -> sa.Select:
    days = current_settings().feedback_report_days
    return sa.select(Draft).where(Draft.status == CLOSED, Draft.report_state != REPORT_APPROVED,
                                  Draft.closes_at < _midnight(today - timedelta(days=days)))


def _draft_items(drafts, detail: Callable[[Draft], str]) -> list[Item]:
    from consult.localtime import local_date

    names = _department_names()
    return [Item(kind="draft", key=d.id, label=d.title, department=names.get(d.department_id, ""),
                 detail=detail(d),
                 endpoint="drafts.office_detail", args={"draft_id": d.id}, day=local_date(d.closes_at))
            for d in drafts]


def _closed_detail(draft: Draft) -> str:
    from consult.formats import format_day

    return str(_l("Consultation closed %(day)s; no feedback report published", day=format_day(draft.closes_at)))


# --- consultation windows shorter than the rule for the draft's type, without a reason --------------------

def _short_windows(today: date) -> list[Draft]:
    candidates = db.session.scalars(
        sa.select(Draft).where(Draft.recorded_status.not_in((DRAFT, WITHDRAWN)), Draft.short_window_reason == "")
        .order_by(Draft.opens_at, Draft.id))
    overrides = current_overrides()
    return [d for d in candidates
            if window_is_short(d.opens_at, d.closes_at, d.decision_type, d.market_related, overrides)]


def _short_detail(draft: Draft) -> str:
    days = (draft.closes_at - draft.opens_at).days
    return str(_l("%(type)s: %(days)s days; the rule is %(rule)s", type=DECISION_TYPE_LABELS[draft.decision_type],
                  days=days, rule=minimum_window(draft.decision_type, draft.market_related).text))


# --- the annual report ------------------------------------------------------------------------------------

def annual_report_due(today: date) -> int | None:
    """The year whose annual report is overdue today (after 31 January, not recorded as published), or None."""
    year = today.year - 1
    if today <= date(today.year, 1, 31):
        return None
    published = db.session.scalar(sa.select(AnnualReportPublication.id).where(AnnualReportPublication.year == year))
    return None if published else year


def _annual_items(today: date, limit: int | None) -> list[Item]:
    year = annual_report_due(today)
    if year is None:
        return []
    return [Item(kind="annual_report", key=year,
                 label=str(_l("Government information annual report %(year)s", year=year)), department="",
                 detail=str(_l("Due by 31 January %(next)s; not recorded as published", next=year + 1)),
                 endpoint="disclosure.report", args={"year": year}, day=date(year + 1, 1, 31))]


# --- rectification tasks and information requests past their limits ---------------------------------------

def _overdue_tasks(today: date) -> sa.Select:
    return (sa.select(RectificationTask).where(RectificationTask.status == TASK_OPEN, RectificationTask.due_on < today)
            .options(joinedload(RectificationTask.submission)))


def _task_items(rows) -> list[Item]:
    from consult.formats import format_day

    names = _department_names()
    return [Item(kind="rectification", key=t.id, label=t.submission.tracking_no,
                 department=names.get(t.department_id, ""),
                 detail=str(_l("Rectification due %(day)s", day=format_day(t.due_on))),
                 endpoint="practice.task_detail", args={"task_id": t.id}, day=t.due_on)
            for t in rows]


def _overdue_requests(today: date) -> sa.Select:
    return sa.select(Submission).where(Submission.kind == DISCLOSURE, Submission.is_overdue(today))


def _due_detail(submission: Submission) -> str:
    from consult.formats import format_day

    return str(_l("Legal time limit ended %(due)s", due=format_day(submission.due_on)))


RULES: tuple[Rule, ...] = (
    _unanswered_rule("unanswered_3_months", 3, _l("Submissions unanswered for more than 3 months"), VETO),
    _unanswered_rule("unanswered_1_month", 1, _l("Submissions unanswered for more than 1 month"), WARNING),
    _sql_rule("silent_mailboxes", _l("Mailboxes with no answered letter in the past year"),
              _l("政府网站与政务新媒体检查指标: interaction channels without answers (互动交流)"), VETO,
              lambda today: Listing(_silent_mailboxes(today), (Mailbox.name, Mailbox.id), _mailbox_items)),
    _sql_rule("feedback_reports", _l("Closed consultations without a published feedback report"),
              _l("重大行政决策程序暂行条例 Art. 16: the public is told how comments were taken up"), WARNING,
              lambda today: Listing(_reports_missing(today), (Draft.closes_at, Draft.id),
                                    lambda rows: _draft_items(rows, _closed_detail))),
    Rule("short_windows", _l("Consultations shorter than the rule for their type, without a reason"),
         _l("重大行政决策 and 规章 at least 30 days; 行政规范性文件 at least 7 working days (30 days where tied to "
            "market actors); a shorter window needs a public reason"), WARNING,
         count=lambda today: len(_short_windows(today)),
         items=lambda today, limit: _draft_items(_short_windows(today)[:limit] if limit else _short_windows(today),
                                                 _short_detail)),
    Rule("annual_report", _l("Annual report not published after 31 January"),
         _l("政府信息公开条例 Art. 49: the annual report by 31 January"), VETO,
         count=lambda today: int(annual_report_due(today) is not None), items=_annual_items),
    _sql_rule("rectifications_overdue", _l("Rectification tasks past their due date"),
              _l("国办发〔2019〕51号: every poor rating is rectified and followed up"), WARNING,
              lambda today: Listing(_overdue_tasks(today), (RectificationTask.due_on, RectificationTask.id),
                                    _task_items)),
    _sql_rule("disclosure_overdue", _l("Information requests past the legal time limit"),
              _l("政府信息公开条例 Art. 33: 20 working days, extended once by at most 20"), VETO,
              lambda today: Listing(_overdue_requests(today), (Submission.due_on, Submission.id),
                                    lambda rows: _submission_items(rows, _due_detail, lambda s: s.due_on))),
)
RULES_BY_CODE = {rule.code: rule for rule in RULES}


def rule_titles() -> dict[str, str]:
    """Each rule's title in the current language, by code (for the summary's CSV and documents)."""
    return {rule.code: str(rule.title) for rule in RULES}


def check(today: date, limit: int | None = ITEM_LIMIT) -> list[Finding]:
    """Every rule's count and (up to ``limit``) items on ``today``, in the board's order."""
    return [Finding(rule, rule.count(today), rule.items(today, limit)) for rule in RULES]


def finding(code: str, today: date) -> Finding:
    """One rule with all its items (KeyError for an unknown code)."""
    rule = RULES_BY_CODE[code]
    return Finding(rule, rule.count(today), rule.items(today, None))


def record_annual_report(year: int, published_on: date, url: str, actor) -> AnnualReportPublication:
    """Record (or correct) when and where the year's annual report was published."""
    from consult.domain import DomainError

    if not 2000 <= year <= 2100:
        raise DomainError(_l("Please give the year of the report."), field="year")
    if published_on.year not in (year, year + 1):
        raise DomainError(_l("The report of a year is published in that year or the next."), field="published_on")
    values = {"published_on": published_on, "url": (url or "").strip(), "recorded_by_id": actor.id}
    row = db.session.scalar(sa.select(AnnualReportPublication).where(AnnualReportPublication.year == year))
    if row is None:
        row = AnnualReportPublication(year=year, **values)
        db.session.add(row)
    else:
        for name, value in values.items():
            setattr(row, name, value)
    db.session.flush()
    return row
