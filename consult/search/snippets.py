"""Excerpts of a record's text around what was searched, with the matched words in ``<mark>``.

Highlighting works on the original text (not the index tokens), so what a person reads is what they wrote:
every piece of text is HTML-escaped and only the ``<mark>`` tags are markup.
"""

import re

from markupsafe import Markup, escape

from consult.search.query import SearchQuery

SNIPPET_LENGTH = 120


def _pattern(words: tuple[str, ...]) -> re.Pattern | None:
    words = sorted({w for w in words if w}, key=len, reverse=True)
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)


def highlight(text: str, query: SearchQuery, length: int = SNIPPET_LENGTH) -> Markup:
    """An excerpt of ``text`` of about ``length`` characters around its first match (its start when nothing
    matches), the matches marked; ``…`` where the text was cut."""
    text = " ".join((text or "").split())
    pattern = _pattern(query.words)
    first = pattern.search(text) if pattern else None
    # A quarter of the excerpt before the match, but never cut a text that fits or leave the excerpt short.
    start = max(0, min(first.start() - length // 4, len(text) - length)) if first else 0
    end = min(len(text), start + length)
    excerpt = text[start:end]
    out = [Markup("…") if start else Markup("")]
    at = 0
    for match in pattern.finditer(excerpt) if pattern else ():
        out.append(escape(excerpt[at:match.start()]))
        out.append(Markup("<mark>%s</mark>") % match.group())
        at = match.end()
    out.append(escape(excerpt[at:]))
    if end < len(text):
        out.append(Markup("…"))
    return Markup("").join(out)


def mark(text: str, query: SearchQuery) -> Markup:
    """The whole of a short text (a subject, a title) with the matches marked."""
    return highlight(text, query, length=max(len(text or ""), 1))
