"""The whole benchmark run: data, servers, growth run, scenarios, checks, report."""

import dataclasses
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime

import sqlalchemy as sa

from bench import data, nginx, report, scenarios
from bench.servers import ROOT, Server

RESULTS = ROOT / "bench" / "results"
SIZES = {
    "default": {"comments": 1_000_000, "letters": 200_000, "registrations": 10_000,
                "growth": [10_000, 100_000, 1_000_000], "duration": 15.0},
    "small": {"comments": 10_000, "letters": 20_000, "registrations": 1_000,
              "growth": [1_000, 3_000, 10_000], "duration": 6.0},
}
GROWTH_SECONDS = {"default": 8.0, "small": 4.0}


def database_url(args) -> str:
    if args.db == "sqlite":
        return f"sqlite:///{RESULTS / f'bench-{args.size}.sqlite3'}"
    url = args.database_url or os.environ.get("BENCH_POSTGRES_URL") or "postgresql://postgres@127.0.0.1:5432/consult_bench"
    return url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url


def say(text: str) -> None:
    report.end_progress()
    print(text, flush=True)


WARM_UP_SECONDS = 1.5


def drive(scenario, server: Server, warm_up: bool = True) -> dict:
    """Run one scenario with a progress bar, after ``WARM_UP_SECONDS`` of the same requests that are not
    counted: a worker's first requests compile statements and templates and fill its caches, which is not
    the steady state measured (a scenario with a fixed number of requests, such as the registration burst's
    last seats, runs as it is)."""
    if warm_up and not scenario.max_requests:
        scenarios.run(dataclasses.replace(scenario, duration=WARM_UP_SECONDS), server, lambda *_: None)
    label = f"{scenario.name} @ {server.name}"
    started = time.time()

    def show(done: int, elapsed: float) -> None:
        if scenario.max_requests:
            fraction = done / scenario.max_requests
        else:
            fraction = elapsed / scenario.duration
        report.progress_bar(label, fraction, f"{elapsed:5.1f}s {done:>7,} req")

    result = scenarios.run(scenario, server, show)
    report.end_progress()
    result["wall_seconds"] = round(time.time() - started, 1)
    return result


def growth_point(app, fixture, consult: Server, ref: Server, total: int, seconds: float, concurrency: int) -> dict:
    """Grow the draft to ``total`` comments, then time its first and deep page (and the reference's)."""
    say(f"growth: {total:,} comments")
    data.extend_comments(app, fixture, total, progress=lambda m: report.progress_bar("generating", 0.5, m))
    engine = data.engine_for(app)
    cursor, page = scenarios.deep_cursor(engine, fixture.draft_id, 40_000)
    point = {"comments": total, "deep_page": page}
    for name, path in (("draft_first", f"/drafts/{fixture.draft_id}"),
                       ("draft_deep", f"/drafts/{fixture.draft_id}?cursor={cursor}")):
        s = scenarios.Scenario(name, name, [path], duration=seconds, concurrency=concurrency)
        point[name] = drive(s, consult)
        point[f"reference_{name}"] = drive(s, ref)
    say(f"  first p50 {point['draft_first']['p50_ms']} ms p99 {point['draft_first']['p99_ms']} ms · "
        f"deep (page {page:,}) p50 {point['draft_deep']['p50_ms']} ms p99 {point['draft_deep']['p99_ms']} ms")
    return point


def outbox_drain(url: str, name: str) -> dict:
    """10,000 mails through ``bench/outbox_drain.py`` (the real sender, to a local SMTP sink).

    That script makes its own fresh queue: a temporary SQLite file, or a schema of its own on PostgreSQL.
    """
    output = RESULTS / f"outbox_drain-{name}.json"
    command = [sys.executable, "-m", "bench.outbox_drain", "--count", "10000", "--output", str(output)]
    if url.startswith("postgresql"):
        command += ["--database-url", url.replace("postgresql+psycopg://", "postgresql://", 1)]
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    started = time.time()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    result = {"returncode": done.returncode, "wall_seconds": round(time.time() - started, 1)}
    if done.returncode != 0:
        result["stderr"] = done.stderr[-1500:]
    try:
        result.update(json.loads(output.read_text())["latest"])
    except (OSError, ValueError, KeyError):
        pass
    return result


TURNS = 3


def drive_in_turns(scenario, servers: dict, turns: int = TURNS) -> dict:
    """Run ``scenario`` against each server in turn, ``turns`` times for a ``turns``-th of its duration each;
    requests/s over all slices, p50 and p90 the median of the slices', p99 and max the worst slice's."""
    part = dataclasses.replace(scenario, duration=scenario.duration / turns)
    slices = {name: [] for name in servers}
    for turn in range(turns):
        for name, server in servers.items():
            slices[name].append(drive(part, server, warm_up=turn == 0))
    return {name: _merged(results) for name, results in slices.items()}


