"""A :class:`~consult.documents.model.Document` as a Word file (.docx) written by python-docx, in the layout
offices use for official documents (GB/T 9704): A4 with the standard margins, title in 2号 小标宋, body in
3号 仿宋 at a fixed line pitch (22 lines a page), headings in 黑体 / 楷体, page numbers "— 1 —" in 4号 宋体,
right on odd pages and left on even ones. The fonts named are the ones Chinese office machines have.
"""

import io

from docx import Document as new_docx
from docx.enum.section import WD_SECTION_START
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import _Cell

from consult.documents.model import Cell, Document, Facts, Heading, Paragraph, Run, Table, document_date, grid

TITLE_FONT, BODY_FONT, HEADING_FONT, SUBHEADING_FONT, NUMBER_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312", "宋体"
LATIN_FONT = "Times New Roman"
TITLE_SIZE, BODY_SIZE, NUMBER_SIZE, TABLE_SIZE, SMALL_SIZE = Pt(22), Pt(16), Pt(14), Pt(12), Pt(10.5)
LINE_PITCH = Pt(28.9)  # 225 mm type area / 22 lines
RED = RGBColor(0xDD, 0x00, 0x00)
ALIGN = {"justify": WD_ALIGN_PARAGRAPH.JUSTIFY, "left": WD_ALIGN_PARAGRAPH.LEFT,
         "center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}


def _fonts(run, east_asian: str, size=None, bold: bool = False, italic: bool = False, color=None) -> None:
    run.font.name = LATIN_FONT
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asian)
    run.font.size = size
    run.font.bold = bold or None
    run.font.italic = italic or None
    if color is not None:
        run.font.color.rgb = color


def _paragraph(container, align: str = "justify", indent: bool = False, pitch=LINE_PITCH, space_after=None):
    paragraph = container.add_paragraph()
    paragraph.alignment = ALIGN[align]
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, pitch
    fmt.space_before, fmt.space_after = Pt(0), space_after or Pt(0)
    if indent:
        fmt.first_line_indent = BODY_SIZE * 2
    return paragraph


def _add_runs(paragraph, runs: list[Run], font: str, size) -> None:
    for run in runs:
        pieces = run.text.split("\n")
        for i, piece in enumerate(pieces):
            out = paragraph.add_run(piece)
            _fonts(out, font, size, run.bold, run.italic)
            if i < len(pieces) - 1:
                out.add_break()


def _page_number_footer(footer, align: str) -> None:
    """"— N —" with Word's PAGE field, one character in from the edge of the type area."""
    paragraph = footer.paragraphs[0]
    paragraph.alignment = ALIGN[align]
    fmt = paragraph.paragraph_format
    if align == "right":
        fmt.right_indent = NUMBER_SIZE
    else:
        fmt.left_indent = NUMBER_SIZE
    _fonts(paragraph.add_run("— "), NUMBER_FONT, NUMBER_SIZE)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    number = paragraph.add_run("1")
    _fonts(number, NUMBER_FONT, NUMBER_SIZE)
    field.append(number._element)
    paragraph._p.append(field)
    _fonts(paragraph.add_run(" —"), NUMBER_FONT, NUMBER_SIZE)


def _setup(docx, document: Document) -> None:
    section = docx.sections[0]
    section.start_type = WD_SECTION_START.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(28)  # the number sits about 7 mm below the type area
    docx.settings.odd_and_even_pages_header_footer = True
    _page_number_footer(section.footer, "right")
    _page_number_footer(section.even_page_footer, "left")
    normal = docx.styles["Normal"]
    normal.font.name, normal.font.size = LATIN_FONT, BODY_SIZE
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    props = docx.core_properties
    props.title, props.author, props.subject = document.title, document.department, document.subject
    props.language = document.language
    props.comments = ""


def _cell_text(cell, text: str, bold: bool, align: str, size) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = ALIGN.get(align, WD_ALIGN_PARAGRAPH.LEFT)
    lines = text.split("\n")
    for i, line in enumerate(lines):
        run = paragraph.add_run(line)
        _fonts(run, BODY_FONT, size, bold)
        if i < len(lines) - 1:
            run.add_break()


def _repeat_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    properties.append(marker)


