"""Outbox drain benchmark: how fast the real sender empties a queue of N mails into a local SMTP sink.

Usage (from the repository root)::

    .venv/bin/python -m bench.outbox_drain                       # 10,000 mails, SQLite, one sender
    .venv/bin/python -m bench.outbox_drain --senders 4 --count 20000
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python -m bench.outbox_drain --senders 4

What it does:

1. Creates a fresh database: a temporary SQLite file, or, with ``DATABASE_URL`` (or ``--database-url``)
   pointing at PostgreSQL, a new schema in that database that is dropped afterwards.
2. Queues N password-reset mails: 200 through the real ``queue_mail`` (rendered in Chinese and in
   English), the rest bulk-inserted copies of those rows with their own recipients.
3. Starts an aiosmtpd sink on a free loopback port that records every message's ``Message-ID``.
4. Starts ``--senders`` processes, each running the real ``flask send-mail`` command once (it drains until
   nothing is due), all at the same moment; rows are claimed with ``SKIP LOCKED`` on PostgreSQL and
   under ``BEGIN IMMEDIATE`` on SQLite.
5. Prints messages per second (N / seconds from the first sender starting to drain to the last one
   finishing), total wall seconds (including process start-up), peak RSS of each sender and of this
   process (queueing + sink), and checks that every message arrived exactly once (N distinct
   ``Message-ID``s, N deliveries, N rows ``sent``). Exits non-zero if that check fails.
6. Writes the figures as JSON to ``bench/results/outbox_drain.json`` (``--output`` to change).
"""

import argparse
import json
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa

from bench.setup import BENCH_ENCRYPTION_KEY

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "bench" / "results" / "outbox_drain.json"
MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.IGNORECASE | re.MULTILINE)
SENDER_ADDRESS = "Consult bench <noreply@consult.bench>"


class Sink:
    """An aiosmtpd handler that only counts: Message-IDs seen and how often."""

    def __init__(self):
        self.ids: Counter[bytes] = Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 -- aiosmtpd hook
        header = envelope.content[: envelope.content.find(b"\r\n\r\n")]
        match = MESSAGE_ID.search(header)
        with self.lock:
            self.ids[match.group(1) if match else b"?"] += 1
        return "250 OK"


