"""Public pages that a crowd, and a cache in front (nginx, a CDN), can share.

A view marked with :func:`public_page` answers an anonymous reader with the same bytes as every other
anonymous reader who chose the same language and text size (two preference cookies, see consult.i18n):
no session cookie is set, no per-visitor token is in the page (forms that need one live on pages of their
own). Such an answer carries

* ``Cache-Control: public, max-age=…, s-maxage=…`` (``CONSULT_CACHE_MAX_AGE``, ``CONSULT_CACHE_S_MAXAGE``),
* ``Vary: Cookie`` — the page depends on the preference cookies, and on whether the reader is logged in,
* an ``ETag`` (a hash of the bytes) and ``Last-Modified``, and ``304 Not Modified`` to a conditional request
  whose copy is still current.

Everything else — any page for a logged-in user, a page showing a flashed message, any page that is not
marked public — is ``Cache-Control: private, no-store`` unless its view chose otherwise: a logged-in user
never gets a shared page, and a shared cache never stores one of theirs.

Whole pages are also kept in each worker's memory (:class:`PageCache`, a WSGI layer in front of Flask, on a
``cachetools.TTLCache``). A view that calls :func:`keep_page` lets its anonymous answer be kept, keyed by
the address, the host and the two preference cookies, together with a *stamp*: a cheap query of what
decides the page (a draft's change time, status, comment count, version and the countdown's hour). A
request without session, remember-me or Authorization is then answered from memory, before Flask runs, as
long as the stamp is unchanged — so a new comment, an edit or a status change shows at once — and for at
most ``CONSULT_PAGE_CACHE_SECONDS``, which bounds what the stamp cannot see (a renamed department).
"""

import hashlib
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from threading import Lock

from cachetools import TTLCache
from flask import Response, current_app, request, session
from flask_login import current_user
from werkzeug.http import http_date, parse_cookie, parse_date, parse_etags, unquote_etag

from consult.database import utcnow
from consult.extensions import db
from consult.i18n import LOCALE_COOKIE, TEXT_COOKIE

READING_METHODS = ("GET", "HEAD")
PRIVATE = "private, no-store"
KEEP = "consult.keep_page"
SHORT_LIVED = "consult.short_lived"
MAX_PAGES = 512
# Headers a 304 answer repeats (RFC 9110 15.4.5); the body's own headers are left out.
NOT_MODIFIED_HEADERS = {"cache-control", "etag", "last-modified", "vary", "date", "expires",
                        "content-security-policy", "x-content-type-options", "x-frame-options",
                        "referrer-policy", "permissions-policy", "strict-transport-security"}

Stamp = Callable[..., Hashable]


def public_page(view):
    """Mark ``view`` as a public page: shared by every anonymous reader, cacheable in front of the app."""
    view.public_page = True
    return view


def short_lived(seconds: int) -> None:
    """Let browsers and shared caches keep this public page at most ``seconds`` (a page that changes by the
    minute, such as a live interview's)."""
    request.environ[SHORT_LIVED] = seconds


def _is_public_view() -> bool:
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return bool(getattr(view, "public_page", False))


def shareable() -> bool:
    """Whether this request reads the page every anonymous reader gets (not logged in, no message waiting)."""
    known = request.environ.get("consult.public_reader")
    if known is None:
        known = request.environ["consult.public_reader"] = (
            request.method in READING_METHODS and not current_user.is_authenticated and "_flashes" not in session)
    return known


def keep_page(stamp: Stamp | None = None, *args) -> Hashable | None:
    """Let this page be kept whole for anonymous readers while ``stamp(engine, *args)`` stays the same.

    ``stamp`` is a cheap query of what decides the page (None: the page depends on nothing that changes
    often; it is kept for ``CONSULT_PAGE_CACHE_SECONDS``). It runs now, before the page is rendered, so a
    change made while rendering shows as a changed stamp at the next request. Returns the stamp's value.
    """
    engine = db.engine
    value = None
    if stamp is not None:
        value = stamp(engine, *args)
    if request.method == "GET" and shareable():
        request.environ[KEEP] = (engine, stamp, args, value)
    return value


@dataclass(frozen=True)
class KeptPage:
    """One anonymous answer as it went out, and how to tell whether it still holds."""

    headers: list[tuple[str, str]]
    body: bytes
    etag: str | None
    last_modified: datetime | None
    engine: object
    stamp: Stamp | None
    args: tuple
    value: Hashable

    def current(self) -> bool:
        if self.stamp is None:
            return True
        return self.stamp(self.engine, *self.args) == self.value


