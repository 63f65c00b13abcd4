"""Browser tests: the real app in a subprocess, a test SMTP server, headless Debian Chromium.

One server for the whole session, on a fresh SQLite database made from the models and the demo seed
(plus a small open day made for the waiting-list journey). CSRF stays on. The tests skip only when
``/usr/bin/chromium`` is absent; CI installs it.
"""

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from consult import create_app
from tests.conftest import ENCRYPTION_KEY
from tests.browser.support import axe_script
from tests.sms_support import FakeTencentSms
from tests.smtp_support import SmtpSink, free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def pytest_collection_modifyitems(config, items):
    """Every test under tests/browser is a browser test; skip them only when Chromium is missing."""
    here = Path(__file__).parent
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is not installed")
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
            if not os.path.exists(CHROMIUM):
                item.add_marker(skip)


class LiveServer:
    """The app served by ``flask run`` in a subprocess, and an in-process app on the same database."""

    def __init__(self, base_dir: Path, smtp_port: int, sms_config: dict):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.config = {
            "SECRET_KEY": "browser-test-secret",
            "CONSULT_ENCRYPTION_KEYS": ENCRYPTION_KEY,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{base_dir / 'consult.sqlite3'}",
            "CONSULT_UPLOAD_DIR": str(base_dir / "uploads"),
            "RATELIMIT_ENABLED": False,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": smtp_port,
            "MAIL_SUPPRESS_SEND": False,
            "MAIL_DEFAULT_SENDER": "Consult <noreply@consult.test>",
            "MAIL_TIMEOUT": 5,
            # Text messages go to a local fake of the provider's API; never held back by quiet hours here.
            **sms_config, "SMS_QUIET_START": "00:00", "SMS_QUIET_END": "00:00",
        }
        self.app = create_app(dict(self.config))
        self.process: subprocess.Popen | None = None
        self.log = base_dir / "server.log"

    def seed(self) -> None:
        from tests.browser.seed import seed_browser_data

        with self.app.app_context():
            seed_browser_data()

    def start(self) -> None:
        env = {**os.environ, "FLASK_DEBUG": "0", "PYTHONUNBUFFERED": "1"}
        factory = f"consult:create_app({self.config!r})"
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", factory, "run", "--host", "127.0.0.1",
                 "--port", str(self.port), "--no-reload", "--no-debugger", "--with-threads"],
                stdout=log, stderr=subprocess.STDOUT, env=env,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped: {self.log.read_text(errors='replace')}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"the server did not start: {self.log.read_text(errors='replace')}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def zh(self, msgid, **variables) -> str:
        """The Chinese text a visitor sees for an English msgid (or a lazy string), following the catalog."""
        from flask_babel import force_locale, gettext

        with self.app.test_request_context(), force_locale("zh_CN"):
            return gettext(msgid, **variables) if isinstance(msgid, str) else str(msgid)

    def deliver_mail(self) -> None:
        """What ``flask send-mail`` does: send the outbox to the test SMTP server and the fake SMS gateway."""
        from consult.notify import sender

        with self.app.app_context():
            sender.drain()


@pytest.fixture(scope="session")
def smtp_server():
    sink = SmtpSink(free_port())
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture(scope="session")
def sms_gateway():
    with FakeTencentSms() as fake:
        yield fake


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, smtp_server, sms_gateway):
    server = LiveServer(tmp_path_factory.mktemp("browser"), smtp_server.port, sms_gateway.config())
    server.seed()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory) -> Path:
    """Screenshots of key pages; set CONSULT_SCREENSHOT_DIR to keep them."""
    chosen = os.environ.get("CONSULT_SCREENSHOT_DIR")
    if chosen:
        Path(chosen).mkdir(parents=True, exist_ok=True)
        return Path(chosen)
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, live_server):
    """Open a page in a fresh browser context (its own cookies); ``new_page("phone")``, ``new_page(axe=True)``,
    ``new_page(script=False)`` (a browser with JavaScript turned off)."""
    contexts = []

    def make(viewport: str = "desktop", axe: bool = False, script: bool = True):
        context = browser.new_context(
            base_url=live_server.url, viewport=VIEWPORTS[viewport], locale="zh-CN",
            timezone_id="Asia/Shanghai", device_scale_factor=1, java_script_enabled=script,
        )
        context.set_default_timeout(15_000)
        if axe:  # axe-core loaded with every page, for pages checked one after another
            context.add_init_script(path=axe_script())
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()

