"""The annual information-disclosure report (政府信息公开工作年度报告) as a document (.docx and PDF), in the
official format (国办公开办函〔2021〕30号): the parts and tables with their official wording, like the CSV and
XLSX downloads (it is meant to be published as it stands), with the figures of
:func:`consult.disclosure.report.application_table`, :func:`~consult.disclosure.figures.proactive_counts` and
the figures typed in for the year.

Parts the platform cannot write (五、存在的主要问题及改进情况) are left for the office to add in Word.
"""

from consult.disclosure.exports import check_row
from consult.disclosure.figures import FIGURES, ProactiveCounts
from consult.disclosure.models import OpennessReportFigures
from consult.disclosure.outcomes import APPLICANT_OFFICIAL, APPLICANT_TYPES, CATEGORIES, CATEGORY_OFFICIAL, OUTCOMES
from consult.disclosure.report import COLUMNS, ApplicationTable
from consult.documents.model import Cell, Document, Heading, Paragraph, Table
from consult.localtime import local_today


def _n(value) -> Cell:
    return Cell("" if value is None or value == "" else str(value), align="center")


def _head(text: str, **kwargs) -> Cell:
    return Cell(text, bold=True, align="center", **kwargs)


def proactive_table(figures: OpennessReportFigures | None) -> Table:
    """Part 二: 主动公开政府信息情况, as the official form draws it."""
    values = figures.figures if figures is not None else {}

    def v(key):
        return _n(values.get(key, ""))

    rows = [
        [_head("第二十条第（一）项", colspan=4)],
        [_head("信息内容"), _head("本年制发件数"), _head("本年废止件数"), _head("现行有效件数")],
        [Cell("规章"), v("rules_made"), v("rules_repealed"), v("rules_in_force")],
        [Cell("行政规范性文件"), v("norms_made"), v("norms_repealed"), v("norms_in_force")],
        [_head("第二十条第（五）项", colspan=4)],
        [_head("信息内容"), _head("本年处理决定数量", colspan=3)],
        [Cell("行政许可"), Cell(str(values.get("licences", "")), colspan=3, align="center")],
        [_head("第二十条第（六）项", colspan=4)],
        [_head("信息内容"), _head("本年处理决定数量", colspan=3)],
        [Cell("行政处罚"), Cell(str(values.get("penalties", "")), colspan=3, align="center")],
        [Cell("行政强制"), Cell(str(values.get("compulsion", "")), colspan=3, align="center")],
        [_head("第二十条第（八）项", colspan=4)],
        [_head("信息内容"), _head("本年收费金额（单位：万元）", colspan=3)],
        [Cell("行政事业性收费"), Cell(str(values.get("fees", "")), colspan=3, align="center")],
    ]
    return Table(rows, header_rows=0, widths=[2.5, 1.5, 1.5, 1.5])


def application_table_block(table: ApplicationTable) -> Table:
    """Part 三: 收到和处理政府信息公开申请情况 — the two-level header and the outcome rows of the form."""
    rows: list[list[Cell]] = [
        [_head("", colspan=3, rowspan=3), _head("申请人情况", colspan=7)],
        [_head("自然人", rowspan=2), _head("法人或其他组织", colspan=5), _head("总计", rowspan=2)],
        [_head(APPLICANT_OFFICIAL[t]) for t in APPLICANT_TYPES[1:]],
        [Cell("一、本年新收政府信息公开申请数量", colspan=3), *[_n(table.new[c]) for c in COLUMNS]],
        [Cell("二、上年结转政府信息公开申请数量", colspan=3), *[_n(table.carried_in[c]) for c in COLUMNS]],
    ]
    outcome_rows = len(OUTCOMES) + 1  # and （七）总计
    first = True
    for category in CATEGORIES:
        outcomes = [o for o in OUTCOMES if o.category == category]
        for index, outcome in enumerate(outcomes):
            row: list[Cell] = []
            if first:
                row.append(Cell("三、本年度办理结果", rowspan=outcome_rows))
                first = False
            if outcome.reason:
                if index == 0:
                    row.append(Cell(CATEGORY_OFFICIAL[category], rowspan=len(outcomes)))
                row.append(Cell(outcome.official))
            else:
                row.append(Cell(outcome.official, colspan=2))
            rows.append(row + [_n(table.outcomes[outcome.key][c]) for c in COLUMNS])
    rows.append([Cell("（七）总计", colspan=2), *[_n(table.finished[c]) for c in COLUMNS]])
    rows.append([Cell("四、结转下年度继续办理", colspan=3), *[_n(table.carried_out[c]) for c in COLUMNS]])
    return Table(rows, header_rows=3, widths=[1.3, 1.7, 4.2, 1, 1, 1, 1, 1, 1, 1], small=True)


