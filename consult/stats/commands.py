"""``flask stats-refresh``: recompute the stored answer dates and response times the statistics aggregate."""

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from consult.extensions import db
from consult.practice.response import working_minutes
from consult.tracking.models import Submission
from consult.tracking.transitions import stamp_answer_dates
from consult.workdays import current_overrides

BATCH = 500


def _restamp(stamped_at, stored, stamp, only_missing: bool) -> int:
    """Call ``stamp(submission, overrides)`` on every submission with ``stamped_at`` set (only those whose
    ``stored`` column is empty with ``only_missing``), in batches by id; returns how many."""
    overrides = current_overrides()
    done, last_id = 0, 0
    while True:
        stmt = sa.select(Submission).where(stamped_at.is_not(None), Submission.id > last_id)
        if only_missing:
            stmt = stmt.where(stored.is_(None))
        batch = list(db.session.scalars(stmt.order_by(Submission.id).limit(BATCH)))
        if not batch:
            return done
        for submission in batch:
            stamp(submission, overrides)
        db.session.flush()
        done, last_id = done + len(batch), batch[-1].id


def _stamp_response_minutes(submission: Submission, overrides) -> None:
    submission.response_minutes = working_minutes(submission.received_at, submission.responded_at, overrides)


def refresh_response_minutes(*, only_missing: bool = False) -> int:
    """Set ``response_minutes`` of every submission staff have acted on from ``responded_at`` (after the
    upgrade that added it, or a calendar correction); returns how many."""
    return _restamp(Submission.responded_at, Submission.response_minutes, _stamp_response_minutes, only_missing)


def refresh_answer_dates(*, only_missing: bool = False) -> int:
    """Set ``answered_on`` and ``answered_workdays`` of every answered submission from ``answered_at``
    (after an upgrade, a calendar correction or backdated demo data); returns how many."""
    return _restamp(Submission.answered_at, Submission.answered_on, stamp_answer_dates, only_missing)


@click.command("stats-refresh")
@click.option("--only-missing", is_flag=True, help="Only submissions answered before the columns existed.")
@with_appcontext
def stats_refresh_command(only_missing: bool):
    """Recompute the answer dates and working days the statistics use."""
    count = refresh_answer_dates(only_missing=only_missing)
    responses = refresh_response_minutes(only_missing=only_missing)
    db.session.commit()
    click.echo(f"Answer dates recomputed for {count} submissions.")
    click.echo(f"Response times recomputed for {responses} submissions.")


def seed_answer_dates(_departments) -> None:
    """Demo-data step: some demo answers are backdated by hand, so recompute the statistics' answer dates."""
    refresh_answer_dates()
    refresh_response_minutes()
