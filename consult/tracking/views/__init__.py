"""The ``tracking`` blueprint: the officers' inbox and submission pages, replies and their review, the
citizen's status lookup, "my submissions", rating, and the admin's working-day calendar."""

from flask import Blueprint

bp = Blueprint("tracking", __name__)


@bp.context_processor
def _labels():
    from consult.tracking.labels import template_labels

    return template_labels()


@bp.app_template_filter("iso_utc")
def _iso_utc(moment) -> str:
    """A stored time for ``<time datetime>``, always with its UTC offset (SQLite returns naive UTC)."""
    from consult.localtime import as_utc

    return as_utc(moment).isoformat()


@bp.app_template_global("kind_noun")
def _kind_noun(sent) -> str:
    """What the citizen sent (a submission), as a noun for a sentence (pages and mails)."""
    from consult.tracking.labels import kind_noun

    return kind_noun(sent)


from consult.tracking.views import admin, documents, office_inbox, office_replies, office_submission, public  # noqa: E402,F401  -- routes
