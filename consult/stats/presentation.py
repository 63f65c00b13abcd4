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
    "on_time", "on_time_rate", "median_workdays_to_answer", "overdue_now", "response_due", "responded_in_time",
    "response_rate", "rated", "resolved", "resolution_rate", "satisfied", "satisfaction_rate", "ratings_removed",
    "rectifications", "rectified",
)  # fmt: skip
# Each rate with its numerator and denominator, in the order the page shows them (the 三率, then 按期答复率).
RATE_PARTS = (
    ("response_rate", "responded_in_time", "response_due"),
    ("resolution_rate", "resolved", "rated"),
    ("satisfaction_rate", "satisfied", "rated"),
    ("on_time_rate", "on_time", "answered"),
)


def month_label(month: str, *, two_lines: bool = False) -> str:
    """``2025-03`` as the visitor reads it (2025年3月 / March 2025; on two lines for the charts)."""
    return format_month(month, two_lines=two_lines)


def departments_with_figures(rows: list[dict]) -> list[dict]:
    """The department rows with anything to show: something received in the period or overdue now."""
    return [row for row in rows if row["received"] or row["overdue_now"]]


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def rate_labels() -> dict[str, str]:
    return {
        "response_rate": _("Response rate"), "resolution_rate": _("Resolution rate"),
        "satisfaction_rate": _("Satisfaction rate"), "on_time_rate": _("On-time rate"),
    }


def charts(stats: dict) -> dict[str, Markup]:
    """The monthly trend charts: volumes (received, answered), handling (response and on-time rates) and
    ratings (resolution and satisfaction rates)."""
    months = stats["months"]
    categories = [month_label(m["month"], two_lines=True) for m in months]
    first, last = (month_label(months[0]["month"]), month_label(months[-1]["month"])) if months else ("", "")
    labels = rate_labels()
    volumes = bar_chart(
        "chart-volumes",
        _("Submissions received and answered per month"),
        _("Bar chart of the submissions received each month from %(first)s to %(last)s and how many of them "
          "have been answered. The same figures are in the table next to it.", first=first, last=last),
        categories,
        [Series(_("Received"), [m["received"] for m in months]),
         Series(_("Answered"), [m["answered"] for m in months])],
    )
    handling = bar_chart(
        "chart-handling",
        _("Response rate and on-time rate per month"),
        _("Bar chart of the share of submissions acted on within the response time and the share of answers "
          "given on time, by month of receipt, from %(first)s to %(last)s. The same figures are in the table "
          "next to it.", first=first, last=last),
        categories,
        [Series(labels["response_rate"], [m["response_rate"] for m in months]),
         Series(labels["on_time_rate"], [m["on_time_rate"] for m in months])],
        fmt=percent, maximum=1,
    )
    ratings = bar_chart(
        "chart-ratings",
        _("Resolution rate and satisfaction rate per month"),
        _("Bar chart of the share of rated submissions the citizens say were resolved and the share rated very "
          "satisfied, satisfied or basically satisfied, by month of receipt, from %(first)s to %(last)s. The same "
          "figures are in the table next to it.", first=first, last=last),
        categories,
        [Series(labels["resolution_rate"], [m["resolution_rate"] for m in months]),
         Series(labels["satisfaction_rate"], [m["satisfaction_rate"] for m in months])],
        fmt=percent, maximum=1,
    )
    return {"volumes": volumes, "handling": handling, "ratings": ratings}


def rate_rows(figures: dict, formulas: dict[str, str]) -> list[dict]:
    """The four rates of one group, each with its label, value, formula and the numbers it divides."""
    labels = rate_labels()
    return [
        {"name": name, "label": labels[name], "value": figures[name], "formula": formulas[name],
         "numerator": figures[top], "denominator": figures[bottom]}
        for name, top, bottom in RATE_PARTS
    ]


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


def csv_rows(stats: dict, locale: str, formulas: dict[str, str] | None = None) -> Iterator[list]:
    """Every figure of the page as rows: total, per kind, per department, per department and kind, per month,
    per year; then one row per rate giving its formula (scope ``formula``, the rate's column holding the text)."""
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
    for year in stats.get("years", ()):
        yield _csv_row("year", year, month=str(year["year"]))
    for name, text in (formulas or {}).items():
        yield ["" if column != "scope" and column != name else ("formula" if column == "scope" else text)
               for column in CSV_COLUMNS]


def to_csv(stats: dict, locale: str, formulas: dict[str, str] | None = None) -> str:
    """The CSV text, through the one export writer (names are typed by admins: never a formula)."""
    return exports.csv_text(csv_rows(stats, locale, formulas))
