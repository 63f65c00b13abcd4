"""A Word draft (.docx, as Word and WPS save it) read into the Markdown a draft's text is written in.

* Headings (Word's 标题 1–6 / Heading 1–6 styles, and lines such as 第一章 总则) become Markdown headings;
  the document's title (Title style) is offered as the draft's title instead of repeating it in the text.
* Paragraphs keep bold and italic; paragraphs beginning with 第X条 stay at the start of a line, so the
  articles are recognised exactly as in typed Markdown (:func:`consult.drafts.articles.split_articles`).
* Numbered and bulleted lists (Word's list numbering) become Markdown lists; tables become Markdown tables
  (merged cells keep their text once).
* Images are taken out as figures, in order, with a note in the text where each stood (（见图1）).

The file must already have passed the upload inspection (:func:`consult.uploads.save_upload`, which
inspects the whole archive within a hard budget). The main part is read once more here within
``MAX_DOCUMENT_XML`` bytes before python-docx parses it, so no upload can make the parser hold more than that.
"""

import io
import re
from dataclasses import dataclass, field

from docx import Document as open_docx
from docx.oxml.ns import qn
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph
from flask_babel import lazy_gettext as _l

from consult.archives import ArchiveRefused, SafeArchive
from consult.documents.model import chinese_numeral
from consult.domain import DomainError

MAX_DOCUMENT_XML = 8 * 1024 * 1024  # bytes of word/document.xml: some hundred pages of text
MAX_MARKDOWN = 400_000  # characters of the resulting text
MAX_TABLE_CELLS = 5_000  # per table
MAX_IMAGES = 50
MAX_IMAGE_BYTES = 5 * 1024 * 1024
IMAGE_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif"}

SAVE_AS_DOCX = _l("Please save the file as .docx and upload it again.")
_CHAPTER = re.compile(r"^\s*第[一二三四五六七八九十百零〇\d]+[编章节]\s*\S")
_ARTICLE = re.compile(r"^\s*第[一二三四五六七八九十百零〇两\d]+条")
_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.IGNORECASE)
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")
_MD_LINE_START = re.compile(r"^(\s*)([#>+\-=]|\d+[.)])")
OLD_FORMATS = {"doc", "wps", "pdf", "rtf", "wpt", "dot", "odt"}


@dataclass(frozen=True)
class ImportedImage:
    number: int
    filename: str
    content_type: str
    data: bytes
    description: str


@dataclass
class ImportedDraft:
    title: str
    body: str  # Markdown
    images: list[ImportedImage] = field(default_factory=list)
    truncated_tables: int = 0


def check_extension(filename: str | None) -> None:
    """Refuse, with the message offices know, the formats a draft cannot be read from (.doc, .wps, .pdf …)."""
    extension = (filename or "").rsplit(".", 1)[-1].lower() if "." in (filename or "") else ""
    if extension in OLD_FORMATS:
        raise DomainError(SAVE_AS_DOCX, field="file")


def _escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def _runs_markdown(paragraph: DocxParagraph, images: list, package) -> str:
    """The paragraph's text with **bold** and *italic*; images collected, a note left in their place."""
    pieces: list[str] = []
    for run in paragraph.runs:
        blips = run._element.findall(".//" + qn("a:blip"))
        for blip in blips:
            note = _take_image(blip, run, images, package)
            if note:
                pieces.append(note)
        text = run.text
        if not text:
            continue
        escaped = _escape(text).replace("\t", " ")
        core = escaped.strip()
        if not core:
            pieces.append(escaped)
            continue
        lead, tail = escaped[: len(escaped) - len(escaped.lstrip())], escaped[len(escaped.rstrip()):]
        if run.bold and run.italic:
            core = f"***{core}***"
        elif run.bold:
            core = f"**{core}**"
        elif run.italic:
            core = f"*{core}*"
        pieces.append(lead + core + tail)
    text = "".join(pieces)
    text = re.sub(r"\*\*\*\*|(?<!\*)\*\*(?=\*\*)", "", text)  # **a****b** → **ab**
    return text.replace("\n", "  \n")


