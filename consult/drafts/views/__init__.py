"""The ``drafts`` blueprint: public pages, the editors' office, review and moderation, answering."""

from flask import Blueprint

bp = Blueprint("drafts", __name__)


@bp.context_processor
def _labels():
    from flask_babel import lazy_gettext as _l

    from consult.drafts.articles import article_label
    from consult.drafts.moderation import MODERATION_LABELS
    from consult.drafts.report import DISPOSITION_LABELS

    return {
        "draft_status_labels": {
            "draft": _l("Being written"), "in_review": _l("In review"), "open": _l("Open for comment"),
            "closed": _l("Closed, answers being prepared"), "report_published": _l("Feedback report published"),
            "withdrawn": _l("Withdrawn"),
        },
        "disposition_labels": DISPOSITION_LABELS,
        "moderation_labels": MODERATION_LABELS,
        "article_label": article_label,
    }


from consult.drafts.views import (  # noqa: E402,F401  -- register the routes
    admin, documents, office_answers, office_comments, office_editor, office_review, public,
)
