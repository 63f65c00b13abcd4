"""A comment on the staff submission page: its draft, article, moderation and group (consult.tracking.kind_details)."""

from flask_login import current_user
from sqlalchemy.orm import joinedload

from consult.drafts import report
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


kind_details.register(COMMENT, comment_details)
