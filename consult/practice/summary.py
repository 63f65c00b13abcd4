"""The monthly summary for the leadership (月度通报): the compliance self-check as it stood at the end of a
month, with that month's 三率 and on-time rate. :func:`monthly_summary` returns plain data; the HTML page,
the CSV (through consult.exports) and any document rendering are built from it."""

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from consult import exports
from consult.practice.compliance import Finding, check
from consult.stats.services import compute_stats
from consult.localtime import local_today

SUMMARY_ITEMS = 50  # items listed per rule in the summary


@dataclass(frozen=True)
class MonthlySummary:
    year: int
    month: int
    as_of: date  # the last day of the month, or today for the current month
    findings: list[Finding]
    figures: dict  # compute_stats' figures of the submissions received that month
    departments: list[dict]  # each department's figures that month (compute_stats rows)
    response_hours: int

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def total_findings(self) -> int:
        return sum(finding.count for finding in self.findings)


def parse_month(text: str | None, today: date) -> tuple[int, int]:
    """``YYYY-MM`` (not after this month), or the previous month when empty or malformed."""
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        if 2000 <= year and 1 <= month <= 12 and (year, month) <= (today.year, today.month):
            return year, month
    except ValueError:
        pass
    return (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)


def monthly_summary(year: int, month: int, today: date | None = None) -> MonthlySummary:
    """The summary of ``year``-``month``: the board at the end of the month (today for the current one)."""
    today = today or local_today()
    last_day = date(year, month, calendar.monthrange(year, month)[1])
    as_of = min(last_day, today)
    stats = compute_stats(months=1, today=as_of)
    return MonthlySummary(
        year=year, month=month, as_of=as_of, findings=check(as_of, SUMMARY_ITEMS),
        figures=stats["months"][0], departments=stats["departments"], response_hours=stats["response_hours"],
    )


CSV_HEADER = ("section", "rule", "severity", "count", "item", "department", "detail", "date")


def summary_rows(summary: MonthlySummary, titles: dict[str, str]) -> Iterator[list]:
    """The summary as CSV rows: one per rule with its count, one per listed item, then the month's figures."""
    for finding in summary.findings:
        yield ["rule", titles[finding.code], finding.rule.severity, finding.count, "", "", "", ""]
        for item in finding.items:
            yield ["item", titles[finding.code], finding.rule.severity, "", item.label, item.department, item.detail,
                   item.day.isoformat() if item.day else ""]
    for name in ("received", "answered", "response_rate", "resolution_rate", "satisfaction_rate", "on_time_rate",
                 "ratings_removed", "rectifications", "rectified"):
        value = summary.figures[name]
        yield ["figure", name, "", "" if value is None else value, "", "", "", summary.label]


def summary_csv(summary: MonthlySummary, titles: dict[str, str]) -> str:
    """The CSV text, through the one export writer (item labels are typed by citizens: never a formula)."""
    return exports.csv_text(summary_rows(summary, titles), CSV_HEADER)
