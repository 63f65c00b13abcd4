"""Consult: public consultation and feedback for local governments."""

import gc
import os

import click
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from consult import config, encryption
from consult.extensions import csrf, db, limiter, login_manager, mail, migrate
from consult.urls import IdConverter

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def create_app(test_config: dict | None = None) -> Flask:
    """Build and wire a Consult application; ``test_config`` replaces file and env settings."""
    app = Flask(
        __name__,
        instance_path=os.path.join(PROJECT_ROOT, "instance"),
        instance_relative_config=True,
        template_folder=os.path.join(PROJECT_ROOT, "templates"),
        static_folder=os.path.join(PROJECT_ROOT, "static"),
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(config.from_environment(app.instance_path))
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_mapping(test_config)
    if app.config.get("CONSULT_PROXY_HOPS"):
        # Behind reverse proxies: the visitor's own address and scheme, for rate limits and login sessions.
        hops = app.config["CONSULT_PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    encryption.init_app(app)  # refuses to start without a key, unless for development

    _init_extensions(app)
    app.url_map.converters["int"] = IdConverter  # before any route is added: out-of-range ids are 404
    _register_kinds()
    _register_blueprints(app)

    from consult import (
        authz, cli, errors, forms, i18n, limits, navigation, public_forms, public_pages, search, security, text,
    )

    errors.init_app(app)
    authz.init_app(app)
    public_forms.init_app(app)
    public_pages.init_app(app)
    i18n.init_app(app)
    navigation.init_app(app)
    security.init_app(app)
    text.init_app(app)
    search.init_app(app)
    forms.init_app(app)
    cli.init_app(app)
    _commit_at_the_edge(app)
    limits.warn_if_counted_per_process(app)
    if not app.testing:
        _warm_up()
        _freeze_startup_objects()
    return app


def _warm_up() -> None:
    """Load, before the first request, what it would otherwise wait for: jieba's dictionary (about a second of
    CPU), which every comment, letter and search tokenises with. Each gunicorn worker loads it as it starts,
    before it accepts a connection. Not for a Flask command, most of which never tokenise."""
    if click.get_current_context(silent=True) is None:
        from consult.tokens import segmenter

        segmenter()


def _freeze_startup_objects() -> None:
    """Leave what starting the application made (some 280,000 objects: modules, classes, functions, the
    models' metadata) out of the garbage collector's later passes. They live as long as the process, yet a
    full collection walked them all, every few hundred requests, pausing that request 100-400 ms (the
    workbench bench's p99 of one page was such a pause). Not in tests: the suite builds many applications
    and their garbage must stay collectable."""
    gc.collect()
    gc.freeze()


def _init_extensions(app: Flask) -> None:
    from consult.database import configure_postgresql, configure_sqlite

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(PROJECT_ROOT, "migrations"), render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    mail.init_app(app)
    limiter.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)
        else:
            configure_postgresql(db.engine)

    from consult import models  # noqa: F401  -- registers every model on the metadata


def _register_kinds() -> None:
    """Each kind of submission registers its policy, labels and panels with the tracking engine."""
    from consult.disclosure import kind as _disclosure  # noqa: F401
    from consult.drafts import kind as _drafts  # noqa: F401
    from consult.events import kind as _events  # noqa: F401
    from consult.interviews import kind as _interviews  # noqa: F401
    from consult.mailbox import kind as _mailbox  # noqa: F401


def _register_blueprints(app: Flask) -> None:
    from consult.accounts.views import bp as accounts_bp
    from consult.api import bp as api_bp
    from consult.api.token_pages import bp as api_tokens_bp
    from consult.disclosure.views import bp as disclosure_bp
    from consult.drafts.views import bp as drafts_bp
    from consult.events.views import bp as events_bp
    from consult.interviews.views import bp as interviews_bp
    from consult.mailbox.views import bp as mailbox_bp
    from consult.main.views import bp as main_bp
    from consult.notify.views import bp as notify_bp
    from consult.open311.views import admin_bp as open311_admin_bp
    from consult.open311.views import bp as open311_bp
    from consult.practice.views import bp as practice_bp
    from consult.stats.views import bp as stats_bp
    from consult.surveys.views import bp as surveys_bp
    from consult.tracking.views import bp as tracking_bp
    from consult.uploads import bp as uploads_bp
    from consult.workbench.views import bp as workbench_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(drafts_bp)
    app.register_blueprint(events_bp)
    app.register_blueprint(interviews_bp)
    app.register_blueprint(notify_bp)
    app.register_blueprint(uploads_bp)
    app.register_blueprint(mailbox_bp)
    app.register_blueprint(tracking_bp)
    app.register_blueprint(disclosure_bp)
    app.register_blueprint(stats_bp)
    app.register_blueprint(practice_bp)
    app.register_blueprint(open311_bp)
    app.register_blueprint(open311_admin_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(api_tokens_bp)
    app.register_blueprint(workbench_bp)
    app.register_blueprint(surveys_bp)


def _commit_at_the_edge(app: Flask) -> None:
    """One commit per request: services only flush; a successful request commits here.

    A failed request (status >= 400 or an exception) is rolled back when the session is removed.
    """

    @app.after_request
    def commit_session(response):
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        return response
