"""Fault checks: ``python -m bench.faults [--db sqlite|postgres] [--seconds 10] [--rate 300]``.

1. **Worker killed mid-burst.** Consult runs under gunicorn; a burst of letter POSTs (the JSON API) runs from
   16 threads; a worker is killed with SIGKILL every 2 seconds. Afterwards every letter that got a 201
   must exist with its letter row, its "received" timeline event and its receipt mail in the outbox,
   and no submission of the burst may exist half-written (without one of those rows). The mailbox's
   letter counter must equal the letters stored.
2. **SQLite under a write burst.** The same burst, paced at ``--rate`` requests per second, must not
   produce a single 500 ("database is locked" or anything else); the server log is searched too.

Exits 1 if a check fails. Prints one JSON summary (also written to bench/results/faults-<db>.json).
"""

import argparse
import http.client
import json
import os
import signal
import sys
import threading
import time
from collections import Counter

import sqlalchemy as sa

from bench.runner import RESULTS, database_url
from bench.servers import Server
from bench.setup import app_config, build_templates, fresh_database

THREADS = 16


class Burst:
    """Letter POSTs from many threads, paced to ``rate`` per second in total, for ``seconds``."""

    def __init__(self, server: Server, mailbox_id: int, seconds: float, rate: float):
        self.server, self.mailbox_id, self.seconds, self.rate = server, mailbox_id, seconds, rate
        self.lock = threading.Lock()
        self.sent = 0
        self.confirmed: dict[str, str] = {}  # e-mail -> tracking number of every 201
        self.statuses: Counter = Counter()
        self.failures: list[str] = []

    def _next(self) -> int | None:
        with self.lock:
            elapsed = time.perf_counter() - self.started
            if elapsed > self.seconds:
                return None
            self.sent += 1
            n = self.sent
        wait = n / self.rate - elapsed
        if wait > 0:
            time.sleep(wait)
        return n

    def _worker(self) -> None:
        while (n := self._next()) is not None:
            email = f"fault{n}@bench.example.org"
            body = json.dumps({"mailbox_id": self.mailbox_id, "category": "suggestion", "subject": f"故障测试{n}",
                               "body": "写入压力下的来信。", "name": "测试", "email": email}, ensure_ascii=False)
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=60)
                conn.request("POST", "/api/v1/letters", body.encode(), {"Content-Type": "application/json"})
                response = conn.getresponse()
                payload = response.read()
                conn.close()
            except (OSError, http.client.HTTPException) as error:  # the worker died under us: no answer
                with self.lock:
                    self.statuses["no answer"] += 1
                    if len(self.failures) < 5:
                        self.failures.append(repr(error))
                continue
            with self.lock:
                self.statuses[response.status] += 1
                if response.status == 201:
                    self.confirmed[email] = json.loads(payload)["tracking_no"]
                elif len(self.failures) < 5:
                    self.failures.append(f"{response.status} {payload[:200]!r}")

    def run(self, kill_every: float | None) -> None:
        self.started = time.perf_counter()
        threads = [threading.Thread(target=self._worker) for _ in range(THREADS)]
        for t in threads:
            t.start()
        kills = 0
        while any(t.is_alive() for t in threads):
            time.sleep(kill_every or 0.2)
            pids = self.server.worker_pids()
            if kill_every and pids and time.perf_counter() - self.started < self.seconds:
                os.kill(pids[0], signal.SIGKILL)
                kills += 1
        for t in threads:
            t.join()
        self.kills = kills


