"""Versions of a draft's text and a readable diff between two of them."""

import difflib

import sqlalchemy as sa
from markupsafe import Markup, escape

from consult.drafts.articles import split_articles
from consult.drafts.models import Article, Draft, DraftVersion
from consult.extensions import db
from consult.text import render_markdown


def build_articles(version: DraftVersion) -> None:
    """(Re)create the version's articles from its body, rendering each one's HTML once."""
    version.articles.clear()
    db.session.flush()
    for position, parsed in enumerate(split_articles(version.body)):
        version.articles.append(
            Article(
                anchor=parsed.anchor, position=position, heading=parsed.heading, body=parsed.body,
                body_html=str(render_markdown(parsed.body)),
            )
        )


def add_version(draft: Draft, body: str, *, change_note: str = "", author=None) -> DraftVersion:
    """Append a new version with its articles and make it the draft's current text."""
    last = db.session.scalar(sa.select(sa.func.max(DraftVersion.number)).where(DraftVersion.draft_id == draft.id))
    version = DraftVersion(
        draft=draft, number=(last or 0) + 1, body=body, change_note=change_note.strip(),
        created_by_id=getattr(author, "id", None),
    )
    db.session.add(version)
    build_articles(version)
    previous = {a.anchor: a.comment_count for a in draft.current_version.articles} if draft.current_version else {}
    for article in version.articles:  # counts are per anchor, across versions
        article.comment_count = previous.get(article.anchor, 0)
    db.session.flush()
    draft.current_version = version
    return version


def replace_current_text(draft: Draft, body: str) -> DraftVersion:
    """Before opening nobody has commented: edit the current version in place instead of adding one."""
    version = draft.current_version
    if version.body != body:
        version.body = body
        build_articles(version)
        db.session.flush()
    return version


def get_version(draft: Draft, number: int) -> DraftVersion | None:
    return db.session.scalar(
        sa.select(DraftVersion).where(DraftVersion.draft_id == draft.id, DraftVersion.number == number)
    )


def diff_html(old: str, new: str) -> Markup:
    """A line diff with changed words marked by ``<del>``/``<ins>``, as an accessible HTML list.

    Unchanged runs longer than a few lines are folded so the changes stand out.
    """
    old_lines, new_lines = old.splitlines(), new.splitlines()
    rows: list[Markup] = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows.extend(_equal_rows(old_lines[i1:i2]))
        elif tag == "replace" and (i2 - i1) == (j2 - j1):
            for a, b in zip(old_lines[i1:i2], new_lines[j1:j2], strict=True):
                rows.append(Markup('<li class="diff-changed">{}</li>').format(_inline_diff(a, b)))
        else:
            for line in old_lines[i1:i2]:
                rows.append(Markup('<li class="diff-removed"><del>{}</del></li>').format(line))
            for line in new_lines[j1:j2]:
                rows.append(Markup('<li class="diff-added"><ins>{}</ins></li>').format(line))
    return Markup('<ol class="diff">{}</ol>').format(Markup("").join(rows))


def _equal_rows(lines: list[str], context: int = 2) -> list[Markup]:
    if len(lines) <= 2 * context + 1:
        return [Markup('<li class="diff-same">{}</li>').format(line) for line in lines]
    head = [Markup('<li class="diff-same">{}</li>').format(line) for line in lines[:context]]
    tail = [Markup('<li class="diff-same">{}</li>').format(line) for line in lines[-context:]]
    fold = Markup('<li class="diff-fold">⋯</li>')
    return head + [fold] + tail


def _inline_diff(old: str, new: str) -> Markup:
    """Character-level changes inside one line (Chinese has no spaces, so characters, not words)."""
    out: list[Markup] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.append(escape(old[i1:i2]))
            continue
        if i2 > i1:
            out.append(Markup("<del>{}</del>").format(old[i1:i2]))
        if j2 > j1:
            out.append(Markup("<ins>{}</ins>").format(new[j1:j2]))
    return Markup("").join(out)
