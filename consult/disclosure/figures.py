"""The rest of the annual report: proactive-disclosure counts the platform knows, and the figures typed
in by hand (parts 二 and 四 of the official format) stored per year and department."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from consult.accounts.models import User
from consult.database import utcnow
from consult.disclosure.models import OpennessReportFigures, scope_key
from consult.domain import DomainError
from consult.drafts.models import Draft
from consult.events.models import OPEN_DAY, Event
from consult.extensions import db
from consult.localtime import local_date, year_bounds
from consult.mailbox.models import Letter, Mailbox
from consult.mailbox.queries import publishable
from consult.tracking.models import DISCLOSURE, Submission


@dataclass(frozen=True)
class Figure:
    key: str
    label: object
    official: str
    decimal: bool = False  # an amount (万元) rather than a count


# Part 二 (主动公开政府信息情况) and part 四 (行政复议、行政诉讼情况) of the official format.
FIGURE_GROUPS: tuple[tuple[object, str, tuple[Figure, ...]], ...] = (
    (_l("Rules and normative documents (Art. 20 (1))"), "第二十条第（一）项", (
        Figure("rules_made", _l("Rules made this year"), "规章 本年制发件数"),
        Figure("rules_repealed", _l("Rules repealed this year"), "规章 本年废止件数"),
        Figure("rules_in_force", _l("Rules in force"), "规章 现行有效件数"),
        Figure("norms_made", _l("Normative documents made this year"), "行政规范性文件 本年制发件数"),
        Figure("norms_repealed", _l("Normative documents repealed this year"), "行政规范性文件 本年废止件数"),
        Figure("norms_in_force", _l("Normative documents in force"), "行政规范性文件 现行有效件数"),
    )),
    (_l("Administrative decisions (Art. 20 (5), (6), (8))"), "第二十条第（五）（六）（八）项", (
        Figure("licences", _l("Administrative licensing decisions"), "行政许可 本年处理决定数量"),
        Figure("penalties", _l("Administrative penalty decisions"), "行政处罚 本年处理决定数量"),
        Figure("compulsion", _l("Administrative compulsion decisions"), "行政强制 本年处理决定数量"),
        Figure("fees", _l("Administrative fees collected (10,000 yuan)"), "行政事业性收费 本年收费金额（单位：万元）",
               decimal=True),
    )),
    (_l("Administrative reconsideration about openness"), "四、行政复议", (
        Figure("review_upheld", _l("Upheld"), "行政复议 结果维持"),
        Figure("review_corrected", _l("Corrected"), "行政复议 结果纠正"),
        Figure("review_other", _l("Other result"), "行政复议 其他结果"),
        Figure("review_pending", _l("Not yet concluded"), "行政复议 尚未审结"),
    )),
    (_l("Lawsuits filed directly"), "四、行政诉讼（未经复议直接起诉）", (
        Figure("suit_direct_upheld", _l("Upheld"), "未经复议直接起诉 结果维持"),
        Figure("suit_direct_corrected", _l("Corrected"), "未经复议直接起诉 结果纠正"),
        Figure("suit_direct_other", _l("Other result"), "未经复议直接起诉 其他结果"),
        Figure("suit_direct_pending", _l("Not yet concluded"), "未经复议直接起诉 尚未审结"),
    )),
    (_l("Lawsuits after reconsideration"), "四、行政诉讼（复议后起诉）", (
        Figure("suit_after_upheld", _l("Upheld"), "复议后起诉 结果维持"),
        Figure("suit_after_corrected", _l("Corrected"), "复议后起诉 结果纠正"),
        Figure("suit_after_other", _l("Other result"), "复议后起诉 其他结果"),
        Figure("suit_after_pending", _l("Not yet concluded"), "复议后起诉 尚未审结"),
    )),
)
FIGURES = tuple(figure for _label, _official, group in FIGURE_GROUPS for figure in group)
NOTES_MAX = 10000


@dataclass(frozen=True)
class ProactiveCounts:
    """What the platform itself published or held in the year."""

    drafts_opened: int  # drafts opened for public comment
    feedback_reports: int  # feedback reports (意见采纳情况) published
    letters_published: int  # answered letters published with the writer's consent
    events_held: int  # open days that took place


def _count(stmt) -> int:
    return int(db.session.scalar(stmt) or 0)


def proactive_counts(year: int, department_id: int | None = None, now: datetime | None = None) -> ProactiveCounts:
    """Count the year's published drafts, feedback reports, public letters and open days held."""
    start, end = year_bounds(year)
    now = now or utcnow()

    def scoped(stmt, column):
        return stmt.where(column == department_id) if department_id is not None else stmt

    drafts = scoped(sa.select(sa.func.count(Draft.id)).where(Draft.opened_at >= start, Draft.opened_at < end),
                    Draft.department_id)
    reports = scoped(sa.select(sa.func.count(Draft.id)).where(
        Draft.report_published_at >= start, Draft.report_published_at < end), Draft.department_id)
    letters = scoped(
        sa.select(sa.func.count(Letter.id))
        .join(Submission, Submission.id == Letter.submission_id)
        .join(Mailbox, Mailbox.id == Letter.mailbox_id)
        .where(publishable(), Submission.answered_at >= start, Submission.answered_at < end),
        Submission.department_id,
    )
    events = scoped(sa.select(sa.func.count(Event.id)).where(  # open days only: not hearings or meetings
        Event.published.is_(True), Event.event_type == OPEN_DAY, Event.starts_at >= start, Event.starts_at < end,
        Event.ends_at <= now), Event.department_id)
    return ProactiveCounts(_count(drafts), _count(reports), _count(letters), _count(events))


