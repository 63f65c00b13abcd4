"""A :class:`~consult.documents.model.Document` as PDF: HTML from ``templates/documents/document.html`` laid
out by WeasyPrint (Pango shapes the Chinese text with Debian's Noto CJK fonts, prepared once by
:mod:`.fonts` and embedded as subsets) with the style sheet ``templates/documents/gbt9704.css``.

What does not change between documents is made once per thread and kept: the font configuration (the
fonts loaded) and the parsed style sheet with the prepared faces. A receipt then costs its layout and the
subsets of the few hundred characters it uses.

WeasyPrint fetches nothing but the prepared font files: any other URL in a document is refused, so text typed
by citizens or staff can never make the server read a file or call an address.
"""

import atexit
import threading
from datetime import date
from pathlib import Path

from flask import current_app, render_template

from consult.documents.fonts import prepared_faces
from consult.documents.model import Document, document_date, grid

_local = threading.local()


@atexit.register
def _release() -> None:
    """Let go of the fonts while the libraries are still loaded: a font configuration freed during the
    interpreter's final teardown can crash the process on exit."""
    _local.__dict__.clear()


class FetchRefused(ValueError):
    """A document referred to an outside resource."""


def _fetcher(allowed: dict[str, str]):
    """A WeasyPrint URL fetcher that answers only the prepared font files (by their ``file:`` URI)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class PreparedFontsOnly(URLFetcher):
        def fetch(self, url, headers=None):
            path = allowed.get(url)
            if path is None:
                raise FetchRefused(f"documents load nothing from outside: {url[:80]}")
            return URLFetcherResponse(url, body=Path(path).read_bytes(), headers={"Content-Type": "font/otf"})

    return PreparedFontsOnly()


def style_sheet_text(faces) -> str:
    """``gbt9704.css`` preceded by an ``@font-face`` rule for each prepared face."""
    rules = [f'@font-face {{ font-family: "{face.family}"; font-weight: {face.weight}; '
             f'src: url("{Path(path).as_uri()}"); }}' for face, path in faces]
    source = current_app.jinja_env.loader.get_source(current_app.jinja_env, "documents/gbt9704.css")[0]
    return "\n".join([*rules, source])


def _layout_context():
    """This thread's font configuration, URL fetcher and parsed style sheet (made on the first document)."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    faces = prepared_faces()
    context = getattr(_local, "context", None)
    if context is None or context[0] != faces:
        fonts = FontConfiguration()
        fetcher = _fetcher({Path(path).as_uri(): path for _face, path in faces})
        style = CSS(string=style_sheet_text(faces), font_config=fonts, url_fetcher=fetcher)
        context = _local.context = (faces, fonts, fetcher, style)
    return context[1:]


def document_html(document: Document) -> str:
    """The HTML the PDF is laid out from (GB/T 9704 proportions, see ``templates/documents/gbt9704.css``)."""
    return render_template("documents/document.html", doc=document, grid=grid, document_date=document_date)


def to_pdf(document: Document) -> bytes:
    """The document as the bytes of a PDF file (A4, page numbers — 1 — at the foot)."""
    from weasyprint import HTML  # imported on first use: it loads Pango, which the rest of the app never needs

    fonts, fetcher, style = _layout_context()
    html = HTML(string=document_html(document), url_fetcher=fetcher)
    return html.write_pdf(font_config=fonts, stylesheets=[style], uncompressed_pdf=False)


def warm() -> None:
    """Prepare the faces and lay out one short document, so that the first receipt a citizen prints does
    not wait for the fonts (about two seconds). ``flask prepare-documents`` calls it."""
    to_pdf(Document(title="受理回执", department="Consult", issued_on=date.today()))