def _table(docx, table: Table) -> None:
    matrix = grid(table)
    columns = table.column_count
    if not matrix or not columns:
        return
    if table.caption:
        caption = _paragraph(docx, "center")
        _add_runs(caption, [Run(table.caption, bold=True)], BODY_FONT, TABLE_SIZE)
    out = docx.add_table(rows=len(matrix), cols=columns)
    out.style = docx.styles["Table Grid"]
    out.alignment = WD_TABLE_ALIGNMENT.CENTER
    size = SMALL_SIZE if table.small else TABLE_SIZE
    if table.widths:
        total = sum(table.widths)
        for index, width in enumerate(table.widths):
            for cell in out.columns[index].cells:
                cell.width = Mm(156 * width / total)
    # python-docx's Table.cell() walks every cell of the table on each call; a table without merged cells
    # (the long ones: a report's annex) takes its cells straight from the rows instead, once.
    plain = all(place is None or (place[0].rowspan, place[0].colspan) == (1, 1) for line in matrix for place in line)
    cells = [[_Cell(tc, out) for tc in tr.tc_lst] for tr in out._tbl.tr_lst] if plain else None
    for r, line in enumerate(matrix):
        for place in line:
            if place is None:
                continue
            cell, row, column = place
            target = cells[row][column] if cells is not None else out.cell(row, column)
            last_row = min(row + cell.rowspan, len(matrix)) - 1
            last_column = min(column + cell.colspan, columns) - 1
            if (last_row, last_column) != (row, column):
                target = target.merge(out.cell(last_row, last_column))
            _cell_text(target, cell.text, cell.bold, cell.align, size)
        if r < table.header_rows:
            _repeat_header(out.rows[r])
    _paragraph(docx)  # a line of space after the table


def _facts(docx, facts: Facts) -> None:
    table = Table([[Cell(label), Cell(value)] for label, value in facts.items], header_rows=0, widths=[1, 3])
    _table(docx, table)


def to_docx(document: Document) -> bytes:
    """The document as the bytes of a .docx file."""
    docx = new_docx()
    _setup(docx, document)
    if document.letterhead:
        issuer = _paragraph(docx, "center", pitch=Pt(40))
        _fonts(issuer.add_run(document.department), TITLE_FONT, Pt(26), bold=True, color=RED)
        rule = _paragraph(docx, "center", pitch=Pt(12), space_after=Pt(14))
        borders = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for key, value in (("w:val", "thickThinSmallGap"), ("w:sz", "24"), ("w:space", "1"), ("w:color", "DD0000")):
            bottom.set(qn(key), value)
        borders.append(bottom)
        rule._p.get_or_add_pPr().append(borders)
    title = _paragraph(docx, "center", pitch=Pt(35), space_after=LINE_PITCH)
    _fonts(title.add_run(document.title), TITLE_FONT, TITLE_SIZE)
    if document.subtitle:
        _add_runs(_paragraph(docx, "center"), [Run(document.subtitle)], BODY_FONT, BODY_SIZE)
    if document.byline:
        byline = _paragraph(docx, "center", space_after=LINE_PITCH)
        _add_runs(byline, [Run(f"{document.department}\n{document_date(document.issued_on)}")], SUBHEADING_FONT,
                  BODY_SIZE)
    for block in document.display_blocks():
        if isinstance(block, Paragraph):
            paragraph = _paragraph(docx, block.align, indent=block.align == "justify",
                                   pitch=Pt(20) if block.small else LINE_PITCH)
            _add_runs(paragraph, block.runs, BODY_FONT, Pt(12) if block.small else BODY_SIZE)
        elif isinstance(block, Heading):
            paragraph = _paragraph(docx, "left", indent=True)
            paragraph.paragraph_format.keep_with_next = True
            _add_runs(paragraph, [Run(block.text, bold=block.level > 1)],
                      HEADING_FONT if block.level == 1 else SUBHEADING_FONT, BODY_SIZE)
        elif isinstance(block, Facts):
            _facts(docx, block)
        else:
            _table(docx, block)
    if not document.byline:
        _paragraph(docx)
        for line in (document.department, document_date(document.issued_on)):
            paragraph = _paragraph(docx, "right")
            paragraph.paragraph_format.right_indent = BODY_SIZE * 4
            _add_runs(paragraph, [Run(line)], BODY_FONT, BODY_SIZE)
    out = io.BytesIO()
    docx.save(out)
    return out.getvalue()
