"""Rows a worker keeps so the busiest writes need no read: the draft a comment is on, the mailbox a letter
goes to.

On PostgreSQL every read is a round trip, and the comment and letter API read one row before their one
statement that writes. :class:`KeptRows` keeps the columns of such a row that the intake reads, in each worker,
for ``CONSULT_KEPT_ROWS_SECONDS``, and gives the request an ORM object made of them without a query
(``consult.database.as_loaded``). The write then goes only while the row still holds those columns
(:meth:`KeptRows.unchanged`, a condition of ``insert_with_dependents``): if another worker changed the row, the
write writes nothing, and the intake reads the row again (:meth:`KeptRows.read_again`) and checks again. A
refusal is never said from kept columns: a row is kept only while it would accept (a draft open, a mailbox
active), and a check that refuses an object made of kept columns is run again on the row read now
(:meth:`KeptRows.checked`). A change made through this worker's ORM forgets the row at once. The columns of the
related row (a department's name) are not checked by the write: they may be as old as the time kept.

SQLite keeps them too: a read there costs no round trip, but it costs the request a transaction of its own
before the write lock is taken (``consult.database.take_write_lock``). Its write is several statements, so the
condition is checked first, by one ``SELECT`` under the write lock (``consult.database.holds``): no other writer
can change the row between that check and the commit.
"""

from collections.abc import Callable
from copy import copy
from dataclasses import dataclass
from typing import TypeVar

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.dialects import postgresql

from consult.cache import worker_cache
from consult.database import Changed, Condition, as_loaded
from consult.domain import DomainError
from consult.extensions import db

T = TypeVar("T")
ATTEMPTS = 5  # writes tried while other workers keep changing the row: more means a row that never compares equal


@dataclass(frozen=True)
class Related:
    """A many-to-one relationship of the kept rows, and the columns of its row kept with them."""

    name: str
    model: type
    columns: tuple[str, ...]


class KeptRows:
    """Columns ``names`` of rows of ``model`` (its primary key first), and a ``related`` row's, kept by each
    worker; built once per model (its statements are built once)."""

    def __init__(self, model: type, names: tuple[str, ...], related: Related, *, keep_if: Callable[[object], bool]):
        self.model, self.names, self.related, self.keep_if = model, names, related, keep_if
        self.cache_name = f"kept-{model.__tablename__}"
        self._read = (
            sa.select(*(getattr(model, name) for name in names),
                      *(getattr(related.model, name) for name in related.columns))
            .join_from(model, related.model, getattr(model, related.name))
            .where(getattr(model, names[0]) == sa.bindparam("kept_id"))
        )
        self._unchanged = {dialect: sa.exists().where(*(_same(getattr(model, name), f"k_{name}", dialect)
                                                        for name in names))
                           for dialect in ("postgresql", "sqlite")}
        for event in ("after_update", "after_delete"):
            sa.event.listen(model, event, self._forget_changed)

    def get(self, ident: int):
        """The object ``ident`` with the kept columns (the others load when read), or None if there is none."""
        kept = self._cache().get(ident)
        if kept is not None and self.keep_if(obj := self._as_loaded(kept)):
            sa.inspect(obj).info[_KEPT] = True
            return obj
        row = db.session.execute(self._read, {"kept_id": ident}).first()
        if row is None:
            return None
        obj = self._as_loaded(tuple(row), read_now=True)  # over the kept columns, if they were just tried
        if self.keep_if(obj):
            self._cache().put(ident, tuple(row))
        elif kept is not None:  # no longer accepting: read every time from now on
            self._cache().pop(ident)
        return obj

    def checked(self, obj, check: Callable[[], T], refusals: tuple[type[Exception], ...] = (DomainError,)) -> T:
        """``check()``, which raises one of ``refusals`` to refuse; if it refuses ``obj`` made of kept columns,
        ``obj`` is read again and ``check()`` runs again."""
        try:
            return check()
        except refusals:
            if not sa.inspect(obj).info.pop(_KEPT, False):
                raise
        self.read_again(obj)
        return check()

    def written(self, obj, write: Callable[[Condition], T], check_again: Callable[[], T | None]) -> T:
        """``write(condition)``, the kind's write, which goes only while ``obj``'s row holds the columns it was
        checked with (raising :class:`consult.database.Changed` if not). If another worker changed the row,
        ``obj`` is read again and ``check_again()`` refuses, answers (a receipt of its own), or returns None to
        try the write again."""
        for _ in range(ATTEMPTS):
            try:
                return write(self.unchanged(obj))
            except Changed:
                self.read_again(obj)
                if (answer := check_again()) is not None:
                    return answer
        raise RuntimeError(f"{self.model.__name__} {getattr(obj, self.names[0])} changed at every one of "
                           f"{ATTEMPTS} writes")

    def read_if_kept(self, obj) -> None:
        """Read ``obj``'s row now if ``obj`` is made of kept columns: for a write that cannot take the condition
        (a letter whose files are saved before it), which is then checked against the row as it is."""
        if sa.inspect(obj).info.pop(_KEPT, False):
            db.session.refresh(obj)

    def unchanged(self, obj) -> Condition:
        """The condition that ``obj``'s row still holds the kept columns as ``obj`` has them."""
        return Condition(self._unchanged[db.session.get_bind().dialect.name],
                         {f"k_{name}": getattr(obj, name) for name in self.names})

    def read_again(self, obj) -> None:
        """``obj``'s row changed since it was read (the write found it so): forget it and read it now."""
        self._cache().pop(getattr(obj, self.names[0]))
        sa.inspect(obj).info.pop(_KEPT, None)
        db.session.refresh(obj)

    def _as_loaded(self, row: tuple, read_now: bool = False):
        # A JSON list or dict is copied: the kept row is shared by every request of the worker.
        values = {name: copy(value) if isinstance(value, (list, dict)) else value
                  for name, value in zip(self.names, row)}
        related = as_loaded(db.session, self.related.model, dict(zip(self.related.columns, row[len(self.names):])),
                            read_now=read_now)
        return as_loaded(db.session, self.model, values, read_now=read_now, **{self.related.name: related})

    def _forget_changed(self, _mapper, _connection, obj) -> None:
        if has_app_context():
            self._cache().pop(getattr(obj, self.names[0]))

    def _cache(self):
        return worker_cache(self.cache_name, current_app.config["CONSULT_KEPT_ROWS_SECONDS"])


_KEPT = "consult_kept"  # in an object's InstanceState.info: made of kept columns


def _same(column: sa.ColumnElement, name: str, dialect: str) -> sa.ColumnElement[bool]:
    """``column`` holds the parameter ``name`` (NULL as NULL). JSON is compared as ``jsonb`` on PostgreSQL, which
    has equality, and as SQLite's minified text (the parameter is serialised as the column's values are)."""
    parameter = sa.bindparam(name, type_=column.type)
    if not isinstance(column.type, sa.JSON):
        return column.is_not_distinct_from(parameter)
    if dialect == "postgresql":
        return sa.cast(column, postgresql.JSONB).is_not_distinct_from(sa.cast(parameter, postgresql.JSONB))
    return sa.func.json(column).is_not_distinct_from(sa.func.json(parameter))
