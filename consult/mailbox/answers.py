"""Answers before asking (答复复用), for citizens: while they write a letter, the FAQ entries and published
answered letters most similar to what they have typed so far.

Only what the public may already read is offered: FAQ entries of accepting mailboxes, and letters that the
published letters page shows (:func:`consult.mailbox.queries.publishable`), redacted as it shows them
(:func:`consult.mailbox.queries.present`). Letters are found as officers' suggestions are
(:mod:`consult.search.similar`): each word of the text among the newest answered public letters holding it
(their scope token), in the index's public texts (never the ``contact`` one), weighed by its rarity, at least
two words shared; the best candidates then go through the publication filter. FAQ entries (a short table
curated by staff) are searched with any word matching, the :data:`RECENT` newest matches ranked and the
:data:`CANDIDATES` best of them filtered.
"""

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import url_for

from consult.extensions import db
from consult.mailbox import queries
from consult.mailbox.models import FaqEntry, Mailbox
from consult.search.matching import PUBLIC, matches
from consult.search.query import SearchQuery, clean
from consult.search.documents import PUBLISHED_SCOPE
from consult.search.similar import close_enough, similar_statement, similarity_query
from consult.text import excerpt
from consult.tracking.models import Submission

MIN_LENGTH = 4  # characters typed before anything is looked for
MAX_TEXT = 600  # characters of subject and letter looked at (the beginning says what it is about)
SHOWN = 3  # letters, and FAQ entries, offered at most
RECENT = 1000  # FAQ entries: newest index matches ranked
CANDIDATES = 500  # FAQ entries: best of them looked at
ANSWER_EXCERPT = 120  # characters of an answer shown


@dataclass(frozen=True)
class SimilarAnswers:
    """What the panel shows: FAQ entries first, then published letters (:class:`~queries.PublicLetter`)."""

    query: SearchQuery
    faqs: list[FaqEntry] = field(default_factory=list)
    letters: list[queries.PublicLetter] = field(default_factory=list)
    looked: bool = False  # False: too little was typed to look for anything

    def __bool__(self) -> bool:
        return bool(self.faqs or self.letters)


def text_to_compare(subject: str | None, body: str | None) -> str:
    """The part of what was typed that is compared: subject and the letter's beginning, cleaned."""
    return clean(f"{subject or ''} {body or ''}")[:MAX_TEXT]


def similar_answers(subject: str | None, body: str | None, locale: str, mailbox_id: int | None = None,
                    shown: int = SHOWN) -> SimilarAnswers:
    """The FAQ entries (those of ``mailbox_id`` before others') and published letters most similar to a
    letter being written; empty when fewer than :data:`MIN_LENGTH` characters or no content word were typed."""
    text = text_to_compare(subject, body)
    if len(text.replace(" ", "")) < MIN_LENGTH:
        return SimilarAnswers(SearchQuery(""))
    query = similarity_query(text)
    if not query.terms:
        return SimilarAnswers(query, looked=True)
    return SimilarAnswers(query, _faqs(query, mailbox_id, shown), _letters(query, locale, shown), looked=True)


def _faqs(query: SearchQuery, mailbox_id: int | None, shown: int) -> list[FaqEntry]:
    found = matches("faqs", query, PUBLIC, any_term=True, best=CANDIDATES, recent=RECENT)
    own_first = sa.case((FaqEntry.mailbox_id == (mailbox_id or 0), 0), else_=1)
    rows = db.session.execute(
        sa.select(FaqEntry, found.c.score).join(found, found.c.id == FaqEntry.id)
        .join(Mailbox, Mailbox.id == FaqEntry.mailbox_id)
        .where(Mailbox.active.is_(True))
        .options(sa.orm.contains_eager(FaqEntry.mailbox))
        .order_by(own_first, found.c.score.desc(), FaqEntry.id.desc()).limit(shown * 3)).all()
    return close_enough(rows, shown)


def _letters(query: SearchQuery, locale: str, shown: int) -> list[queries.PublicLetter]:
    # The candidates joined as a subquery, read first and each letter then by its key: with their ids as an
    # IN list instead, SQLite (without statistics) walked every answered submission by status (110 ms of the
    # 116 a suggestion took at 1.2M records; 0.4 ms so).
    found = similar_statement(query, PUBLISHED_SCOPE).subquery("similar")
    rows = db.session.execute(queries.public_letters_query(queries.LetterFilters()).add_columns(found.c.score)
                              .join(found, found.c.id == Submission.id)).unique().all()
    scored = sorted(rows, key=lambda row: (row[1], row[0].id), reverse=True)
    return queries.present(close_enough(scored, shown), locale, query=query)


def similar_answers_dict(found: SimilarAnswers) -> dict:
    """The JSON the letter form's script shows: plain texts (the script puts them in as text, never markup)
    and links, nothing a published letter page does not show."""
    return {
        "looked": found.looked,
        "faqs": [{"question": entry.question, "answer": excerpt(entry.answer, ANSWER_EXCERPT),
                  "mailbox": entry.mailbox.name,
                  "url": url_for("mailbox.show", mailbox_id=entry.mailbox_id, _anchor=f"faq-{entry.id}")}
                 for entry in found.faqs],
        "letters": [{"subject": letter.subject, "answer": answer_excerpt(letter), "department": letter.department_name,
                     "answered_on": letter.answered_on.isoformat(),
                     "url": url_for("mailbox.letter", letter_id=letter.id)}
                    for letter in found.letters],
    }


def answer_excerpt(letter: queries.PublicLetter) -> str:
    """The beginning of a published letter's answer as plain text."""
    return excerpt(letter.answer_html.striptags(), ANSWER_EXCERPT)
