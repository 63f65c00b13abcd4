"""What a document is made of, independent of the file format: the renderers in ``pdf.py`` and ``word.py``
turn the same :class:`Document` into a PDF and a .docx with one layout.

A document has a title, the issuing department and date (the line under the title, or the signature at the
end), an optional letterhead (the department's name in red over a red rule, as on a letter), and blocks:
headings (two levels: 一、 in a bold sans face, （一） in the body face), paragraphs of runs (bold, italic),
label–value facts, and tables whose cells may span rows and columns.
"""

from dataclasses import dataclass, field
from datetime import date

from consult.formats import format_day
from consult.i18n import current_locale_code


@dataclass(frozen=True)
class Run:
    """A piece of text with one style."""

    text: str
    bold: bool = False
    italic: bool = False


@dataclass
class Paragraph:
    """Body text. ``align`` is ``"justify"`` (first line indented by two characters), ``"left"`` (no indent),
    ``"center"`` or ``"right"``; ``small`` sets it one size smaller (notes, annex text)."""

    runs: list[Run]
    align: str = "justify"
    small: bool = False

    @classmethod
    def of(cls, text: str, **kwargs) -> "Paragraph":
        return cls([Run(text)], **kwargs)

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


@dataclass
class Heading:
    """A heading inside the body: level 1 (一、…) or level 2 (（一）…)."""

    text: str
    level: int = 1


@dataclass
class Facts:
    """Label–value pairs, laid out as a two-column table (a receipt's tracking number, due date …)."""

    items: list[tuple[str, str]]


@dataclass(frozen=True)
class Cell:
    text: str
    colspan: int = 1
    rowspan: int = 1
    bold: bool = False
    align: str = "left"  # left | center | right


@dataclass
class Table:
    """A ruled table. ``header_rows`` rows at the top repeat on every page; ``widths`` are relative column
    widths (as many as the grid has columns), or empty for equal columns. Each row lists only the cells that
    start in it: a cell spanning rows is not repeated in the rows below."""

    rows: list[list[Cell]]
    header_rows: int = 1
    widths: list[float] = field(default_factory=list)
    caption: str = ""
    small: bool = False  # one size smaller (wide tables)

    @property
    def column_count(self) -> int:
        return len(self.widths) or max((sum(cell.colspan for cell in row) for row in self.rows), default=0)


Block = Paragraph | Heading | Facts | Table


@dataclass
class Document:
    """One document. ``department`` and ``issued_on`` sign it; ``letterhead`` puts the department's name
    at the top in red over a red rule; ``byline`` puts department and date in a line under the title instead
    of a signature at the end (reports)."""

    title: str
    department: str
    issued_on: date
    blocks: list[Block] = field(default_factory=list)
    subtitle: str = ""  # a line under the title, e.g. the tracking number
    letterhead: bool = False
    byline: bool = False
    language: str = field(default_factory=lambda: current_language())
    subject: str = ""  # the file's metadata
    numbered: bool = False  # number the headings 一、二、… and （一）（二）… as official documents do

    def add(self, *blocks: Block) -> "Document":
        self.blocks.extend(blocks)
        return self

    def display_blocks(self) -> list[Block]:
        """The blocks as the renderers lay them out: headings numbered when ``numbered`` is set."""
        if not self.numbered:
            return list(self.blocks)
        shown: list[Block] = []
        first = second = 0
        for block in self.blocks:
            chinese = self.language.startswith("zh")
            if isinstance(block, Heading) and block.level == 1:
                first, second = first + 1, 0
                block = Heading(f"{chinese_numeral(first)}、{block.text}" if chinese else f"{first}. {block.text}", 1)
            elif isinstance(block, Heading):
                second += 1
                block = Heading(f"（{chinese_numeral(second)}）{block.text}" if chinese else f"({second}) {block.text}", 2)
            shown.append(block)
        return shown

    def text(self) -> str:
        """Every piece of text in reading order (for tests and search)."""
        parts = [self.title, self.subtitle, self.department]
        for block in self.display_blocks():
            if isinstance(block, Paragraph):
                parts.append(block.text)
            elif isinstance(block, Heading):
                parts.append(block.text)
            elif isinstance(block, Facts):
                parts.extend(f"{label} {value}" for label, value in block.items)
            else:
                parts.extend(cell.text for row in block.rows for cell in row)
        return "\n".join(part for part in parts if part)


_NUMERALS = "零一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 25 → 二十五 (up to 99: enough for the headings of one document)."""
    if n < 10:
        return _NUMERALS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _NUMERALS[tens]) + "十" + (_NUMERALS[ones] if ones else "")


def grid(table: Table) -> list[list[tuple[Cell, int, int] | None]]:
    """Where each cell sits: a matrix (rows × columns) holding ``(cell, row, column)`` at a cell's top-left
    corner and None in the places it spans or that stay empty. Shared by both renderers."""
    width = table.column_count
    taken: set[tuple[int, int]] = set()
    matrix: list[list[tuple[Cell, int, int] | None]] = []
    for r, row in enumerate(table.rows):
        line: list[tuple[Cell, int, int] | None] = [None] * width
        column = 0
        for cell in row:
            while (r, column) in taken:
                column += 1
            if column >= width:
                break
            line[column] = (cell, r, column)
            for dr in range(cell.rowspan):
                for dc in range(min(cell.colspan, width - column)):
                    taken.add((r + dr, column + dc))
            column += cell.colspan
        matrix.append(line)
    return matrix


def document_date(day: date) -> str:
    """成文日期 in the reader's language: 2026年12月2日 (Arabic numerals, as GB/T 9704 writes it)."""
    return format_day(day)


def current_language() -> str:
    """The reader's language as a document states it (``zh-CN``, ``en``)."""
    code = current_locale_code()
    return "zh-CN" if code.startswith("zh") else code.replace("_", "-")
