"""The compliance self-check (合规自查) and the monthly summary (月度通报) through the API, for administrators.

The same data as the admin pages, from the same functions (consult.practice.compliance.check and
consult.practice.summary.monthly_summary): each rule with its count and the items behind it, each item named
by kind and id with a link to the page where it is put right (and to its API resource where there is one).
"""

from typing import Literal

from flask import Response, url_for
from flask_babel import gettext as _
from pydantic import Field

from consult.accounts.models import ADMIN
from consult.api import bp, schemas
from consult.api.common import PageQuery, Query, answer, next_link, page_of
from consult.api.errors import ApiError
from consult.api.fields import Day, Url, whole_number
from consult.api.openapi import operation
from consult.api.schemas import Answer
from consult.api.tokens import token_required
from consult.api.validation import query_args
from consult.localtime import local_today
from consult.practice import compliance
from consult.practice.summary import MonthlySummary, monthly_summary, summary_csv
from consult.stats.formulas import formulas

RULE_CODES = tuple(rule.code for rule in compliance.RULES)
MONTH_PATTERN = "^[0-9]{4}-(0[1-9]|1[0-2])$"
API_RESOURCES = {"submission": ("api.office_submission", "submission_id"),
                 "rectification": ("api.rectification_task", "task_id")}


class ComplianceItem(Answer):
    kind: Literal[compliance.ITEM_KINDS]
    id: int = Field(description="The submission's, mailbox's, draft's or rectification task's id; for the annual "
                                "report, its year.")
    label: str
    department: str = Field(description="The department's name (empty for the annual report).")
    detail: str = Field(description="Why it is listed, in the language asked for.")
    date: Day | None = Field(description="The date that makes it late (received, due, closed…).")
    url: Url = Field(description="The page where it is put right.")
    api_url: Url | None = Field(description="Its resource in this API, where there is one.")


class ComplianceRule(Answer):
    code: Literal[RULE_CODES]
    title: str
    basis: str = Field(description="The rule or inspection indicator behind it.")
    severity: Literal[compliance.VETO, compliance.WARNING] = Field(
        description="veto: a 单项否决 risk; warning: a finding to put right.")
    count: int = Field(description="How many items the rule finds.")
    items: list[ComplianceItem] = Field(description="The first of them (all of them, page by page, at items_url).")
    items_url: Url = Field(description="This rule with all its items, a page at a time.")


class RulePage(ComplianceRule):
    """One rule and one page of its items (follow ``next``)."""

    next: Url | None = Field(description="The next page of items, or null on the last one.")


class ComplianceBoard(Answer):
    as_of: Day
    total: int = Field(description="Items found by all rules.")
    rules: list[ComplianceRule]


class Summary(Answer):
    month: str = Field(description="YYYY-MM")
    as_of: Day = Field(description="The last day of the month, or today for the current month.")
    total: int = Field(description="Items found by all rules on that day.")
    rules: list[ComplianceRule]
    figures: schemas.MonthFigures = Field(description="The 三率 and on-time rate of the submissions received "
                                                      "that month.")
    departments: list[schemas.DepartmentFigures]
    response_hours: int
    formulas: dict[str, str] = Field(description="How each rate is computed, in the language asked for.")
    csv_url: Url


class BoardQuery(Query):
    limit: whole_number(1, 100) = Field(compliance.ITEM_LIMIT, description="Items listed per rule.")


class SummaryQuery(Query):
    month: str | None = Field(None, pattern=MONTH_PATTERN,
                              description="YYYY-MM, not after the current month; default: the previous month.")


def item_json(item: compliance.Item) -> ComplianceItem:
    resource = API_RESOURCES.get(item.kind)
    return ComplianceItem(
        kind=item.kind, id=item.key, label=item.label, department=item.department, detail=item.detail, date=item.day,
        url=url_for(item.endpoint, **item.args, _external=True),
        api_url=url_for(resource[0], **{resource[1]: item.key}, _external=True) if resource else None,
    )


def rule_json(finding: compliance.Finding) -> ComplianceRule:
    rule = finding.rule
    return ComplianceRule(code=rule.code, title=str(rule.title), basis=str(rule.basis), severity=rule.severity,
                          count=finding.count, items=[item_json(item) for item in finding.items],
                          items_url=url_for("api.compliance_rule", code=rule.code, _external=True))


def rule_page(finding: compliance.Finding, following: str | None) -> RulePage:
    return RulePage(**rule_json(finding).model_dump(), next=following)


