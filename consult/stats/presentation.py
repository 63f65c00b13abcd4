"""What the statistics page and its CSV show: labels, charts and rows built from ``compute_stats``."""

from collections.abc import Iterator

from flask_babel import gettext as _
from markupsafe import Markup

from consult import exports
from consult.formats import format_month
from consult.stats.charts import Series, bar_chart, percent
from consult.tracking.kinds import KIND_LABELS

CSV_COLUMNS = (
    "scope", "department_code", "department", "kind", "month", "received", "answered", "answer_rate",
    "on_time", "on_time_rate", "median_workdays_to_answer", "overdue_now", "rated", "satisfied",
    "satisfaction_rate",
)  # fmt: skip


def month_label(month: str, *, two_lines: bool = False) -> str:
    """``2025-03`` as the visitor reads it (2025年3月 / March 2025; on two lines for the charts)."""
    return format_month(month, two_lines=two_lines)


def departments_with_figures(rows: list[dict]) -> list[dict]:
    """The department rows with anything to show: something received in the period or overdue now."""
    return [row for row in rows if row["received"] or row["overdue_now"]]


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def charts(stats: dict) -> dict[str, Markup]:
    """The two monthly charts: volumes (received, answered) and rates (on time, satisfied)."""
    months = stats["months"]
    categories = [month_label(m["month"], two_lines=True) for m in months]
    first, last = (month_label(months[0]["month"]), month_label(months[-1]["month"])) if months else ("", "")
    volumes = bar_chart(
        "chart-volumes",
        _("Submissions received and answered per month"),
        _("Bar chart of the submissions received each month from %(first)s to %(last)s and how many of them "
          "have been answered. The same figures are in the table next to it.", first=first, last=last),
        categories,
        [Series(_("Received"), [m["received"] for m in months]),
         Series(_("Answered"), [m["answered"] for m in months])],
    )
    rates = bar_chart(
        "chart-rates",
        _("On-time rate and satisfaction rate per month"),
        _("Bar chart of the share of answers given on time and the share of rated answers the citizens were "
          "satisfied or basically satisfied with, by month of receipt, from %(first)s to %(last)s. The same "
          "figures are in the table next to it.", first=first, last=last),
        categories,
        [Series(_("On time"), [m["on_time_rate"] for m in months]),
         Series(_("Satisfied"), [m["satisfaction_rate"] for m in months])],
        fmt=percent, maximum=1,
    )
    return {"volumes": volumes, "rates": rates}


def _csv_row(scope: str, figures: dict, *, department=None, locale: str = "zh", kind: str = "",
             month: str = "") -> list:
    row = {
        "scope": scope,
        "department_code": department["code"] if department else "",
        "department": (department["name_en"] if locale == "en" and department["name_en"] else department["name"])
        if department else "",
        "kind": kind,
        "month": month,
        **figures,
    }
    return ["" if row.get(column) is None else row.get(column) for column in CSV_COLUMNS]


def csv_rows(stats: dict, locale: str) -> Iterator[list]:
    """Every figure of the page as rows: total, per kind, per department, per department and kind, per month."""
    yield list(CSV_COLUMNS)
    yield _csv_row("total", stats["totals"])
    for kind in stats["kinds"]:
        yield _csv_row("kind", kind, kind=kind["kind"])
    for department in stats["departments"]:
        yield _csv_row("department", department, department=department, locale=locale)
        for kind in department["kinds"]:
            yield _csv_row("department_kind", kind, department=department, locale=locale, kind=kind["kind"])
    for month in stats["months"]:
        yield _csv_row("month", month, month=month["month"])


def to_csv(stats: dict, locale: str) -> str:
    """The CSV text, through the one export writer (names are typed by admins: never a formula)."""
    return exports.csv_text(csv_rows(stats, locale))
