"""``flask reindex``: rebuild the search index from the records, in batches of bounded size."""

import multiprocessing
import os
import time
from collections import deque
from collections.abc import Iterator

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from consult.database import insert_rows
from consult.extensions import db
from consult.search import schema
from consult.search.documents import TERM_ORDER, Fields, RowParams, indexed_for, row_params, write_params, write_terms
from consult.tokens.loader import segmenter

BATCH = 2000
_TERMS_RECORD = next(iter(schema.similar_terms.foreign_key_constraints))  # similar terms → submissions
TERMS_BATCH = 500_000  # similar terms written at a time (~100 MB of rows in memory)


def _sources():
    """kind → (table, the indexed record description) of every indexed kind."""
    from consult.drafts.models import Draft
    from consult.mailbox.models import FaqEntry
    from consult.tracking.models import Submission

    return {indexed_for(model).kind: (model.__table__, indexed_for(model))
            for model in (Submission, Draft, FaqEntry)}


def _recreate(connection: sa.Connection, kind: str) -> str | None:
    """Empty the index table of ``kind`` (and for submissions the similar terms); on PostgreSQL drop its GIN
    index (rebuilt once at the end, much faster than growing it row by row, then the table analysed) and
    return the statement that recreates it."""
    table = schema.table_name(kind)
    if kind in schema.SCOPED:  # emptied at once: deleting millions of rows one by one takes minutes on SQLite
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"TRUNCATE {schema.similar_terms.name}")
            # Checking each row's record cost three quarters of writing the terms (1.16M rows: 15.1 s, 3.9 s
            # without); the key is checked once for all when it is added again at the end (if a rebuild
            # stopped half-way, it is already gone).
            connection.execute(sa.schema.DropConstraint(_TERMS_RECORD, if_exists=True))
        else:
            schema.similar_terms.drop(connection)
            schema.similar_terms.create(connection)
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"TRUNCATE {table}")
        connection.exec_driver_sql(f"DROP INDEX IF EXISTS ix_{table}_document")
        return f"CREATE INDEX ix_{table}_document ON {table} USING gin (document)"
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
    connection.exec_driver_sql(next(s for s in schema.create_statements("sqlite") if f" {table} " in s))
    return None


def _batches(table, columns, indexed, batch: int) -> Iterator[list[tuple[int, Fields]]]:
    """(id, fields) of every record, ``batch`` at a time, each batch read in its own short transaction."""
    last_id = 0
    while True:
        with db.engine.connect() as connection:
            rows = connection.execute(
                sa.select(*columns).where(table.c.id > last_id).order_by(table.c.id).limit(batch)).all()
        if not rows:
            return
        last_id = rows[-1].id
        yield [(row.id, indexed.fields(row)) for row in rows]


class _Writer:
    """Writes the finished batches into the tables :func:`_recreate` emptied: each batch's index rows in a
    transaction of their own, with ``COPY`` on PostgreSQL (``insert_rows``, several times faster than an upsert
    row by row) and one ``executemany`` on SQLite; the similar terms gathered over several batches and written
    in their key's order, so each b-tree page of the table is written a few times rather than once a batch
    (a batch's ~44,000 terms fall on thousands of pages)."""

    def __init__(self, kind: str, progress=None):
        self.kind, self.progress = kind, progress
        self.done, self.terms = 0, []

    def add(self, made: RowParams) -> None:
        with db.engine.begin() as connection:
            if connection.dialect.name != "postgresql":
                self.done += write_params(connection, self.kind, made.rows)
            else:
                table = sa.table(schema.table_name(self.kind), sa.column("record_id"), sa.column("document"))
                self.done += insert_rows(connection, table, [{"record_id": row["id"], "document": row["document"]}
                                                             for row in made.rows])
        self.terms.extend(made.terms)
        if len(self.terms) >= TERMS_BATCH:
            self.flush()
        if self.progress:
            self.progress(self.done)

    def flush(self) -> None:
        self.terms.sort(key=TERM_ORDER)  # runs already in order (row_params sorts them): merged, not sorted anew
        with db.engine.begin() as connection:
            write_terms(connection, self.terms)
        self.terms = []


def reindex(kind: str, batch: int = BATCH, progress=None, jobs: int = 1) -> int:
    """Rebuild the index of ``kind`` from its table, ``batch`` records per transaction (memory stays bounded
    whatever the table's size); returns how many records were indexed.

    Tokenising (jieba, pure Python) is nearly all of the cost, so with ``jobs`` > 1 it runs in that many
    worker processes while this one reads the next batches and writes the finished ones, in order; at most
    ``jobs`` + 1 batches are in flight. The workers only tokenise: they never touch the database."""
    table, indexed = _sources()[kind]
    columns = [table.c.id, *(table.c[name] for name in indexed.watched)]
    dialect = db.engine.dialect.name
    with db.engine.begin() as connection:
        finish = _recreate(connection, kind)
    writer = _Writer(kind, progress)
    if jobs <= 1:
        for rows in _batches(table, columns, indexed, batch):
            writer.add(row_params(dialect, rows))
    else:
        # Workers come from a clean single-threaded server process, not forked from this one: a fork copies
        # whatever locks this process's other threads (a web server's, a browser driver's, BLAS) hold at
        # that moment, and a worker that inherits one hangs or dies and leaves the pool waiting for ever.
        context = multiprocessing.get_context("forkserver")
        with context.Pool(jobs, initializer=segmenter) as pool:
            in_flight: deque = deque()
            for rows in _batches(table, columns, indexed, batch):
                in_flight.append(pool.apply_async(row_params, (dialect, rows)))
                # One batch more than workers: while this process writes a finished batch, every worker
                # still has one to tokenise.
                if len(in_flight) > jobs:
                    writer.add(in_flight.popleft().get())
            while in_flight:
                writer.add(in_flight.popleft().get())
    writer.flush()
    if finish:
        with db.engine.begin() as connection:
            connection.exec_driver_sql(finish)
            if kind in schema.SCOPED:
                connection.execute(sa.schema.AddConstraint(_TERMS_RECORD))
            # Fresh statistics, or the planner guesses the table's size and may walk a department's
            # submissions one by one instead of asking the GIN index.
            connection.exec_driver_sql(f"ANALYZE {schema.table_name(kind)}")
            if kind in schema.SCOPED:
                connection.exec_driver_sql(f"ANALYZE {schema.similar_terms.name}")
    if db.engine.dialect.name == "sqlite":
        with db.engine.begin() as connection:  # merge the b-tree segments written batch by batch
            connection.exec_driver_sql(f"INSERT INTO {schema.table_name(kind)}({schema.table_name(kind)}) "
                                       "VALUES ('optimize')")
    return writer.done


@click.command("reindex")
@click.option("--only", type=click.Choice(schema.KINDS), help="Rebuild one index only.")
@click.option("--batch", default=BATCH, show_default=True, help="Records per transaction.")
@click.option("--jobs", default=os.cpu_count() or 1, show_default=True,
              help="Processes that tokenise the text (1: all in this process).")
@with_appcontext
def reindex_command(only, batch, jobs):
    """Rebuild the full-text search index of submissions, drafts and mailbox FAQ entries."""
    for kind in [only] if only else schema.KINDS:
        started = time.perf_counter()
        count = reindex(kind, batch=max(1, batch), jobs=max(1, jobs))
        click.echo(f"{kind}: {count} indexed in {time.perf_counter() - started:.1f} s")