class PageCache:
    """WSGI layer in front of Flask: answers anonymous readers with the pages views let it keep."""

    def __init__(self, app, wsgi_app, ttl: float, max_pages: int = MAX_PAGES):
        self.wsgi_app = wsgi_app
        self.session_cookie = app.config.get("SESSION_COOKIE_NAME", "session")
        self.remember_cookie = app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
        self.pages: TTLCache = TTLCache(max_pages, ttl)
        self.lock = Lock()

    def _key(self, environ) -> tuple | None:
        """What decides an anonymous page besides its stamp; None when this request is not an anonymous read."""
        if environ.get("REQUEST_METHOD") not in READING_METHODS or environ.get("HTTP_AUTHORIZATION"):
            return None
        cookies = parse_cookie(environ) if environ.get("HTTP_COOKIE") else {}
        if self.session_cookie in cookies or self.remember_cookie in cookies:
            return None  # logged in, or a visitor with a message or a form token: Flask decides
        return (environ.get("HTTP_HOST"), environ.get("HTTP_X_FORWARDED_HOST"), environ.get("HTTP_X_FORWARDED_PROTO"),
                environ.get("wsgi.url_scheme"), environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""),
                environ.get("QUERY_STRING", ""), cookies.get(LOCALE_COOKIE), cookies.get(TEXT_COOKIE))

    def __call__(self, environ, start_response):
        key = self._key(environ)
        if key is None:
            return self.wsgi_app(environ, start_response)
        with self.lock:
            kept = self.pages.get(key)
        if kept is not None and kept.current():
            return _replay(kept, environ, start_response)
        return self._pass_and_keep(key, environ, start_response)

    def _pass_and_keep(self, key, environ, start_response):
        answer = {}

        def capture(status, headers, exc_info=None):
            answer["status"], answer["headers"] = status, headers
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, capture)
        keep = environ.get(KEEP)
        if keep is None or environ["REQUEST_METHOD"] != "GET" or not answer.get("status", "").startswith("200"):
            return body
        try:
            content = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        headers = answer["headers"]
        named = {name.lower(): value for name, value in headers}
        if "public" in named.get("cache-control", "") and "set-cookie" not in named:
            engine, stamp, args, value = keep
            etag = unquote_etag(named["etag"])[0] if named.get("etag") else None
            page = KeptPage(list(headers), content, etag, parse_date(named.get("last-modified")),
                            engine, stamp, args, value)
            with self.lock:
                self.pages[key] = page
        return [content]


def _replay(kept: KeptPage, environ, start_response):
    """The kept answer, or 304 when the reader's copy is this one."""
    if _not_modified(kept, environ):
        start_response("304 NOT MODIFIED", [(n, v) for n, v in kept.headers if n.lower() in NOT_MODIFIED_HEADERS])
        return [b""]
    start_response("200 OK", kept.headers)
    return [b""] if environ["REQUEST_METHOD"] == "HEAD" else [kept.body]


def _not_modified(kept: KeptPage, environ) -> bool:
    if_none_match = environ.get("HTTP_IF_NONE_MATCH")
    if if_none_match:  # RFC 9110 13.1.3: If-None-Match wins over If-Modified-Since
        return kept.etag is not None and parse_etags(if_none_match).contains_weak(kept.etag)
    since = parse_date(environ.get("HTTP_IF_MODIFIED_SINCE"))
    return since is not None and kept.last_modified is not None and kept.last_modified <= since


def _etag(body: bytes) -> str:
    return hashlib.blake2b(body, digest_size=16).hexdigest()


def _make_public(response: Response, max_age: int | None = None) -> None:
    """Mark a public page's answer for shared caches; ``max_age`` shortens both ages (a live page)."""
    config = current_app.config
    response.cache_control.public = True
    response.cache_control.max_age = config["CONSULT_CACHE_MAX_AGE"]
    response.cache_control.s_maxage = config["CONSULT_CACHE_S_MAXAGE"]
    if max_age is not None:
        response.cache_control.max_age = min(response.cache_control.max_age, max_age)
        response.cache_control.s_maxage = min(response.cache_control.s_maxage, max_age)
    response.vary.add("Cookie")
    if response.get_etag()[0] is None and not response.is_streamed:
        response.set_etag(_etag(response.get_data()))
    if response.last_modified is None:
        response.headers["Last-Modified"] = http_date(utcnow().replace(microsecond=0))
    response.make_conditional(request)


def init_app(app) -> None:
    @app.after_request
    def cache_headers(response: Response) -> Response:
        """Public pages: shared-cache headers and 304s for anonymous readers; everything else private."""
        if "Cache-Control" in response.headers or request.endpoint == "static":
            return response  # the view (a download, a receipt) decided for itself
        if response.status_code == 200 and _is_public_view() and shareable() and not session.modified:
            _make_public(response, request.environ.get(SHORT_LIVED))
        else:
            response.headers["Cache-Control"] = PRIVATE
        return response

    ttl = app.config["CONSULT_PAGE_CACHE_SECONDS"]
    if ttl > 0:
        app.wsgi_app = PageCache(app, app.wsgi_app, ttl)
