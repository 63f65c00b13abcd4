"""What a person typed into a search box, made safe: terms to match and phrases to find verbatim.

Nothing typed reaches the database as query syntax. The text is cleaned (control and format characters
removed, NFKC, case-folded), limited to :data:`MAX_QUERY_LENGTH` characters (longer is refused with a message,
never cut silently), split into quoted phrases (``"…"`` or ``“…”``; an unbalanced quote is ignored) and plain
words, and segmented with jieba's precise mode — the index holds search-mode tokens, which include every
precise-mode word. Search operators (``*``, ``-``, ``NEAR``, ``:``, parentheses, ``OR``) are just characters:
punctuation is dropped by the tokeniser and words such as ``near`` or ``or`` are searched as words.

Every term must match (AND). Stop words (的, 关于, …) are left out unless nothing else is left. Latin and
digit fragments of three characters or more also match as prefixes, so ``1381234`` finds ``13812345678``
and ``wif`` finds ``wifi``.
"""

import re
import unicodedata
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from consult.domain import DomainError
from consult.tokens import normalize, stop_words, tokens

MAX_QUERY_LENGTH = 100
MAX_TERMS = 12
_QUOTED = re.compile(r"[\"“”„‟«»「」『』]")
_PHRASE = re.compile(r"[\"“„‟«「『]([^\"“”„‟«»「」『』]*)[\"”‟»」』]")
_FRAGMENT = re.compile(r"[a-z]+|\d+")
_LATIN_OR_DIGITS = re.compile(r"[a-z0-9]+")
_GLUED = re.compile(r"[a-z0-9]+(?:[-_./:'][a-z0-9]+)+")


class QueryTooLong(DomainError):
    """The search text is longer than :data:`MAX_QUERY_LENGTH` characters."""

    def __init__(self):
        super().__init__(_l("Please search for at most %(max)d characters.", max=MAX_QUERY_LENGTH), field="q")


@dataclass(frozen=True)
class Term:
    """One word every result must contain; ``prefix``: any indexed word starting with it will do."""

    text: str
    prefix: bool = False


@dataclass(frozen=True)
class SearchQuery:
    """A cleaned query. ``text`` is what to show back in the search box."""

    text: str
    terms: tuple[Term, ...] = ()
    phrases: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        """True when something was typed (a query with no searchable word finds nothing)."""
        return bool(self.text)

    @property
    def words(self) -> tuple[str, ...]:
        """What to highlight: the phrases and every term."""
        return self.phrases + tuple(term.text for term in self.terms)


EMPTY = SearchQuery("")


def clean(raw: str | None) -> str:
    """Remove control and format characters (keep spaces), trim; the rest is kept as typed."""
    text = "".join(" " if ch in "\t\r\n" else ch for ch in (raw or "")
                   if ch in "\t\r\n" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn"))
    return " ".join(text.split())


def _terms(text: str) -> list[Term]:
    out = []
    for token in tokens(text):
        # "l-20261122-00042", "138-1234-5678": each letter or digit group (the index holds them too)
        pieces = _FRAGMENT.findall(token) if _GLUED.fullmatch(token) else [token]
        for piece in pieces:
            if _LATIN_OR_DIGITS.fullmatch(piece):
                out.append(Term(piece, prefix=len(piece) >= 3))
            else:
                out.append(Term(piece))
    return out


def parse(raw: str | None) -> SearchQuery:
    """Clean and split ``raw``; raises :class:`QueryTooLong` past :data:`MAX_QUERY_LENGTH` characters."""
    text = clean(raw)
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryTooLong()
    phrases = [normalize(p) for p in _PHRASE.findall(text)]
    phrases = [p for p in phrases if tokens(p)]
    plain = _QUOTED.sub(" ", _PHRASE.sub(" ", text))
    terms = _terms(plain) + [term for phrase in phrases for term in _terms(phrase)]
    stop = stop_words()
    content = [t for t in terms if t.text not in stop]
    unique = list(dict.fromkeys(content or terms))[:MAX_TERMS]
    return SearchQuery(text, tuple(unique), tuple(dict.fromkeys(phrases)))


def parse_or_empty(raw: str | None) -> tuple[SearchQuery, DomainError | None]:
    """For views: the query, or the empty query and the error to show."""
    try:
        return parse(raw), None
    except QueryTooLong as error:
        return EMPTY, error
