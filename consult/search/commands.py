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
from consult.search.documents import Fields, RowParams, indexed_for, row_params, write_params, write_terms
from consult.tokens.loader import segmenter

BATCH = 2000


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
    if kind in schema.SCOPED:
        connection.execute(schema.similar_terms.delete())
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


def _write(kind: str, made: RowParams) -> int:
    """Write a batch of fresh index rows and their similar terms (the tables were emptied by
    :func:`_recreate`): ``COPY`` on PostgreSQL (``insert_rows``), several times faster than an upsert row by
    row; one ``executemany`` on SQLite."""
    with db.engine.begin() as connection:
        write_terms(connection, made.terms)
        if connection.dialect.name != "postgresql":
            return write_params(connection, kind, made.rows)
        table = sa.table(schema.table_name(kind), sa.column("record_id"), sa.column("document"))
        return insert_rows(connection, table, [{"record_id": row["id"], "document": row["document"]}
                                               for row in made.rows])


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
    done = 0
    if jobs <= 1:
        for rows in _batches(table, columns, indexed, batch):
            done += _write(kind, row_params(dialect, rows))
            if progress:
                progress(done)
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
                    done += _write(kind, in_flight.popleft().get())
                    if progress:
                        progress(done)
            while in_flight:
                done += _write(kind, in_flight.popleft().get())
                if progress:
                    progress(done)
    if finish:
        with db.engine.begin() as connection:
            connection.exec_driver_sql(finish)
            # Fresh statistics, or the planner guesses the table's size and may walk a department's
            # submissions one by one instead of asking the GIN index.
            connection.exec_driver_sql(f"ANALYZE {schema.table_name(kind)}")
            if kind in schema.SCOPED:
                connection.exec_driver_sql(f"ANALYZE {schema.similar_terms.name}")
    if db.engine.dialect.name == "sqlite":
        with db.engine.begin() as connection:  # merge the b-tree segments written batch by batch
            connection.exec_driver_sql(f"INSERT INTO {schema.table_name(kind)}({schema.table_name(kind)}) "
                                       "VALUES ('optimize')")
    return done


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
