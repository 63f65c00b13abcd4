"""``flask backup`` / ``flask restore``: a copy taken while the app runs, and a restore the app then serves."""

import sqlite3

import sqlalchemy as sa

from consult.extensions import db
from consult.mailbox.models import Mailbox


def _add_mailbox(app, department, name: str) -> None:
    with app.app_context():
        db.session.add(Mailbox(name=name, department_id=department.id, categories=["enquiry"]))
        db.session.commit()


def _is_sqlite(app) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")


def test_backup_then_restore_brings_back_what_was_lost(app, runner, client, make_department, tmp_path):
    department = make_department()
    _add_mailbox(app, department, "县长信箱")
    target = tmp_path / "backup.sqlite3"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    if not _is_sqlite(app):
        assert "pg_dump --format=custom" in result.output and "postgresql://" in result.output
        restore = runner.invoke(args=["restore", str(target), "--yes"])
        assert "pg_restore" in restore.output
        return
    assert "Backed up" in result.output
    with sqlite3.connect(target) as copy:
        assert copy.execute("SELECT name FROM mailboxes").fetchall() == [("县长信箱",)]
    copy.close()

    with app.app_context():  # the loss: the mailbox is deleted after the backup
        db.session.execute(sa.delete(Mailbox))
        db.session.commit()
    assert "县长信箱" not in client.get("/mailboxes").get_data(as_text=True)

    result = runner.invoke(args=["restore", str(target), "--yes"])
    assert result.exit_code == 0, result.output
    assert "县长信箱" in client.get("/mailboxes").get_data(as_text=True)


def test_backup_is_consistent_while_a_write_is_in_progress(app, runner, make_department, tmp_path):
    if not _is_sqlite(app):
        return
    department = make_department()
    _add_mailbox(app, department, "信箱一")
    path = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE mailboxes SET name = '未提交的名字'")  # not committed while the backup runs
    try:
        result = runner.invoke(args=["backup", str(tmp_path / "b.sqlite3")])
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert result.exit_code == 0, result.output
    with sqlite3.connect(tmp_path / "b.sqlite3") as copy:
        assert copy.execute("SELECT name FROM mailboxes").fetchall() == [("信箱一",)]
    copy.close()


def test_restore_refuses_a_file_that_is_not_a_consult_database(app, runner, tmp_path):
    if not _is_sqlite(app):
        return
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    result = runner.invoke(args=["restore", str(junk), "--yes"])
    assert result.exit_code != 0
    assert "not a SQLite database" in result.output
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (x)")
    conn.close()
    result = runner.invoke(args=["restore", str(other), "--yes"])
    assert result.exit_code != 0
    assert "not a Consult database" in result.output


def test_backup_refuses_to_overwrite_the_live_database(app, runner):
    if not _is_sqlite(app):
        return
    path = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
    result = runner.invoke(args=["backup", path])
    assert result.exit_code != 0
    assert "cannot overwrite" in result.output
