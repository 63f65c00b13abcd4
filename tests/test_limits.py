"""Rate limits counted in each worker's memory multiply with the workers: a production app says so once
per process at start-up, naming the number of gunicorn workers when it is known."""

import logging

import pytest

from consult import create_app, limits

PRODUCTION = {"TESTING": False, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://",
              "RATELIMIT_STORAGE_URI": "memory://", "RATELIMIT_ENABLED": True,
              "CONSULT_ENCRYPTION_KEYS": "kL0Hq1v1nqFqQe2mY8bX3u9pYw2f3XUl1mVQyqkq0s4="}


@pytest.fixture
def fresh_process(monkeypatch):
    """As in a newly started worker: nothing warned yet, no gunicorn settings."""
    monkeypatch.setattr(limits, "_warned", False)
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.delenv("GUNICORN_CMD_ARGS", raising=False)
    monkeypatch.setattr("sys.argv", ["gunicorn", "--workers", "4", "--bind", "0.0.0.0:8000", "consult:create_app()"])


def warnings_logged(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and "Rate limits" in r.getMessage()]


def test_a_production_app_counting_in_memory_warns_once_per_process(fresh_process, caplog):
    caplog.set_level(logging.WARNING)
    create_app(PRODUCTION)
    create_app(PRODUCTION)  # the same process: said once
    [message] = warnings_logged(caplog)
    assert "4 workers" in message and "4 times" in message and "REDIS_URL" in message


def test_shared_storage_testing_debug_and_disabled_limits_say_nothing(fresh_process, caplog):
    caplog.set_level(logging.WARNING)
    create_app({**PRODUCTION, "TESTING": True})
    create_app({**PRODUCTION, "DEBUG": True})
    create_app({**PRODUCTION, "RATELIMIT_ENABLED": False})
    app = create_app({**PRODUCTION, "TESTING": True})
    app.testing = False
    app.config["RATELIMIT_STORAGE_URI"] = "redis://redis.internal:6379/0"
    assert limits.warn_if_counted_per_process(app) is False
    assert warnings_logged(caplog) == []


@pytest.mark.parametrize(("environ", "argv", "workers"), [
    ({}, ["gunicorn", "-w", "3", "app"], 3),
    ({}, ["gunicorn", "--workers=5", "app"], 5),
    ({}, ["gunicorn", "-w2", "app"], 2),
    ({"GUNICORN_CMD_ARGS": "--bind 0.0.0.0 --workers 6"}, ["gunicorn", "app"], 6),
    ({"WEB_CONCURRENCY": "8"}, ["gunicorn", "app"], 8),
    ({}, ["gunicorn", "app"], None),
    ({}, ["python", "-w", "3"], None),
])
def test_the_number_of_gunicorn_workers_is_read_where_gunicorn_reads_it(environ, argv, workers):
    assert limits.gunicorn_workers(environ, argv) == workers
