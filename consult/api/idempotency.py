"""``Idempotency-Key`` for the API's POSTs: a retried request returns the first answer, never a second record.

The key is claimed (a row with a unique key) before the view runs, in the request's own transaction:
a concurrent twin waits on the unique index and then finds the finished answer; a failed request rolls
its claim back, so the client may retry with the same key. The same key with a different method, path,
body or token owner is refused (422). Without a key, each request gets a fresh one-time form token.

The services' own double-submit guard (``form_token`` with a unique constraint) gets a token derived from
the key, so even a request that slipped past the claim could not create a second letter or comment.
"""

import hashlib
import json
import re
import secrets
from datetime import datetime, timedelta
from functools import wraps

import sqlalchemy as sa
from flask import Response, g, make_response, request
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from consult.api.errors import ApiError
from consult.api.models import IdempotencyRecord
from consult.extensions import db

HEADER = "Idempotency-Key"
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
KEEP_KEYS = timedelta(hours=24)  # how long a key replays its first answer (docs/api.md)


def form_token() -> str:
    """The one-time token for the service's double-submit guard (derived from the key when there is one)."""
    return g.get("api_form_token") or secrets.token_urlsafe(24)


def _request_hash() -> str:
    digest = hashlib.sha256()
    user = g.get("api_user")  # officer endpoints: a key is only ever replayed to the same token owner
    digest.update(f"{request.method} {request.path} {user.id if user else ''}\n".encode())
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


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
        if not _KEY.match(key):
            raise ApiError(400, errors={HEADER: [_("1 to 255 visible ASCII characters, e.g. a UUID.")]})
        claim = _claim(key, _request_hash())
        if isinstance(claim, Response):
            return claim
        g.api_form_token = "api-" + hashlib.sha256(f"idempotency:{key}".encode()).hexdigest()[:40]
        response = make_response(view(*args, **kwargs))
        if response.status_code < 400:
            claim.status_code = response.status_code
            claim.response_body = json.dumps(response.get_json(), ensure_ascii=False)
            claim.location = response.headers.get("Location", "")[:500]
            db.session.flush()
        return response

    return wrapped


def purge_idempotency_keys(now: datetime) -> int:
    """Forget keys older than :data:`KEEP_KEYS` (run daily by ``remind``); returns how many went."""
    result = db.session.execute(sa.delete(IdempotencyRecord).where(IdempotencyRecord.created_at < now - KEEP_KEYS))
    return result.rowcount
