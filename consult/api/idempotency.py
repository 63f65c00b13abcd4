"""``Idempotency-Key`` for the API's POSTs: a retried request returns the first answer, never a second record.

A key belongs to its caller: with a bearer token, to the token's owner (the same key from someone else is
someone else's key); anonymous keys share one space. Only a hash of owner and key is stored. The key is
claimed (a row with that unique hash) before the view runs, in the request's own transaction: a
concurrent twin waits on the unique index and then finds the finished answer; a failed request rolls its
claim back, so the client may retry with the same key. The same key with a different method, path or
body is refused (422). Without a key, each request gets a fresh one-time form token.

The answer is remembered without its one-time secrets (:data:`SECRETS`: the query code of a new
submission, a registration's own link): they exist only in the first answer and the receipt mail, so a
replay — to the client retrying, or to anyone who copied its key and body — never shows them.

The services' own double-submit guard (``submissions.form_token`` with a unique constraint, through
:func:`consult.tracking.intake.receive_once`) gets a token derived from the scoped key, so even a request
that slipped past the claim could not create a second letter or comment.
"""

import hashlib
import json
import re
import secrets
from datetime import datetime, timedelta
from functools import wraps
from typing import Annotated

import sqlalchemy as sa
from flask import Response, g, make_response, request
from flask_babel import gettext as _
from pydantic import StringConstraints
from sqlalchemy.exc import IntegrityError

from consult.database import take_write_lock
from consult.api.errors import ApiError
from consult.api.models import IdempotencyRecord
from consult.extensions import db

HEADER = "Idempotency-Key"
SECRETS = ("query_code", "manage_url")  # members of an answer that are shown once, never replayed
KEY_PATTERN = "^[\\x21-\\x7e]{1,255}$"  # visible ASCII, e.g. a UUID
_KEY = re.compile(KEY_PATTERN)
IdempotencyKey = Annotated[str, StringConstraints(pattern=KEY_PATTERN)]
KEEP_KEYS = timedelta(hours=24)  # how long a key replays its first answer (docs/api.md)


def form_token() -> str:
    """The one-time token for the service's double-submit guard (derived from the key when there is one)."""
    return g.get("api_form_token") or secrets.token_urlsafe(24)


def _scoped(key: str) -> str:
    """The key as its owner's: a hash of the token owner (none for anonymous callers) and the key."""
    user = g.get("api_user")
    return hashlib.sha256(f"{user.id if user else 'anonymous'}\n{key}".encode()).hexdigest()


def _request_hash() -> str:
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _remembered(response: Response) -> tuple[str, str]:
    """The answer's body and Location as a replay may show them: without the one-time secrets."""
    body = response.get_json()  # the idempotent views answer JSON objects
    shown = {body[name] for name in SECRETS if body.get(name)}
    body.update({name: None for name in SECRETS if name in body})
    location = response.headers.get("Location", "")
    return json.dumps(body, ensure_ascii=False), "" if location in shown else location[:500]


def _replay(record: IdempotencyRecord) -> Response:
    response = Response(record.response_body, status=record.status_code, mimetype="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    if record.location:
        response.headers["Location"] = record.location
    return response


def _find(key: str) -> IdempotencyRecord | None:
    return db.session.scalar(sa.select(IdempotencyRecord).where(IdempotencyRecord.key == key))


def _claim(key: str, request_hash: str) -> IdempotencyRecord | Response:
    """Our new claim on ``key``, or the answer to give instead (a replay, or a problem)."""
    existing = _find(key)
    if existing is None:
        record = IdempotencyRecord(key=key, request_hash=request_hash)
        try:
            with db.session.begin_nested():
                db.session.add(record)
        except IntegrityError:  # a twin request claimed it first and has now finished
            existing = _find(key)
            if existing is None:
                raise
        else:
            return record
    if existing.request_hash != request_hash:
        raise ApiError(422, _("This Idempotency-Key was already used for a different request."),
                       errors={HEADER: [_("Use a new key for a new request.")]})
    if existing.status_code is None:
        raise ApiError(409, _("A request with this Idempotency-Key is still being processed."))
    return _replay(existing)


def idempotent(view):
    """Honour ``Idempotency-Key`` on a POST view that answers JSON."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        g.api_form_token = None
        key = request.headers.get(HEADER)
        if key is None:
            return view(*args, **kwargs)
        take_write_lock(db.session)  # the key is claimed before the view: the write lock is taken now
        if not _KEY.fullmatch(key):
            raise ApiError(400, errors={HEADER: [_("1 to 255 visible ASCII characters, e.g. a UUID.")]})
        scoped = _scoped(key)
        claim = _claim(scoped, _request_hash())
        if isinstance(claim, Response):
            return claim
        g.api_form_token = "api-" + hashlib.sha256(f"idempotency:{scoped}".encode()).hexdigest()[:40]
        response = make_response(view(*args, **kwargs))
        if response.status_code < 400:
            claim.status_code = response.status_code
            claim.response_body, claim.location = _remembered(response)
            db.session.flush()
        return response

    return wrapped


def purge_idempotency_keys(now: datetime) -> int:
    """Forget keys older than :data:`KEEP_KEYS` (run daily by ``remind``); returns how many went."""
    result = db.session.execute(sa.delete(IdempotencyRecord).where(IdempotencyRecord.created_at < now - KEEP_KEYS))
    return result.rowcount