def _merged(results: list[dict]) -> dict:
    merged = dict(results[-1])
    requests, seconds = sum(r["requests"] for r in results), sum(r["seconds"] for r in results)
    merged.update(
        requests=requests, seconds=round(seconds, 3), rps=round(requests / seconds, 1) if seconds else 0.0,
        errors=sum(r["errors"] for r in results),
        p50_ms=statistics.median(r["p50_ms"] for r in results), p90_ms=statistics.median(r["p90_ms"] for r in results),
        p99_ms=max(r["p99_ms"] for r in results), max_ms=max(r["max_ms"] for r in results),
        peak_rss_mb=max(r.get("peak_rss_mb", 0) for r in results),
        slices=[{"rps": r["rps"], "p50_ms": r["p50_ms"], "p99_ms": r["p99_ms"]} for r in results],
    )
    return merged


def _ratio(result: dict, reference: dict) -> float | None:
    return result["rps"] / reference["rps"] if reference["rps"] else None


def memory_reference(consult: Server, paths: list[str], url: str, workers: int) -> Server:
    """Start the reference that serves, from memory, the bytes Consult serves an anonymous reader at ``paths``."""
    pages = {}
    for path in dict.fromkeys(paths):
        with urllib.request.urlopen(consult.url(path)) as response:
            pages[path] = response.read().decode()
    stored = RESULTS / "reference-pages.json"
    stored.write_text(json.dumps(pages, ensure_ascii=False))
    server = Server("reference-memory", "bench.reference:memory", url, workers, paths[0])
    server.env["BENCH_PAGES_FILE"] = str(stored)
    return server.start()


def checks(app, fixture, results: dict) -> dict:
    """After the writes: no seat given twice, every confirmed comment stored with its timeline."""
    engine = data.engine_for(app)
    with engine.connect() as conn:
        event = conn.execute(sa.text("SELECT capacity, confirmed_count FROM events WHERE id = :e"),
                             {"e": fixture.event_id}).one()
        confirmed_rows = conn.execute(sa.text(
            "SELECT COUNT(*) FROM event_registrations WHERE event_id = :e AND status = 'confirmed'"),
            {"e": fixture.event_id}).scalar_one()
        orphans = conn.execute(sa.text(
            "SELECT COUNT(*) FROM submissions s WHERE NOT EXISTS "
            "(SELECT 1 FROM submission_events e WHERE e.submission_id = s.id)")).scalar_one()
    burst = results.get("registration_burst", {}).get("consult", {})
    found = {
        "event_capacity": event.capacity, "event_confirmed_count": event.confirmed_count,
        "confirmed_rows": confirmed_rows, "seats_never_given_twice": confirmed_rows == event.confirmed_count <= event.capacity,
        "burst_confirmed": burst.get("fields", {}).get("confirmed"),
        "submissions_without_timeline": orphans,
    }
    found["ok"] = (found["seats_never_given_twice"] and not orphans
                   and found["burst_confirmed"] in (None, data.BURST_SEATS))  # None: the burst did not run
    return found


