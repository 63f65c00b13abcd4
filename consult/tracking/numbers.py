"""Tracking numbers (readable, unique under concurrency) and query codes (random, stored hashed)."""

import hashlib
import hmac
import secrets
from datetime import date

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from consult.extensions import db
from consult.tracking.models import TrackingCounter

# No 0/O, 1/I/L: easy to read aloud and to type from a printed receipt.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12  # 31**12 ≈ 2**59
CODE_GROUP = 4


def next_sequence(prefix: str, day: date) -> int:
    """Atomically take the next number of ``prefix`` on ``day``, starting at 1.

    ``INSERT … ON CONFLICT DO NOTHING`` creates the day's counter, then ``UPDATE … RETURNING`` increments
    it: the row lock (PostgreSQL) or the write lock (SQLite) serialises concurrent callers, so no two
    transactions ever get the same value.
    """
    table = TrackingCounter.__table__
    dialect_insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    db.session.execute(
        dialect_insert(table).values(prefix=prefix, day=day, last_value=0).on_conflict_do_nothing()
    )
    return db.session.execute(
        sa.update(table)
        .where(table.c.prefix == prefix, table.c.day == day)
        .values(last_value=table.c.last_value + 1)
        .returning(table.c.last_value)
    ).scalar_one()


def new_tracking_no(prefix: str, day: date) -> str:
    """A fresh tracking number such as ``L-20261122-00042``."""
    return f"{prefix}-{day:%Y%m%d}-{next_sequence(prefix, day):05d}"


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
