"""Engine tuning: SQLite in WAL mode with explicit transactions; helpers shared by services."""

from datetime import UTC, datetime

import sqlalchemy as sa
from flask import has_request_context, request
from sqlalchemy.engine import Engine

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (how every timestamp is stored)."""
    return datetime.now(UTC)


def configure_sqlite(engine: Engine) -> None:
    """Turn on WAL, foreign keys and a busy timeout, and take the write lock early for writes.

    pysqlite's own transaction handling is switched off so SQLAlchemy emits ``BEGIN`` itself.
    Requests that may write (anything but GET/HEAD/OPTIONS) begin with ``BEGIN IMMEDIATE``: the
    write lock is taken up front, so two writers queue on the busy timeout instead of failing with
    "database is locked" when a read lock cannot be upgraded.
    """

    @sa.event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def on_begin(connection):
        immediate = connection.info.pop("begin_immediate", False) or (
            has_request_context() and request.method not in SAFE_METHODS
        )
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def is_sqlite(session) -> bool:
    """Whether the session's database is SQLite."""
    return session.get_bind().dialect.name == "sqlite"
