"""Engine tuning: SQLite in WAL mode with explicit transactions; helpers shared by services."""

import json
import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

try:
    import fcntl
except ImportError:  # not on Windows: writers then queue on SQLite's busy handler alone
    fcntl = None

import sqlalchemy as sa
import sqlalchemy.orm
from flask import current_app, g, has_request_context, request
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (how every timestamp is stored)."""
    return datetime.now(UTC)


_stamp_connections = threading.local()


def read_row(engine: Engine, sql: str, params: tuple) -> tuple | None:
    """One row of a tiny read, on this thread's own autocommit driver connection to ``engine``.

    For checks that run before every answer from a cache (consult.public_pages): one round trip, without
    the pool's checkout, pre-ping and transaction. ``sql`` uses ``?`` placeholders. The connection is
    opened on first use, replaced once if it fails, and closed when the engine is disposed.
    """
    connections = _stamp_connections.__dict__.setdefault("by_engine", {})
    if engine.dialect.paramstyle != "qmark":
        sql = sql.replace("?", "%s")
    for attempt in (1, 2):
        connection = connections.get(engine)
        if connection is None:
            connection = connections[engine] = _own_connection(engine)
        try:
            cursor = connection.cursor()
            try:
                cursor.execute(sql, params)
                return cursor.fetchone()
            finally:
                cursor.close()
        except engine.dialect.loaded_dbapi.Error:
            connections.pop(engine, None)
            _close_quietly(connection)
            if attempt == 2:
                raise
    return None


def _own_connection(engine: Engine):
    proxied = engine.raw_connection()
    connection = proxied.driver_connection
    proxied.detach()  # this thread's own from now on: never returned to the pool
    if engine.dialect.name == "postgresql":
        connection.autocommit = True
    if not sa.event.contains(engine, "engine_disposed", _forget_connections):
        sa.event.listen(engine, "engine_disposed", _forget_connections)
    return connection


def _forget_connections(engine: Engine) -> None:
    """The engine is disposed: close this thread's connection to it (other threads close theirs on next use)."""
    connections = _stamp_connections.__dict__.get("by_engine", {})
    connection = connections.pop(engine, None)
    if connection is not None:
        _close_quietly(connection)


def _close_quietly(connection) -> None:
    try:
        connection.close()
    except Exception:  # noqa: BLE001 -- a broken connection may fail to close; it is dropped either way
        pass


def include_for_dialect(dialect_name: str):
    """Alembic's ``include_object`` for one database: leave out what the models create only on another
    (an index declared with ``.ddl_if(dialect="postgresql")``), so comparing schemas sees no difference."""

    def include(obj, _name, _type, _reflected, _compare_to) -> bool:
        condition = getattr(obj, "_ddl_if", None)
        return condition is None or condition.dialect in (None, dialect_name)

    return include


PING_AFTER_SECONDS = 5.0


def ping_when_idle(engine: Engine, after: float = PING_AFTER_SECONDS) -> None:
    """Test a pooled connection before a request uses it, as ``pool_pre_ping`` does, but only if it has lain
    unused for more than ``after`` seconds: a dead one (the database restarted, a firewall dropped it) is
    replaced instead of failing the request. A worker under load gives its connection back and takes it again
    within milliseconds; pinging it then would add a round trip to every request and find nothing."""

    @sa.event.listens_for(engine, "connect")
    @sa.event.listens_for(engine, "checkin")
    def stamp(_dbapi_connection, record) -> None:
        record.info["idle_since"] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def ping(dbapi_connection, record, _proxy) -> None:
        if time.monotonic() - record.info.get("idle_since", 0.0) <= after:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise sa.exc.DisconnectionError() from error  # the pool replaces the connection and tries again


