"""CPU per write request, in-process: ``python -m bench.write_cpu [--db sqlite|postgres] [-n 200] [--profile]``.

Posts ``n`` comments, letters and open-day registrations through the JSON API with Flask's test client (no
server, no network, no load generator), on a fresh database made by ``bench.setup.build_templates``, and
reports for each kind the process CPU time per request, the SQL statements per request and the 201s. With
``--profile`` it also prints the top functions of a cProfile run (cumulative time) for each kind.

This is the figure the write path is tuned on: the throughput scenarios (``python -m bench run --only
comment_post,letter_post``) share two cores with their load generator, so every millisecond of CPU a
request costs shows there.
"""

import argparse
import cProfile
import io
import json
import pstats
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from bench.runner import database_url
from bench.setup import app_config, build_templates, fresh_database


def _requests(kind: str, fixture, n: int):
    for i in range(n):
        if kind == "comment":
            yield (f"/api/v1/drafts/{fixture.draft_id}/comments",
                   {"body": f"基准测试意见 {i}：建议明确办理时限。", "name": f"测试{i}", "email": f"post{i}@bench.example.org"})
        elif kind == "letter":
            yield ("/api/v1/letters",
                   {"mailbox_id": fixture.mailbox_ids[0], "category": "suggestion", "subject": f"基准测试来信 {i}",
                    "body": "建议延长社区图书室开放时间。", "name": f"来信人{i}", "email": f"letter{i}@bench.example.org"})
        else:
            yield (f"/api/v1/events/{fixture.event_id}/registrations",
                   {"name": f"抢票{i}", "phone": f"+86 136 0000 {i:04d}", "email": f"reg{i}@bench.example.org"})


def measure(app, fixture, kind: str, n: int, profile: bool) -> dict:
    client = app.test_client()
    statements, last = [0], []

    def count(_conn, _cursor, statement, *_args):
        statements[0] += 1
        last.append(" ".join(statement.split())[:150])

    with app.app_context():
        from consult.extensions import db

        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    warm = list(_requests(kind, fixture, 5))
    for k, (path, body) in enumerate(warm):  # the first requests fill the caches (templates, statements)
        path, body = list(_requests(kind, fixture, 1000 + k + 1))[-1]
        client.post(path, json=body)
    statements[0] = 0
    profiler = cProfile.Profile() if profile else None
    created = 0
    cpu0, wall0 = time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    for k, (path, body) in enumerate(_requests(kind, fixture, n)):
        last.clear()
        response = client.post(path, json=body)  # as the throughput scenarios: no Idempotency-Key
        created += response.status_code == 201
    if profiler:
        profiler.disable()
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    sa.event.remove(engine, "before_cursor_execute", count)
    result = {"requests": n, "created": created, "cpu_ms_per_request": round(1000 * cpu / n, 2),
              "wall_ms_per_request": round(1000 * wall / n, 2), "statements_per_request": round(statements[0] / n, 1)}
    result["last_request_statements"] = list(last)
    if profiler:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(r"consult|jinja2/environment|jieba|flask_wtf|pydantic|sqlalchemy/orm/session.py:.*(flush|commit)", 60)
        stats.sort_stats("tottime").print_stats(25)
        result["profile"] = out.getvalue()
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--database-url")
    parser.add_argument("-n", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--only", default="comment,letter,registration")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        if args.db == "sqlite":
            url = f"sqlite:///{Path(tmp) / 'write-cpu.sqlite3'}"
        else:
            args.size = "write-cpu"
            url = database_url(args).rsplit("/", 1)[0] + "/consult_bench_write_cpu"
        fresh_database(url)
        from consult import create_app

        app = create_app(app_config(url))
        fixture = build_templates(app)
        with app.app_context():  # room for every registration: the burst measures the write, not a full event
            from consult.events.models import Event
            from consult.extensions import db

            db.session.execute(sa.update(Event).where(Event.id == fixture.event_id).values(capacity=100_000))
            db.session.commit()
        results = {}
        for kind in args.only.split(","):
            results[kind] = measure(app, fixture, kind, args.n, args.profile)
            profile = results[kind].pop("profile", None)
            if profile:
                print(f"=== {kind}\n{profile}")
        print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
