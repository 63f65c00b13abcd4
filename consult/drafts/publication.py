"""Publishing the feedback report answers every comment still open: its disposition and reason are its
answer, given through the tracking engine (status ``answered``, a timeline entry, the answer mail), in bulk.

Comments answered before (by a reply to their group) keep that answer; rejected comments were dismissed
with their reason at moderation.
"""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from consult.dispositions import DISPOSITION_LABELS
from consult.drafts.models import DISPOSITIONS, PUBLISHED, Article, Comment, Draft, DraftVersion
from consult.extensions import db
from consult.formats import format_listing
from consult.tracking.bulk import PublishedAnswer, answer_by_publication
from consult.tracking.mails import absolute_url
from consult.tracking.models import Submission
from consult.tracking.notes import label_note, timeline_note
from consult.workbench import trace

MAIL_TEMPLATE = "comment_answered_in_report"

WHOLE_DRAFT, PREAMBLE = _l("The whole draft"), _l("Preamble")


def report_url(draft_id: int) -> str:
    """The public feedback report, as an absolute link for mails."""
    return absolute_url("drafts.feedback_report", f"/drafts/{draft_id}/report", draft_id=draft_id)


def article_url(draft_id: int, anchor: str) -> str:
    """The article a comment is on, in the draft's public page (the draft itself for the whole draft)."""
    url = absolute_url("drafts.detail", f"/drafts/{draft_id}", draft_id=draft_id)
    return f"{url}#{anchor}" if anchor else url


def _headings(draft_id: int) -> dict[str, str]:
    """Every anchor of the draft's versions → its heading in the latest version that has it."""
    rows = db.session.execute(
        sa.select(Article.anchor, Article.heading).join(DraftVersion, DraftVersion.id == Article.version_id)
        .where(DraftVersion.draft_id == draft_id).order_by(DraftVersion.number, Article.position)
    )
    return {anchor: heading for anchor, heading in rows}


def _answer(draft_id: int, headings: dict, links: dict, labels: dict, anchor: str, disposition: str,
            reason: str, changed_anchors: tuple[str, ...]) -> PublishedAnswer:
    part = (headings.get(anchor) or PREAMBLE) if anchor else WHOLE_DRAFT
    changed = format_listing(headings.get(a) or a for a in changed_anchors)
    if changed:  # the comment's unit led to a change of the text (consult.workbench.trace)
        note = timeline_note("Answered in the published feedback report: %(disposition)s. Reason: %(reason)s "
                             "(the comment led to the change of %(articles)s)",
                             disposition=labels[disposition], reason=reason, articles=changed)
    else:
        note = timeline_note("Answered in the published feedback report: %(disposition)s. Reason: %(reason)s",
                             disposition=labels[disposition], reason=reason)
    return PublishedAnswer(
        note=note,
        mail={**links, "disposition": DISPOSITION_LABELS[disposition], "reason": reason, "part": part,
              "article_url": article_url(draft_id, anchor), "changed_articles": changed},
    )


def answer_open_comments(draft: Draft, reviewer, when: datetime) -> int:
    """Answer every open comment of ``draft`` with its disposition and reason (the report's time ``when``
    is the answer time); returns how many were answered. Called when the report is published."""
    draft_id, title, headings = draft.id, draft.title, _headings(draft.id)
    links = {"report_url": report_url(draft_id), "draft_title": title}
    labels = {code: label_note(DISPOSITION_LABELS[code]) for code in DISPOSITIONS}

    changes = trace.changes_by_comment(draft_id)  # adopted comments whose unit led to a change of the text
    answers: dict[tuple, PublishedAnswer] = {}  # comments with the same answer share it

    def answer_for(row: sa.Row) -> PublishedAnswer:
        key = (row.article_anchor, row.disposition, row.disposition_reason, tuple(changes.get(row.comment_id, ())))
        if key not in answers:
            if len(answers) > 10_000:  # every reason different: keep memory bounded
                answers.clear()
            answers[key] = _answer(draft_id, headings, links, labels, *key)
        return answers[key]

    selection = (
        sa.select(Comment.id.label("comment_id"), Comment.article_anchor, Comment.disposition,
                  Comment.disposition_reason)
        .select_from(Comment).join(Submission, Submission.id == Comment.submission_id)
        .where(Comment.draft_id == draft_id, Comment.moderation == PUBLISHED, Comment.disposition.is_not(None))
    )
    return answer_by_publication(selection, answer_for, actor=reviewer, when=when, mail_template=MAIL_TEMPLATE,
                                 key=Comment.id)
