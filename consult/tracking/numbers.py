"""Tracking numbers (readable, unique under concurrency) and query codes (random, stored hashed)."""

import hashlib
import hmac
import secrets
import threading
from collections import deque
from datetime import date

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from consult.database import execute_built
from consult.extensions import db
from consult.tracking.models import TrackingCounter

# No 0/O, 1/I/L: easy to read aloud and to type from a printed receipt.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12  # 31**12 ≈ 2**59
CODE_GROUP = 4


# PostgreSQL: one sequence hands out the numbers of every prefix. ``nextval`` locks no row and is never rolled
# back, so writers never queue on it; a number taken by a transaction that then fails is simply not used
# (gaps are expected; docs/scaling.md). Each prefix and day keeps the sequence value its day starts after.
# Each process takes the values BLOCK at a time and hands them out in order: one round trip per BLOCK
# submissions instead of one each. Numbers from two processes interleave (a later submission may have a smaller
# number than one received a moment earlier by another process), and the values a process still held when it
# stopped, or that fell before a new day's start, are never used.
TRACKING_SEQUENCE = sa.Sequence("tracking_numbers_seq", metadata=db.metadata)
BLOCK = 20


def next_sequence(prefix: str, day: date) -> int:
    """The next number of ``prefix`` on ``day``, unique under concurrency.

    SQLite has one writer at a time, so the day's counter row is incremented inside the write transaction
    (one ``INSERT … ON CONFLICT DO UPDATE … RETURNING``): numbers without gaps. PostgreSQL takes the next
    value of one sequence this process holds (:func:`_held_value`) minus the value the day started after
    (:func:`_day_base`): no row is locked, so concurrent writers never wait for each other.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        base = _day_base(prefix, day)  # first: every value taken after it is greater
        return _held_value(above=base) - base
    return execute_built(db.session.connection(), _SQLITE_NEXT, {"prefix": prefix, "day": day}).scalar_one()


def _held_value(above: int) -> int:
    """PostgreSQL: the smallest value of the sequence this process holds that is greater than ``above``; the
    smaller ones it passes are dropped. When none is left, the next :data:`BLOCK` values are taken."""
    held = current_app.extensions.get("tracking_values") or current_app.extensions.setdefault(
        "tracking_values", _HeldValues())  # made once per app, not on every call
    with held.lock:
        while True:
            while held.values and held.values[0] <= above:
                held.values.popleft()
            if held.values:
                return held.values.popleft()
            held.values.extend(sorted(db.session.scalars(_TAKE_BLOCK, {"block": BLOCK})))


class _HeldValues:
    def __init__(self) -> None:
        self.values: deque[int] = deque()
        self.lock = threading.Lock()


_TAKE_BLOCK = sa.select(TRACKING_SEQUENCE.next_value()).select_from(
    sa.func.generate_series(1, sa.bindparam("block")).table_valued("n"))


# Built once: building and keying a statement costs several times more than running it (0.35 → 0.06 ms).
_counters = TrackingCounter.__table__
_SQLITE_NEXT = (
    sqlite.insert(_counters).values(prefix=sa.bindparam("prefix"), day=sa.bindparam("day"), last_value=1)
    .on_conflict_do_update(index_elements=[_counters.c.prefix, _counters.c.day],
                           set_={"last_value": _counters.c.last_value + 1})
    .returning(_counters.c.last_value)
)


def _day_base(prefix: str, day: date) -> int:
    """PostgreSQL: the sequence value ``prefix``'s numbers on ``day`` count from, fixed by the first writer of
    the day (in its own committed statement, so no request holds it) and then kept in this process."""
    bases = current_app.extensions.setdefault("tracking_day_bases", {})
    key = (prefix, day)
    if key not in bases:
        table = TrackingCounter.__table__
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(
                postgresql.insert(table)
                .values(prefix=prefix, day=day, last_value=TRACKING_SEQUENCE.next_value())
                .on_conflict_do_nothing()
            )
            bases[key] = connection.execute(
                sa.select(table.c.last_value).where(table.c.prefix == prefix, table.c.day == day)
            ).scalar_one()
        if len(bases) > 64:  # yesterday's bases are never needed again
            for old in sorted(bases, key=lambda k: k[1])[: len(bases) - 64]:
                bases.pop(old)
    return bases[key]


def new_tracking_no(prefix: str, day: date) -> str:
    """A fresh tracking number such as ``L-20261122-00042``."""
    return f"{prefix}-{day:%Y%m%d}-{next_sequence(prefix, day):05d}"


def give_back_tracking_no(tracking_no: str) -> None:
    """SQLite: give back the number :func:`new_tracking_no` just took for a submission that was not written
    (the write lock is still held, so it is still the day's last). PostgreSQL leaves the gap (see above)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return
    prefix, day, number = tracking_no.rsplit("-", 2)
    db.session.execute(_SQLITE_GIVE_BACK, {"b_prefix": prefix, "b_number": int(number),
                                           "b_day": date(int(day[:4]), int(day[4:6]), int(day[6:]))})


_SQLITE_GIVE_BACK = (
    sa.update(_counters)
    .where(_counters.c.prefix == sa.bindparam("b_prefix"), _counters.c.day == sa.bindparam("b_day"),
           _counters.c.last_value == sa.bindparam("b_number"))
    .values(last_value=_counters.c.last_value - 1)
)


def normalise_tracking_no(value: str) -> str:
    return "".join(value.split()).upper()


def new_query_code() -> str:
    """A random query code (ungrouped)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def format_query_code(code: str) -> str:
    """``ABCDEFGHJKMN`` → ``ABCD-EFGH-JKMN`` for display."""
    code = normalise_query_code(code)
    return "-".join(code[i : i + CODE_GROUP] for i in range(0, len(code), CODE_GROUP))


def normalise_query_code(value: str) -> str:
    """What the citizen typed, without spaces and dashes, upper-case."""
    return "".join(ch for ch in value.upper() if ch not in " -\t\r\n")


def hash_query_code(code: str, salt: str) -> str:
    """Salted SHA-256 of a (normalised) query code, hex."""
    return hashlib.sha256(f"{salt}:{normalise_query_code(code)}".encode()).hexdigest()


def new_code_hash(code: str) -> tuple[str, str]:
    """A fresh salt and the hash of ``code`` under it."""
    salt = secrets.token_hex(16)
    return salt, hash_query_code(code, salt)


def query_code_matches(code: str, salt: str, expected_hash: str) -> bool:
    """Constant-time comparison of a typed code against the stored hash."""
    return hmac.compare_digest(hash_query_code(code, salt), expected_hash)