def _take_image(blip, run, images: list, package) -> str:
    relation = blip.get(qn("r:embed"))
    if not relation or len(images) >= MAX_IMAGES:
        return ""
    try:
        part = run.part.related_parts[relation]
    except KeyError:
        return ""
    content_type = part.content_type
    if content_type not in IMAGE_TYPES or len(part.blob) > MAX_IMAGE_BYTES:
        return ""
    number = len(images) + 1
    described = run._element.find(".//" + qn("wp:docPr"))
    description = ""
    if described is not None:
        description = (described.get("descr") or described.get("title") or "").strip()
    images.append(ImportedImage(number, f"figure-{number}.{IMAGE_TYPES[content_type]}", content_type, part.blob,
                                description[:150]))
    return f"（见图{number}）"


def _list_marker(paragraph: DocxParagraph, numbering, counters: dict) -> str | None:
    """What Word's list numbering puts before the paragraph, as Markdown: ``1. `` or ``- `` for a list,
    ``第三条 `` for articles numbered automatically (a level whose text is 第%1条), ``## 第二章 `` for
    chapters numbered that way; None for a paragraph outside any list."""
    properties = paragraph._p.pPr
    num_pr = properties.numPr if properties is not None else None
    style = (paragraph.style.name or "").lower() if paragraph.style is not None else ""
    if num_pr is None or num_pr.numId is None:
        if "list bullet" in style:
            return "- "
        if "list number" in style:
            return "1. "
        return None
    num_id = num_pr.numId.val
    level = num_pr.ilvl.val if num_pr.ilvl is not None else 0
    if num_id == 0:
        return None
    fmt, pattern = _number_format(numbering, num_id, level)
    indent = "   " * min(level, 3)
    if fmt == "bullet":
        return indent + "- "
    key = (num_id, level)
    counters[key] = counters.get(key, 0) + 1
    for deeper in [k for k in counters if k[0] == num_id and k[1] > level]:
        del counters[deeper]  # a new item restarts the levels below it
    number = counters[key]
    if "条" in pattern or "章" in pattern or "节" in pattern:
        text = pattern.replace(f"%{level + 1}", chinese_numeral(number))
        return text + " " if "条" in pattern else "## " + text + " "
    return f"{indent}{number}. "


def _number_format(numbering, num_id: int, level: int) -> tuple[str, str]:
    """The number format (decimal, bullet, chineseCounting …) and the level's text (%1., 第%1条 …)."""
    if numbering is None:
        return "decimal", ""
    for num in numbering.findall(qn("w:num")):
        if num.get(qn("w:numId")) == str(num_id):
            abstract = num.find(qn("w:abstractNumId"))
            abstract_id = abstract.get(qn("w:val")) if abstract is not None else None
            for definition in numbering.findall(qn("w:abstractNum")):
                if definition.get(qn("w:abstractNumId")) == abstract_id:
                    for lvl in definition.findall(qn("w:lvl")):
                        if lvl.get(qn("w:ilvl")) == str(level):
                            fmt, text = lvl.find(qn("w:numFmt")), lvl.find(qn("w:lvlText"))
                            return (fmt.get(qn("w:val")) if fmt is not None else "decimal",
                                    text.get(qn("w:val")) or "" if text is not None else "")
    return "decimal", ""


def _cell_text(tc) -> str:
    text = " ".join(("".join(t.text or "" for t in p.iter(qn("w:t")))).strip() for p in tc.iter(qn("w:p")))
    return _escape(" ".join(text.split())) or " "


