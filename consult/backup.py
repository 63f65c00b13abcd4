"""``flask --app consult backup`` and ``restore``: a consistent copy of the database, taken while it serves.

SQLite: the online backup API (``sqlite3.Connection.backup``) copies the database page by page under its
own read transaction, so the copy is consistent even while requests write (WAL mode). Restoring runs the
same API the other way, into the live file, so running workers see the restored data on their next query.

PostgreSQL: use the server's own tools; the commands print the exact ``pg_dump`` / ``pg_restore`` lines.
"""

import os
import sqlite3
from datetime import UTC, datetime

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from consult.extensions import db

REQUIRED_TABLES = ("submissions", "users", "departments")


def sqlite_path() -> str | None:
    """The database file when the app runs on SQLite, else None."""
    url = sa.engine.make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    return url.database if url.get_backend_name() == "sqlite" else None


def backup_sqlite(source: str, target: str) -> int:
    """Copy the live database ``source`` to ``target`` with the online backup API; returns its size."""
    with sqlite3.connect(source) as live, sqlite3.connect(target) as copy:
        live.backup(copy)
    copy.close()
    live.close()
    return os.path.getsize(target)


def check_backup(path: str) -> None:
    """Refuse a file that is not an intact Consult SQLite database."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise click.ClickException(f"{path} is damaged (integrity check failed).")
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        conn.close()
    except sqlite3.DatabaseError as error:
        raise click.ClickException(f"{path} is not a SQLite database: {error}") from error
    missing = [t for t in REQUIRED_TABLES if t not in tables]
    if missing:
        raise click.ClickException(f"{path} is not a Consult database (no {', '.join(missing)} table).")


def restore_sqlite(backup: str, target: str) -> None:
    """Write ``backup`` over the live database ``target`` (online: readers wait for the copy)."""
    with sqlite3.connect(backup) as source, sqlite3.connect(target, timeout=30) as live:
        source.backup(live)
    source.close()
    live.close()


def _pg_hint(url: str, action: str, path: str) -> str:
    plain = url.replace("postgresql+psycopg://", "postgresql://", 1)
    if action == "backup":
        return f"pg_dump --format=custom --no-owner --file={path} '{plain}'"
    return f"pg_restore --clean --if-exists --no-owner --dbname='{plain}' {path}"


@click.command("backup")
@click.argument("path", required=False)
@with_appcontext
def backup_command(path):
    """Write a consistent copy of the database to PATH (default: instance/backup-<time>.sqlite3)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    source = sqlite_path()
    if source is None:
        path = path or f"consult-{stamp}.dump"
        click.echo("PostgreSQL: back up with the server's own tool (consistent while the app runs):")
        click.echo("  " + _pg_hint(current_app.config["SQLALCHEMY_DATABASE_URI"], "backup", path))
        return
    path = path or os.path.join(current_app.instance_path, f"backup-{stamp}.sqlite3")
    if os.path.abspath(path) == os.path.abspath(source):
        raise click.ClickException("The backup cannot overwrite the live database.")
    size = backup_sqlite(source, path)
    check_backup(path)
    click.echo(f"Backed up {source} to {path} ({size:,} bytes).")


@click.command("restore")
@click.argument("path")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(path, yes):
    """Replace the database with the backup at PATH (SQLite; prints the pg_restore line on PostgreSQL)."""
    target = sqlite_path()
    if target is None:
        click.echo("PostgreSQL: restore with the server's own tool:")
        click.echo("  " + _pg_hint(current_app.config["SQLALCHEMY_DATABASE_URI"], "restore", path))
        return
    if not os.path.exists(path):
        raise click.ClickException(f"{path} does not exist.")
    check_backup(path)
    if not yes:
        click.confirm(f"Replace every row of {target} with {path}?", abort=True)
    db.session.remove()
    db.engine.dispose()
    restore_sqlite(path, target)
    click.echo(f"Restored {target} from {path}.")