def run(args) -> int:
    size = SIZES[args.size]
    url = database_url(args)
    workers = args.workers or os.cpu_count() or 2
    duration = args.duration or size["duration"]
    concurrency = workers * 2
    only = set(args.only.split(",")) if args.only else None
    started = time.time()
    steps = [size["comments"]] if args.no_growth else size["growth"]
    say(f"Consult benchmark · size {args.size} · {args.db} · {workers} workers · {duration:g} s per scenario")
    say(f"generating: {size['letters']:,} letters, {size['registrations']:,} registrations, {steps[0]:,} comments")
    t0 = time.time()
    fixture, app = data.generate(url, comments=steps[0], letters=size["letters"],
                                 registrations=size["registrations"],
                                 progress=lambda m: report.progress_bar("generating", 0.5, m))
    generation = {"seconds_base": round(time.time() - t0, 1)}
    consult = Server("consult", "bench.wsgi:app", url, workers, "/healthz").start()
    ref = Server("reference", "bench.reference:app", url, workers, f"/drafts/{fixture.draft_id}").start()
    results, growth, memory = {}, [], None
    try:
        t1 = time.time()
        if not args.no_growth:
            for total in steps:
                growth.append(growth_point(app, fixture, consult, ref, total, GROWTH_SECONDS[args.size], concurrency))
        generation["seconds_with_growth"] = round(time.time() - t1, 1)
        engine = data.engine_for(app)
        officer = scenarios.login(consult, fixture.officer_email, fixture.password)
        editor = scenarios.login(consult, fixture.editor_email, fixture.password)
        plan = scenarios.build(fixture, engine, officer, editor, duration, concurrency)
        memory = memory_reference(consult, [p for s in plan if s.reference for p in s.paths], url, workers)
        say("")
        say(report.header())
        for scenario in plan:
            if only and scenario.name not in only:
                continue
            ratio = query_ratio = None
            if scenario.reference:
                # The page's reference: Consult's own bytes from memory under the same gunicorn; and, as a
                # second line, the one-query server that builds a page like it from the same database. The
                # three take turns in short slices, so a change in the machine's load hits them alike.
                both = drive_in_turns(scenario, {"consult": consult, "reference": memory, "reference_one_query": ref})
                entry = {"title": scenario.title, "target": scenario.target, **both}
            else:
                entry = {"title": scenario.title, "target": scenario.target, "consult": drive(scenario, consult)}
            if scenario.reference:
                ratio = _ratio(entry["consult"], entry["reference"])
                query_ratio = _ratio(entry["consult"], entry["reference_one_query"])
                entry["ratio_to_reference"] = round(ratio, 3) if ratio is not None else None
                entry["ratio_to_one_query_reference"] = round(query_ratio, 3) if query_ratio is not None else None
            if scenario.write_reference:
                # The write's reference: the same POST answered after one bare INSERT and commit.
                entry["reference"] = drive(scenario, ref)
                ratio = _ratio(entry["consult"], entry["reference"])
                entry["ratio_to_reference"] = round(ratio, 3) if ratio is not None else None
            results[scenario.name] = entry
            say(report.row(scenario.title, entry["consult"], ratio, scenario.target))
            if scenario.write_reference:
                say(report.row("  reference: one bare INSERT", entry["reference"], None, ""))
            if scenario.reference:
                say(report.row("  reference: same bytes from memory", entry["reference"], None, ""))
                say(report.row("  reference: one query", entry["reference_one_query"], None,
                               f"Consult = {query_ratio:.0%} of it" if query_ratio is not None else ""))
        if not args.no_nginx and (not only or "nginx" in only) and nginx.available():
            results["nginx"] = nginx.scenario(consult, fixture, duration, concurrency, say, drive_in_turns)
    finally:
        consult.stop()
        ref.stop()
        if memory is not None:
            memory.stop()
    if not only or "outbox_drain" in only:
        drain = outbox_drain(url, f"{args.size}-{args.db}")
        results["outbox_drain"] = {"title": "Outbox drain, 10,000 mails to a local SMTP sink", "result": drain}
        say(f"outbox drain: {drain.get('messages_per_second', '?')} mails/s, "
            f"drain {drain.get('drain_seconds', '?')} s, exactly once: {drain.get('exactly_once')}, exit {drain['returncode']}")
    payload = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"), "size": args.size, "db": args.db,
        "workers": workers, "concurrency": concurrency, "duration_per_scenario": duration,
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(), "load_average": os.getloadavg()},
        "rows": data.counts(app), "generation": generation, "fixture": fixture.to_dict(),
        "growth": growth, "scenarios": results, "checks": checks(app, fixture, results),
        "total_seconds": round(time.time() - started, 1),
    }
    if "draft_first" in results and "draft_deep" in results:
        payload["deep_vs_first_p99"] = round(results["draft_deep"]["consult"]["p99_ms"] /
                                             max(results["draft_first"]["consult"]["p99_ms"], 0.001), 2)
    if len(growth) > 1:
        payload["growth_p50_factor"] = round(growth[-1]["draft_first"]["p50_ms"] /
                                             max(growth[0]["draft_first"]["p50_ms"], 0.001), 2)
    # A partial run gets a file of its own (or the name asked for).
    name = args.output or f"{args.size}-{args.db}" + (f"-{'-'.join(sorted(only))}" if only else "")
    report.write_json(RESULTS / f"{name}.json", payload)
    if growth:
        report.growth_svg(growth, RESULTS / f"growth-{name}.svg",
                          f"Draft page latency against comments ({args.db}, {workers} workers)")
    say(f"\nchecks: {payload['checks']}" + ("" if payload["checks"]["ok"] else " · CHECKS FAILED"))
    say(f"written: bench/results/{name}.json" + (f", bench/results/growth-{name}.svg" if growth else "")
        + f" · {payload['total_seconds']:.0f} s in all · load average {os.getloadavg()[0]:.1f}")
    return 0 if payload["checks"]["ok"] else 1