def _table_markdown(table: DocxTable) -> tuple[str, bool]:
    """The table as a Markdown table (first row as the header); True if it had to be cut at
    ``MAX_TABLE_CELLS``. Read row by row from the XML (a cell spanning columns or rows keeps its text once),
    so a table of thousands of rows costs time in proportion to its size."""
    rows: list[list[str]] = []
    cells = 0
    truncated = False
    for tr in table._tbl.tr_lst:
        line: list[str] = []
        for tc in tr.tc_lst:
            merged = tc.vMerge == "continue"
            line.append("" if merged else _cell_text(tc))
            line.extend([""] * (tc.grid_span - 1))
        cells += len(line)
        if cells > MAX_TABLE_CELLS:
            truncated = True
            break
        rows.append(line)
    if not rows:
        return "", truncated
    width = max(len(line) for line in rows)
    rows = [line + [""] * (width - len(line)) for line in rows]
    out = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * width]
    out += ["| " + " | ".join(line) + " |" for line in rows[1:]]
    return "\n".join(out), truncated


def _heading_level(paragraph: DocxParagraph, text: str) -> int | None:
    style = paragraph.style.name if paragraph.style is not None else ""
    match = _HEADING_STYLE.match((style or "").strip())
    if match and not _ARTICLE.match(text):
        return max(1, min(int(match.group(1)), 6)) + 1  # "#" is the draft's own title
    if _CHAPTER.match(text) and not _ARTICLE.match(text) and len(text) <= 40:
        return 2
    return None


def _is_title(paragraph: DocxParagraph) -> bool:
    style = (paragraph.style.name or "").lower() if paragraph.style is not None else ""
    return style in ("title", "标题")


def read_docx(data: bytes) -> ImportedDraft:
    """Read a .docx (already inspected on upload) into a draft's Markdown text, title and figures."""
    try:
        with SafeArchive(data) as archive:
            if "word/document.xml" not in archive:
                raise DomainError(SAVE_AS_DOCX, field="file")
            archive.read("word/document.xml", MAX_DOCUMENT_XML)
    except ArchiveRefused:
        raise DomainError(_l("This document is too large to import. Please split it or shorten it."),
                          field="file") from None
    try:
        document = open_docx(io.BytesIO(data))
    except Exception:  # python-docx raises many kinds of errors for a damaged package
        raise DomainError(_l("This file could not be read as a Word document. Please save it as .docx again "
                             "and upload it."), field="file") from None
    numbering_part = getattr(document.part, "numbering_part", None) if _has_numbering(document) else None
    numbering = numbering_part.element if numbering_part is not None else None
    images: list[ImportedImage] = []
    blocks: list[str] = []
    title = ""
    counters: dict = {}
    truncated = 0
    previous_list = False
    for item in document.iter_inner_content():
        if isinstance(item, DocxTable):
            markdown, cut = _table_markdown(item)
            truncated += cut
            if markdown:
                blocks.append(markdown)
            previous_list = False
            continue
        text = item.text.strip()
        body = _runs_markdown(item, images, document.part).strip()
        if not text:
            if body:  # an image alone in its paragraph
                blocks.append(body)
            continue
        if not title and not blocks and _is_title(item):
            title = text[:200]
            continue
        level = _heading_level(item, text)
        if level is not None:
            blocks.append("#" * level + " " + _escape(text))
            previous_list = False
            continue
        marker = None if _ARTICLE.match(text) else _list_marker(item, numbering, counters)
        if marker is not None and marker.startswith(("第", "## ")):  # articles or chapters numbered by Word
            blocks.append(marker + body)
            previous_list = False
            continue
        if marker is not None:
            line = marker + body
            if previous_list:
                blocks[-1] += "\n" + line
            else:
                blocks.append(line)
            previous_list = True
            continue
        previous_list = False
        if not _ARTICLE.match(text):
            body = _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), body)
        blocks.append(body)
    markdown = "\n\n".join(blocks).strip()
    if not markdown and not images:
        raise DomainError(_l("This document has no text to import."), field="file")
    if len(markdown) > MAX_MARKDOWN:
        raise DomainError(_l("This document is too large to import. Please split it or shorten it."), field="file")
    return ImportedDraft(title=title, body=markdown, images=images, truncated_tables=truncated)


def _has_numbering(document) -> bool:
    try:
        return document.part.numbering_part is not None
    except (KeyError, NotImplementedError):
        return False
