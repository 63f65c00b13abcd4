"""Citizens' comments on a draft or one of its articles — each one a tracked submission of kind ``comment``."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TypeVar

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from consult.accounts.models import Department
from consult.cache import worker_cache
from consult.contacts import mask_name
from consult.database import Change, utcnow
from consult.domain import DomainError, FieldErrors
from consult.drafts import grouping
from consult.drafts.articles import article_label
from consult.drafts.models import HELD, OPEN, PUBLISHED, Article, Comment, Draft, SensitiveWord, status_at
from consult.extensions import db
from consult.kept_rows import KeptRows, Related
from consult.localtime import as_utc
from consult.text import normalize_text
from consult.tracking import services as tracking
from consult.tracking.models import COMMENT, Submission

BODY_MAX = 5000
T = TypeVar("T")
# The writer's own details, which the public text of a comment is redacted of (Comment.public_body).
WRITER_DETAILS = (Submission.submitter_name, Submission.submitter_phone, Submission.submitter_email)


@dataclass(frozen=True)
class CommentReceipt:
    """What the confirmation page shows. ``query_code`` is None when the form had already been sent."""

    comment: Comment
    query_code: str | None

    @property
    def duplicate(self) -> bool:
        return self.query_code is None


def find_article(draft: Draft, anchor: str | None) -> Article | None:
    """The current version's article with ``anchor`` (None for the whole draft); DomainError if unknown."""
    if not anchor:
        return None
    article = db.session.scalar(
        sa.select(Article).where(Article.version_id == draft.current_version_id, Article.anchor == anchor)
    )
    if article is None:
        raise DomainError(_l("This article does not exist in the current version."), field="article")
    return article


def flagged_words(text: str) -> list[str]:
    """Sensitive words found in ``text`` (case-insensitive, normalised, punctuation ignored)."""
    plain, bare = normalize_text(text), grouping.matching_text(text)
    return [word for word, core in _sensitive_words() if word in plain or (core and core in bare)]


def _sensitive_words() -> tuple[tuple[str, str], ...]:
    """Every sensitive word with its text as grouping compares it, kept in the worker: every comment needs them.
    A change made in this process shows at once (:func:`_forget_sensitive_words`), one made in another within
    ``CONSULT_SENSITIVE_WORDS_SECONDS``."""
    return _words_cache().get_or_compute("all", lambda: tuple(
        (word, grouping.matching_text(word)) for word in db.session.scalars(_SENSITIVE_WORDS)))


@sa.event.listens_for(SensitiveWord, "after_insert")
@sa.event.listens_for(SensitiveWord, "after_update")
@sa.event.listens_for(SensitiveWord, "after_delete")
def _forget_sensitive_words(*_args) -> None:
    _words_cache().clear()


def _words_cache():
    return worker_cache("sensitive-words", current_app.config["CONSULT_SENSITIVE_WORDS_SECONDS"])


_SENSITIVE_WORDS = sa.select(SensitiveWord.word)  # built once


def accepting_comments(draft: Draft, now: datetime | None = None) -> bool:
    """Whether the draft takes comments at ``now`` (its approved window, recorded or not)."""
    now = as_utc(now or utcnow())
    status = status_at(draft.recorded_status, draft.approved_at, draft.opens_at, draft.closes_at, now)
    return status == OPEN and as_utc(draft.opens_at) <= now < as_utc(draft.closes_at)


def draft_to_comment(draft_id: int) -> Draft | None:
    """The draft ``draft_id`` with only the columns receiving a comment reads (its window, title, version,
    moderation; its department's id and name); any other attribute loads when read. None: no such draft. Each
    worker keeps them while the draft takes comments (``consult.kept_rows``): a comment's write
    goes only while the draft's row still holds them, else the draft is read again and the comment checked
    again (:func:`submit_comment`)."""
    return _KEPT_DRAFTS.get(draft_id)


def check_on_current_draft(draft: Draft, check: Callable[[], T], refusals: tuple[type[Exception], ...]) -> T:
    """``check()``, which raises one of ``refusals`` to refuse; a refusal of a draft made of kept columns is
    checked again on the draft read now (see :func:`draft_to_comment`)."""
    return _KEPT_DRAFTS.checked(draft, check, refusals)