def peak_rss_mb() -> float:
    """This process's peak resident memory (``VmHWM``; unlike ``ru_maxrss`` it does not carry the parent's
    peak over ``fork``/``exec``)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # not Linux


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def app_config(database_url: str, smtp_port: int) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "bench-only",
        "CONSULT_ENCRYPTION_KEYS": BENCH_ENCRYPTION_KEY,
        "SERVER_NAME": "consult.bench",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_port,
        "MAIL_SUPPRESS_SEND": False,
        "MAIL_DEFAULT_SENDER": SENDER_ADDRESS,
        "RATELIMIT_ENABLED": False,
    }


def fresh_database(url: str | None) -> tuple[str, callable]:
    """A URL of an empty database and a function that removes it."""
    if not url:
        folder = tempfile.mkdtemp(prefix="outbox-bench-")
        path = Path(folder) / "bench.sqlite3"

        def remove():
            for file in Path(folder).iterdir():
                file.unlink()
            Path(folder).rmdir()

        return f"sqlite:///{path}", remove
    if url.startswith(("postgres://", "postgresql://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    if not url.startswith("postgresql"):
        return url, lambda: None
    schema = f"bench_outbox_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url)
    with admin.begin() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))

    def drop():
        with admin.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()

    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options={quote(f'-csearch_path={schema}')}", drop


def queue_messages(config: dict, count: int, rendered: int = 200) -> float:
    """Create the schema and queue ``count`` mails; returns the seconds taken.

    The first ``rendered`` mails go through the real ``queue_mail`` (templates rendered in Chinese and
    English); the rest are copies of those rows with their own recipient, bulk-inserted, because
    rendering is not what this benchmark measures and would dominate its run time.
    """
    from consult import create_app
    from consult.accounts.models import User
    from consult.extensions import db
    from consult.notify.models import OutboxMessage
    from consult.notify.services import queue_mail

    app = create_app({**config, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    started = time.perf_counter()
    with app.app_context():
        db.create_all()
        users = []
        for n, locale in enumerate(["zh_CN", "en"]):
            user = User(email=f"staff{n}@consult.bench", display_name=f"读者{n}", role="citizen", locale=locale)
            user.set_password(uuid.uuid4().hex)  # nobody logs in
            users.append(user)
        db.session.add_all(users)
        db.session.flush()
        samples = [
            queue_mail(f"reader{n}@consult.bench", "password_reset", user=users[n % 2],
                       reset_url=f"https://consult.bench/account/reset-password/token-{n}", max_age_minutes=60)
            for n in range(min(count, rendered))
        ]
        db.session.commit()
        columns = ("locale", "template", "subject", "body_text", "body_html", "essential", "status", "attempts",
                   "next_attempt_at", "created_at", "last_error")
        copies = [
            {**{c: getattr(samples[n % len(samples)], c) for c in columns}, "recipient": f"reader{n}@consult.bench"}
            for n in range(len(samples), count)
        ]
        for start in range(0, len(copies), 2000):
            db.session.execute(sa.insert(OutboxMessage), copies[start:start + 2000])
        db.session.commit()
        db.engine.dispose()
    return time.perf_counter() - started


def child(config_json: str, batch: int | None) -> None:
    """One sender process: the real ``send-mail`` command, then a JSON line with timings and peak RSS."""
    from consult import create_app
    from consult.notify.commands import send_mail_command

    app = create_app(json.loads(config_json))
    with app.app_context():
        started = time.time()
        send_mail_command.main(args=["--batch", str(batch)] if batch else [], standalone_mode=False)
        finished = time.time()
    print(json.dumps({"started": started, "finished": finished, "peak_rss_mb": peak_rss_mb()}))


def run(args) -> dict:
    from aiosmtpd.controller import Controller

    database_url, remove_database = fresh_database(args.database_url or os.environ.get("DATABASE_URL"))
    sink, port = Sink(), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        config = app_config(database_url, port)
        print(f"Queueing {args.count:,} mails on {database_url.split(':', 1)[0]} …", flush=True)
        queue_seconds = queue_messages(config, args.count)
        print(f"Queued in {queue_seconds:.1f} s. Draining with {args.senders} sender(s) …", flush=True)
        command = [sys.executable, "-m", "bench.outbox_drain", "--child", json.dumps(config)]
        if args.batch:
            command += ["--batch", str(args.batch)]
        wall_started = time.time()
        processes = [subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
                     for _ in range(args.senders)]
        outputs = [process.communicate()[0] for process in processes]
        wall_seconds = time.time() - wall_started
        if any(process.returncode for process in processes):
            raise SystemExit(f"a sender failed: {[p.returncode for p in processes]}\n{outputs}")
        senders = [json.loads(output.strip().splitlines()[-1]) for output in outputs]
        sent_lines = [line for output in outputs for line in output.splitlines() if line.startswith("Sent ")]
        drain_seconds = max(s["finished"] for s in senders) - min(s["started"] for s in senders)
        from consult import create_app
        from consult.extensions import db
        from consult.notify.models import OutboxMessage

        with create_app(config).app_context():
            statuses = dict(db.session.execute(
                sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)
            ).all())
            db.engine.dispose()
    finally:
        controller.stop()
        remove_database()
    with sink.lock:
        delivered, distinct = sum(sink.ids.values()), len(sink.ids)
    exactly_once = delivered == distinct == args.count and statuses.get("sent") == args.count
    return {
        "benchmark": "outbox_drain",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": "postgresql" if database_url.startswith("postgresql") else "sqlite",
        "messages": args.count,
        "senders": args.senders,
        "batch": args.batch or 100,
        "queue_seconds": round(queue_seconds, 2),
        "drain_seconds": round(drain_seconds, 2),
        "wall_seconds": round(wall_seconds, 2),
        "messages_per_second": round(args.count / drain_seconds, 1),
        "peak_rss_mb": {"senders": [s["peak_rss_mb"] for s in senders],
                        "bench_process": peak_rss_mb()},
        "delivered": delivered,
        "distinct_message_ids": distinct,
        "duplicates": delivered - distinct,
        "rows_by_status": statuses,
        "exactly_once": exactly_once,
        "sender_output": sent_lines,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.outbox_drain", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=10_000, help="mails to queue (default 10,000)")
    parser.add_argument("--senders", type=int, default=1, help="sender processes running at once (default 1)")
    parser.add_argument("--batch", type=int, help="messages claimed at a time (default MAIL_BATCH_SIZE, 100)")
    parser.add_argument("--database-url", help="default: $DATABASE_URL, else a temporary SQLite file")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="where to write the JSON figures")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.batch)
        return 0
    result = run(args)
    print(f"{result['database']}: {result['messages']:,} mails, {result['senders']} sender(s): "
          f"{result['messages_per_second']:,.0f} messages/s, drain {result['drain_seconds']} s, "
          f"wall {result['wall_seconds']} s (queueing took {result['queue_seconds']} s)")
    print(f"peak RSS: senders {result['peak_rss_mb']['senders']} MB, this process "
          f"{result['peak_rss_mb']['bench_process']} MB")
    print(f"delivered {result['delivered']:,}, distinct Message-IDs {result['distinct_message_ids']:,}, "
          f"rows {result['rows_by_status']}: " + ("every message exactly once" if result["exactly_once"]
                                                 else "NOT exactly once"))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    previous = json.loads(args.output.read_text()) if args.output.exists() else {}
    runs = previous.get("runs", []) if isinstance(previous, dict) else []
    key = (result["database"], result["senders"], result["messages"])
    runs = [r for r in runs if (r.get("database"), r.get("senders"), r.get("messages")) != key] + [result]
    args.output.write_text(json.dumps({"latest": result, "runs": runs}, indent=2, ensure_ascii=False) + "\n")
    print(f"written to {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}")
    return 0 if result["exactly_once"] else 1


if __name__ == "__main__":
    sys.exit(main())
