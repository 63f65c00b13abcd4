"""Reading documents back in the tests: PDF text through pypdf, Word text through python-docx."""

import io

import docx
from pypdf import PdfReader


def pdf_text(data: bytes) -> str:
    """Every page's text, in order, with the line breaks of the layout taken out (a sentence or a tracking
    number broken over two lines reads whole again)."""
    assert data.startswith(b"%PDF-"), data[:20]
    return "".join(page.extract_text().replace("\n", "") for page in PdfReader(io.BytesIO(data)).pages)


def pdf_pages(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


def docx_text(data: bytes) -> str:
    """The paragraphs, then every table cell (merged cells once), of a .docx file."""
    document = docx.Document(io.BytesIO(data))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            seen = []
            for cell in row.cells:
                if cell._tc not in seen:
                    seen.append(cell._tc)
                    parts.append(cell.text)
    return "\n".join(parts)


def docx_tables(data: bytes) -> list[list[list[str]]]:
    return [[[cell.text for cell in row.cells] for row in table.rows] for table in docx.Document(io.BytesIO(data)).tables]
