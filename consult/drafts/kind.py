"""A comment on the staff submission page (its draft, article, moderation and group) and on the writer's status
page (the draft and the article it is on) — consult.tracking.kind_details."""

from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from consult.drafts import report
from consult.drafts.articles import article_label
from consult.drafts.moderation import MODERATION_LABELS
from consult.drafts.models import Comment
from consult.tracking import kind_details
from consult.tracking.models import COMMENT, Submission


def comment_details(submission: Submission) -> kind_details.KindDetails | None:
    comment = kind_details.detail_row(Comment, submission, joinedload(Comment.draft), joinedload(Comment.article))
    if comment is None:
        return None
    return kind_details.KindDetails("drafts/_staff_details.html", {
        "comment": comment, "moderation_labels": MODERATION_LABELS,
        "disposition_labels": report.DISPOSITION_LABELS, "may_answer": report.may_answer(current_user, comment.draft),
    })


def comment_facts(submission: Submission) -> list[kind_details.CitizenFact]:
    comment = kind_details.detail_row(Comment, submission, joinedload(Comment.draft), joinedload(Comment.article))
    if comment is None:
        return []
    heading = comment.article.heading if comment.article else ""
    draft_url = url_for("drafts.detail", draft_id=comment.draft_id) if comment.draft.is_public else None
    return [kind_details.CitizenFact(_("Draft for comment"), comment.draft.title, draft_url),
            kind_details.CitizenFact(_("Which part"), article_label(comment.article_anchor, heading))]


kind_details.register(COMMENT, comment_details)
kind_details.register_citizen_facts(COMMENT, comment_facts)
