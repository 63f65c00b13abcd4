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

:func:`cached_page` keeps whole anonymous pages in each worker's memory, keyed by what decides them: the
view's own key (the ids and change stamps of what it shows), the path with its query, the language and
the text size. A key that includes the change stamps makes a change show at once; the time to live
(``CONSULT_PAGE_CACHE_SECONDS``) bounds only what the key cannot see.
"""

import hashlib
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime

from flask import Response, current_app, request, session
from flask_login import current_user

from consult.cache import worker_cache
from consult.database import utcnow
from consult.i18n import current_locale_code, large_text

READING_METHODS = ("GET", "HEAD")
PRIVATE = "private, no-store"


def public_page(view):
    """Mark ``view`` as a public page: shared by every anonymous reader, cacheable in front of the app."""
    view.public_page = True
    return view


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


@dataclass(frozen=True)
class PageCopy:
    """One rendering of a public page, as every anonymous reader of it gets it."""

    body: bytes
    etag: str
    last_modified: datetime


def _copy(html: str, last_modified: datetime | None) -> PageCopy:
    body = html.encode()
    return PageCopy(body, hashlib.blake2b(body, digest_size=16).hexdigest(),
                    (last_modified or utcnow()).replace(microsecond=0))


def cached_page(key: Hashable, render: Callable[[], str], last_modified: datetime | None = None) -> Response:
    """The page ``render()`` makes, from this worker's memory when an anonymous reader asked for it before.

    ``key`` names what decides the page besides the path, language and text size (ids, change stamps);
    ``last_modified`` is when it last changed, if the view knows (else: when this copy was made). A
    logged-in reader's page is rendered every time and never kept.
    """
    if not shareable():
        return Response(render(), mimetype="text/html")
    ttl = current_app.config["CONSULT_PAGE_CACHE_SECONDS"]
    full_key = (request.endpoint, request.full_path, current_locale_code(), large_text(), key)
    copy = worker_cache("public-pages", ttl).get_or_compute(full_key, lambda: _copy(render(), last_modified))
    response = Response(copy.body, mimetype="text/html")
    response.set_etag(copy.etag)
    response.last_modified = copy.last_modified
    return response


def _make_public(response: Response) -> None:
    config = current_app.config
    response.cache_control.public = True
    response.cache_control.max_age = config["CONSULT_CACHE_MAX_AGE"]
    response.cache_control.s_maxage = config["CONSULT_CACHE_S_MAXAGE"]
    response.vary.add("Cookie")
    if response.get_etag()[0] is None and not response.is_streamed:
        response.add_etag()
    if response.last_modified is None:
        response.last_modified = utcnow().replace(microsecond=0)
    response.make_conditional(request)


def init_app(app) -> None:
    @app.after_request
    def cache_headers(response: Response) -> Response:
        """Public pages: shared-cache headers and 304s for anonymous readers; everything else private."""
        if "Cache-Control" in response.headers or request.endpoint == "static":
            return response  # the view (a download, a receipt) decided for itself
        if (response.status_code == 200 and _is_public_view() and shareable() and not session.modified):
            _make_public(response)
        else:
            response.headers["Cache-Control"] = PRIVATE
        return response
