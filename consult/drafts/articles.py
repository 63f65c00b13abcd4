"""Splitting a draft's Markdown body into articles with stable anchors.

An article starts at a line beginning with 第X条 (X in Chinese or Arabic numerals; anchor ``art-<n>``,
so 第十二条 is always ``art-12`` whatever its wording) or at a Markdown heading (anchor ``sec-<slug>`` of
the heading text). Text before the first of them is the preamble (``preamble``). Because anchors come
from the article number or heading, they are the same in every version that keeps the article.
"""

import re
from dataclasses import dataclass

from flask_babel import gettext as _

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_ARTICLE = re.compile(r"^\s*(?:#{1,6}\s*)?(?:\*\*)?\s*第\s*([零〇一二两三四五六七八九十百千\d]+)\s*条")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$")


@dataclass
class ParsedArticle:
    anchor: str
    heading: str
    body: str


def article_label(anchor: str | None, heading: str | None) -> str:
    """What a person reads for the part of a draft a comment is on: the article's heading (第二条, a section
    title), 序言 for the preamble, or the whole draft (no anchor). Anchors stay in URLs and the API."""
    if not anchor:
        return _("The whole draft")
    return heading or _("Preamble")


def chinese_number(text: str) -> int | None:
    """``"十二"`` → 12, ``"一百零五"`` → 105, ``"7"`` → 7; None if it is not a number."""
    if text.isdigit():
        return int(text)
    total, digit = 0, None
    for char in text:
        if char in _DIGITS:
            digit = _DIGITS[char]
        elif char in _UNITS:
            total += (digit if digit is not None else 1) * _UNITS[char]
            digit = None
        else:
            return None
    return total + (digit or 0)


def slugify(text: str, limit: int = 40) -> str:
    """A URL- and id-safe slug that keeps Chinese characters: ``"一、 工作目标"`` → ``"一-工作目标"``."""
    slug = re.sub(r"[^\w]+", "-", text.strip().lower(), flags=re.UNICODE).strip("-_")
    return slug[:limit].strip("-") or "section"


def split_articles(body: str) -> list[ParsedArticle]:
    """Split Markdown into articles; every anchor in the result is unique."""
    articles: list[ParsedArticle] = []
    current = ParsedArticle("preamble", "", "")
    lines: list[str] = []
    in_fence = False

    def finish():
        current.body = "\n".join(lines).strip("\n")
        if current.body.strip() or current.heading:
            articles.append(current)

    for line in (body or "").replace("\r\n", "\n").split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        match = None if in_fence else _ARTICLE.match(line)
        number = chinese_number(match.group(1)) if match else None
        heading = None if in_fence or number is not None else _HEADING.match(line)
        if number is not None:
            finish()
            current, lines = ParsedArticle(f"art-{number}", f"第{match.group(1)}条", ""), [line]
        elif heading is not None:
            finish()
            title = heading.group(2).strip("* ")
            current, lines = ParsedArticle(f"sec-{slugify(title)}", title[:200], ""), []
        else:
            lines.append(line)
    finish()
    return _unique(articles)


def _unique(articles: list[ParsedArticle]) -> list[ParsedArticle]:
    seen: dict[str, int] = {}
    for article in articles:
        count = seen.get(article.anchor, 0) + 1
        seen[article.anchor] = count
        if count > 1:
            article.anchor = f"{article.anchor}-{count}"
    return articles