def _summary_of_request() -> MonthlySummary:
    """The summary of ``?month=`` (400 for a month still to come), default the previous month."""
    query = query_args(SummaryQuery)
    today = local_today()
    if query.month and (int(query.month[:4]) < 2000 or query.month > f"{today:%Y-%m}"):
        message = _("A month from 2000 up to the current one.")
        raise ApiError(400, _("Some query parameters are not valid; see errors."), errors={"month": [message]})
    year, month = (int(part) for part in query.month.split("-")) if query.month else _previous(today)
    return monthly_summary(year, month, today)


def _previous(today) -> tuple[int, int]:
    return (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)


@bp.get("/admin/compliance")
@operation("getComplianceBoard", "The compliance self-check (合规自查): each rule with its count and items",
           tag="admin", responses={200: ComplianceBoard}, auth=True, query=BoardQuery,
           description="What inspectors would flag today: submissions unanswered for more than 3 months and "
                       "1 month, mailboxes without an answered letter in a year, closed consultations without a "
                       "feedback report, consultation windows shorter than the rule for the draft's type, the "
                       "annual report after 31 January, rectification tasks and information requests past their "
                       "limits. Administrators only.")
@token_required(ADMIN)
def compliance_board():
    """Every rule's count and its first items, as on the board."""
    query = query_args(BoardQuery)
    findings = compliance.check(local_today(), query.limit)
    return answer(ComplianceBoard(as_of=local_today(), total=sum(f.count for f in findings),
                                  rules=[rule_json(finding) for finding in findings]))


@bp.get("/admin/compliance/rules/<code>")
@operation("getComplianceRule", "One rule of the compliance self-check with its items, a page at a time",
           tag="admin", responses={200: RulePage}, auth=True, query=PageQuery,
           path={"code": {"type": "string", "enum": list(RULE_CODES)}},
           description="Items in the board's order, cursor-paginated (follow `next`). The two rules decided outside "
                       "the database, `short_windows` and `annual_report`, list their few items on one page. An "
                       "unknown rule answers 404.")
@token_required(ADMIN)
def compliance_rule(code: str):
    """The items one rule finds today."""
    rule = compliance.RULES_BY_CODE.get(code)
    if rule is None:
        raise ApiError(404)
    query, today = query_args(PageQuery), local_today()
    if rule.listing is None:
        finding, following = compliance.Finding(rule, rule.count(today), rule.items(today, None)), None
    else:
        listing = rule.listing(today)
        page = page_of(listing.stmt, listing.order, query)
        finding, following = compliance.Finding(rule, rule.count(today), listing.build(page.items)), next_link(page)
    response = answer(rule_page(finding, following))
    if following:
        response.headers["Link"] = f'<{following}>; rel="next"'
    return response


@bp.get("/admin/compliance/summary")
@operation("getMonthlySummary", "The monthly summary (月度通报) for the leadership", tag="admin",
           responses={200: Summary}, auth=True, query=SummaryQuery,
           description="The self-check as it stood at the end of the month (today for the current month), with "
                       "the month's 三率 and on-time rate overall and per department, and their formulas. A month "
                       "still to come answers 400.")
@token_required(ADMIN)
def monthly_summary_json():
    """The summary of ``?month=`` as JSON."""
    summary = _summary_of_request()
    return answer(Summary(
        month=summary.label, as_of=summary.as_of, total=summary.total_findings,
        rules=[rule_json(finding) for finding in summary.findings], figures=summary.figures,
        departments=summary.departments, response_hours=summary.response_hours,
        formulas=formulas(summary.response_hours),
        csv_url=url_for("api.monthly_summary_csv", month=summary.label, _external=True),
    ))


@bp.get("/admin/compliance/summary.csv")
@operation("getMonthlySummaryCsv", "The monthly summary (月度通报) as CSV", tag="admin", responses={200: None},
           auth=True, query=SummaryQuery, media_type="text/csv",
           description="The same CSV as the admin page: one row per rule with its count, one per listed item, then "
                       "the month's figures.")
@token_required(ADMIN)
def monthly_summary_csv():
    """The summary of ``?month=`` as the CSV the admin page offers."""
    summary = _summary_of_request()
    filename = f"consult-monthly-summary-{summary.label}.csv"
    return Response(summary_csv(summary, compliance.rule_titles()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "private, no-store"})

