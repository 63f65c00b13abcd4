"""Command-line interface: ``flask --app consult <command>``."""

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import with_appcontext

from consult.accounts import services as accounts
from consult.accounts.models import ROLES, STAFF_ROLES, Department
from consult.domain import DomainError
from consult.extensions import db
from consult.notify.commands import send_mail_command


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--name", "display_name", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--department", "department_code", help="Department code (officers and reviewers).")
@click.password_option()
@with_appcontext
def create_user_command(email, display_name, role, department_code, password):
    """Create an account (staff or citizen)."""
    department = None
    if department_code:
        department = db.session.scalar(sa.select(Department).where(Department.code == department_code))
        if department is None:
            raise click.BadParameter(f"no department with code {department_code!r}", param_hint="--department")
    try:
        if role in STAFF_ROLES:
            user = accounts.create_staff_user(email, display_name, password, role, department)
        else:
            user = accounts.register_citizen(email, display_name, password)
    except DomainError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created {user.role} {user.email}.")


@click.command("seed-demo")
@with_appcontext
def seed_demo_command():
    """Fill the database with demo departments, accounts and content (idempotent), and analyse the written
    answers of the demo's closed questionnaire, as the daily job would, so its topic summary shows at once."""
    from consult import seed
    from consult.workbench import jobs as analysis_jobs
    from consult.workbench.services import queue_closed_questionnaires

    seed.seed_demo()
    db.session.commit()
    analyses = queue_closed_questionnaires()
    db.session.commit()
    for run_id in analyses:
        analysis_jobs.dispatch(run_id)
        analysis_jobs.wait(run_id)
    click.echo("Demo data is ready. Demo accounts (password for all: %s):" % seed.DEMO_PASSWORD)
    for email, name, role, code in seed.STAFF:
        click.echo(f"  {role:<9} {email:<36} {code or ''}")
    for email, _name in seed.CITIZENS:
        click.echo(f"  {'citizen':<9} {email}")


@click.command("remind")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Pretend it is this local date.")
@with_appcontext
def remind_command(today):
    """Daily work (run from cron): deadline reminders, closing unrated answers, opening and closing drafts,
    reminders for tomorrow's open days, closing comments left on withdrawn drafts, ending online interviews
    nobody ended (their unanswered questions become tracked submissions), analysing the written answers of
    questionnaires that have closed, forgetting API idempotency keys older than a day and expired login
    sessions, and refreshing the database's planner statistics."""
    from datetime import datetime, time

    from consult.accounts.sessions import forget_expired_sessions
    from consult.api.idempotency import purge_idempotency_keys
    from consult.database import refresh_planner_statistics, utcnow
    from consult.disclosure.services import close_abandoned_requests
    from consult.drafts.services import advance_drafts, dismiss_comments_of_withdrawn_drafts
    from consult.events.mails import queue_event_reminders
    from consult.interviews.services import end_forgotten_interviews
    from consult.localtime import zone
    from consult.tracking.reminders import describe as describe_reminders
    from consult.tracking.services import send_reminders
    from consult.workbench import jobs as analysis_jobs
    from consult.workbench.services import queue_closed_questionnaires

    now = datetime.combine(today.date(), time(8), tzinfo=zone()) if today else utcnow()
    run = send_reminders(today.date() if today else None)  # also closes answers nobody rated in time
    opened, closed = advance_drafts(now)
    withdrawn_comments = dismiss_comments_of_withdrawn_drafts()
    event_reminders = queue_event_reminders(now)
    abandoned = close_abandoned_requests(today.date() if today else None)
    forgotten_interviews = end_forgotten_interviews(now)
    purged = purge_idempotency_keys(now)
    expired_sessions = forget_expired_sessions(now)
    analyses = queue_closed_questionnaires(now)
    db.session.commit()
    for run_id in analyses:  # on RQ when configured, else here, one after the other, before the command ends
        analysis_jobs.dispatch(run_id)
        analysis_jobs.wait(run_id)
    refresh_planner_statistics(db.session)  # after the day's writes, in a transaction of its own
    db.session.commit()
    click.echo(describe_reminders(run))
    click.echo(f"Drafts opened: {len(opened)}, closed: {len(closed)}. Open-day reminders queued: {event_reminders}.")
    click.echo(f"Comments on withdrawn drafts closed: {withdrawn_comments}.")
    click.echo(f"Information requests closed for want of clarification: {len(abandoned)}.")
    click.echo(f"Online interviews nobody ended, ended now: {len(forgotten_interviews)}.")
    click.echo(f"API idempotency keys forgotten (older than a day): {purged}.")
    click.echo(f"Expired login sessions forgotten: {expired_sessions}.")
    click.echo(f"Closed questionnaires whose written answers were analysed: {len(analyses)}.")
    click.echo("Planner statistics refreshed.")


@click.command("rotate-keys")
@with_appcontext
def rotate_keys_command():
    """Re-encrypt every encrypted value (ID numbers) under the first key of CONSULT_ENCRYPTION_KEYS; the
    other keys listed still decrypt until then, so put the new key first, run this, then drop the old."""
    from consult import encryption

    total = 0
    for count in encryption.rotate(db.session, db.metadata):
        db.session.commit()  # batch by batch: a long table never holds one long transaction
        total += count
    click.echo(f"Re-encrypted {total} values under the newest key.")


def init_app(app: Flask) -> None:
    app.cli.add_command(create_user_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(send_mail_command)
    app.cli.add_command(remind_command)
    app.cli.add_command(rotate_keys_command)
    from consult.backup import backup_command, restore_command

    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    from consult.stats.commands import stats_refresh_command

    app.cli.add_command(stats_refresh_command)
    from consult.search.commands import reindex_command

    app.cli.add_command(reindex_command)
    from consult.documents.commands import prepare_documents_command

    app.cli.add_command(prepare_documents_command)
