"""The one writer of every spreadsheet Consult hands out (CSV and XLSX): no cell can become a formula.

People type the text that ends up in exports (comments, names, editors' notes), and a spreadsheet program
runs a cell such as ``=HYPERLINK("http://…","click")`` as a formula when the file is opened. So:

* CSV (:func:`csv_chunks`, :func:`csv_text`): any text cell beginning with ``=``, ``+``, ``-``, ``@``, a
  tab or a carriage return gets a leading apostrophe (OWASP's advice on CSV injection); numbers are written
  as numbers. Output is UTF-8 text with a byte-order mark (so spreadsheet programs read Chinese) and CRLF
  lines, produced a few hundred rows at a time, so a million-row export keeps a small, steady memory.
* XLSX (:func:`workbook`, :func:`append_row`, :func:`workbook_bytes`): text is always stored as text, never as a formula,
  with the characters XML cannot carry removed; numbers stay numbers.

No other module writes CSV or XLSX rows itself (a test keeps it that way). openpyxl (and NumPy, which it
loads when installed) is imported with the first workbook: a worker that never writes one does not carry it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from openpyxl.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
ROWS_PER_CHUNK = 200
NUMBERS = (int, float, Decimal)
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")  # as openpyxl.cell.cell defines it


def csv_cell(value) -> object:
    """A value as a CSV cell: numbers as they are, None as empty, any other value as inert text."""
    if isinstance(value, str):  # most cells: checked first, the export of a million rows feels it
        return "'" + value if value.startswith(FORMULA_PREFIXES) else value
    if value is None:
        return ""
    if isinstance(value, NUMBERS) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_chunks(rows: Iterable[Sequence], header: Sequence[str] | None = None) -> Iterator[str]:
    """CSV text in chunks of ``ROWS_PER_CHUNK`` rows: the byte-order mark and header first, then the rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def take() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    buffer.write(BOM)
    if header is not None:
        writer.writerow([csv_cell(name) for name in header])
    yield take()
    for count, row in enumerate(rows, 1):
        writer.writerow([csv_cell(value) for value in row])
        if count % ROWS_PER_CHUNK == 0:
            yield take()
    yield take()


def csv_text(rows: Iterable[Sequence], header: Sequence[str] | None = None) -> str:
    """The whole CSV document as one string (for small exports)."""
    return "".join(csv_chunks(rows, header))


def xlsx_cell(value) -> object:
    """A value for an XLSX cell: numbers as they are, None as empty, text without XML-illegal characters."""
    if value is None:
        return None
    if isinstance(value, NUMBERS) and not isinstance(value, bool):
        return value
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def workbook() -> Workbook:
    """A new, empty workbook (its first sheet is ``book.active``); fill it with :func:`append_row`."""
    from openpyxl.workbook import Workbook

    return Workbook()


def append_row(sheet: Worksheet, values: Sequence) -> None:
    """Add a row at the end of ``sheet``; text is stored as text even when it begins with ``=``."""
    sheet.append([xlsx_cell(value) for value in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"  # openpyxl would otherwise store "=…" as a formula


def workbook_bytes(book: Workbook) -> bytes:
    """The workbook as the bytes of an .xlsx file."""
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
