"""CSV and XLSX downloads of the annual report, laid out like the official table and labelled with its
official Chinese wording (they are meant to be pasted into the report as published). No personal data:
only counts."""

from consult import exports
from consult.disclosure.figures import FIGURES, ProactiveCounts
from consult.disclosure.models import OpennessReportFigures
from consult.disclosure.outcomes import APPLICANT_OFFICIAL, APPLICANT_TYPES, CATEGORY_OFFICIAL, OUTCOMES
from consult.disclosure.report import COLUMNS, ApplicationTable

HEADER_TOP = ["", "", "申请人情况", "", "", "", "", "", ""]
HEADER_MIDDLE = ["", "", "自然人", "法人或其他组织", "", "", "", "", "总计"]
HEADER_BOTTOM = ["", "", "", *[APPLICANT_OFFICIAL[t] for t in APPLICANT_TYPES[1:]], ""]


def table_rows(table: ApplicationTable) -> list[list]:
    """The body of the table: label columns (row group, row) then one count per column."""
    rows = [
        ["一、本年新收政府信息公开申请数量", "", *[table.new[c] for c in COLUMNS]],
        ["二、上年结转政府信息公开申请数量", "", *[table.carried_in[c] for c in COLUMNS]],
    ]
    for index, outcome in enumerate(OUTCOMES):
        group = "三、本年度办理结果" if index == 0 else ""
        label = f"{CATEGORY_OFFICIAL[outcome.category]} {outcome.official}" if outcome.reason else outcome.official
        rows.append([group, label, *[table.outcomes[outcome.key][c] for c in COLUMNS]])
    rows.append(["", "（七）总计", *[table.finished[c] for c in COLUMNS]])
    rows.append(["四、结转下年度继续办理", "", *[table.carried_out[c] for c in COLUMNS]])
    return rows


def check_row(table: ApplicationTable) -> list:
    """The balance check, as one more row: 新收 + 上年结转 − 办结 − 结转下年度 per column (0 when right)."""
    label = "校验：新收+上年结转=办结+结转下年度" + ("（一致）" if table.balances else "（不一致！）")
    return [label, "", *[table.new[c] + table.carried_in[c] - table.finished[c] - table.carried_out[c]
                         for c in COLUMNS]]


def proactive_rows(counts: ProactiveCounts, figures: OpennessReportFigures | None) -> list[list]:
    values = figures.figures if figures is not None else {}
    rows = [
        ["本平台发布征求意见的决策草案", counts.drafts_opened],
        ["本平台发布的意见采纳情况反馈", counts.feedback_reports],
        ["本平台公开答复的来信", counts.letters_published],
        ["本平台举办的政务开放日活动", counts.events_held],
    ]
    rows += [[figure.official, values.get(figure.key, "")] for figure in FIGURES]
    if figures is not None and figures.notes:
        rows.append(["其他需要报告的事项", figures.notes])
    return rows


def to_csv(
    title: str, table: ApplicationTable, counts: ProactiveCounts, figures: OpennessReportFigures | None
) -> bytes:
    """UTF-8 with a BOM so Excel opens the Chinese labels correctly (through the one export writer)."""
    rows = [[title], HEADER_TOP, HEADER_MIDDLE, HEADER_BOTTOM, *table_rows(table), check_row(table), [],
            ["其他情况", "数量"], *proactive_rows(counts, figures)]
    return exports.csv_text(rows).encode("utf-8")


def to_xlsx(
    title: str, table: ApplicationTable, counts: ProactiveCounts, figures: OpennessReportFigures | None
) -> bytes:
    """A workbook: the application table with its two-level header merged like the official form, and a
    sheet with the other figures (every cell through the one export writer: text is never a formula)."""
    book = exports.workbook()
    sheet = book.active
    sheet.title = "政府信息公开申请"
    for row in [[title], HEADER_TOP, HEADER_MIDDLE, HEADER_BOTTOM, *table_rows(table), check_row(table)]:
        exports.append_row(sheet, row)
    sheet.merge_cells("A2:B4")  # the corner
    sheet.merge_cells("C2:I2")  # 申请人情况
    sheet.merge_cells("C3:C4")  # 自然人
    sheet.merge_cells("D3:H3")  # 法人或其他组织
    sheet.merge_cells("I3:I4")  # 总计
    from openpyxl.styles import Alignment, Font

    for cells in sheet.iter_rows(min_row=1, max_row=4):
        for cell in cells:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = 60
    other = book.create_sheet("其他情况")
    for row in [["其他情况", "数量"], *proactive_rows(counts, figures)]:
        exports.append_row(other, row)
    other.column_dimensions["A"].width = 60
    return exports.workbook_bytes(book)
