"""No seat is given twice: many people register for the last seats at the same moment, against a real
gunicorn server (several processes and threads) on the test database — SQLite and PostgreSQL; and two
registrations for the last seat, the second sent while the first holds the event."""

import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
import sqlalchemy as sa

from consult.database import utcnow
from consult.events import allocation
from consult.events.models import Event, Registration
from consult.extensions import db
from tests.api_support import make_event
from tests.conftest import ENCRYPTION_KEY

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
CAPACITY = 5
PEOPLE = 20
DUPLICATES = 4  # extra, simultaneous registrations with person 0's e-mail


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(backend, app):
    """A gunicorn server on a free loopback port, serving the test database."""
    if not GUNICORN.exists():
        pytest.skip("gunicorn is not installed in .venv")
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": backend.url,
        "SECRET_KEY": "test-secret",
        "CONSULT_ENCRYPTION_KEYS": ENCRYPTION_KEY,
        "RATELIMIT_ENABLED": "0",
        "MAIL_SUPPRESS_SEND": "1",
    }
    env.pop("MAIL_SERVER", None)
    process = subprocess.Popen(
        [str(GUNICORN), "-w", "3", "-k", "gthread", "--threads", "4", "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", "consult:create_app()"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, OSError):
                if process.poll() is not None or time.monotonic() > deadline:
                    # Stop it before reading what it said: a server still starting keeps its stderr open.
                    process.kill()
                    raise RuntimeError(f"gunicorn did not start: {process.communicate()[1].decode()[-2000:]}")
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stderr.close()


class Visitor:
    """One browser: its own cookies (session + CSRF token)."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect()
        )

    def open_form(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            page = response.read().decode()
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)

    def post(self, path: str, data: dict) -> int:
        body = urllib.parse.urlencode(data).encode()
        try:
            with self.opener.open(self.base + path, data=body, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_simultaneous_registrations_never_overbook(app, server):
    with app.app_context():
        now = utcnow()
        event = Event(
            title="县司法局政务开放日", department_id=_department_id(), venue="县公共法律服务中心",
            starts_at=now + timedelta(days=3), ends_at=now + timedelta(days=3, hours=2),
            registration_opens_at=now - timedelta(days=1), registration_closes_at=now + timedelta(days=2),
            capacity=CAPACITY, mode="first_come", require_phone=False, require_email=True,
        )
        db.session.add(event)
        db.session.commit()
        event_id = event.id

    path = f"/events/{event_id}/register"
    people = [{"name": f"市民{n}", "email": f"person{n}@example.org"} for n in range(PEOPLE)]
    people += [{"name": "重复", "email": "PERSON0@example.org"}] * DUPLICATES
    visitors = [Visitor(server) for _ in people]
    tokens = [v.open_form(path) for v in visitors]  # every form loaded before anyone sends
    start = threading.Barrier(len(people))
    results: list[int | None] = [None] * len(people)

    def send(i: int) -> None:
        start.wait()
        results[i] = visitors[i].post(path, {**people[i], "csrf_token": tokens[i]})

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(people))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert results.count(302) == PEOPLE, results  # every distinct person registered once
    assert results.count(422) == DUPLICATES, results  # the duplicates were refused
    with app.app_context():
        rows = db.session.scalars(sa.select(Registration).where(Registration.event_id == event_id)).all()
        event = db.session.get(Event, event_id)
        confirmed = [r for r in rows if r.status == "confirmed"]
        waiting = [r for r in rows if r.status == "waitlisted"]
        assert len(rows) == PEOPLE
        assert len({r.email_key for r in rows}) == PEOPLE
        assert len(confirmed) == CAPACITY
        assert len(waiting) == PEOPLE - CAPACITY
        assert (event.confirmed_count, event.waitlist_count) == (CAPACITY, PEOPLE - CAPACITY)
        positions = [r.waitlist_position for r in waiting]
        assert len(set(positions)) == len(positions)
        # Seats went to the earliest registrations.
        assert max(r.id for r in confirmed) < min(r.id for r in waiting)


def test_two_people_sending_for_the_last_seat_at_once_get_the_seat_and_the_first_place_in_line(app, monkeypatch):
    """Through the API, as a burst sends them: the second registration waits while the first holds the event
    (PostgreSQL: its row lock; SQLite: the write lock), then finds the seat taken."""
    with app.app_context():
        event_id = make_event(_department_id(), capacity=1)
    first_holds, let_go = threading.Event(), threading.Event()
    lock_event, locked = allocation.lock_event, []

    def lock_and_hold_the_first(event_id: int):
        event = lock_event(event_id)
        locked.append(event_id)
        if len(locked) == 1:
            first_holds.set()
            let_go.wait(timeout=10)
        return event

    monkeypatch.setattr(allocation, "lock_event", lock_and_hold_the_first)
    answers = {}

    def register(name: str, phone: str) -> None:
        response = app.test_client().post(f"/api/v1/events/{event_id}/registrations",
                                          json={"name": name, "phone": phone, "email": f"{phone}@example.org"})
        answers[name] = (response.status_code, response.get_json()["status"])

    first = threading.Thread(target=register, args=("甲", "13600000001"))
    first.start()
    assert first_holds.wait(timeout=10)
    second = threading.Thread(target=register, args=("乙", "13600000002"))
    second.start()
    second.join(timeout=1)
    waited = second.is_alive()  # the first still holds the event: the second must not have finished
    let_go.set()
    first.join(timeout=10)
    second.join(timeout=10)
    assert waited
    assert answers == {"甲": (201, "confirmed"), "乙": (201, "waitlisted")}
    with app.app_context():
        event = db.session.get(Event, event_id)
        assert (event.confirmed_count, event.waitlist_count) == (1, 1)


def _department_id() -> int:
    from consult.accounts.models import Department

    department = Department(code="SFJ", name="县司法局", name_en="Justice Bureau", contact_email="sfj@example.org")
    db.session.add(department)
    db.session.flush()
    return department.id


if sys.platform == "win32":  # pragma: no cover
    pytestmark = pytest.mark.skip("gunicorn does not run on Windows")
