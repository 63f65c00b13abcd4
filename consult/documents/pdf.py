"""A :class:`~consult.documents.model.Document` as PDF: HTML from ``templates/documents/document.html`` laid
out by WeasyPrint (Pango shapes the Chinese text with Debian's Noto CJK fonts, embedded as subsets).

WeasyPrint fetches nothing: every resource a document needs is inline, and any URL in it is refused, so
text typed by citizens or staff can never make the server read a file or call an address.
"""

import threading

from flask import render_template

from consult.documents.model import Document, document_date, grid

_local = threading.local()


class FetchRefused(ValueError):
    """A document referred to an outside resource."""


def _refuse(url: str, *args, **kwargs):
    raise FetchRefused(f"documents load nothing from outside: {url[:80]}")


def _font_config():
    """One font configuration per thread: loading the fonts is the slow part of the first document."""
    from weasyprint.text.fonts import FontConfiguration

    config = getattr(_local, "fonts", None)
    if config is None:
        config = _local.fonts = FontConfiguration()
    return config


def document_html(document: Document) -> str:
    """The HTML the PDF is laid out from (GB/T 9704 proportions, see ``templates/documents/gbt9704.css``)."""
    return render_template("documents/document.html", doc=document, grid=grid, document_date=document_date)


def to_pdf(document: Document) -> bytes:
    """The document as the bytes of a PDF file (A4, page numbers — 1 — at the foot)."""
    from weasyprint import HTML  # imported on first use: it loads Pango, which the rest of the app never needs

    html = HTML(string=document_html(document), url_fetcher=_refuse)
    return html.write_pdf(font_config=_font_config(), uncompressed_pdf=False)
