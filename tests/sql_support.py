"""What a piece of code ran on the database, for tests that count statements."""

import sqlalchemy as sa

from consult.extensions import db


def statements_during(fn) -> list[tuple[str, bool | None]]:
    """What ``fn()`` ran on the database: each statement's first word, and whether it ran outside a transaction
    (PostgreSQL; None where the driver does not say). SQLite's own ``BEGIN`` and connections opened in
    autocommit on purpose (the day's first tracking number takes its base on one) are left out."""
    ran = []

    def seen(connection, _cursor, statement, *_args):
        if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT" or statement.startswith("BEGIN"):
            return
        outside = getattr(connection.connection.driver_connection, "autocommit", None)
        ran.append((statement.split(None, 1)[0], outside))

    sa.event.listen(db.engine, "before_cursor_execute", seen)
    try:
        fn()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", seen)
    return ran