def configure_postgresql(engine: Engine) -> None:
    """Test idle connections before use (:func:`ping_when_idle`), and let the intake views read outside a
    transaction.

    A view marked with :func:`defer_write_lock` reads and prepares everything before it writes. On PostgreSQL
    its reads run without ``BEGIN`` (the connection in autocommit): under READ COMMITTED each statement sees
    its own snapshot anyway, so they read what they would have read in a transaction. The first statement
    that is not a plain ``SELECT`` (one that writes, or locks rows: ``FOR UPDATE``) begins the transaction, as
    always, and the request's commit ends it —
    unless the view declared it its whole write (:func:`write_alone`): that one statement then commits
    itself, and the request pays neither ``BEGIN`` nor ``COMMIT`` (two of the four round trips a comment
    took). Reads and writes after it go on as before: the next write begins a transaction.
    """
    ping_when_idle(engine)
    _keep_long_statements_converted()

    @sa.event.listens_for(engine, "begin")
    def read_outside_transaction(connection) -> None:
        driver_connection = connection.connection.driver_connection
        if not driver_connection.autocommit and _deferred_write():  # (a connection opened in autocommit stays so)
            driver_connection.autocommit = True
            connection.info[_READING] = True

    @sa.event.listens_for(engine, "before_cursor_execute")
    def begin_at_first_write(connection, _cursor, statement: str, *_args) -> None:
        info = connection.info
        if not info.get(_READING) or _plain_read(statement) or info.pop(_ALONE, False):
            return
        info[_READING] = False
        connection.connection.driver_connection.autocommit = False  # the driver sends BEGIN first

    @sa.event.listens_for(engine, "checkin")
    def back_to_transactions(dbapi_connection, record) -> None:
        record.info.pop(_ALONE, None)
        if record.info.pop(_READING, None) is not None:
            dbapi_connection.autocommit = False


_READING, _ALONE = "consult_reading", "consult_write_alone"  # keys of a pooled connection's info
_CHANGES_AT_BEGIN = "consult_changes_at_begin"  # SQLite: the connection's total_changes when its transaction began
_LOCKING_READ = re.compile(r"\bFOR (?:NO KEY )?(?:UPDATE|SHARE|KEY SHARE)\b")


def _plain_read(statement: str) -> bool:
    """A ``SELECT`` that locks no row. A locking one (``FOR UPDATE`` …) must run in the transaction that writes
    after it: outside one, PostgreSQL lets the lock go when the statement ends, and two registrations would
    both take the last seat."""
    return statement.startswith("SELECT") and _LOCKING_READ.search(statement) is None


def _keep_long_statements_converted() -> None:
    """psycopg turns a statement's ``%(name)s`` placeholders into ``$1…`` and keeps the result (an LRU of 128
    statements) only for statements of at most 4,096 characters and 50 parameters; the intake's one statement
    (:func:`insert_with_dependents`: a letter's 4,012 characters and 63 parameters, a comment's 4,578 and 74)
    was converted again on every comment and letter, at 7% of the request's CPU. Consult's statements are
    built once and few, so the limits are raised for them; longer ones are still converted each time."""
    try:
        from psycopg import _queries
    except ImportError:  # another driver, or psycopg has moved it: nothing to tune
        return
    if hasattr(_queries, "MAX_CACHED_STATEMENT_LENGTH") and hasattr(_queries, "MAX_CACHED_STATEMENT_PARAMS"):
        _queries.MAX_CACHED_STATEMENT_LENGTH = max(_queries.MAX_CACHED_STATEMENT_LENGTH, 16_384)
        _queries.MAX_CACHED_STATEMENT_PARAMS = max(_queries.MAX_CACHED_STATEMENT_PARAMS, 128)


def write_alone(session) -> None:
    """Declare the next statement that writes the request's whole write (one statement that writes every row
    of it, e.g. :func:`insert_with_dependents`'): if the request's reads ran outside a transaction (see
    :func:`configure_postgresql`), it runs outside one too and commits itself. Elsewhere it does nothing."""
    connection = session.connection()
    if connection.info.get(_READING):
        connection.info[_ALONE] = True


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

    queue = WriterQueue.for_engine(engine)

    @sa.event.listens_for(engine, "begin")
    def on_begin(connection):
        immediate = connection.info.pop("begin_immediate", False) or _request_writes_now()
        if immediate and queue is not None:
            queue.wait_turn(connection.info)
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
        except BaseException:
            if queue is not None:
                queue.done(connection.info)
            raise
        connection.info[_CHANGES_AT_BEGIN] = connection.connection.driver_connection.total_changes

    if queue is not None:
        for name in ("commit", "rollback"):
            sa.event.listen(engine, name, _end_then_pass_turn(name, queue))
        sa.event.listen(engine, "checkin", lambda _dbapi, record: queue.done(record.info))
        sa.event.listen(engine, "close", lambda _dbapi, record: queue.forget(record.info))


