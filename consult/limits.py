"""Rate limits are counted where ``RATELIMIT_STORAGE_URI`` says: Redis (``REDIS_URL``) shared by every
worker, or memory, which each worker process keeps for itself — so "10 per minute" becomes 40 per minute
with four gunicorn workers. A production app counting in memory says so once per process at start-up."""

import os
import shlex
import sys

import click
from flask import Flask

# What a citizen may send, how often: the same limits on the pages and in the JSON API.
LETTER_LIMIT = "5 per minute;30 per hour"  # a letter to a mailbox
COMMENT_LIMIT = "10 per minute"  # a comment on a draft
EVENT_LIMIT = "10 per minute;100 per hour"  # registering for an open day, asking a question after it
SURVEY_LIMIT = "10 per minute;100 per hour"  # a response to a questionnaire
INTERVIEW_LIMIT = "5 per minute;30 per hour"  # a question to an online interview
LOOKUP_LIMIT = "10 per minute"  # looking a submission up by its tracking number and query code
SIMILAR_LIMIT = "30 per minute;300 per hour"  # similar answers looked up while a letter is written

_warned = False


def gunicorn_workers(environ=None, argv=None) -> int | None:
    """How many workers gunicorn starts, when it can be told: ``--workers``/``-w`` on its command line or
    in ``GUNICORN_CMD_ARGS``, else ``WEB_CONCURRENCY``; None when unknown."""
    environ = os.environ if environ is None else environ
    argv = sys.argv if argv is None else argv
    sources = [shlex.split(environ.get("GUNICORN_CMD_ARGS", ""))]
    if argv and os.path.basename(argv[0]).startswith("gunicorn"):
        sources.insert(0, list(argv[1:]))
    for args in sources:
        for i, arg in enumerate(args):
            value = None
            if arg in ("-w", "--workers") and i + 1 < len(args):
                value = args[i + 1]
            elif arg.startswith("--workers="):
                value = arg.partition("=")[2]
            elif arg.startswith("-w") and arg[2:].isdigit():
                value = arg[2:]
            if value is not None and value.isdigit():
                return int(value)
    concurrency = environ.get("WEB_CONCURRENCY", "")
    return int(concurrency) if concurrency.isdigit() else None


def warn_if_counted_per_process(app: Flask) -> bool:
    """Log a warning (once per process) when rate limits are enforced outside debug and testing with
    counts kept in this process's memory; returns whether it did. Flask commands (``remind``, ``flask
    run``…) run in one process, where memory counts are right, and are not warned about."""
    global _warned
    if _warned or app.debug or app.testing or not app.config.get("RATELIMIT_ENABLED", True):
        return False
    if not (app.config.get("RATELIMIT_STORAGE_URI") or "memory://").startswith("memory://"):
        return False
    if click.get_current_context(silent=True) is not None:
        return False
    workers = gunicorn_workers()
    multiplied = (f" With {workers} workers every limit is {workers} times as high."
                  if workers and workers > 1 else "")
    app.logger.warning(
        "Rate limits are counted in memory, separately by each worker process and each app server.%s "
        "Set REDIS_URL so that all of them share one count.", multiplied,
    )
    _warned = True
    return True