_KEPT_DRAFTS = KeptRows(
    Draft, ("id", "title", "recorded_status", "approved_at", "opened_at", "opens_at", "closes_at", "premoderate",
            "current_version_id", "department_id"),
    Related("department", Department, ("id", "name")), keep_if=accepting_comments)


def check_comment(
    draft: Draft, *, body: str, article_anchor: str | None = None, user=None, name: str = "", email: str = "",
    phone: str = "",
) -> Article | None:
    """Every problem of a comment at once (one DomainError naming each field); returns the article it is on.

    Writes nothing: the comment form runs it beside its own validators so a guest learns everything at once.
    """
    problems = FieldErrors()
    body = (body or "").strip()
    if not body:
        problems.add("body", _l("Please write your comment."))
    elif len(body) > BODY_MAX:
        problems.add("body", _l("At most %(n)s characters.", n=BODY_MAX))
    if user is None or not user.is_authenticated:
        if not (name or "").strip():
            problems.add("name", _l("Please enter your name."))
        if not ((email or "").strip() or (phone or "").strip()):
            problems.add("email", _l("Please give an e-mail address or a phone number."))
    article = None
    try:
        article = find_article(draft, article_anchor)
    except DomainError as error:
        problems.add("article", error.message)
    problems.raise_if_any()
    return article


def comment_subject(draft: Draft, article: Article | None) -> str:
    """The submission's subject: the draft's title, and the heading of the article commented on."""
    subject = draft.title if article is None else f"{draft.title} · {article_label(article.anchor, article.heading)}"
    return subject[:200]


def submit_comment(
    draft: Draft,
    *,
    body: str,
    form_token: str,
    article_anchor: str | None = None,
    user=None,
    name: str = "",
    email: str = "",
    phone: str = "",
    locale: str | None = None,
    now: datetime | None = None,
    recognise_resend: bool = False,
    notify_by: str | None = None,
) -> CommentReceipt:
    """Receive a comment: a tracked submission (answer due 15 working days after the closing date) plus
    its detail row. Held for moderation when the draft is pre-moderated or a sensitive word matches.

    The same ``form_token`` never creates a second comment: the first one is returned instead. With
    ``recognise_resend`` (the comment form: going back and sending again makes a new token) neither does the
    same text from the same person within ``DUPLICATE_WINDOW``.
    """
    now = as_utc(now or utcnow())
    if user is not None and not user.is_authenticated:
        user = None

    prepared: list[tracking.PreparedSubmission] = []  # what each check() works out, for create()

    def check() -> CommentReceipt | None:
        if not accepting_comments(draft, now):
            raise DomainError(_l("The consultation is closed: comments are no longer accepted. Your text has not "
                                 "been sent; it is still in the form so you can keep a copy."), status=409)
        article = check_comment(draft, body=body, article_anchor=article_anchor, user=user, name=name, email=email,
                                phone=phone)
        text, subject = body.strip(), comment_subject(draft, article)
        duplicate = recognise_resend and tracking.find_duplicate(
            kind=COMMENT, target=f"draft:{draft.id}", subject=subject, body=text, user=user, email=email, phone=phone)
        if duplicate:
            return _receipt_of(duplicate)
        prepared.append(_prepare(draft, article, subject, text, user, name, email, phone, locale, notify_by))
        return None

    def write(token: str, condition) -> CommentReceipt:  # what the last check() worked out
        comment = prepared[-1].detail
        public = +1 if comment.moderation == PUBLISHED else 0
        new = tracking.write_submission(prepared[-1], token, last=True, condition=condition,
                                        changes=comment_counts(draft, comment.article_anchor, public, received=1))
        _forget_counts(draft, comment.article_anchor, public)
        return CommentReceipt(comment, new.query_code)

    def create(token: str) -> CommentReceipt:
        return _KEPT_DRAFTS.written(draft, partial(write, token), check_again=check)

    return tracking.receive_once(form_token, check=lambda: _KEPT_DRAFTS.checked(draft, check), create=create,
                                 receipt_of=_receipt_of, savepoint=False)


