"""Chinese text to tokens, shared by comment analysis and full-text search.

Text is normalised first (NFKC, so full-width letters, digits and punctuation become half-width; case-folded;
whitespace collapsed). Then, left to right:

* the caller's own terms (``Terms``: article titles, defined terms of a draft) stay whole;
* article references become one token with Arabic numerals: 第三条, 第3条 and 第 3 条 are all ``第3条``;
* runs of Latin letters and digits stay whole, joined by ``- _ . / : '``: ``wifi``, ``5g``, ``3.5``,
  tracking numbers (``l-20261122-00042``), query codes, phone numbers (``138-1234-5678``; a mobile number
  written with spaces, ``138 1234 5678``, becomes ``13812345678``);
* runs of Chinese characters go to jieba: precise mode (精确模式) for analysis, search mode (搜索引擎模式,
  ``cut_for_search``: long words also as their dictionary sub-words) for indexing;
* everything else (punctuation, symbols, emoji) is dropped.

``content_tokens`` also drops stop words (``stopwords.txt`` in this package: function words and the
boilerplate of consultation feedback) for clustering; stance detection reads the text itself, so words such
as 建议 or 反对, which are stop words for clustering, still decide a stance.
"""

import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import cache, lru_cache
from importlib import resources

from consult.tokens.loader import segmenter

__all__ = ["Terms", "content_tokens", "draft_terms", "normalize", "search_tokens", "stop_words", "tokens"]

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_NUMERAL = "零〇一二两三四五六七八九十百千"
_REFERENCE = rf"第\s?(?:\d{{1,4}}|[{_NUMERAL}]{{1,6}})\s?[条款项章节]"
_MOBILE = r"\+?(?:86\s)?1\d{2}\s\d{4}\s\d{4}(?!\d)"
_WORD = r"[a-z0-9]+(?:[-_./:'][a-z0-9]+)*"
_SPECIAL = re.compile(rf"(?P<ref>{_REFERENCE})|(?P<mobile>{_MOBILE})|(?P<word>{_WORD})")
_HAN_RUN = re.compile(rf"[{_HAN}]+")
_FRAGMENT = re.compile(r"[a-z]+|\d+")
_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_UNITS = {"十": 10, "百": 100, "千": 1000}


_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")
_HALF_WIDTH = {chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)} | {"\u3000": " "}


def _half_width(match: re.Match) -> str:
    return _HALF_WIDTH[match.group()]


def normalize(text: str | None) -> str:
    """The text tokens are taken from: NFKC (full width → half width), case-folded, whitespace collapsed.

    The same result as ``consult.text.normalize_text``, three times faster on Chinese text: full-width ASCII
    (which is what makes most Chinese text not NFKC-normal: its punctuation) is mapped directly, and NFKC
    runs only if something else still needs it.
    """
    text = _FULL_WIDTH.sub(_half_width, text or "")
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return " ".join(text.casefold().split())


def _chinese_number(numeral: str) -> int:
    """``"十二"`` → 12, ``"一百零五"`` → 105, ``"二〇"`` → 20 (digit by digit when there is no unit)."""
    if not any(c in _UNITS for c in numeral):
        return int("".join(str(_DIGITS[c]) for c in numeral))
    total, digit = 0, None
    for char in numeral:
        if char in _UNITS:
            total += (1 if digit is None else digit) * _UNITS[char]
            digit = None
        else:
            digit = _DIGITS[char]
    return total + (digit or 0)


def _reference(match: str) -> str:
    """``"第 十二 条"`` → ``"第12条"``."""
    inner = match[1:-1].strip()
    number = inner if inner.isdigit() else str(_chinese_number(inner))
    return f"第{int(number)}{match[-1]}"


class Terms:
    """Words that must stay whole (a draft's defined terms, titles): a user dictionary for one call.

    It is matched before segmentation, longest first, so it never changes the shared jieba dictionary and
    two drafts' terms never mix, whatever thread uses them.
    """

    def __init__(self, words: Iterable[str] = ()):
        cleaned = {normalize(w) for w in words}
        self.words = frozenset(w for w in cleaned if len(w) >= 2 and re.search(rf"[{_HAN}a-z]", w))
        ordered = sorted(self.words, key=lambda w: (-len(w), w))
        self._pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    @classmethod
    def from_draft(cls, text: str, extra: Iterable[str] = ()) -> "Terms":
        """Terms found in a draft's text (see ``draft_terms``) plus ``extra`` ones."""
        return cls([*draft_terms(text), *extra])

    def __len__(self) -> int:
        return len(self.words)

    def split(self, text: str) -> Iterator[tuple[str, bool]]:
        """(piece, is_term) for consecutive pieces of normalised ``text``."""
        if self._pattern is None:
            yield text, False
            return
        at = 0
        for match in self._pattern.finditer(text):
            if match.start() > at:
                yield text[at:match.start()], False
            yield match.group(), True
            at = match.end()
        if at < len(text):
            yield text[at:], False


