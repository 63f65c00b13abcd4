"""Drain the outbox from an RQ worker when ``REDIS_URL`` is configured.

Enqueue with ``flask --app consult send-mail --enqueue`` (e.g. from cron) and run a worker with
``rq worker consult-mail --url "$REDIS_URL"``. Jobs may overlap: claiming rows is safe with several
senders. RQ is imported only here and only when used, so nothing needs Redis when it is not configured.
"""

from flask import current_app, has_app_context

from consult.notify import sender

QUEUE_NAME = "consult-mail"
# A job nobody picked up within this time is dropped: a newer one will do the same work.
JOB_TTL_SECONDS = 600

_worker_app = None


def mail_queue():
    """The RQ queue for mail jobs, on the configured ``REDIS_URL``."""
    from redis import Redis
    from rq import Queue

    url = current_app.config.get("REDIS_URL")
    if not url:
        raise RuntimeError("REDIS_URL is not configured")
    return Queue(current_app.config.get("MAIL_RQ_QUEUE", QUEUE_NAME), connection=Redis.from_url(url))


def enqueue_send_mail(batch: int | None = None):
    """Ask an RQ worker to drain the outbox; returns the RQ job."""
    return mail_queue().enqueue_call(
        send_mail_job, kwargs={"batch": batch}, ttl=JOB_TTL_SECONDS, result_ttl=3600,
        description="Send queued e-mail",
    )


def send_mail_job(batch: int | None = None) -> dict:
    """The RQ job: send every due message; returns the counts."""
    if has_app_context():  # e.g. a SimpleWorker run inside an application (tests)
        return _drain(batch)
    global _worker_app
    if _worker_app is None:  # one app per worker process, built on first use
        from consult import create_app

        _worker_app = create_app()
    with _worker_app.app_context():
        return _drain(batch)


def _drain(batch: int | None) -> dict:
    from consult.extensions import db

    try:
        result = sender.drain(batch)
    finally:
        db.session.remove()
    return {"sent": result.sent, "retrying": result.retrying, "failed": result.failed}
