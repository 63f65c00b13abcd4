"""Handing a document to the browser: the right type, a download name in Chinese that every browser keeps
(RFC 6266: ``filename*=UTF-8''…`` with a plain ASCII fallback), and caching by who may see it."""

import re
from urllib.parse import quote

from flask import Response

from consult.documents.model import Document
from consult.documents.pdf import to_pdf
from consult.documents.word import to_docx

PDF, DOCX = "pdf", "docx"
FORMATS = (PDF, DOCX)
MIMETYPES = {PDF: "application/pdf", DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def render(document: Document, fmt: str) -> bytes:
    """The document's bytes in ``fmt`` (``"pdf"`` or ``"docx"``)."""
    if fmt == PDF:
        return to_pdf(document)
    if fmt == DOCX:
        return to_docx(document)
    raise ValueError(f"unknown document format {fmt!r}")


def content_disposition(filename: str, fallback: str) -> str:
    """``attachment`` with the UTF-8 name and an ASCII name for old clients (no quotes, slashes or controls)."""
    safe = re.sub(r'[\x00-\x1f\x7f"\\/;]', "_", filename).strip() or fallback
    ascii_name = re.sub(r"[^A-Za-z0-9._-]", "_", fallback)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(safe, safe='')}"


def document_response(
    document: Document, fmt: str, *, filename: str, fallback: str, private: bool
) -> Response:
    """The document as a download named ``filename``.``fmt`` (``fallback``.``fmt`` for ASCII-only clients).

    ``private`` documents (a citizen's receipt or reply, anything a staff member is scoped to) are never
    stored by a cache or the browser. A public one is left to :mod:`consult.public_pages` (its view is a
    ``public_page``): shared caches may keep the copy an anonymous reader gets, with an ETag.
    """
    response = Response(render(document, fmt), mimetype=MIMETYPES[fmt])
    response.headers["Content-Disposition"] = content_disposition(f"{filename}.{fmt}", f"{fallback}.{fmt}")
    response.headers["X-Content-Type-Options"] = "nosniff"
    if private:
        response.headers["Cache-Control"] = "private, no-store"
    return response