def report_years(department_id: int | None, today: date) -> list[int]:
    """The years a report can be made for, newest first: from the first year with anything to report
    (an information request, a draft, a published letter, an open day, typed-in figures) to this year.

    Every year in between has a report, even one with nothing in it: the annual report is due every year.
    """
    def first(column, *where, scope=Submission.department_id):
        stmt = sa.select(sa.func.min(column)).where(column.is_not(None), *where)
        return db.session.scalar(stmt.where(scope == department_id) if department_id is not None else stmt)

    moments = [
        first(Submission.received_at, Submission.kind == DISCLOSURE),
        first(Draft.opened_at, scope=Draft.department_id),
        first(Event.starts_at, Event.published.is_(True), scope=Event.department_id),
        db.session.scalar(
            sa.select(sa.func.min(Submission.answered_at)).join(Letter, Letter.submission_id == Submission.id)
            .join(Mailbox, Mailbox.id == Letter.mailbox_id)
            .where(publishable(), *([Submission.department_id == department_id] if department_id is not None else []))
        ),
    ]
    years = [local_date(moment).year for moment in moments if moment is not None]
    typed = db.session.scalar(sa.select(sa.func.min(OpennessReportFigures.year))
                              .where(OpennessReportFigures.scope == scope_key(department_id)))
    if typed is not None:
        years.append(typed)
    start = min(years, default=today.year)
    return list(range(today.year, min(start, today.year) - 1, -1))


def figures_for(year: int, department_id: int | None) -> OpennessReportFigures | None:
    """The figures typed in for the year and scope, if any."""
    return db.session.scalar(
        sa.select(OpennessReportFigures).where(
            OpennessReportFigures.year == year, OpennessReportFigures.scope == scope_key(department_id)
        )
    )


def _clean(figure: Figure, value) -> str | int | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise DomainError(_l("Please enter a number."), field=figure.key) from None
    if number < 0 or not number.is_finite():
        raise DomainError(_l("Please enter a number of at least 0."), field=figure.key)
    if figure.decimal:
        return str(number.quantize(Decimal("0.01")))
    if number != number.to_integral_value():
        raise DomainError(_l("Please enter a whole number."), field=figure.key)
    return int(number)


def save_figures(
    year: int, department_id: int | None, values: dict, notes: str, *, actor: User
) -> OpennessReportFigures:
    """Store the hand-typed figures of a year and scope (blank fields are left blank)."""
    if not 2000 <= year <= 2100:
        raise DomainError(_l("Please choose a year."), field="year")
    notes = (notes or "").strip()
    if len(notes) > NOTES_MAX:
        raise DomainError(_l("At most %(n)s characters.", n=NOTES_MAX), field="notes")
    cleaned = {f.key: v for f in FIGURES if (v := _clean(f, values.get(f.key))) is not None}
    row = figures_for(year, department_id)
    if row is None:
        row = OpennessReportFigures(year=year, scope=scope_key(department_id), department_id=department_id)
        db.session.add(row)
    row.figures, row.notes, row.updated_at, row.updated_by = cleaned, notes, utcnow(), actor
    db.session.flush()
    return row
