"""Fixtures: an app per test on SQLite and (when configured) PostgreSQL, clients, users, login, the SQL
recorder; and, through ``pytest_plugins``, the shared set-ups of the domains (``world``, ``boxes``, ...).

Every fixture a test may use comes from here or from a module in ``pytest_plugins``: a test module never
imports a fixture. Helper functions are imported from their module by one name, ``from tests.x_support import
helper``.
"""

import base64
import hashlib
import os
import shutil
import uuid
from datetime import datetime
from contextlib import contextmanager
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from flask import current_app, has_app_context
from werkzeug.routing import Rule

from consult import create_app
from consult.accounts import sessions
from consult.accounts.models import Department, User
from consult.extensions import db
from consult.localtime import zone
from consult.search import schema as search_schema

pytest_plugins = [
    "tests.world_support",  # world, request_ctx
    "tests.mailbox_support",  # boxes
    "tests.api_support",  # api_world
    "tests.disclosure_support",  # requests_2024_to_2026
    "tests.tracking_views_support",  # office
    "tests.smtp_support",  # smtp, smtp_down, smtp_port
    "tests.events_support",  # event_department, event_officer
]

PG_URL = os.environ.get("CONSULT_TEST_DATABASE_URL")
# A Fernet key for the tests' data only (the same in every process the tests start).
ENCRYPTION_KEY = base64.urlsafe_b64encode(hashlib.sha256(b"consult tests").digest()).decode()
BACKENDS = ["sqlite"] + (["postgres"] if PG_URL else [])
TEST_PASSWORD = "correct horse 42"


def _share_url_builders() -> None:
    """Every test makes its own app, and werkzeug compiles two Python functions for each of the app's ~250 URL
    rules while registering them: most of ``create_app``'s time. The function depends only on the rule's
    parts, defaults and kind, not on the app, so the tests compile each once and share it (each rule still
    binds it to itself). tests/test_architecture.py checks that the shared builders build every URL as
    freshly compiled ones do."""
    compile_builder = Rule._compile_builder
    builders: dict = {}

    def shared(self, append_unknown: bool = True):
        key = (self.rule, tuple(self._trace), repr(sorted((self.defaults or {}).items())), append_unknown)
        if key not in builders:
            builders[key] = compile_builder(self, append_unknown)
        return builders[key]

    shared.original = compile_builder
    Rule._compile_builder = shared


_share_url_builders()


def _pg_url(schema: str) -> str:
    """The PostgreSQL test URL with its own schema, so concurrent test runs never collide."""
    url = PG_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options={quote(f'-csearch_path={schema}')}"


class Backend:
    """One database for the whole session: schema made once, emptied after every test."""

    def __init__(self, name: str, tmp_path_factory):
        self.name = name
        self.upload_dir = str(tmp_path_factory.mktemp("uploads"))
        if name == "sqlite":
            path = tmp_path_factory.mktemp("db") / "consult-test.sqlite3"
            self.url = f"sqlite:///{path}"
        else:
            self.schema = f"t_{uuid.uuid4().hex[:12]}"
            self.admin_engine = sa.create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
            with self.admin_engine.begin() as conn:
                conn.execute(sa.text(f"CREATE SCHEMA {self.schema}"))
            self.url = _pg_url(self.schema)
        self.created = False
        self.demo: DemoData | None = None

    def config(self, **overrides) -> dict:
        return {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "CONSULT_ENCRYPTION_KEYS": ENCRYPTION_KEY,
            "SQLALCHEMY_DATABASE_URI": self.url,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "MAIL_SUPPRESS_SEND": True,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "SERVER_NAME": "consult.test",
            "CONSULT_UPLOAD_DIR": self.upload_dir,
            "CONSULT_STATS_CACHE_SECONDS": 0,
            # Tests read the English source texts; the Chinese default is tested on its own.
            "CONSULT_DEFAULT_LOCALE": "en",
            **overrides,
        }

    def prepare(self) -> None:
        if not self.created:
            db.create_all()
            self.created = True

    def empty(self) -> None:
        tables = list(reversed(db.metadata.sorted_tables))
        db.session.remove()
        with db.engine.begin() as conn:
            if self.name == "postgres":
                names = ", ".join(t.name for t in tables)
                conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    conn.execute(table.delete())
                search_schema.empty(conn)
                # Planner statistics an earlier test's ANALYZE (flask remind) left would steer this test's
                # plans: each test starts without them, as a new database does.
                stats = conn.execute(sa.text("SELECT name FROM sqlite_master WHERE name LIKE 'sqlite_stat%'"))
                for name in stats.scalars().all():
                    conn.execute(sa.text(f"DROP TABLE {name}"))

    def close(self) -> None:
        if self.demo is not None:
            self.demo.close()
        if self.name == "postgres":
            with self.admin_engine.begin() as conn:
                conn.execute(sa.text(f"DROP SCHEMA {self.schema} CASCADE"))
            self.admin_engine.dispose()