def _end_then_pass_turn(name: str, queue: "WriterQueue"):
    """The engine's ``commit`` / ``rollback`` event, which SQLAlchemy sends *before* it ends the transaction:
    end it here, then wake the next writer. Passing the turn first would let the next writer's ``BEGIN
    IMMEDIATE`` find the database still locked, and SQLite would put it to sleep for a millisecond or more.
    SQLAlchemy's own ``COMMIT`` / ``ROLLBACK`` that follows finds nothing left to do; if this one failed,
    that one runs it again and raises the error as SQLAlchemy's."""

    def end_then_pass(connection) -> None:
        dbapi_connection = connection.connection.driver_connection
        try:
            if dbapi_connection.in_transaction:
                getattr(dbapi_connection, name)()
        except sqlite3.Error:
            pass
        finally:
            queue.done(connection.info)

    return end_then_pass


# Views that receive a submission: they read and prepare everything first and take the write lock only for the
# inserts (:func:`take_write_lock`), instead of holding it from their first query.
_WRITE_LOCK_DEFERRED: set = set()


def defer_write_lock(view):
    """Mark a view that calls :func:`take_write_lock` before it writes (the intake views)."""
    _WRITE_LOCK_DEFERRED.add(view)
    return view


def _request_writes_now() -> bool:
    """Whether the transaction now beginning takes SQLite's write lock at once (``BEGIN IMMEDIATE``)."""
    if not has_request_context() or request.method in SAFE_METHODS:
        return False
    if g.pop("begin_immediate", False):
        return True
    return not _deferred_write()


def _deferred_write() -> bool:
    """Whether this is a write request to a view marked with :func:`defer_write_lock`, whose transaction then
    begins without the write lock (and :func:`take_write_lock` is told to take it)."""
    if _in_deferred_view():
        g.write_lock_deferred = True
        return True
    return False


def _in_deferred_view() -> bool:
    if not has_request_context() or request.method in SAFE_METHODS:
        return False
    return current_app.view_functions.get(request.endpoint or "") in _WRITE_LOCK_DEFERRED


def take_write_lock(session) -> None:
    """In a view marked with :func:`defer_write_lock`, end the read-only transaction the preparation ran in and
    begin the one that writes with ``BEGIN IMMEDIATE``, so SQLite's write lock is held only for the inserts.

    If the view has read nothing in a transaction yet (the rows it needed were kept, ``consult.kept_rows``), the
    transaction it begins next is the one that writes.

    On PostgreSQL (and outside such views) it does nothing: there readers and writers never wait for each
    other, and a row is locked only by the statement that changes it. Objects already loaded stay loaded.
    """
    if not has_request_context():
        return
    if not g.pop("write_lock_deferred", False):
        if _in_deferred_view():
            g.begin_immediate = True
        return
    if isinstance(session, sa.orm.scoped_session):
        session = session()
    if session.get_bind().dialect.name != "sqlite" or session.new or session.dirty or session.deleted:
        return
    _commit_keeping_loaded(session)  # nothing was written: this only ends the read transaction (WAL readers never lock)
    g.begin_immediate = True


