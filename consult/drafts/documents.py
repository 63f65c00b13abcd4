"""The feedback report (意见采纳情况) as a document (.docx and PDF, rendered by :mod:`consult.documents`).

It holds what the report page holds, in the official layout: title, issuing department and date, the
consultation in one paragraph, the editor's summary, the table of counts by article and disposition (from
:func:`consult.drafts.report.report_figures`, the report's own numbers), and per article how its comments were
handled — each disposition with its reasons and how many comments each reason answered. Those are counts per
unit (article × disposition × reason), so the document's size does not grow with the number of comments: at
most ``REASONS_PER_ARTICLE`` reasons are printed per article, the rest are counted.

Every comment with its disposition is the annex. Asked for (``annex=True``) and up to ``ANNEX_MAX_COMMENTS``
comments it is printed in the document; beyond that the document points to the CSV download, which streams.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from flask_babel import pgettext

from consult.documents.markdown import blocks_from_markdown
from consult.documents.model import Cell, Document, Heading, Paragraph, Run, Table
from consult.drafts.models import DISPOSITIONS, PUBLISHED, REJECTED, Comment, Draft
from consult.drafts.report import DISPOSITION_LABELS, ReportFigures, export_rows, report_figures
from consult.extensions import db
from consult.formats import format_day
from consult.i18n import current_locale_code
from consult.localtime import local_date, local_today

REASONS_PER_ARTICLE = 30
ANNEX_MAX_COMMENTS = 2000
NOT_DECIDED = "none"


@dataclass(frozen=True)
class ReasonCount:
    disposition: str  # one of DISPOSITIONS, or "none"
    reason: str
    count: int


@dataclass(frozen=True)
class ArticleReasons:
    anchor: str
    reasons: list[ReasonCount]  # the most frequent first, at most REASONS_PER_ARTICLE
    units: int  # how many distinct (disposition, reason) units the article has in all
    comments: int  # comments of the article not among the printed reasons


def article_reasons(draft: Draft, limit: int = REASONS_PER_ARTICLE) -> dict[str, ArticleReasons]:
    """Per article, the dispositions with their reasons and how many comments each answers (the report's
    units), most frequent first — counted by the database, at most ``limit`` per article read back."""
    disposition = sa.func.coalesce(Comment.disposition, NOT_DECIDED)
    units = (
        sa.select(Comment.article_anchor.label("anchor"), disposition.label("disposition"),
                  Comment.disposition_reason.label("reason"), sa.func.count(Comment.id).label("n"))
        .where(Comment.draft_id == draft.id, Comment.moderation != REJECTED)
        .group_by(Comment.article_anchor, disposition, Comment.disposition_reason)
        .subquery()
    )
    ranked = sa.select(
        units,
        sa.func.row_number().over(partition_by=units.c.anchor,
                                  order_by=(units.c.n.desc(), units.c.disposition, units.c.reason)).label("rank"),
        sa.func.count().over(partition_by=units.c.anchor).label("units"),
        sa.func.sum(units.c.n).over(partition_by=units.c.anchor).label("total"),
    ).subquery()
    rows = db.session.execute(
        sa.select(ranked).where(ranked.c.rank <= limit).order_by(ranked.c.anchor, ranked.c.rank)
    )
    result: dict[str, ArticleReasons] = {}
    for row in rows:
        entry = result.get(row.anchor)
        if entry is None:
            entry = result[row.anchor] = ArticleReasons(row.anchor, [], int(row.units), int(row.total))
        entry.reasons.append(ReasonCount(row.disposition, row.reason or "", int(row.n)))
    return {anchor: ArticleReasons(a.anchor, a.reasons, a.units, a.comments - sum(r.count for r in a.reasons))
            for anchor, a in result.items()}


def _label(disposition: str) -> str:
    return str(DISPOSITION_LABELS[disposition]) if disposition in DISPOSITION_LABELS else _("Not decided")


def _counts_table(figures: ReportFigures) -> Table:
    header = [Cell(_("Article"), bold=True, align="center")]
    header += [Cell(_label(key), bold=True, align="center") for key in DISPOSITIONS]
    header.append(Cell(_("Total"), bold=True, align="center"))
    rows = [header]
    for part in figures.by_article:
        rows.append([Cell(part.label), *[Cell(str(part.by_disposition.get(key, 0)), align="right")
                                         for key in DISPOSITIONS], Cell(str(part.total), align="right")])
    rows.append([Cell(_("Total"), bold=True), *[Cell(str(figures.by_disposition.get(key, 0)), align="right")
                                                for key in DISPOSITIONS], Cell(str(figures.total), align="right")])
    return Table(rows, header_rows=1, widths=[3, 1, 1, 1, 1, 1], caption=_("Comments by article and disposition"))


def _reasons_blocks(figures: ReportFigures, reasons: dict[str, ArticleReasons]) -> list:
    blocks: list = []
    for part in figures.by_article:
        found = reasons.get(part.anchor)
        blocks.append(Heading(_("%(article)s (%(n)s comments)", article=part.label, n=part.total), 2))
        if found is None:
            continue
        for unit in found.reasons:
            lead = _("%(disposition)s (%(n)s comments): ", disposition=_label(unit.disposition), n=unit.count)
            blocks.append(Paragraph([Run(lead, bold=True), Run(unit.reason or _("No reason given."))]))
        if found.comments:
            blocks.append(Paragraph.of(_("%(n)s further comments with %(units)s other reasons are listed in the annex.",
                                         n=found.comments, units=found.units - len(found.reasons)), small=True))
    return blocks


def _annex(draft: Draft, annex_url: str) -> list:
    count = db.session.scalar(sa.select(sa.func.count(Comment.id)).where(
        Comment.draft_id == draft.id, Comment.moderation == PUBLISHED))
    blocks: list = [Heading(_("Annex: every comment and how it was handled"), 1)]
    if count > ANNEX_MAX_COMMENTS:
        blocks.append(Paragraph.of(_("The %(n)s comments are too many to print here. Download them with their "
                                     "dispositions as a spreadsheet (CSV): %(url)s", n=count, url=annex_url)))
        return blocks
    rows = [[Cell(_("Tracking number"), bold=True), Cell(_("Article"), bold=True), Cell(pgettext("column", "Comment"), bold=True),
             Cell(_("Disposition"), bold=True), Cell(_("Reason"), bold=True)]]
    for row in export_rows(draft, public=True):
        rows.append([Cell(row["tracking_no"]), Cell(row["article"]), Cell(row["comment"]),
                     Cell(_label(row["disposition"] or NOT_DECIDED)), Cell(row["reason"])])
    blocks.append(Table(rows, header_rows=1, widths=[2.2, 1.5, 4, 1.2, 3], small=True))
    return blocks


def feedback_report_document(draft: Draft, *, annex: bool = False) -> Document:
    """The feedback report of ``draft`` as a :class:`Document` (counts and units; the annex when asked)."""
    locale = current_locale_code()
    figures = report_figures(draft)
    issued = local_date(draft.report_published_at) if draft.report_published_at else local_today()
    document = Document(
        title=_("Feedback on the comments received on “%(title)s”", title=draft.title),
        department=draft.department.display_name(locale), issued_on=issued, byline=True,
        subject=_("Feedback report"), numbered=True,
    )
    document.add(Heading(_("The consultation"), 1), Paragraph.of(_(
        "From %(start)s to %(end)s the draft “%(title)s” was published for comment. %(received)s comments were "
        "received; %(counted)s of them are part of this report (comments refused at moderation are not).",
        start=format_day(draft.opens_at), end=format_day(draft.closes_at), title=draft.title,
        received=draft.received_count, counted=figures.total)))
    if draft.report_summary:
        document.add(Heading(pgettext("report", "Summary"), 1), *blocks_from_markdown(draft.report_summary, heading_level=2))
    document.add(Heading(_("How the comments were handled"), 1))
    document.add(Paragraph.of(_("; ").join(
        _("%(disposition)s: %(n)s", disposition=_label(key), n=figures.by_disposition.get(key, 0))
        for key in DISPOSITIONS)))
    document.add(_counts_table(figures))
    if figures.by_article:
        document.add(Heading(_("Dispositions and reasons by article"), 1))
        document.add(*_reasons_blocks(figures, article_reasons(draft)))
    annex_url = url_for("drafts.export_public", draft_id=draft.id, fmt="csv", _external=True)
    if annex:
        document.add(*_annex(draft, annex_url))
    else:
        document.add(Paragraph.of(_("Every comment with its disposition and reason can be downloaded as a "
                                    "spreadsheet (CSV): %(url)s", url=annex_url), small=True))
    return document


def report_filename(draft: Draft) -> str:
    """《title》意见采纳情况 — the name of the downloaded file (without its extension)."""
    return _("Feedback report on “%(title)s”", title=draft.title)[:150]
