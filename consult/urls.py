"""URL helpers: safe redirects, and ids from the path or the query string kept within what the database holds.

Every ``<int:…>`` in a route uses :class:`IdConverter`, so an id no 32-bit ``INTEGER`` column can hold
(``/drafts/99999999999999999999``) never reaches a query: the route does not match and the answer is 404,
on SQLite and PostgreSQL alike, for pages and the API. Pages read ids and numbers from the query string
with :func:`int_arg` for the same reason.
"""

import builtins
import re
from urllib.parse import urlsplit

from flask import abort, request, url_for
from werkzeug.routing import IntegerConverter, Map

MAX_ID = 2**31 - 1  # the largest value of a 32-bit INTEGER column (PostgreSQL refuses bigger ones)
_WHOLE_NUMBER = re.compile(r"-?[0-9]+")


class IdConverter(IntegerConverter):
    """``<int:…>`` that matches only ASCII digits up to ``MAX_ID`` (or a smaller ``max``).

    The limit is in the pattern itself, so a bigger number matches no route at all: 404 whatever the method
    (a limit checked only after matching would answer 405 where another method of the path exists).
    """

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None, max: int | None = None,
                 signed: bool = False) -> None:
        max = MAX_ID if max is None else builtins.min(max, MAX_ID)
        super().__init__(map, fixed_digits, min, max, signed)
        self.regex = ("-?" if signed else "") + digits_up_to(max)


def digits_up_to(limit: int) -> str:
    """A regular expression for the digit strings (leading zeros allowed) whose value is at most ``limit``."""
    text = str(limit)
    options = [f"[0-9]{{1,{len(text) - 1}}}"] if len(text) > 1 else []
    for i, digit in enumerate(text):
        if digit != "0":
            rest = len(text) - i - 1
            options.append(text[:i] + f"[0-{int(digit) - 1}]" + (f"[0-9]{{{rest}}}" if rest else ""))
    options.append(text)
    return "(?:" + "|".join(options) + ")"


def int_arg(name: str, *, minimum: int = 0, maximum: int = MAX_ID, args=None) -> int | None:
    """The whole number in the query parameter ``name``; None when it is missing or not a number.

    A number outside ``minimum``…``maximum`` (by default anything a 32-bit id column cannot hold) answers
    404, exactly like a path id that names nothing. ``args`` defaults to this request's query string.
    """
    return _bounded((request.args if args is None else args).get(name), minimum, maximum)


def int_args(name: str, *, minimum: int = 0, maximum: int = MAX_ID) -> list[int]:
    """Every whole number given for the repeated query parameter ``name`` (others skipped); 404 as :func:`int_arg`."""
    values = (_bounded(raw, minimum, maximum) for raw in request.args.getlist(name))
    return [value for value in values if value is not None]


def _bounded(raw: str | None, minimum: int, maximum: int) -> int | None:
    raw = (raw or "").strip()
    if not _WHOLE_NUMBER.fullmatch(raw):
        return None
    if len(raw) > 20 or not minimum <= int(raw) <= maximum:
        abort(404)
    return int(raw)


def safe_next_url(target: str | None, default_endpoint: str = "main.index") -> str:
    """Return ``target`` if it is a path on this site, else the default page (no open redirects)."""
    if target:
        parts = urlsplit(target.strip())
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
            and "\\" not in target
        ):
            return target
    return url_for(default_endpoint)