def verify(engine, burst: Burst, mailbox_id: int) -> dict:
    """Every confirmed letter whole; nothing of the burst half-written; counter equal to the rows."""
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT s.submitter_email, s.tracking_no, "
            "(SELECT COUNT(*) FROM letters l WHERE l.submission_id = s.id), "
            "(SELECT COUNT(*) FROM submission_events e WHERE e.submission_id = s.id AND e.action = 'received'), "
            "(SELECT COUNT(*) FROM outbox_messages o WHERE o.recipient = s.submitter_email) "
            "FROM submissions s WHERE s.submitter_email LIKE 'fault%'")).all()
        stored_letters = conn.execute(sa.text("SELECT COUNT(*) FROM letters WHERE mailbox_id = :m"),
                                      {"m": mailbox_id}).scalar_one()
        counter = conn.execute(sa.text("SELECT letter_count FROM mailboxes WHERE id = :m"),
                               {"m": mailbox_id}).scalar_one()
    stored = {email: (number, letters, events, mails) for email, number, letters, events, mails in rows}
    missing = [e for e in burst.confirmed if e not in stored]
    wrong_number = [e for e, n in burst.confirmed.items() if e in stored and stored[e][0] != n]
    half_written = [e for e, (_, letters, events, mails) in stored.items() if (letters, events, mails) != (1, 1, 1)]
    return {"confirmed_201": len(burst.confirmed), "stored": len(stored), "missing_confirmed": missing[:10],
            "wrong_tracking_no": wrong_number[:10], "half_written": half_written[:10],
            "stored_without_answer": len(set(stored) - set(burst.confirmed)),
            "mailbox_counter": counter, "mailbox_letters": stored_letters}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.faults", description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--database-url")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=300.0, help="letter POSTs per second in total")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args(argv)
    args.size = "faults"
    url = database_url(args)
    fresh_database(url)
    from consult import create_app

    app = create_app(app_config(url))
    fixture = build_templates(app)
    # The checks wait for the server's last writes (answers a client gave up on are still being written).
    engine = sa.create_engine(url, connect_args={"timeout": 120} if url.startswith("sqlite") else {})
    server = Server("consult-faults", "bench.wsgi:app", url, args.workers, "/healthz").start()
    summary = {"db": args.db, "seconds": args.seconds, "rate": args.rate, "workers": args.workers}
    try:
        for name, kill_every in (("write_burst", None), ("sigkill_burst", 2.0)):
            burst = Burst(server, fixture.mailbox_ids[1 if name == "write_burst" else 2], args.seconds, args.rate)
            burst.run(kill_every)
            result = verify(engine, burst, burst.mailbox_id)
            result.update(sent=burst.sent, statuses={str(k): v for k, v in burst.statuses.items()},
                          failures=burst.failures, workers_killed=burst.kills,
                          achieved_rate=round(burst.sent / args.seconds, 1))
            summary[name] = result
            with engine.begin() as conn:  # the next burst is checked on its own rows
                conn.execute(sa.text("UPDATE submissions SET submitter_email = 'done-' || submitter_email "
                                     "WHERE submitter_email LIKE 'fault%'"))
                conn.execute(sa.text("UPDATE outbox_messages SET recipient = 'done-' || recipient "
                                     "WHERE recipient LIKE 'fault%'"))
    finally:
        server.stop()
        engine.dispose()
    log = server.log.read_text(errors="replace")
    summary["locked_errors_in_log"] = log.count("database is locked")
    burst, killed = summary["write_burst"], summary["sigkill_burst"]
    problems = []
    if burst["statuses"].get("500") or summary["locked_errors_in_log"]:
        problems.append("500s / 'database is locked' during the write burst")
    if burst["statuses"].keys() - {"201"}:
        problems.append(f"unexpected answers in the write burst: {burst['statuses']}")
    for name in ("write_burst", "sigkill_burst"):
        r = summary[name]
        if r["missing_confirmed"] or r["wrong_tracking_no"] or r["half_written"]:
            problems.append(f"{name}: confirmed letters missing or half-written")
        if r["mailbox_counter"] != r["mailbox_letters"]:
            problems.append(f"{name}: mailbox counter {r['mailbox_counter']} != {r['mailbox_letters']} letters")
    if killed["statuses"].get("500"):
        problems.append("500s in the SIGKILL burst (a killed worker should drop the connection, not answer 500)")
    summary["problems"] = problems
    summary["ok"] = not problems
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"faults-{args.db}.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