class DemoData:
    """The demo data (``seed-demo``) seeded once per backend and local day into a database of its own; every
    test marked ``demo_data`` starts from a copy of it, with a copy of its uploaded files.

    Seeding takes tens of seconds (hundreds of submissions through the services, search indexing, the
    questionnaires' counters), a copy well under one. The copy is what a first ``seed.seed_demo()`` leaves,
    rows, search index and sequences alike, so a test may write to it and run ``seed-demo`` again (the command
    also analyses the closed questionnaire's written answers: a test that needs them runs it). The seed dates
    its data from today, so a new local day seeds anew.

    SQLite: the seeded file is copied for each test. PostgreSQL: the data is seeded into a schema of its own
    and each test's rows are copied from it into the backend's schema (``INSERT … SELECT``, sequences set to
    the same values), which is emptied after the test like any other; a database copied with ``CREATE
    DATABASE … TEMPLATE`` would have to be dropped again, and DROP DATABASE waits for a checkpoint of the whole
    server (seconds to minutes on a busy disk).
    """

    def __init__(self, backend: "Backend", tmp_path_factory):
        self.backend = backend
        self.tmp_path_factory = tmp_path_factory
        self.day = self.zone = None
        self.template_url = self.template_uploads = self.schema = None

    def _seed(self) -> None:
        self.close()
        base = self.tmp_path_factory.mktemp("demo-template")
        self.template_uploads = str(base / "uploads")
        if self.backend.name == "sqlite":
            self.template_url = f"sqlite:///{base / 'demo.sqlite3'}"
        else:
            self.schema = f"demo_{uuid.uuid4().hex[:12]}"
            with self.backend.admin_engine.begin() as conn:
                conn.execute(sa.text(f"CREATE SCHEMA {self.schema}"))
            self.template_url = _pg_url(self.schema)
        app = create_app(self.backend.config(SQLALCHEMY_DATABASE_URI=self.template_url,
                                             CONSULT_UPLOAD_DIR=self.template_uploads))
        with app.app_context():
            from consult import seed

            self.zone = zone()
            self.day = datetime.now(self.zone).date()
            db.create_all()
            seed.seed_demo()
            db.session.commit()
            if self.backend.name == "sqlite":  # everything into the main file, so copying it copies it all
                with db.engine.connect() as conn:
                    conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            db.session.remove()
            db.engine.dispose()

    def copy(self, tmp_path) -> dict:
        """Settings for a test's app: a copy of the seeded SQLite file, and a copy of the uploaded files."""
        if self.day is None or self.day != datetime.now(self.zone).date():
            self._seed()
        settings = {"CONSULT_UPLOAD_DIR": str(tmp_path / "demo-uploads")}
        if os.path.isdir(self.template_uploads):
            shutil.copytree(self.template_uploads, settings["CONSULT_UPLOAD_DIR"])
        if self.backend.name == "sqlite":
            path = tmp_path / "demo.sqlite3"
            shutil.copyfile(self.template_url.removeprefix("sqlite:///"), path)
            settings["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
        return settings

    def fill(self, conn: sa.Connection) -> None:
        """PostgreSQL: copy every row of the seeded schema into the (empty) backend schema of ``conn``, and set
        its sequences where the seeded ones are."""
        source, target = self.schema, self.backend.schema
        tables = [t.name for t in db.metadata.sorted_tables] + [search_schema.table_name(k) for k in search_schema.KINDS]
        # Rows that held every foreign key where they come from: no trigger checks them again on the way (the
        # questionnaires' questions and options point at each other, so no order of tables would do).
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        for table in tables:
            columns = ", ".join(f'"{name}"' for name in conn.scalars(sa.text(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = :s AND table_name = :t "
                "ORDER BY ordinal_position"), {"s": source, "t": table}))
            conn.exec_driver_sql(f'INSERT INTO {target}."{table}" ({columns}) SELECT {columns} FROM {source}."{table}"')
        sequences = conn.execute(sa.text("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = :s"),
                                 {"s": source}).all()
        for name, last_value in sequences:
            if last_value is not None:
                conn.execute(sa.text("SELECT setval(:sequence, :value)"),
                             {"sequence": f'{target}."{name}"', "value": last_value})

    def close(self) -> None:
        if self.schema is not None:
            with self.backend.admin_engine.begin() as conn:
                conn.execute(sa.text(f"DROP SCHEMA {self.schema} CASCADE"))
        self.schema = self.template_url = None


@pytest.hookimpl(tryfirst=True)
def pytest_generate_tests(metafunc):
    """Each test that uses the database runs once per backend; one marked ``sqlite_only`` (a test whose second
    run would prove nothing new: input handling, fuzzing, properties) is made for SQLite alone, so it has no
    PostgreSQL variant at all rather than a skipped one; one marked ``postgres_only`` (a server connection, a
    sequence, a round trip) likewise has no SQLite variant."""
    if "backend" in metafunc.fixturenames:
        names = BACKENDS
        if metafunc.definition.get_closest_marker("sqlite_only"):
            names = ["sqlite"]
        elif metafunc.definition.get_closest_marker("postgres_only"):
            names = [name for name in BACKENDS if name == "postgres"]
        metafunc.parametrize("backend", names, indirect=True, scope="session")


@pytest.fixture(scope="session")
def backend(request, tmp_path_factory):
    current = Backend(request.param, tmp_path_factory)
    yield current
    current.close()


@pytest.fixture
def empty_database_url(backend, tmp_path):
    """A database of the backend's kind with nothing in it (for the migration tests), dropped afterwards."""
    if backend.name == "sqlite":
        yield f"sqlite:///{tmp_path}/migrated.sqlite3"
        return
    schema = f"m_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    yield _pg_url(schema)
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


@pytest.fixture
def app_config():
    """Override in a test module (or with indirect parametrize) to change settings."""
    return {}


@pytest.fixture
def app(request, backend, app_config, tmp_path_factory):
    """The app on the backend's test database, emptied after the test; a test marked ``demo_data`` gets its own
    copy of the demo data instead (see ``DemoData``)."""
    if request.node.get_closest_marker("demo_data") is None:
        app = create_app(backend.config(**app_config))
        with app.app_context():
            backend.prepare()
        yield app
        with app.app_context():
            backend.empty()
            db.engine.dispose()
        return
    if backend.demo is None:
        backend.demo = DemoData(backend, tmp_path_factory)
    app = create_app(backend.config(**{**backend.demo.copy(tmp_path_factory.mktemp("demo")), **app_config}))
    if backend.name == "postgres":
        with app.app_context():
            backend.prepare()
            with db.engine.begin() as conn:
                backend.demo.fill(conn)
    yield app
    with app.app_context():
        if backend.name == "postgres":
            backend.empty()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield


@pytest.fixture
def make_department(app):
    counter = iter(range(1, 10_000))

    def make(code: str | None = None, name: str | None = None) -> Department:
        n = next(counter)
        with app.app_context():
            department = Department(
                code=code or f"D{n}", name=name or f"测试局{n}", name_en=f"Test Bureau {n}",
                contact_email=f"d{n}@example.org",
            )
            db.session.add(department)
            db.session.commit()
            db.session.refresh(department)
            db.session.expunge(department)
            return department

    return make


@pytest.fixture
def make_user(app):
    counter = iter(range(1, 10_000))

    def make(role: str = "citizen", department: Department | None = None, email: str | None = None,
             password: str = TEST_PASSWORD, **fields) -> User:
        n = next(counter)
        with app.app_context():
            user = User(email=email or f"{role}{n}@example.org", display_name=f"{role} {n}", role=role,
                        department_id=department.id if department else None, **fields)
            user.set_password(password)
            db.session.add(user)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    return make


class Auth:
    """Log a test client in and out."""

    def __init__(self, client):
        self.client = client

    def login(self, user: User) -> None:
        """Log in directly through the session (fast); use ``login_form`` to test the form itself.

        Starts a real login session (a row, as the form would) and puts its token in the cookie. Inside a
        test's own app context (shared with the client's requests) the row is committed with the test's
        session, as a request would commit it.
        """
        app = self.client.application
        if has_app_context() and current_app._get_current_object() is app:
            token = self._start(user)
        else:
            with app.app_context():
                token = self._start(user)
        with self.client.session_transaction() as session:
            session["_user_id"] = token
            session["_fresh"] = True

    @staticmethod
    def _start(user: User) -> str:
        token = sessions.start_session(db.session.get(User, user.id), remember=False, user_agent="pytest",
                                       ip="127.0.0.1")
        db.session.commit()
        return token

    def login_form(self, email: str, password: str = TEST_PASSWORD, **extra):
        return self.client.post("/account/login", data={"email": email, "password": password, **extra})

    def logout(self):
        return self.client.post("/account/logout")


@pytest.fixture
def auth(client):
    return Auth(client)


class Statements(list):
    """The SQL statements a block ran, in order, each with its white space collapsed."""

    @property
    def selects(self) -> list[str]:
        return [s for s in self if s.upper().startswith("SELECT")]

    @property
    def writes(self) -> list[str]:
        return [s for s in self if s.upper().startswith(("INSERT", "UPDATE", "DELETE"))]


@pytest.fixture
def sql(app):
    """``with sql() as statements:`` records every statement the database runs inside the block (the one
    query counter of the suite: how many queries a page costs, whether a GET writes)."""
    with app.app_context():
        engine = db.engine

    @contextmanager
    def recording():
        statements = Statements()

        def record(_conn, _cursor, statement, *_args):
            statements.append(" ".join(statement.split()))

        sa.event.listen(engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            sa.event.remove(engine, "before_cursor_execute", record)

    return recording
