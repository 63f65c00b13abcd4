"""Configuration read from environment variables, overridable by ``instance/config.py``."""

import json
import os
from datetime import timedelta
from urllib.parse import urlsplit


DEVELOPMENT_SECRET_KEY = "dev-only-change-me"


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def from_environment(instance_path: str) -> dict:
    """Return the settings Consult reads from the environment, with safe defaults."""
    sqlite_path = os.path.join(instance_path, "consult.sqlite3")
    redis_url = os.environ.get("REDIS_URL") or None
    mail_server = os.environ.get("MAIL_SERVER")
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY),
        # Keys that encrypt personal numbers at rest, newest first (consult/encryption.py).
        "CONSULT_ENCRYPTION_KEYS": os.environ.get("CONSULT_ENCRYPTION_KEYS", ""),
        "SQLALCHEMY_DATABASE_URI": database_url(os.environ.get("DATABASE_URL"), sqlite_path),
        "REDIS_URL": redis_url,
        "CONSULT_TIMEZONE": os.environ.get("CONSULT_TIMEZONE", "Asia/Shanghai"),
        "CONSULT_DEFAULT_LOCALE": os.environ.get("CONSULT_DEFAULT_LOCALE", "zh_CN"),
        "CONSULT_SITE_NAME": os.environ.get("CONSULT_SITE_NAME"),
        "BABEL_DEFAULT_LOCALE": os.environ.get("CONSULT_DEFAULT_LOCALE", "zh_CN"),
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("CONSULT_TIMEZONE", "Asia/Shanghai"),
        "MAIL_SERVER": mail_server or "localhost",
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", False),
        "MAIL_USE_SSL": _bool("MAIL_USE_SSL", False),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD"),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "Consult <noreply@consult.localhost>"),
        # Without a mail server configured, mails are printed to the log instead of sent.
        "MAIL_SUPPRESS_SEND": _bool("MAIL_SUPPRESS_SEND", not mail_server),
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", True),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Plain forms and JSON stay small; upload views raise request.max_content_length themselves.
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", str(1024 * 1024))),
        "CONSULT_UPLOAD_MAX_BYTES": int(os.environ.get("CONSULT_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024))),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
        # How long a sign-in lasts on the server (consult.accounts.sessions): with "keep me logged in",
        # the remember-me cookie's duration; otherwise a working day.
        "REMEMBER_COOKIE_DURATION": timedelta(days=int(os.environ.get("CONSULT_REMEMBER_DAYS", "30"))),
        "CONSULT_SESSION_HOURS": int(os.environ.get("CONSULT_SESSION_HOURS", "12")),
        # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are trusted (0: none).
        "CONSULT_PROXY_HOPS": int(os.environ.get("CONSULT_PROXY_HOPS", "0")),
        "WTF_CSRF_TIME_LIMIT": None,
        "PASSWORD_RESET_MAX_AGE": int(os.environ.get("PASSWORD_RESET_MAX_AGE", "3600")),
        "REGISTRATION_LINK_MAX_AGE": int(os.environ.get("REGISTRATION_LINK_MAX_AGE", str(24 * 3600))),
        # Connections are tested before use only after lying idle (consult.database.ping_when_idle).
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        # Per-worker caches (consult/cache.py): public statistics, and whole public pages for anonymous
        # readers (their keys change with every new comment or edit; the TTL bounds the rest).
        "CONSULT_STATS_CACHE_SECONDS": int(os.environ.get("CONSULT_STATS_CACHE_SECONDS", "300")),
        "CONSULT_PAGE_CACHE_SECONDS": int(os.environ.get("CONSULT_PAGE_CACHE_SECONDS", "60")),
        # The sensitive words every comment is checked against, kept in each worker: a change made in another
        # worker takes effect within this time (consult/drafts/comments.py).
        "CONSULT_SENSITIVE_WORDS_SECONDS": int(os.environ.get("CONSULT_SENSITIVE_WORDS_SECONDS", "5")),
        # The draft a comment is on and the mailbox a letter goes to, kept in each worker so the API needs no
        # read of them; the write checks them again, so only their department's name may be this old
        # (consult/kept_rows.py).
        "CONSULT_KEPT_ROWS_SECONDS": int(os.environ.get("CONSULT_KEPT_ROWS_SECONDS", "5")),
        # A live online interview (consult/interviews): how long a browser or shared cache may keep its page,
        # how long one server-sent-events stream stays open (the browser then reconnects where it left off)
        # and how often the stream looks for new answers. Each open stream holds a worker thread.
        "CONSULT_LIVE_PAGE_MAX_AGE": int(os.environ.get("CONSULT_LIVE_PAGE_MAX_AGE", "10")),
        "CONSULT_INTERVIEW_STREAM_SECONDS": int(os.environ.get("CONSULT_INTERVIEW_STREAM_SECONDS", "55")),
        "CONSULT_INTERVIEW_POLL_SECONDS": float(os.environ.get("CONSULT_INTERVIEW_POLL_SECONDS", "3")),
        # Public pages for anonymous readers (consult/public_pages.py): how long a browser (max-age) and a
        # shared cache in front, nginx or a CDN (s-maxage), may serve a copy without asking again.
        "CONSULT_CACHE_MAX_AGE": int(os.environ.get("CONSULT_CACHE_MAX_AGE", "60")),
        "CONSULT_CACHE_S_MAXAGE": int(os.environ.get("CONSULT_CACHE_S_MAXAGE", "60")),
        **base_url_settings(os.environ.get("CONSULT_BASE_URL")),
        **sms_settings(),
    }


SMS_SETTINGS = (
    "SMS_BACKEND", "SMS_SIGNATURE", "SMS_QUIET_START", "SMS_QUIET_END", "SMS_PRICE_PER_SEGMENT",
    "SMS_HTTP_URL", "SMS_HTTP_KEY", "SMS_HTTP_SECRET", "SMS_INBOUND_SECRET", "SMS_TENCENT_SECRET_ID",
    "SMS_TENCENT_SECRET_KEY", "SMS_TENCENT_APP_ID", "SMS_TENCENT_REGION", "SMS_TENCENT_ENDPOINT",
    "SMS_TENCENT_SCHEME",
)


def sms_settings() -> dict:
    """The SMS settings that are set in the environment (consult.notify.sms has the defaults)."""
    values = {name: os.environ[name] for name in SMS_SETTINGS if os.environ.get(name)}
    for name in ("SMS_DAILY_CAP_PER_NUMBER", "SMS_DAILY_BUDGET"):
        if os.environ.get(name):
            values[name] = int(os.environ[name])
    if os.environ.get("SMS_ALLOW_INTERNATIONAL"):
        values["SMS_ALLOW_INTERNATIONAL"] = _bool("SMS_ALLOW_INTERNATIONAL", False)
    if os.environ.get("SMS_TEMPLATE_CODES"):  # JSON: {"receipt": "1234567", ...}
        values["SMS_TEMPLATE_CODES"] = json.loads(os.environ["SMS_TEMPLATE_CODES"])
    return values


def base_url_settings(base_url: str | None) -> dict:
    """Links in mails queued outside a request (cron, workers) need the public address of the site."""
    if not base_url:
        return {}
    parts = urlsplit(base_url)
    return {
        "SERVER_NAME": parts.netloc,
        "PREFERRED_URL_SCHEME": parts.scheme or "https",
        "APPLICATION_ROOT": parts.path or "/",
    }


def database_url(url: str | None, sqlite_path: str) -> str:
    """Normalise ``DATABASE_URL``: default SQLite in the instance folder, psycopg 3 for PostgreSQL."""
    if not url:
        return f"sqlite:///{sqlite_path}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