def review_table(figures: OpennessReportFigures | None) -> Table:
    """Part 四: 政府信息公开行政复议、行政诉讼情况 (with the totals the form asks for)."""
    values = figures.figures if figures is not None else {}
    results = ("upheld", "corrected", "other", "pending")
    labels = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]

    def group(prefix: str) -> list[Cell]:
        numbers = [values.get(f"{prefix}_{r}", "") for r in results]
        known = [int(x) for x in numbers if str(x).strip() != ""]
        return [_n(x) for x in numbers] + [_n(sum(known) if known else "")]

    rows = [
        [_head("行政复议", colspan=5), _head("行政诉讼", colspan=10)],
        [*[_head(label, rowspan=2) for label in labels], _head("未经复议直接起诉", colspan=5), _head("复议后起诉", colspan=5)],
        [*[_head(label) for label in labels], *[_head(label) for label in labels]],
        [*group("review"), *group("suit_direct"), *group("suit_after")],
    ]
    return Table(rows, header_rows=3, small=True)


def annual_report_document(
    title_scope: str, issuer: str, year: int, table: ApplicationTable, counts: ProactiveCounts,
    figures: OpennessReportFigures | None,
) -> Document:
    """The year's report for ``title_scope`` (a department's name, or the whole government), issued by ``issuer``."""
    document = Document(title=f"{title_scope}{year}年政府信息公开工作年度报告", department=issuer,
                        issued_on=local_today(), byline=True, language="zh-CN", subject="政府信息公开工作年度报告")
    document.add(Heading("一、总体情况"), Paragraph.of(
        f"{year}年，通过本平台发布征求意见的决策草案{counts.drafts_opened}件，发布意见采纳情况反馈"
        f"{counts.feedback_reports}件，公开答复来信{counts.letters_published}件，举办政务开放日活动"
        f"{counts.events_held}场；收到政府信息公开申请{table.new['total']}件，办结{table.finished['total']}件，"
        f"结转下年度继续办理{table.carried_out['total']}件。"))
    document.add(Heading("二、主动公开政府信息情况"), proactive_table(figures))
    document.add(Heading("三、收到和处理政府信息公开申请情况"), application_table_block(table))
    if not table.balances:
        document.add(Paragraph.of(f"{check_row(table)[0]}：请核对数据。", small=True))
    if table.unclassified:
        document.add(Paragraph.of(f"注：{table.unclassified}件已办结申请未登记办理结果，计入“（六）其他处理 3.其他”。",
                                  small=True))
    document.add(Heading("四、政府信息公开行政复议、行政诉讼情况"), review_table(figures))
    document.add(Heading("五、存在的主要问题及改进情况"),
                 Paragraph.of("（由本机关填写。）"))
    document.add(Heading("六、其他需要报告的事项"),
                 Paragraph.of(figures.notes if figures is not None and figures.notes else "无。"))
    missing = [f.official for f in FIGURES if figures is None or str(figures.figures.get(f.key, "")).strip() == ""]
    if missing:
        document.add(Paragraph.of(f"注：以下数据尚未填写：{'、'.join(missing)}。", small=True))
    return document
