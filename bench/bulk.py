"""Bulk rows cloned from the template rows: ``executemany`` on SQLite, ``COPY`` on PostgreSQL.

Rows are read and written through the raw DB-API connection, so a cloned row keeps the template's stored
form of every column (SQLite's datetime strings, PostgreSQL's typed values) except the ones we vary.
"""

import hashlib
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta

BATCH = 20_000


class Writer:
    """A raw connection plus the two dialect differences that matter here: parameters and bulk load."""

    def __init__(self, engine):
        self.engine = engine
        self.pg = engine.dialect.name == "postgresql"
        self.raw = engine.raw_connection()
        self.dbapi = self.raw.driver_connection
        if not self.pg:
            self.dbapi.execute("PRAGMA synchronous=OFF")
            self.dbapi.execute("PRAGMA cache_size=-200000")
            self.dbapi.execute("BEGIN")

    # -- reading -------------------------------------------------------------------------------------
    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        cur = self.dbapi.cursor()
        cur.execute(sql if not self.pg else sql.replace("?", "%s"), params)
        result = cur.fetchall()
        cur.close()
        return result

    def scalar(self, sql: str, params: tuple = ()):
        found = self.rows(sql, params)
        return found[0][0] if found else None

    def template(self, table: str, key: str, value) -> dict:
        cur = self.dbapi.cursor()
        cur.execute(f"SELECT * FROM {table} WHERE {key} = {'%s' if self.pg else '?'}", (value,))
        names = [d[0] for d in cur.description]
        row = cur.fetchone()
        cur.close()
        return dict(zip(names, row, strict=True))

    def execute(self, sql: str, params: tuple = ()) -> None:
        cur = self.dbapi.cursor()
        cur.execute(sql if not self.pg else sql.replace("?", "%s"), params)
        cur.close()

    # -- values in stored form ----------------------------------------------------------------------
    def ts(self, moment: datetime):
        """A UTC datetime as the column stores it."""
        if self.pg:
            return moment
        return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")

    def day(self, value: date):
        return value if self.pg else value.isoformat()

    def flag(self, value: bool):
        return value if self.pg else int(value)

    # -- writing ------------------------------------------------------------------------------------
    def insert(self, table: str, columns: list[str], rows: Iterable[tuple]) -> int:
        """Insert ``rows`` (tuples in ``columns`` order) in batches; returns how many."""
        count = 0
        if self.pg:
            cur = self.dbapi.cursor()
            with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            cur.close()
            return count
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        for batch in _batches(rows, BATCH):
            self.dbapi.executemany(sql, batch)
            count += len(batch)
        return count

    def drop_indexes(self, tables: list[str]) -> list:
        """Drop the non-unique indexes of ``tables`` (rebuilt by :meth:`create_indexes` after the load).

        Building an index once over sorted data is far cheaper than updating it row by row.
        """
        import sqlalchemy as sa

        from consult.extensions import db

        dialect = self.engine.dialect.name
        # Not an index the models make only on the other database (``Index.ddl_if``).
        dropped = [index for name in tables for index in db.metadata.tables[name].indexes if not index.unique
                   and getattr(index._ddl_if, "dialect", None) in (None, dialect)]
        for index in dropped:
            self.execute(str(sa.schema.DropIndex(index).compile(dialect=self.engine.dialect)))
        return dropped

    def create_indexes(self, indexes: list) -> None:
        import sqlalchemy as sa

        for index in indexes:
            self.execute(str(sa.schema.CreateIndex(index).compile(dialect=self.engine.dialect)))

    def commit(self) -> None:
        self.dbapi.commit() if self.pg else self.dbapi.execute("COMMIT")
        if not self.pg:
            self.dbapi.execute("BEGIN")

    def finish(self, tables: list[str]) -> None:
        """Commit, move PostgreSQL's id sequences past the explicit ids, refresh planner statistics."""
        if self.pg:
            for table in tables:
                self.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                             f"(SELECT COALESCE(MAX(id), 1) FROM {table}))")
            self.dbapi.commit()
            self.dbapi.autocommit = True
            self.execute("ANALYZE")
            self.dbapi.autocommit = False
        else:
            self.dbapi.execute("COMMIT")
            self.dbapi.execute("ANALYZE")
            self.dbapi.execute("PRAGMA synchronous=NORMAL")
            self.dbapi.execute("BEGIN")
            self.dbapi.execute("COMMIT")
        self.raw.close()


def _batches(rows: Iterable[tuple], size: int) -> Iterator[list[tuple]]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class Cloner:
    """Build tuples from a template row, replacing only the named columns."""

    def __init__(self, template: dict, varying: list[str]):
        self.columns = list(template)
        self.base = [template[c] for c in self.columns]
        self.positions = [self.columns.index(c) for c in varying]

    def row(self, *values) -> tuple:
        row = self.base.copy()
        for position, value in zip(self.positions, values, strict=True):
            row[position] = value
        return tuple(row)


class TrackingNumbers:
    """Tracking numbers ``P-YYYYMMDD-NNNNN`` continuing the per-day counters, written back at the end."""

    LOCAL = timedelta(hours=8)  # Asia/Shanghai has no daylight saving time

    def __init__(self, writer: Writer, prefix: str):
        self.writer, self.prefix = writer, prefix
        if writer.pg:  # the counter rows hold each day's base in the sequence, not a count: read the numbers
            found = writer.rows(
                "SELECT split_part(tracking_no, '-', 2), MAX(CAST(split_part(tracking_no, '-', 3) AS integer)) "
                "FROM submissions WHERE tracking_no LIKE ? GROUP BY 1", (f"{prefix}-%",))
            self.last = {datetime.strptime(d, "%Y%m%d").date(): v for d, v in found}
        else:
            self.last = {
                (d if isinstance(d, date) else date.fromisoformat(d)): v
                for d, v in writer.rows("SELECT day, last_value FROM tracking_counters WHERE prefix = ?", (prefix,))
            }
        self.touched: set[date] = set()

    def local_day(self, moment: datetime) -> date:
        return (moment + self.LOCAL).date()

    def next(self, moment: datetime) -> str:
        day = self.local_day(moment)
        value = self.last.get(day, 0) + 1
        self.last[day] = value
        self.touched.add(day)
        return f"{self.prefix}-{day:%Y%m%d}-{value:05d}"

    def save(self) -> None:
        """Write the counters back. On SQLite a row holds the day's last number. On PostgreSQL it holds the
        sequence value the day's numbers count from (``consult.tracking.numbers``): it is set so that the
        application's next number of the day, ``nextval − base``, follows the last one written here."""
        w = self.writer
        for day in sorted(self.touched):
            value = self.last[day]
            if w.pg:
                value = w.scalar("SELECT nextval('tracking_numbers_seq')") - value
            w.execute("DELETE FROM tracking_counters WHERE prefix = ? AND day = ?", (self.prefix, w.day(day)))
            w.execute("INSERT INTO tracking_counters (prefix, day, last_value) VALUES (?, ?, ?)",
                      (self.prefix, w.day(day), value))
        self.touched.clear()


def token(kind: str, n: int) -> str:
    """A unique, deterministic token for unique columns (form tokens, hashes)."""
    return hashlib.sha256(f"{kind}-{n}".encode()).hexdigest()
