"""The monthly summary (月度通报) as a document (.docx and PDF), built from :func:`monthly_summary`'s data: the
self-check's findings with their first items, and the month's 三率 and on-time rate with their formulas."""

from flask import current_app
from flask_babel import gettext as _

from consult.documents.model import Cell, Document, Heading, Paragraph, Table
from consult.formats import format_day
from consult.localtime import local_today
from consult.practice.summary import MonthlySummary
from consult.stats.charts import percent


def summary_document(summary: MonthlySummary, titles: dict[str, str], rates: list[dict]) -> Document:
    """The month's summary, issued by the platform's operator (``CONSULT_SITE_NAME``)."""
    issuer = current_app.config.get("CONSULT_SITE_NAME") or _("Compliance self-check")
    document = Document(title=_("Monthly summary %(year)s-%(month)s", year=summary.year, month=summary.month),
                        department=issuer, issued_on=local_today(), byline=True, numbered=True,
                        subject=_("Monthly summary"))
    document.add(Paragraph.of(_("The self-check as it stood on %(day)s: %(num)d items found.",
                                day=format_day(summary.as_of), num=summary.total_findings)))
    document.add(Heading(_("Findings")))
    rows = [[Cell(_("Check"), bold=True, align="center"), Cell(_("Found"), bold=True, align="center")]]
    rows += [[Cell(titles.get(f.code, f.code)), Cell(str(f.count), align="right")] for f in summary.findings]
    document.add(Table(rows, header_rows=1, widths=[5, 1]))
    for finding in summary.findings:
        if not finding.items:
            continue
        document.add(Heading(titles.get(finding.code, finding.code), 2))
        for item in finding.items:
            where = f" · {item.department}" if item.department else ""
            document.add(Paragraph.of(f"{item.label}{where} — {item.detail}", align="left", small=True))
        if finding.count > len(finding.items):
            document.add(Paragraph.of(_("…and %(num)d more.", num=finding.count - len(finding.items)), small=True))
    document.add(Heading(_("Submissions received this month: the three rates and the on-time rate")))
    rows = [[Cell(_("Rate"), bold=True, align="center"), Cell(_("Value"), bold=True, align="center"),
             Cell(_("How it is computed"), bold=True, align="center")]]
    rows += [[Cell(str(rate["label"])), Cell(percent(rate["value"]), align="right"), Cell(str(rate["formula"]))]
             for rate in rates]
    document.add(Table(rows, header_rows=1, widths=[2, 1, 5], small=True))
    return document
