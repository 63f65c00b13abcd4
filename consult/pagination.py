"""Keyset (cursor) pagination for any ``select()``: pages stay fast however deep the reader goes.

The cursor is an opaque URL-safe string holding the sort key of the last row of a page. Order columns
must be NOT NULL and end with a unique column (usually the primary key) so the order is total::

    page = paginate(db.session, sa.select(Submission).where(...), [Submission.due_on, Submission.id],
                    request.args.get("cursor"), per_page=50)
    page.items, page.next_cursor  # next_cursor is None on the last page

Descending columns are given as ``Column.desc()``.
"""

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression

T = TypeVar("T")
MAX_PER_PAGE = 200


class InvalidCursor(ValueError):
    """The cursor was not made by :func:`paginate` (tampered or truncated); answer 400."""


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of results and the cursor of the next page (None when this is the last)."""

    items: list[T]
    next_cursor: str | None


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"n": str(value)}
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        (tag, text), = value.items()
        decoders = {"t": datetime.fromisoformat, "d": date.fromisoformat, "n": Decimal}
        if tag in decoders and isinstance(text, str):
            return decoders[tag](text)
    if isinstance(value, (dict, list)):
        raise InvalidCursor("unexpected value in cursor")
    return value


def encode_cursor(values: Sequence[Any]) -> str:
    """An opaque, URL-safe cursor for a sort key."""
    raw = json.dumps([_encode_value(v) for v in values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_cursor(cursor: str, size: int) -> list[Any]:
    """The sort key held by ``cursor``; raises InvalidCursor unless it has ``size`` values."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = [_decode_value(v) for v in json.loads(raw)]
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError) as error:
        raise InvalidCursor(str(error)) from error
    if len(values) != size:
        raise InvalidCursor("cursor does not match the sort order")
    return values


def _check_fits(column: sa.ColumnElement, value: Any) -> None:
    """Refuse a cursor value the sort column could not hold (a number too big for it, text for a date, …):
    the database would fail on it (SQLite: integer overflow; PostgreSQL: out of range)."""
    kind = column.type
    if isinstance(kind, sa.Integer):
        limit = 2**63 if isinstance(kind, sa.BigInteger) else 2**31
        if not isinstance(value, int) or isinstance(value, bool) or not -limit <= value < limit:
            raise InvalidCursor("cursor value does not fit its column")
        return
    try:
        expected = kind.python_type
    except NotImplementedError:
        return
    if expected is float:
        expected = (int, float)
    if not isinstance(value, expected) or isinstance(value, bool) != (expected is bool) or (
            expected is date and isinstance(value, datetime)):
        raise InvalidCursor("cursor value does not fit its column")


def _column_and_direction(order: sa.ColumnElement) -> tuple[sa.ColumnElement, bool]:
    """Split ``col`` / ``col.desc()`` into the column and whether it sorts descending."""
    if isinstance(order, UnaryExpression) and order.modifier in (operators.desc_op, operators.asc_op):
        return order.element, order.modifier is operators.desc_op
    return order, False


def _after(columns: list[sa.ColumnElement], descending: list[bool], values: list[Any]) -> sa.ColumnElement[bool]:
    """Rows strictly after ``values`` in the given order (a row-value comparison when directions agree)."""
    if len(set(descending)) == 1:
        left, right = sa.tuple_(*columns), sa.tuple_(*values)
        return left < right if descending[0] else left > right
    clauses = []
    for i, (column, desc) in enumerate(zip(columns, descending)):
        equal_before = [columns[j] == values[j] for j in range(i)]
        clauses.append(sa.and_(*equal_before, column < values[i] if desc else column > values[i]))
    return sa.or_(*clauses)


def paginate(session, stmt: sa.Select, order_by: Sequence[sa.ColumnElement], cursor: str | None,
             per_page: int = 50) -> Page:
    """Run ``stmt`` ordered by ``order_by`` from just after ``cursor``; at most ``per_page`` items.

    Items are what ``stmt`` selects: the entity for ``select(Model)``; for several columns, the Row (which
    also carries the sort key as ``_page_key_0``, ``_page_key_1``, …).
    """
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    pairs = [_column_and_direction(order) for order in order_by]
    columns, descending = [c for c, _ in pairs], [d for _, d in pairs]
    width = len(stmt.column_descriptions)  # entities or columns the caller selected
    if cursor:
        values = decode_cursor(cursor, len(columns))
        for column, value in zip(columns, values):
            _check_fits(column, value)
        stmt = stmt.where(_after(columns, descending, values))
    keys = [column.label(f"_page_key_{i}") for i, column in enumerate(columns)]
    stmt = stmt.add_columns(*keys).order_by(*order_by).limit(per_page + 1)
    rows = session.execute(stmt).all()
    more, rows = len(rows) > per_page, rows[:per_page]
    items = [row[0] if width == 1 else row for row in rows]
    next_cursor = encode_cursor(list(rows[-1][width:])) if more and rows else None
    return Page(items, next_cursor)


def page_or_400(function, *args, **kwargs):
    """``function(*args, **kwargs)``, a page query; a page link with a broken cursor answers 400."""
    from flask import abort

    try:
        return function(*args, **kwargs)
    except InvalidCursor:
        abort(400)
