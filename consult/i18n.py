"""Language and display preferences: zh_CN first, English second, and a large-text mode."""

from functools import cache

from babel import Locale
from flask import Blueprint, current_app, has_request_context, redirect, request, session
from flask_babel import get_locale
from flask_login import current_user

from consult import formats
from consult.extensions import babel
from consult.urls import safe_next_url

LOCALES = {"zh_CN": "中文", "en": "English"}
HTML_LANG = {"zh_CN": "zh-CN", "en": "en"}

bp = Blueprint("prefs", __name__)


def select_locale() -> Locale:
    """The visitor's chosen language (session, then account), else the configured default.

    The JSON API has no session: its clients ask with ``Accept-Language`` (zh-CN or en).
    """
    if not has_request_context():
        return parsed_locale(current_app.config["CONSULT_DEFAULT_LOCALE"])
    if request.path.startswith("/api/"):
        asked = request.accept_languages.best_match(["zh-CN", "zh", "en"]) if request.accept_languages else None
        return parsed_locale({None: current_app.config["CONSULT_DEFAULT_LOCALE"], "en": "en"}.get(asked, "zh_CN"))
    chosen = session.get("locale")
    if chosen in LOCALES:
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


@bp.post("/preferences/language")
def set_language():
    """Switch the interface language and return to the page the visitor was on."""
    locale = request.form.get("locale")
    if locale in LOCALES:
        session["locale"] = locale
        if current_user.is_authenticated:
            current_user.locale = locale
    return redirect(safe_next_url(request.form.get("next")))


@bp.post("/preferences/large-text")
def toggle_large_text():
    """Turn the large-text mode (适老化) on or off for this visitor."""
    session["large_text"] = not session.get("large_text", False)
    return redirect(safe_next_url(request.form.get("next")))


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
            "large_text": has_request_context() and bool(session.get("large_text")),
        }