def _receipt_of(submission) -> CommentReceipt:
    """The receipt of a comment already received (its query code was shown the first time)."""
    return CommentReceipt(db.session.scalar(sa.select(Comment).where(Comment.submission_id == submission.id)), None)


def _prepare(draft, article, subject, body, user, name, email, phone, locale,
             notify_by) -> "tracking.PreparedSubmission":
    """Everything of a new comment that needs no lock: held for moderation when the draft is pre-moderated or a
    sensitive word matches; its text's fingerprints for the grouping of identical and near-identical ones."""
    flagged = flagged_words(body)
    comment = Comment(
        draft_id=draft.id, version_id=draft.current_version_id,
        article_id=article.id if article else None, article_anchor=article.anchor if article else "",
        public_name=mask_name(name or (user.display_name if user else "")), body=body,
        moderation=HELD if (flagged or draft.premoderate) else PUBLISHED, flagged_words=", ".join(flagged)[:200],
        text_hash=grouping.text_hash(body), minhash=grouping.signature(body),
    )
    return tracking.prepare_submission(
        kind=COMMENT, target=f"draft:{draft.id}", department=draft.department, body=body, subject=subject,
        user=user, name=name, email=email, phone=phone, locale=locale, notify_by=notify_by,
        clock_start_on=tracking.local_date(draft.closes_at),
        detail=comment,
    )


def count_comment(draft: Draft, anchor: str, public: int, received: int = 0) -> None:
    """Keep the public counters in columns (atomic ``col + n`` updates).

    An article's count covers every version (comments are listed by stable anchor), so it is kept on the
    current version's article with that anchor; a new version carries the counts over.
    """
    for change in comment_counts(draft, anchor, public, received):
        db.session.execute(change.statement, change.params)
    _forget_counts(draft, anchor, public)


def comment_counts(draft: Draft, anchor: str, public: int, received: int = 0) -> list[Change]:
    """The updates of :func:`count_comment` (a new comment's go in the statement that writes it)."""
    values = {"draft_id": draft.id, "public": public, "received": received}
    changes = [Change(_COUNT_SHOWN, {**values, "now": utcnow()}) if public else Change(_COUNT_HIDDEN, values)]
    if anchor and public:
        changes.append(Change(_COUNT_ARTICLE, {"b_version": draft.current_version_id, "b_anchor": anchor,
                                               "public": public}))
    return changes


def _forget_counts(draft: Draft, anchor: str, public: int) -> None:
    """Let the draft (and article) read their counters again after :func:`comment_counts` changed them."""
    db.session.expire(draft, ["comment_count", "received_count", "updated_at"])
    for article in draft.current_version.articles if anchor and public else ():
        db.session.expire(article, ["comment_count"])


# The counter updates, built once (every comment runs them; building a statement costs more than running it).
_drafts, _articles = Draft.__table__, Article.__table__
_COUNT_HIDDEN = (
    sa.update(_drafts).where(_drafts.c.id == sa.bindparam("draft_id"))
    .values(comment_count=_drafts.c.comment_count + sa.bindparam("public"),
            received_count=_drafts.c.received_count + sa.bindparam("received"))
)
_COUNT_SHOWN = _COUNT_HIDDEN.values(updated_at=sa.bindparam("now"))
_COUNT_ARTICLE = (
    sa.update(_articles)
    .where(_articles.c.version_id == sa.bindparam("b_version"), _articles.c.anchor == sa.bindparam("b_anchor"))
    .values(comment_count=_articles.c.comment_count + sa.bindparam("public"))
)


def public_comments_query(draft: Draft, anchor: str | None = None) -> sa.Select:
    """Published comments of the draft (or of one article, across versions), for cursor pagination, with
    what ``Comment.public_body`` needs to redact the writer's personal data loaded in the same query."""
    stmt = (
        sa.select(Comment).where(Comment.draft_id == draft.id, Comment.moderation == PUBLISHED)
        .options(joinedload(Comment.submission).load_only(*WRITER_DETAILS))
    )
    if anchor is not None:
        stmt = stmt.where(Comment.article_anchor == anchor)
    return stmt
