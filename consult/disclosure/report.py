"""The annual report's application table (政府信息公开工作年度报告, part 三), computed from the data.

For a year Y (boundaries at local midnight in ``CONSULT_TIMEZONE``) and one department or all:

* 新收 (new): requests received in Y;
* 上年结转 (carried in): received before Y and not finished before Y;
* 办理结果 (finished): finished in Y, by outcome — "finished" means answered, closed or dismissed, at
  ``Submission.answered_at`` (an approved answer, or the dismissal);
* 结转下年度 (carried out): received before the end of Y and not finished by then.

Each row is counted by its own definition, so 新收 + 上年结转 = 办结 + 结转下年度 holds for consistent data
and the check, computed and shown, catches inconsistent data (e.g. an answer stamped before its receipt).
A finished request with no outcome recorded counts as 其他处理 / 其他 and is reported in ``unclassified``.
"""

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from consult.disclosure.models import DisclosureRequest
from consult.disclosure.outcomes import APPLICANT_TYPES, FALLBACK, OUTCOMES, outcome_for
from consult.extensions import db
from consult.localtime import as_utc, year_bounds
from consult.tracking.models import ANSWERED, CLOSED, DISCLOSURE, DISMISSED, Submission

FINISHED_STATUSES = (ANSWERED, CLOSED, DISMISSED)
TOTAL = "total"
COLUMNS = (*APPLICANT_TYPES, TOTAL)


def _row() -> dict[str, int]:
    return dict.fromkeys(COLUMNS, 0)


@dataclass
class ApplicationTable:
    """The numbers of part 三 for one year and scope; every row is {column: count} with a total."""

    year: int
    department_id: int | None
    new: dict[str, int] = field(default_factory=_row)
    carried_in: dict[str, int] = field(default_factory=_row)
    outcomes: dict[str, dict[str, int]] = field(default_factory=lambda: {o.key: _row() for o in OUTCOMES})
    finished: dict[str, int] = field(default_factory=_row)
    carried_out: dict[str, int] = field(default_factory=_row)
    unclassified: int = 0  # finished without a recorded outcome (counted under 其他处理 / 其他)

    def add(self, row: dict[str, int], column: str) -> None:
        row[column] += 1
        row[TOTAL] += 1

    @property
    def balances(self) -> bool:
        """新收 + 上年结转 = 办结 + 结转下年度, in every column."""
        return not self.imbalanced_columns

    @property
    def imbalanced_columns(self) -> list[str]:
        return [c for c in COLUMNS if self.new[c] + self.carried_in[c] != self.finished[c] + self.carried_out[c]]

    def category_total(self, category: str) -> dict[str, int]:
        """The sum of a category's reason rows (不予公开, 无法提供, …)."""
        total = _row()
        for outcome in OUTCOMES:
            if outcome.category == category:
                for column in COLUMNS:
                    total[column] += self.outcomes[outcome.key][column]
        return total


def _finished(status: str, answered_at: datetime | None, before: datetime) -> bool:
    return status in FINISHED_STATUSES and answered_at is not None and as_utc(answered_at) < before


def application_table(year: int, department_id: int | None = None) -> ApplicationTable:
    """Count the table for ``year`` over every department (None) or one.

    Each row is counted by its own definition (not derived from the others), so the balance check can
    catch inconsistent data. Reads only the requests that matter for the year, a few columns each.
    """
    start, end = year_bounds(year)
    table = ApplicationTable(year, department_id)
    in_year = sa.and_(Submission.answered_at >= start, Submission.answered_at < end)
    stmt = (
        sa.select(
            DisclosureRequest.applicant_type, DisclosureRequest.outcome_category, DisclosureRequest.outcome_reason,
            Submission.status, Submission.received_at, Submission.answered_at,
        )
        .join(Submission, Submission.id == DisclosureRequest.submission_id)
        .where(
            Submission.kind == DISCLOSURE,
            sa.or_(
                sa.and_(
                    Submission.received_at < end,
                    sa.or_(Submission.received_at >= start, Submission.status.not_in(FINISHED_STATUSES),
                           Submission.answered_at.is_(None), Submission.answered_at >= start),
                ),
                in_year,
            ),
        )
    )
    if department_id is not None:
        stmt = stmt.where(Submission.department_id == department_id)
    for applicant_type, category, reason, status, received_at, answered_at in db.session.execute(stmt):
        received_at = as_utc(received_at)
        if start <= received_at < end:
            table.add(table.new, applicant_type)
        if received_at < start and not _finished(status, answered_at, start):
            table.add(table.carried_in, applicant_type)
        if _finished(status, answered_at, end) and not _finished(status, answered_at, start):
            outcome = outcome_for(category, reason)
            if outcome is None:
                outcome = FALLBACK
                table.unclassified += 1
            table.add(table.outcomes[outcome.key], applicant_type)
            table.add(table.finished, applicant_type)
        if received_at < end and not _finished(status, answered_at, end):
            table.add(table.carried_out, applicant_type)
    return table

