"""The feedback report's numbers: comments by article, by disposition and by stance, the same everywhere they
are shown — the public report page, its CSV and JSON downloads and ``GET /api/v1/drafts/{id}/report``.

Counts only, never a name, a contact or a comment's text. Dispositions are counted from the comments
(rejected ones are not part of the report) with one grouped query; stances come from the draft's current
comment analysis (``consult.workbench``), whose run stored them by article when it finished, so no page
counts stances row by row. A draft never analysed has no stance figures (``by_stance`` is None).

Campaigns (form letters) come from the same run. To add a measure, add a field to :class:`ReportFigures`, fill it in :func:`report_figures`
and add it to :func:`figures_json` and :data:`CSV_FIELDS` / :func:`figures_csv_rows`.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from consult.drafts.models import DISPOSITIONS, REJECTED, Comment, Draft
from consult.drafts.queries import article_labels
from consult.extensions import db

SUPPORT, OPPOSE, REVISE, OTHER = "support", "oppose", "revise", "other"
STANCE_CODES = (SUPPORT, OPPOSE, REVISE, OTHER)
STANCE_LABELS = {SUPPORT: _l("Support"), OPPOSE: _l("Oppose"), REVISE: _l("Suggests changes"), OTHER: _l("Other")}
UNDECIDED = "none"  # comments without a disposition (only before the report is sent)


@dataclass(frozen=True)
class ArticleFigures:
    """One part of the draft (an article, the preamble, or the draft as a whole: anchor "")."""

    anchor: str
    label: str
    by_disposition: dict[str, int]
    by_stance: dict[str, int] | None
    total: int


@dataclass(frozen=True)
class StanceSource:
    """Which analysis the stance figures come from, and how many comments it read."""

    run_id: int
    analysed_at: datetime | None
    comments: int


@dataclass(frozen=True)
class CampaignFigures:
    """The analysis's campaigns: "7 个意见模板共 3,800 条，占 38%"."""

    templates: int
    comments: int
    share: float  # of the analysed comments, 0..1


@dataclass(frozen=True)
class ReportFigures:
    total: int
    by_disposition: dict[str, int]
    by_stance: dict[str, int] | None
    by_article: list[ArticleFigures]
    stance_source: StanceSource | None
    campaigns: CampaignFigures | None = None


def report_figures(draft: Draft) -> ReportFigures:
    """The report's numbers for ``draft``: two small grouped reads, whatever the number of comments."""
    rows = db.session.execute(
        sa.select(Comment.article_anchor, Comment.disposition, sa.func.count(Comment.id))
        .where(Comment.draft_id == draft.id, Comment.moderation != REJECTED)
        .group_by(Comment.article_anchor, Comment.disposition)
    ).all()
    by_disposition: dict[str, int] = dict.fromkeys(DISPOSITIONS, 0)
    per_article: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(DISPOSITIONS, 0))
    for anchor, disposition, n in rows:
        key = disposition or UNDECIDED
        by_disposition[key] = by_disposition.get(key, 0) + n
        per_article[anchor or ""][key] = per_article[anchor or ""].get(key, 0) + n
    stance_by_article, by_stance, source, campaigns = _stances(draft.id)
    for anchor in stance_by_article:
        per_article.setdefault(anchor, dict.fromkeys(DISPOSITIONS, 0))
    order = [a.anchor for a in draft.current_version.articles] if draft.current_version else []
    labels = article_labels(draft.id)
    by_article = [
        ArticleFigures(anchor, labels.get(anchor, anchor), counts,
                       None if by_stance is None else _stance_counts(stance_by_article.get(anchor, {})),
                       sum(counts.values()))
        for anchor, counts in sorted(per_article.items(), key=lambda kv: (kv[0] != "", _index(order, kv[0]), kv[0]))
    ]
    return ReportFigures(sum(by_disposition.values()), by_disposition, by_stance, by_article, source, campaigns)


def _stances(draft_id: int) -> tuple[dict[str, dict[str, int]], dict[str, int] | None, StanceSource | None,
                                     CampaignFigures | None]:
    """Stance counts by article and in all, and the campaigns, from the current analysis run's stored summary."""
    from consult.workbench.queries import current_run  # the workbench builds on the drafts package

    run = current_run(draft_id)
    summary = (run.summary or {}) if run is not None else {}
    if run is None or "stance_by_article" not in summary:
        return {}, None, None, None
    by_article = {anchor or "": counts for anchor, counts in summary["stance_by_article"].items()}
    totals = _stance_counts(summary.get("by_stance", {}))
    campaigns = CampaignFigures(int(summary["units_by_kind"].get("campaign", 0)),
                                int(summary.get("campaign_comments", 0)), float(summary.get("campaign_share", 0.0)))
    return (by_article, totals, StanceSource(run.id, run.finished_at, int(summary.get("comments", sum(totals.values())))),
            campaigns)


def _stance_counts(counts: dict) -> dict[str, int]:
    return {code: int(counts.get(code, 0)) for code in STANCE_CODES}


def _index(order: list[str], anchor: str) -> int:
    return order.index(anchor) if anchor in order else len(order)


def figures_json(draft: Draft, figures: ReportFigures) -> dict:
    """The numbers as the JSON download and the API give them (codes as keys, labels beside)."""
    source = figures.stance_source
    return {
        "draft_id": draft.id, "title": draft.title, "published_at": draft.report_published_at,
        "total": figures.total, "by_disposition": _decided(figures.by_disposition), "by_stance": figures.by_stance,
        "by_article": [
            {"anchor": a.anchor or None, "label": a.label, "total": a.total,
             "by_disposition": _decided(a.by_disposition), "by_stance": a.by_stance}
            for a in figures.by_article
        ],
        "stance_source": None if source is None else {
            "analysed_at": source.analysed_at, "comments": source.comments,
        },
        "campaigns": None if figures.campaigns is None else {
            "templates": figures.campaigns.templates, "comments": figures.campaigns.comments,
            "share": round(figures.campaigns.share, 4),
        },
    }


def _decided(counts: dict[str, int]) -> dict[str, int]:
    return {code: counts.get(code, 0) for code in DISPOSITIONS}


CSV_FIELDS = ("scope", "article_anchor", "article", "total", *DISPOSITIONS, *STANCE_CODES, "campaign_templates",
              "campaign_comments")


def figures_csv_rows(figures: ReportFigures) -> list[list]:
    """One row per part of the draft, then the draft's totals (``scope`` "draft"); stance cells are empty
    when the comments were not analysed. Written through ``consult.exports``."""
    def row(scope: str, anchor: str, label: str, total: int, dispositions: dict, stances: dict | None,
            campaigns: list | None = None) -> list:
        return [scope, anchor, label, total, *(dispositions.get(d, 0) for d in DISPOSITIONS),
                *((stances or {}).get(s, "") if stances is not None else "" for s in STANCE_CODES),
                *(campaigns or ["", ""])]

    rows = [row("article", a.anchor, a.label, a.total, a.by_disposition, a.by_stance) for a in figures.by_article]
    campaigns = figures.campaigns  # a campaign spans articles: counted for the draft only
    rows.append(row("draft", "", "", figures.total, figures.by_disposition, figures.by_stance,
                    [campaigns.templates, campaigns.comments] if campaigns else None))
    return rows
