"""The one export writer: CSV and XLSX cells people typed can never run as formulas; CSV streams in bounded
chunks; and no other module writes spreadsheets itself (no database needed)."""

import csv
import io
import pathlib
import re
from decimal import Decimal

import pytest
from tests.hostile_payloads import FORMULAS, FORMULA_PREFIXES
from openpyxl import load_workbook

from consult import exports


def _parse(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")  # spreadsheet programs then read the Chinese text as UTF-8
    return list(csv.reader(io.StringIO(text[1:], newline="")))


@pytest.mark.parametrize("formula", FORMULAS)
def test_a_csv_cell_that_would_run_is_kept_as_text(formula):
    [[cell]] = _parse(exports.csv_text([[formula]]))
    assert cell == "'" + formula and not cell.startswith(FORMULA_PREFIXES)


def test_csv_numbers_and_ordinary_text_are_written_as_they_are():
    rows = _parse(exports.csv_text([[-3, 2.5, Decimal("0.25"), None, "县司法局", "L-20261122-00042", "a=b"]],
                                   header=["a", "b", "c", "d", "e", "f", "g"]))
    assert rows == [["a", "b", "c", "d", "e", "f", "g"], ["-3", "2.5", "0.25", "", "县司法局", "L-20261122-00042", "a=b"]]


def test_csv_streams_a_few_hundred_rows_at_a_time_as_they_are_read():
    def rows():
        for n in range(450):
            yield [n, f"意见{n}"]
        raise AssertionError("read past the end")

    chunks = exports.csv_chunks(rows(), header=["n", "text"])
    assert next(chunks) == "\ufeffn,text\r\n"  # before any row is read
    assert next(chunks).count("\r\n") == exports.ROWS_PER_CHUNK
    assert next(chunks).count("\r\n") == exports.ROWS_PER_CHUNK
    with pytest.raises(AssertionError):
        next(chunks)


def test_xlsx_text_is_never_a_formula_and_numbers_stay_numbers():
    book = exports.workbook()
    exports.append_row(book.active, ["名称", "数量"])
    for n, formula in enumerate(FORMULAS):
        exports.append_row(book.active, [formula, n])
    exports.append_row(book.active, ["bell\x07 and escape\x1b", -1.5])
    sheet = load_workbook(io.BytesIO(exports.workbook_bytes(book))).active
    rows = list(sheet.iter_rows(min_row=2))
    assert [row[0].data_type for row in rows] == ["s"] * len(rows)  # text, whatever it begins with
    # A carriage return comes back as written or as a line feed, depending on the openpyxl release.
    assert [row[0].value.replace("\r", "\n") for row in rows] == \
        [f.replace("\r", "\n") for f in FORMULAS] + ["bell and escape"]
    assert [row[1].value for row in rows] == [*range(len(FORMULAS)), -1.5]


def test_no_other_module_writes_csv_or_xlsx_itself():
    package = pathlib.Path(exports.__file__).parent
    writer = re.compile(r"^\s*(import csv|from csv |import openpyxl|from openpyxl(?!\.styles))", re.M)
    others = [path.relative_to(package) for path in package.rglob("*.py") if path != pathlib.Path(exports.__file__)]
    assert [str(path) for path in others if writer.search((package / path).read_text())] == []
