"""``flask --app consult send-mail``: deliver the outbox once, in a loop, or through RQ."""

import logging
from contextlib import contextmanager

import click
from flask import current_app
from flask.cli import with_appcontext

from consult.notify import sender


@click.command("send-mail")
@click.option("--loop", is_flag=True, help="Keep running: send, then wait --interval seconds, and again.")
@click.option("--interval", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="Seconds to wait between passes with --loop.")
@click.option("--batch", type=click.IntRange(min=1), default=None,
              help="Messages claimed at a time (default: MAIL_BATCH_SIZE or 100).")
@click.option("--enqueue", is_flag=True, help="Do not send here: queue an RQ job (needs REDIS_URL).")
@with_appcontext
def send_mail_command(loop, interval, batch, enqueue):
    """Send the queued e-mails that are due, with retries and backoff."""
    if enqueue:
        if loop:
            raise click.UsageError("--enqueue and --loop cannot be combined.")
        if not current_app.config.get("REDIS_URL"):
            raise click.ClickException("--enqueue needs REDIS_URL to be configured.")
        from consult.notify.queue import enqueue_send_mail

        job = enqueue_send_mail(batch)
        click.echo(f"Queued job {job.id} on RQ queue {job.origin}.")
        return
    with _mail_shown_when_not_sent():
        if loop:
            click.echo(f"Sending mail every {interval:g} seconds; stop with Ctrl+C.")
            try:
                sender.run_forever(interval, batch, echo=click.echo)
            except KeyboardInterrupt:
                click.echo("Stopped.")
            return
        click.echo(sender.describe(sender.drain(batch)))


@contextmanager
def _mail_shown_when_not_sent():
    """Without a mail server the sender logs each mail in full at INFO: let that reach the terminal."""
    if not current_app.extensions["mail"].suppress:
        yield
        return
    click.echo("No mail server is configured (MAIL_SERVER): each mail is printed here instead of sent.")
    logger = current_app.logger  # the package's logger, which Flask gives a handler writing to stderr
    level = logger.level
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.setLevel(level)
