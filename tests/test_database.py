"""The database layer: SQLite writers take turns on a lock file and give it back when they finish; server
connections are tested before use after lying idle."""

import fcntl
import os
import sqlite3
import threading
import time
import types

import pytest
import sqlalchemy as sa

from consult import create_app, database
from consult.extensions import db


@pytest.fixture
def sqlite_app(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/c.sqlite3"})
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
    yield app, f"{tmp_path}/c.sqlite3-writers.lock"
    with app.app_context():
        db.engine.dispose()


def lock_is_free(path: str) -> bool:
    """Whether another process could take the writers' turn right now."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


@pytest.mark.parametrize("outcome", ["commit", "rollback", "error"])
def test_a_write_request_holds_the_writers_turn_until_its_transaction_ends(sqlite_app, outcome):
    app, lock = sqlite_app
    with app.test_request_context("/", method="POST"):
        db.session.execute(sa.text("INSERT INTO notes (body) VALUES ('a')"))
        assert not lock_is_free(lock)
        if outcome == "commit":
            db.session.commit()
        elif outcome == "rollback":
            db.session.rollback()
        db.session.remove()  # "error": the request ends without a commit; the connection goes back to the pool
        assert lock_is_free(lock)
    with app.app_context():
        stored = db.session.scalar(sa.text("SELECT COUNT(*) FROM notes"))
    assert stored == (1 if outcome == "commit" else 0)


@pytest.mark.parametrize("outcome", ["commit", "rollback"])
def test_a_writer_passes_its_turn_only_once_its_transaction_has_ended(sqlite_app, monkeypatch, outcome):
    """The next writer, woken, finds the database free at once: it is never put to sleep by SQLite's busy
    handler because the turn came before the commit."""
    app, lock = sqlite_app
    database_file, found, done = lock.removesuffix("-writers.lock"), [], database.WriterQueue.done

    def look_then_pass(queue, info):
        if info.get("writer_lock_held"):
            other = sqlite3.connect(database_file, timeout=0)  # no waiting: locked is an error at once
            try:
                other.execute("BEGIN IMMEDIATE")
                other.rollback()
                found.append("free")
            except sqlite3.OperationalError:
                found.append("locked")
            finally:
                other.close()
        done(queue, info)

    monkeypatch.setattr(database.WriterQueue, "done", look_then_pass)
    with app.test_request_context("/", method="POST"):
        db.session.execute(sa.text("INSERT INTO notes (body) VALUES ('a')"))
        getattr(db.session, outcome)()
        db.session.remove()
    assert found == ["free"]


def test_reading_never_waits_for_a_writer(sqlite_app):
    app, lock = sqlite_app
    counts = []

    def read() -> None:
        with app.test_request_context("/", method="GET"), db.engine.connect() as reader:
            counts.append(reader.execute(sa.text("SELECT COUNT(*) FROM notes")).scalar())

    with app.test_request_context("/", method="POST"):
        db.session.execute(sa.text("INSERT INTO notes (body) VALUES ('a')"))
        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(timeout=5)
        assert counts == [0]  # answered while the write was still open, without its uncommitted row
        db.session.commit()
    assert lock_is_free(lock)


def test_concurrent_writers_all_commit_one_after_the_other(sqlite_app):
    app, _lock = sqlite_app
    errors = []

    def write(n: int) -> None:
        try:
            with app.test_request_context("/", method="POST"):
                for i in range(10):
                    db.session.execute(sa.text("INSERT INTO notes (body) VALUES (:b)"), {"b": f"{n}-{i}"})
                    time.sleep(0.001)  # hold the turn a little, as a request does
                    db.session.commit()
                db.session.remove()
        except Exception as error:  # noqa: BLE001 -- reported below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT COUNT(*) FROM notes")) == 60


def _later(monkeypatch, seconds: float) -> None:
    """Make consult.database's clock read ``seconds`` later than now (the pool's idle stamps stay as they are)."""
    real = time.monotonic
    monkeypatch.setattr(database, "time", types.SimpleNamespace(monotonic=lambda: real() + seconds))


@pytest.mark.postgres_only  # a SQLite file has no server connection to lose
def test_a_connection_the_server_dropped_while_idle_is_replaced_before_a_request_uses_it(app, monkeypatch):
    with app.app_context():
        dropped = db.session.scalar(sa.text("SELECT pg_backend_pid()"))
        db.session.remove()  # the connection goes back to the pool
        killer = sa.create_engine(db.engine.url)
        with killer.connect() as conn:
            assert conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": dropped}).scalar()
        killer.dispose()
        _later(monkeypatch, database.PING_AFTER_SECONDS + 1)
        assert db.session.scalar(sa.text("SELECT pg_backend_pid()")) != dropped  # no error: a new connection
        db.session.remove()


@pytest.mark.postgres_only  # a SQLite file has no server connection to ping
def test_a_connection_in_steady_use_is_not_pinged_before_each_request(app, monkeypatch):
    pings = []
    with app.app_context():
        dialect = db.engine.dialect
        real_ping = dialect.do_ping
        monkeypatch.setattr(dialect, "do_ping", lambda conn: pings.append(1) or real_ping(conn))
        for _ in range(3):  # one request after another
            db.session.scalar(sa.text("SELECT 1"))
            db.session.remove()
        assert pings == []
        _later(monkeypatch, database.PING_AFTER_SECONDS + 1)
        db.session.scalar(sa.text("SELECT 1"))
        db.session.remove()
        assert pings == [1]


_LOCK_OPTIONS = {"FOR UPDATE": {}, "FOR NO KEY UPDATE": {"key_share": True}, "FOR SHARE": {"read": True}}


@pytest.mark.postgres_only  # SQLite locks the whole database for the writer, not rows
@pytest.mark.parametrize("lock", list(_LOCK_OPTIONS))
def test_a_row_an_intake_view_locks_stays_locked_until_its_request_ends(app, lock):
    """An intake view reads outside a transaction, but a ``SELECT … FOR UPDATE`` begins one: outside it the lock
    would end with the statement, and two registrations would both take the last seat."""
    from consult.accounts.models import Department

    def intake():  # pragma: no cover -- only its marking and URL are used
        return ""

    app.add_url_rule("/intake", "intake", database.defer_write_lock(intake), methods=["POST"])
    with app.app_context():
        department = Department(code="LOCK", name="锁定测试局")
        db.session.add(department)
        db.session.commit()
        department_id = department.id
    rival = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    locked_by_rival = sa.text("SELECT id FROM departments WHERE id = :id FOR UPDATE NOWAIT")
    try:
        with app.test_request_context("/intake", method="POST"):
            assert db.session.scalar(sa.select(Department.name).where(Department.id == department_id))
            db.session.execute(sa.select(Department.id).where(Department.id == department_id)
                               .with_for_update(**_LOCK_OPTIONS[lock]))
            with rival.connect() as other, pytest.raises(sa.exc.OperationalError, match="could not obtain lock"):
                other.execute(locked_by_rival, {"id": department_id})
            db.session.commit()
            db.session.remove()
        with rival.connect() as other:  # the request is over: the row is free
            assert other.execute(locked_by_rival, {"id": department_id}).scalar() == department_id
    finally:
        rival.dispose()


_ROWS = sa.MetaData()
_NOTES = sa.Table(
    "built_notes", _ROWS,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("body", sa.String(50), nullable=False),
    sa.Column("data", sa.JSON),
    sa.Column("written_at", sa.DateTime(timezone=True), default=lambda: database.utcnow()),
    sa.Column("status", sa.String(10), default="new"),
    sa.Column("count", sa.Integer, nullable=False, default=0),
    sa.Column("changed_at", sa.DateTime(timezone=True), onupdate=lambda: database.utcnow()),
)
_ADD = _NOTES.insert()
_ADD_UNLESS_TAKEN = (sa.dialects.sqlite.insert(_NOTES).on_conflict_do_nothing(index_elements=[_NOTES.c.id])
                     .returning(_NOTES.c.id))
_BUMP = (_NOTES.update().where(_NOTES.c.id == sa.bindparam("b_id"))
         .values(count=_NOTES.c.count + 1, status=sa.bindparam("b_status")))


@pytest.mark.sqlite_only  # elsewhere execute_built is connection.execute
def test_a_statement_run_through_the_driver_writes_what_sqlalchemy_would(app):
    """The intake's statements skip SQLAlchemy's work per execution on SQLite: the rows are the same, the
    columns' defaults, onupdate values, JSON and times included."""
    with app.app_context():
        _ROWS.create_all(db.engine)
        try:
            with db.engine.begin() as connection:
                values = {"body": "意见", "data": {"words": ["时限"]}}
                connection.execute(_ADD, {"id": 1, **values})
                assert database.execute_built(connection, _ADD, {"id": 2, **values}).lastrowid == 2
                assert database.execute_built(connection, _ADD, {**values, "status": "held"}).lastrowid == 3
                assert database.execute_built(connection, _ADD_UNLESS_TAKEN, {"id": 3, **values}).first() is None
                assert database.execute_built(connection, _ADD_UNLESS_TAKEN, {"id": 4, **values}).first() == (4,)
                for note in (1, 2):
                    database.execute_built(connection, _BUMP, {"b_id": note, "b_status": "seen"})
            with db.engine.connect() as connection:
                rows = [row._asdict() for row in connection.execute(sa.select(_NOTES).order_by(_NOTES.c.id))]
        finally:
            _ROWS.drop_all(db.engine)
    assert [(row["id"], row["status"], row["count"]) for row in rows] == [
        (1, "seen", 1), (2, "seen", 1), (3, "held", 0), (4, "new", 0)]
    assert all(row["data"] == {"words": ["时限"]} and row["body"] == "意见" for row in rows)
    assert all(row["written_at"] is not None for row in rows)
    assert rows[0]["changed_at"] is not None and rows[1]["changed_at"] is not None and rows[2]["changed_at"] is None
    assert abs(rows[1]["written_at"] - rows[0]["written_at"]).total_seconds() < 60
