"""Text shared by every feature: staff Markdown rendered to safe HTML (markdown-it-py, then nh3), citizens'
plain text escaped, and normalisation for matching (sensitive words, duplicate detection).

Whatever the writer typed (raw HTML, ``javascript:``/``data:`` links, ``on*`` handlers, ``style``), only a
small set of harmless tags and attributes reaches a page: raw HTML in Markdown is not interpreted at all,
and nh3 strips anything else as a second line of defence. Links get ``rel="noopener noreferrer nofollow"``.
"""

import unicodedata

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

# CommonMark without raw HTML; tables and strikethrough on. nh3 removes anything left that could run.
_markdown = MarkdownIt("commonmark", {"html": False, "breaks": True, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "s", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
LINK_REL = "noopener noreferrer nofollow"


def sanitize_html(html: str) -> str:
    """Keep only the allowed tags and attributes; drop script/style with their content and unsafe URLs."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )


def render_markdown(text: str | None) -> Markup:
    """Render ``text`` (Markdown) to HTML safe to put in a page: no script, style, on* or javascript:."""
    if not text:
        return Markup("")
    return Markup(sanitize_html(_markdown.render(text)))


def render_plain(text: str | None) -> Markup:
    """Plain text (e.g. a citizen's comment) as escaped paragraphs; line breaks kept, no markup at all."""
    if not text:
        return Markup("")
    paragraphs = [p for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return Markup("").join(
        Markup("<p>{}</p>").format(Markup("<br>").join(escape(line) for line in p.split("\n")))
        for p in paragraphs
    )


FOLD_AFTER = 300  # characters: a longer text shows its beginning and folds the rest away (<details>)
FOLD_HEAD = 200  # at most this much of it is shown before the fold


def fold_text(text: str | None, after: int = FOLD_AFTER, head: int = FOLD_HEAD) -> tuple[str, str]:
    """``(beginning, rest)`` of a long plain text, cut at the last paragraph or sentence end within the first
    ``head`` characters (or right at ``head`` if there is none in its second half); ``(text, "")`` when the
    text is at most ``after`` characters long."""
    text = (text or "").strip()
    if len(text) <= after:
        return text, ""
    cut = max(text.rfind(mark, 0, head) for mark in "\n。！？；!?;") + 1
    if cut < head // 2:
        cut = head
    return text[:cut].rstrip(), text[cut:].lstrip()


def excerpt(text: str | None, length: int = 80, tail: int = 0) -> str:
    """The start of ``text`` on one line (whitespace collapsed), cut to ``length`` characters with "…".

    ``tail`` keeps that many characters of the end as well (``深化政务公开…（征求意见稿） · 第五条``).
    """
    flat = " ".join((text or "").split())
    if len(flat) <= length:
        return flat
    if tail:
        return flat[: length - tail - 1].rstrip() + "…" + flat[-tail:].lstrip()
    return flat[: length - 1].rstrip() + "…"


def normalize_text(text: str | None) -> str:
    """NFKC (full-width → half-width), case-folded, whitespace collapsed — for matching, never for display."""
    return " ".join(unicodedata.normalize("NFKC", text or "").casefold().split())


def init_app(app) -> None:
    """Expose ``|markdown``, ``|plaintext``, ``|fold`` and ``|excerpt`` filters to templates."""
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["plaintext"] = render_plain
    app.jinja_env.filters["fold"] = fold_text
    app.jinja_env.filters["excerpt"] = excerpt