@contextmanager
def whole_write(session, whole: bool = True) -> Iterator[sa.Connection]:
    """SQLite: the rows written inside (on the connection given) are the request's whole write, if ``whole``:
    nothing is written after them. If nothing was written before them either (the transaction began for them,
    in a view marked with :func:`defer_write_lock`), they are committed as soon as they are written, and the
    write lock is let go before the response is built instead of after it: the other workers wait on that
    lock. The request's own commit then finds nothing to do; objects stay loaded.

    PostgreSQL's counterpart is :func:`write_alone` (its whole write is one statement); there, and outside
    such views, this does nothing."""
    connection = session.connection()
    alone = (whole and connection.dialect.name == "sqlite" and _in_deferred_view()
             and connection.connection.driver_connection.total_changes == connection.info.get(_CHANGES_AT_BEGIN))
    yield connection
    if alone:
        _commit_keeping_loaded(session)


def _commit_keeping_loaded(session) -> None:
    session = session() if isinstance(session, sa.orm.scoped_session) else session
    keep, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = keep


class WriterQueue:
    """Writers to one SQLite file take turns on a lock file beside it, woken as soon as the last one is done.

    SQLite itself makes a writer that finds the database locked sleep and retry (1, 2, 5 … 100 ms), so in a
    burst of writes the workers sleep while the database is free. ``flock`` instead wakes the next writer
    when the previous one commits or rolls back. Each connection has its own descriptor, so threads of one
    process queue like processes do. SQLite's own lock and busy timeout still guard the data.
    """

    def __init__(self, path: str) -> None:
        self.path = path

    @classmethod
    def for_engine(cls, engine: Engine) -> "WriterQueue | None":
        database = engine.url.database
        if fcntl is None or not database or database == ":memory:" or database.startswith("file:"):
            return None
        return cls(f"{database}-writers.lock")

    def wait_turn(self, info: dict) -> None:
        if "writer_lock_fd" not in info:
            info["writer_lock_fd"] = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(info["writer_lock_fd"], fcntl.LOCK_EX)
        info["writer_lock_held"] = True

    def done(self, info: dict) -> None:
        if info.pop("writer_lock_held", False):
            fcntl.flock(info["writer_lock_fd"], fcntl.LOCK_UN)

    def forget(self, info: dict) -> None:
        self.done(info)
        fd = info.pop("writer_lock_fd", None)
        if fd is not None:
            os.close(fd)


def is_sqlite(session) -> bool:
    """Whether the session's database is SQLite."""
    return session.get_bind().dialect.name == "sqlite"


ANALYSIS_LIMIT = 1000  # SQLite: rows of each index its ANALYZE reads (an estimate, in milliseconds)


