"""Language and display preferences: zh_CN first, English second, and a large-text mode.

Both preferences live in cookies of their own (``consult_lang``, ``consult_text``), set by plain links,
never in the session: an anonymous reader carries no session at all, so a public page is the same bytes
for everyone who chose the same language and text size, and a cache in front can key on these two cookies.
"""

from datetime import timedelta
from functools import cache

from babel import Locale
from flask import Blueprint, current_app, has_request_context, redirect, request
from flask_babel import get_locale
from flask_login import current_user

from consult import formats
from consult.extensions import babel
from consult.urls import safe_next_url

LOCALES = {"zh_CN": "中文", "en": "English"}
HTML_LANG = {"zh_CN": "zh-CN", "en": "en"}
LOCALE_COOKIE = "consult_lang"
TEXT_COOKIE = "consult_text"
LARGE = "large"
PREFERENCE_DAYS = 365

bp = Blueprint("prefs", __name__)


def chosen_locale() -> str | None:
    """The language this visitor chose with the switch (its cookie), or None."""
    if not has_request_context():
        return None
    chosen = request.cookies.get(LOCALE_COOKIE)
    return chosen if chosen in LOCALES else None


def large_text() -> bool:
    """Whether this visitor turned the large-text mode (适老化) on."""
    return has_request_context() and request.cookies.get(TEXT_COOKIE) == LARGE


def select_locale() -> Locale:
    """The visitor's chosen language (preference cookie, then account), else the configured default.

    The JSON API has no cookies of its own: its clients ask with ``Accept-Language`` (zh-CN or en).
    """
    if not has_request_context():
        return parsed_locale(current_app.config["CONSULT_DEFAULT_LOCALE"])
    if request.path.startswith("/api/"):
        asked = request.accept_languages.best_match(["zh-CN", "zh", "en"]) if request.accept_languages else None
        return parsed_locale({None: current_app.config["CONSULT_DEFAULT_LOCALE"], "en": "en"}.get(asked, "zh_CN"))
    chosen = chosen_locale()
    if chosen is not None:
        return parsed_locale(chosen)
    if current_user and current_user.is_authenticated and current_user.locale in LOCALES:
        return parsed_locale(current_user.locale)
    return parsed_locale(current_app.config["CONSULT_DEFAULT_LOCALE"])


@cache
def parsed_locale(code: str) -> Locale:
    """Babel's ``Locale`` for a code, parsed once per process (parsing reads locale data from disk)."""
    return Locale.parse(code)


def current_locale_code() -> str:
    """The active locale as one of the keys of ``LOCALES`` (Babel expands zh_CN to zh_Hans_CN)."""
    locale = get_locale()
    if locale is None:
        return current_app.config["CONSULT_DEFAULT_LOCALE"]
    return "en" if locale.language == "en" else "zh_CN"


def select_timezone() -> str:
    return current_app.config["CONSULT_TIMEZONE"]


def _back(next_url: str | None, cookie: str, value: str | None):
    """Back to the page the visitor was on (a path on this site only), remembering ``cookie`` (None: forget it)."""
    response = redirect(safe_next_url(next_url))
    response.headers["Cache-Control"] = "no-store"
    if value is None:
        response.delete_cookie(cookie, samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])
    else:
        response.set_cookie(cookie, value, max_age=timedelta(days=PREFERENCE_DAYS), httponly=True, samesite="Lax",
                            secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


@bp.get("/preferences/language")
def choose_language():
    """Switch the interface language (a plain link: it only sets the preference cookie) and go back."""
    locale = request.args.get("locale")
    return _back(request.args.get("next"), LOCALE_COOKIE, locale) if locale in LOCALES else \
        redirect(safe_next_url(request.args.get("next")))


@bp.post("/preferences/language")
def set_language():
    """Switch the language of a logged-in user: the cookie, and the account's mail language (a form, as it writes)."""
    locale = request.form.get("locale")
    if locale not in LOCALES:
        return redirect(safe_next_url(request.form.get("next")))
    if current_user.is_authenticated:
        current_user.locale = locale
    return _back(request.form.get("next"), LOCALE_COOKIE, locale)


@bp.get("/preferences/large-text")
def choose_text_size():
    """Turn the large-text mode (适老化) on (``?on=1``) or off (``?on=0``) and go back."""
    return _back(request.args.get("next"), TEXT_COOKIE, LARGE if request.args.get("on") == "1" else None)


def init_app(app) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories="translations",
    )
    app.register_blueprint(bp)
    app.jinja_env.globals["current_locale_code"] = current_locale_code
    formats.init_app(app)  # the house date filters, beside Flask-Babel's own (which templates do not use)

    @app.context_processor
    def inject_preferences():
        locale = current_locale_code()
        return {
            "html_lang": HTML_LANG.get(locale, "zh-CN"),
            "current_locale": locale,
            "available_locales": LOCALES,
            "large_text": large_text(),
        }


