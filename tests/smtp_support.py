"""A real SMTP server (aiosmtpd) on loopback for the mail tests, and helpers to drain the outbox into it.

The fixtures are registered for every test (``pytest_plugins`` in tests/conftest.py). A module that sends
mail to the sink points the app at it with its own ``app_config``::

    @pytest.fixture
    def app_config(smtp_port):
        return mail_settings(smtp_port)

``smtp`` is then the running sink (its ``messages`` are what arrived), ``smtp_down`` the same sink not
started yet (a server that is down).
"""

import email
import email.policy
import socket
import threading

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from consult.extensions import db
from consult.notify import sender
from consult.notify.models import OutboxMessage

SENDER = "Consult <noreply@consult.test>"


class SmtpSink:
    """An SMTP server (aiosmtpd) on a loopback port that keeps what it receives."""

    def __init__(self, port: int):
        self.port = port
        self.messages: list[email.message.EmailMessage] = []
        self.refused: set[str] = set()
        self._lock = threading.Lock()
        self._controller = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 -- aiosmtpd hook
        if address in self.refused:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 -- aiosmtpd hook
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def message_ids(self) -> list[str]:
        return [m["Message-ID"] for m in self.messages]

    def to(self, address: str) -> list[email.message.EmailMessage]:
        """The messages delivered to ``address``, in arrival order."""
        return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_port():
    return free_port()


def mail_settings(smtp_port: int) -> dict:
    """The app's ``MAIL_*`` settings for the sink on ``smtp_port``."""
    return {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_port,
        "MAIL_SUPPRESS_SEND": False,
        "MAIL_DEFAULT_SENDER": SENDER,
        "MAIL_TIMEOUT": 5,
        # Mail to people without a chosen language goes out in the site's default: Chinese.
        "CONSULT_DEFAULT_LOCALE": "zh_CN",
    }


@pytest.fixture
def smtp_down(smtp_port):
    """The sink, not started: nothing listens on the mail port until ``start()``."""
    sink = SmtpSink(smtp_port)
    yield sink
    sink.stop()


@pytest.fixture
def smtp(smtp_down):
    smtp_down.start()
    return smtp_down


def outbox_rows(app) -> list[OutboxMessage]:
    with app.app_context():
        rows = list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))
        db.session.expunge_all()
        return rows


def drain(app, **kwargs) -> sender.SendResult:
    with app.app_context():
        return sender.drain(**kwargs)


def text_of(message: email.message.EmailMessage) -> str:
    """The plain-text body with normal line ends."""
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def html_of(message: email.message.EmailMessage) -> str:
    return message.get_body(("html",)).get_content()