def refresh_planner_statistics(session) -> None:
    """Refresh the statistics the query planner chooses indexes by (run daily by ``flask remind``).

    SQLite gathers none by itself: without them it guesses every table's size and may read a department's
    rows one by one where an index would have served. ``ANALYZE`` under ``PRAGMA analysis_limit`` samples
    each index instead of reading it whole, so it stays cheap at any size. PostgreSQL's autovacuum analyses
    tables as they change; its ``ANALYZE`` samples a fixed number of rows per table, a few seconds at most,
    and catches up after bulk loads that autovacuum has not reached yet."""
    if is_sqlite(session):
        session.execute(sa.text(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}"))
    session.execute(sa.text("ANALYZE"))


def insert_rows(connection: sa.Connection, table: sa.TableClause, rows: list[dict]) -> int:
    """Insert many rows of ``table`` on ``connection``, in its transaction; returns how many.

    PostgreSQL takes them with ``COPY … FROM STDIN``, which costs a fraction of a multi-row ``INSERT`` for
    thousands of rows (100,000 analysis members: see docs/analysis.md; a rebuilt search index); other databases
    with one executemany ``INSERT``. ``COPY`` applies no Python-side defaults, so every row names the same
    columns, and every column left out must be nullable or have a server default. JSON columns take Python
    values, as with ``INSERT``; a table outside the models may be a ``sa.table()`` naming its columns."""
    if not rows:
        return 0
    if connection.dialect.name != "postgresql":
        connection.execute(table.insert(), rows)
        return len(rows)
    names = list(rows[0])
    json_at = [i for i, name in enumerate(names) if isinstance(table.c[name].type, sa.JSON)]
    with connection.connection.driver_connection.cursor() as cursor:
        with cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
            for row in rows:
                values = [row[name] for name in names]
                for i in json_at:
                    if values[i] is not None:
                        values[i] = json.dumps(values[i], ensure_ascii=False)
                copy.write_row(values)
    return len(rows)


_INSERTS: dict = {}  # one Core INSERT per table (and unique column, dialect), built once
_COLUMNS: dict = {}  # each mapper's (attribute, column) pairs of its own table


def _insert_statement(table: sa.Table, unless_taken: str | None, dialect: str):
    key = (table, unless_taken, dialect if unless_taken else None)
    statement = _INSERTS.get(key)
    if statement is None:
        if unless_taken is None:
            statement = table.insert()
        else:
            insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
            statement = (insert(table).on_conflict_do_nothing(index_elements=[table.c[unless_taken]])
                         .returning(*table.primary_key.columns))
        _INSERTS[key] = statement
    return statement


def insert_object(session, obj, unless_taken: str | None = None):
    """Write a new ORM object's row with one Core ``INSERT`` instead of the unit of work, and attach it to
    ``session`` as a persistent, loaded object (as after a flush); returns it.

    ``unless_taken`` names a unique column: when another row already holds the object's value there, nothing
    is written (``INSERT … ON CONFLICT (column) DO NOTHING``, on both databases; PostgreSQL first waits for a
    twin transaction still writing that value), the object stays new and None is returned.

    For the intake of submissions, where the ORM's flush of four new rows cost a third of a request. The
    values are the object's attributes, the foreign keys of its many-to-one relationships and the columns'
    own defaults. Nothing else runs: no flush hooks (the caller writes the search index row, see
    ``consult.search.documents.index_record``) and no collections (assign them after this call, and the
    next flush writes them).
    """
    session = session() if isinstance(session, sa.orm.scoped_session) else session
    row = _NewRow(obj)
    connection = session.connection()
    statement = _insert_statement(row.table, unless_taken, connection.dialect.name)
    params = _with_defaults(row.table, row.params)
    result = execute_built(connection, statement, params)
    if unless_taken is not None:
        primary_key = result.first()  # RETURNING the key: no row when the value was taken
        if primary_key is None:
            return None
    elif connection.dialect.name == "sqlite":
        primary_key = (result.lastrowid,)  # the driver's result (see execute_built)
    else:
        primary_key = result.inserted_primary_key
    row.attach(session, params, primary_key)
    return obj


@dataclass(frozen=True)
class Dependent:
    """A row that :func:`insert_with_dependents` writes with an object, and only if it writes the object."""

    table: sa.TableClause
    values: dict  # by column name; the table's Python-side column defaults fill in the rest
    key: str | None = None  # the column that takes the object's id
    casts: dict = field(default_factory=dict)  # column name -> SQL type its value is cast to


@dataclass(frozen=True)
class Change:
    """An ``UPDATE`` (built once, with bound parameters) that goes with a new object: a counter of its parent."""

    statement: sa.Update
    params: dict


@dataclass(frozen=True)
class Condition:
    """A condition (built once, with bound parameters) without which :func:`insert_with_dependents` writes
    nothing: that what the object was worked out from is still current, say."""

    clause: sa.ColumnElement[bool]
    params: dict


class Changed(Exception):
    """A write wrote nothing because its :class:`Condition` no longer held: what it was worked out from changed
    since it was read (a draft closed by another worker, say)."""


def all_of(*conditions: Condition | None) -> Condition | None:
    """Every one of ``conditions`` (None: none). Their clauses are joined once, so a statement that takes the
    joined condition is built once too."""
    conditions = tuple(condition for condition in conditions if condition is not None)
    if len(conditions) < 2:
        return conditions[0] if conditions else None
    key = tuple(condition.clause for condition in conditions)
    clause = _JOINED.get(key)
    if clause is None:
        clause = _JOINED[key] = sa.and_(*key)
    return Condition(clause, {name: value for condition in conditions for name, value in condition.params.items()})


_JOINED: dict = {}


def holds(session, condition: Condition) -> bool:
    """Whether ``condition`` holds now, in ``session``'s transaction (one ``SELECT``, built once per condition):
    for a write of several statements (SQLite's), checked before the first."""
    statement = _HOLDS.get(condition.clause)
    if statement is None:
        statement = _HOLDS[condition.clause] = sa.select(condition.clause)
    session = session() if isinstance(session, sa.orm.scoped_session) else session
    return bool(execute_built(session.connection(), statement, condition.params).scalar())


_HOLDS: dict = {}


def as_loaded(session, model, values: dict, *, read_now: bool = False, **related):
    """The ``model`` object with ``values`` (its primary key among them) in ``session``, as if a query had loaded
    just those columns, without the query: for a row a worker keeps. Its other columns load when read; ``related``
    sets its many-to-one relationships to objects made the same way. If the session already has the object, it
    is returned with its attributes that are not loaded set from these, as a query would; with ``read_now``
    (``values`` were just read) with all of them set, as a query with ``populate_existing`` would."""
    mapper = sa.inspect(model)
    identity = tuple(values[mapper.get_property_by_column(column).key] for column in mapper.primary_key)
    existing = session.identity_map.get(mapper.identity_key_from_primary_key(identity))
    if existing is not None:
        given = {**values, **related}
        for name in given.keys() if read_now else sa.inspect(existing).unloaded & given.keys():
            sa.orm.attributes.set_committed_value(existing, name, given[name])
        return existing
    obj = model(**values, **related)
    sa.orm.make_transient_to_detached(obj)  # as loaded: no change to flush
    session.add(obj)
    return obj


def insert_with_dependents(session, obj, dependents: list[Dependent], unless_taken: str | None = None, *,
                           detail=None, detail_key: str = "", changes: list[Change] = (),
                           condition: Condition | None = None):
    """PostgreSQL: :func:`insert_object`, and with it the rows that depend on it, in one statement (a
    data-modifying ``WITH`` query) instead of one round trip each. Each dependent gets the object's id in its
    ``key`` column and is written only if the object is; so is ``detail``, a new ORM object whose ``detail_key``
    column takes the object's id (attached to the session as ``insert_object`` does), and so are ``changes``.
    With ``unless_taken`` taken, or ``condition`` false, nothing is written and None is returned, as with
    :func:`insert_object`. The constraints are checked as for separate statements (a dependent's foreign key
    sees the object's row: PostgreSQL checks them at the end of the statement)."""
    session = session() if isinstance(session, sa.orm.scoped_session) else session
    row = _NewRow(obj)
    values = _with_defaults(row.table, row.params)
    params = {f"o_{name}": value for name, value in values.items()}
    shape = []
    for number, dependent in enumerate(dependents):
        filled = _with_defaults(dependent.table, dependent.values)
        params.update((f"d{number}_{name}", value) for name, value in filled.items())
        shape.append((dependent.table, tuple(filled), dependent.key, tuple(dependent.casts.items())))
    detail_shape = detail_values = None
    if detail is not None:
        detail_row = _NewRow(detail)
        detail_values = _with_defaults(detail_row.table, detail_row.params)
        detail_values.pop(detail_key, None)  # the object's id, from the statement
        params.update((f"x_{name}", value) for name, value in detail_values.items())
        detail_shape = (detail_row.table, tuple(detail_values), detail_key)
    for change in changes:
        params.update(change.params)
    if condition is not None:
        params.update(condition.params)
    key = (row.table, tuple(values), tuple(shape), unless_taken, detail_shape,
           tuple(change.statement for change in changes), None if condition is None else condition.clause)
    statement = _FAMILIES.get(key)
    if statement is None:
        statement = _FAMILIES[key] = _family_statement(*key)
    keys = session.execute(statement, params).first()
    if keys is None:
        return None
    row.attach(session, values, keys[:1])
    if detail is not None:
        detail_row.attach(session, {**detail_values, detail_key: keys[0]}, keys[1:])
    return obj


_FAMILIES: dict = {}  # insert_with_dependents' statements by shape (table objects and columns), built once each


def _family_statement(table: sa.Table, columns: tuple, dependents: tuple, unless_taken: str | None,
                      detail: tuple | None, changes: tuple, condition: sa.ColumnElement[bool] | None):
    """The statement of :func:`insert_with_dependents` for an object of ``table`` with ``columns``,
    ``dependents`` of (table, columns, key column, casts), a ``detail`` of (table, columns, key column),
    ``changes`` and a ``condition``; its parameters are ``o_<column>``, ``d<n>_<column>``, ``x_<column>`` and
    the changes' and condition's own."""
    (primary_key,) = table.primary_key.columns
    values = {name: sa.bindparam(f"o_{name}", type_=table.c[name].type) for name in columns}
    if condition is None:
        insert = postgresql.insert(table).values(values)
    else:  # INSERT … SELECT :values WHERE condition
        insert = postgresql.insert(table).from_select(list(values), sa.select(*values.values()).where(condition))
    if unless_taken is not None:
        insert = insert.on_conflict_do_nothing(index_elements=[table.c[unless_taken]])
    written = insert.returning(primary_key).cte("written")
    statements = []
    for number, (dependent, names, key, casts) in enumerate(dependents):
        statements.append(_insert_from(written, primary_key, dependent, names, key, dict(casts), f"d{number}_")
                          .cte(f"dependent_{number}"))
    for number, update in enumerate(changes):  # only when the object is written
        statements.append(update.where(sa.exists().select_from(written)).cte(f"change_{number}"))
    if detail is None:
        return sa.select(written.c[primary_key.name]).add_cte(*statements)
    detail_table, names, key = detail
    (detail_key,) = detail_table.primary_key.columns
    inserted = _insert_from(written, primary_key, detail_table, names, key, {}, "x_").returning(detail_key)
    inserted = inserted.cte("detail")
    return (sa.select(written.c[primary_key.name], inserted.c[detail_key.name])
            .join_from(written, inserted, sa.true()).add_cte(*statements))


def _insert_from(written, primary_key, table, names: tuple, key: str | None, casts: dict, prefix: str):
    """``INSERT INTO table (key, names…) SELECT written.id, :<prefix><name>… FROM written``: no row unless
    the object was written."""
    selected = []
    for name in names:
        parameter = sa.bindparam(f"{prefix}{name}", type_=table.c[name].type)
        selected.append(sa.cast(parameter, casts[name]) if name in casts else parameter)
    columns = list(names)
    if key:
        columns, selected = [key, *columns], [written.c[primary_key.name], *selected]
    return sa.insert(table).from_select(columns, sa.select(*selected).select_from(written))


def execute_built(connection: sa.Connection, statement, params: dict) -> sa.CursorResult:
    """``connection.execute(statement, params)`` for a statement built once that runs on every comment and letter
    (SQLite's intake writes them one statement each). On SQLite the statement is compiled once for each set of
    parameter names, and each run only puts the values through the binds' types and hands them to the driver
    (``exec_driver_sql``): SQLAlchemy's own work per execution — finding the compiled form, its execution
    context, the columns' Python-side defaults — cost about 50 µs a statement, several times what SQLite takes
    to run one, and all of it with the write lock held. The defaults are filled in here too, as
    :func:`_with_defaults` does (an ``INSERT`` of a table, or an ``onupdate`` column of an ``UPDATE``).

    The result is the driver's: values ``RETURNING`` gives come unprocessed, and ``lastrowid`` stands for the
    inserted primary key. Elsewhere (PostgreSQL's named parameters) it is ``connection.execute``."""
    if connection.dialect.name != "sqlite":
        return connection.execute(statement, params)
    key = (statement, frozenset(params))
    form = _BUILT.get(key)
    if form is None:
        form = _BUILT[key] = _Built.of(statement, connection.dialect, params)
    filled = {**form.fixed, **params}
    for name, default in form.defaults:
        filled[name] = _default_value(default)
    return connection.exec_driver_sql(form.sql, tuple(
        value if process is None else process(value)
        for value, process in zip(map(filled.__getitem__, form.names), form.processors)))


@dataclass(frozen=True)
class _Built:
    """A statement as :func:`execute_built` runs it: its SQL, its parameters in order with their types'
    processors, the values it binds itself and the defaults of the columns the parameters leave out."""

    sql: str
    names: tuple[str, ...]
    processors: tuple
    fixed: dict
    defaults: tuple

    @classmethod
    def of(cls, statement, dialect, params: dict) -> "_Built":
        compiled = statement.compile(dialect=dialect, column_keys=sorted(params))
        if not compiled.positional or compiled.literal_execute_params or compiled.post_compile_params:
            raise ValueError(f"not a statement execute_built can run: {compiled.string}")
        defaults = tuple((column.key, column.default) for column in compiled.insert_prefetch) + tuple(
            (column.key, column.onupdate) for column in compiled.update_prefetch)
        if any(not (default.is_scalar or default.is_callable) for _key, default in defaults):
            raise ValueError(f"a default execute_built cannot work out: {compiled.string}")
        binds = compiled.binds
        return cls(compiled.string, tuple(compiled.positiontup),
                   tuple(binds[name].type.dialect_impl(dialect).bind_processor(dialect)
                         for name in compiled.positiontup),
                   {name: bind.effective_value for name, bind in binds.items() if bind.value is not None},
                   defaults)


_BUILT: dict = {}


def _with_defaults(table: sa.TableClause, values: dict) -> dict:
    """``values`` of a new row of ``table`` with the Python-side defaults of the columns they leave out (what
    an ``INSERT`` fills in itself; a statement that selects its values does not)."""
    filled = dict(values)
    for column in table.columns:
        default = getattr(column, "default", None)
        if column.key in filled or default is None or not (default.is_scalar or default.is_callable):
            continue
        filled[column.key] = _default_value(default)
    return filled


def _default_value(default) -> object:
    """A column's Python-side default (or ``onupdate``) worked out, as an ``INSERT`` (``UPDATE``) would."""
    return default.arg(None) if default.is_callable else default.arg


class _NewRow:
    """The row of a new ORM object, as :func:`insert_object` writes it, and attaching the object once written."""

    def __init__(self, obj) -> None:
        mapper, state = sa.inspect(type(obj)), sa.inspect(obj)
        if not state.transient:
            raise ValueError(f"{obj!r} is not a new object")
        values = state.dict
        for relationship in mapper.relationships:
            if relationship.key not in values:
                continue
            target = values[relationship.key]
            if relationship.direction is not sa.orm.MANYTOONE:
                if target:
                    raise ValueError(f"insert_object writes no collection ({relationship.key})")
                continue
            for local, remote in relationship.local_remote_pairs:
                values[mapper.get_property_by_column(local).key] = (
                    None if target is None else getattr(target, target.__mapper__.get_property_by_column(remote).key))
        self.obj, self.mapper, self.values = obj, mapper, values
        self.table = mapper.local_table
        columns = _COLUMNS.get(mapper)
        if columns is None:
            columns = _COLUMNS[mapper] = [
                (prop.key, prop.columns[0].key) for prop in mapper.column_attrs if prop.columns[0].table is self.table]
        self.columns = columns
        self.params = {column: values[key] for key, column in columns if key in values}

    def attach(self, session, inserted: dict, primary_key) -> None:
        """Make the object persistent in ``session`` with the values ``inserted`` (by column) and its key."""
        values, table = self.values, self.table
        for key, column in self.columns:
            if column in inserted:
                values[key] = inserted[column]
            elif table.c[column].server_default is None and key not in values:
                values[key] = None  # not written, no default: NULL (loaded, so reading it asks nothing)
        for prop, value in zip(self.mapper.primary_key, primary_key, strict=True):
            values[self.mapper.get_property_by_column(prop).key] = value
        sa.orm.make_transient_to_detached(self.obj)
        session.add(self.obj)
