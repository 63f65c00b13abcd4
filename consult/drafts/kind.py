"""The comment kind, as the drafts register it with the tracking engine: its policy and labels, the panel
of the staff submission page (draft, article, moderation, group), what the writer's status page shows (the
draft and the article it is on) and its answer in the published feedback report."""

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_login import current_user
from sqlalchemy.orm import joinedload

from consult.drafts import report, transitions
from consult.drafts.articles import article_label
from consult.drafts.models import REPORT_PUBLISHED, Comment
from consult.drafts.moderation import MODERATION_LABELS
from consult.tracking import kind_details, kinds
from consult.tracking.models import COMMENT, Submission
from consult.tracking.policies import KindPolicy


def comment_details(submission: Submission) -> kind_details.KindDetails | None:
    comment = kind_details.detail_row(Comment, submission, joinedload(Comment.draft), joinedload(Comment.article))
    if comment is None:
        return None
    return kind_details.KindDetails("drafts/_staff_details.html", {
        "comment": comment, "moderation_labels": MODERATION_LABELS,
        "disposition_labels": report.DISPOSITION_LABELS, "may_answer": transitions.may_answer(current_user, comment.draft),
    })


def comment_facts(submission: Submission) -> list[kind_details.CitizenFact]:
    comment = kind_details.detail_row(Comment, submission, joinedload(Comment.draft), joinedload(Comment.article))
    if comment is None:
        return []
    heading = comment.article.heading if comment.article else ""
    draft_url = url_for("drafts.detail", draft_id=comment.draft_id) if comment.draft.is_public else None
    return [kind_details.CitizenFact(_("Draft for comment"), comment.draft.title, draft_url),
            kind_details.CitizenFact(_("Which part"), article_label(comment.article_anchor, heading))]


def comment_answer(submission: Submission) -> kind_details.CitizenAnswer | None:
    """Once the feedback report is published, the comment's disposition and reason in it, with links to the
    report and to the article (every comment shows it, also one answered before by a reply to its group)."""
    comment = kind_details.detail_row(Comment, submission, joinedload(Comment.draft))
    if comment is None or comment.disposition is None or comment.draft.status != REPORT_PUBLISHED:
        return None
    draft_url = url_for("drafts.detail", draft_id=comment.draft_id, _external=True)
    return kind_details.CitizenAnswer(_("In the feedback report"), [
        kind_details.CitizenFact(_("Disposition:"), str(report.DISPOSITION_LABELS[comment.disposition])),
        kind_details.CitizenFact(_("Reason:"), comment.disposition_reason),
        kind_details.CitizenFact(_("The feedback report:"), _("Feedback report: %(title)s", title=comment.draft.title),
                                 url_for("drafts.feedback_report", draft_id=comment.draft_id, _external=True)),
        kind_details.CitizenFact(_("The article in the draft:"), article_label(comment.article_anchor, _heading(comment)),
                                 f"{draft_url}#{comment.article_anchor}" if comment.article_anchor else draft_url),
    ], comment.draft.report_published_at)


def _heading(comment: Comment) -> str:
    return comment.article.heading if comment.article else ""


# A comment's clock starts when the consultation closes: the caller passes clock_start_on.
kinds.register(kinds.Kind(
    COMMENT,
    policy=KindPolicy(COMMENT, "C", 15, "keep", max_extensions=1, max_extension_workdays=15),
    label=_l("Comment on a draft"),
    noun=lazy_pgettext("a submission", "comment"),
    details=comment_details,
    citizen_facts=comment_facts,
    citizen_answer=comment_answer,
))