_NO_TERMS = Terms()
_DEFINED = re.compile(r"(?:所称|所指)的?[“\"「]?([^”\"」，,。；;：:（(]{2,16}?)[”\"」]?[，,]?(?:是指|指|包括|系指)")
_QUOTED = re.compile(r"[“\"「]([^”\"」\n]{2,12})[”\"」]")
_TITLED = re.compile(r"[《【]([^》】\n]{2,30})[》】]")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.{2,20}?)\s*#*\s*$", re.MULTILINE)


def draft_terms(text: str) -> list[str]:
    """Terms of a draft worth keeping whole: defined terms (本办法所称“网格员”，是指…), quoted terms,
    titles in 《》 or 【】 and short Markdown headings. Article numbers need nothing: they always stay whole."""
    text = text or ""
    found = [m.group(1) for pattern in (_DEFINED, _QUOTED, _TITLED, _HEADING) for m in pattern.finditer(text)]
    return sorted({t.strip() for t in found if t.strip()})


def _pieces(text: str, terms: Terms) -> Iterator[tuple[str, str]]:
    """(kind, piece) of normalised text: ``term``, ``ref``, ``word`` (Latin/digits) or ``han`` (to segment)."""
    for piece, is_term in terms.split(text):
        if is_term:
            yield "term", piece
            continue
        at = 0
        for match in _SPECIAL.finditer(piece):
            for run in _HAN_RUN.findall(piece, at, match.start()):
                yield "han", run
            kind = match.lastgroup
            if kind == "ref":
                yield "ref", _reference(match.group())
            elif kind == "mobile":
                yield "word", re.sub(r"\D", "", match.group())[-11:]
            else:
                yield "word", match.group()
            at = match.end()
        for run in _HAN_RUN.findall(piece, at):
            yield "han", run


def tokens(text: str | None, terms: Terms | None = None) -> list[str]:
    """Every token of ``text`` in order, jieba's precise mode for Chinese (for analysis)."""
    cut = segmenter().cut
    out: list[str] = []
    for kind, piece in _pieces(normalize(text), terms or _NO_TERMS):
        if kind == "han":
            out.extend(cut(piece))
        else:
            out.append(piece)
    return out


SEARCH_CACHE_SIZE = 20_000  # runs of Chinese characters remembered (a few MB at most)


@lru_cache(maxsize=SEARCH_CACHE_SIZE)
def _cut_for_search(run: str) -> tuple[str, ...]:
    """jieba's search mode over one run of Chinese characters, remembered: the same phrase (the boilerplate
    of letters and comments, and the thousands of identical comments of a campaign) is segmented once."""
    return tuple(segmenter().cut_for_search(run))


def search_tokens(text: str | None, terms: Terms | None = None) -> list[str]:
    """Tokens for a full-text index: jieba's search mode (a long word and its dictionary sub-words), and the
    letter and digit groups of tracking numbers, codes and phone numbers as well as the whole."""
    out: list[str] = []
    for kind, piece in _pieces(normalize(text), terms or _NO_TERMS):
        if kind == "han":
            out.extend(_cut_for_search(piece))
            continue
        out.append(piece)
        if kind == "word":
            parts = _FRAGMENT.findall(piece)
            if len(parts) > 1:
                out.extend(parts)
    return out


@cache
def stop_words() -> frozenset[str]:
    """The stop words of ``stopwords.txt`` (one a line; ``#`` starts a comment), normalised."""
    text = resources.files(__package__).joinpath("stopwords.txt").read_text(encoding="utf-8")
    return frozenset(normalize(line.split("#", 1)[0]) for line in text.splitlines()) - {""}


def content_tokens(text: str | None, terms: Terms | None = None) -> list[str]:
    """Tokens that say what a text is about (for clustering): precise mode without stop words, single
    Chinese characters or bare numbers."""
    return [t for t in tokens(text, terms) if is_content_word(t)]


def is_content_word(token: str) -> bool:
    """Whether a token can say what a text is about (see :func:`content_tokens`)."""
    return len(token) > 1 and not token.isdigit() and token not in stop_words()
