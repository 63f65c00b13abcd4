"""The analysis job and the workbench pages on a real database: job time and peak RSS, page latency.

Usage (from the repository root)::

    .venv/bin/python -m bench.workbench --comments 100000 --db sqlite
    .venv/bin/python -m bench.workbench --comments 100000 --db postgres      # $BENCH_POSTGRES_URL
    .venv/bin/python -m bench.workbench --comments 1000000 --db sqlite --requests 300

What it does:

1. Makes a fresh database with the benchmark's templates (bench/setup.py) and ``--comments`` comments on one
   draft, bulk-loaded (bench/data.py), whose texts are the labelled analysis corpus (bench/corpus.py: 60 %
   copies of seven form letters, 40 % distinct comments).
2. Queues an analysis run and runs the job (``consult.workbench.jobs.run_analysis``: read the comments,
   analyse, write units and members in batches, publish) in a fresh process; reports its wall and CPU time
   and the process's own peak RSS (``VmHWM``; ``ru_maxrss`` would also hold this command's peak, see
   ``consult/analysis/memory.py``), and per step of the job its peak so far and its RSS at the step's end.
3. Logs in as the draft department's officer and times the workbench pages in a fresh process (an
   application as a web worker has it after start-up) through the WSGI app (no network): the overview, the overview filtered to one kind and one article, its second page, the
   largest campaign's page and a topic's page. The reference is the office page of the same draft, timed the
   same way in the same run. Reports p50/p99 per page, the ratio to the reference's p99, and the full
   garbage collections (generation 2) that fell in a page's timed requests, with their pauses.
4. Writes the figures as JSON to ``bench/results/workbench-<db>-<n>.json``.
"""

import argparse
import dataclasses
import gc
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def _job(url: str, run_id: int) -> None:
    """The measured process: run the analysis job of ``run_id`` and print its figures as JSON."""
    from consult import create_app
    from bench.setup import app_config
    from consult.analysis.memory import process_memory_mb
    from consult.extensions import db
    from consult.workbench import jobs
    from consult.workbench.models import AnalysisRun

    app = create_app(app_config(url))
    with app.app_context():
        wall, cpu = time.perf_counter(), time.process_time()
        status = jobs.run_analysis(run_id)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        run = db.session.get(AnalysisRun, run_id)
        figures = {"status": status, "error": run.error, "wall_seconds": round(wall, 1), "cpu_seconds": round(cpu, 1),
                   # the process's own peak; ru_maxrss also holds the peak of the command that started it
                   "peak_rss_mb": round(process_memory_mb()[0]),
                   "ru_maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                   "steps": run.seconds, "summary": {k: v for k, v in (run.summary or {}).items()
                                                     if k != "stance_by_article"}}
    print(json.dumps(figures))


def _pages(url: str, fixture_json: str, requests: int) -> None:
    """The process whose pages are timed: a fresh application, as a web worker has it after start-up (not
    this command's, which holds what loading the comments made), printing the figures as JSON."""
    from bench.setup import Fixture, app_config
    from consult import create_app

    app = create_app(app_config(url))
    print(json.dumps(_time_pages(app, Fixture(**json.loads(fixture_json)), requests)))


def _load(url: str, comments: int, progress) -> tuple:
    """A fresh database with the templates and ``comments`` comments whose texts are the corpus."""
    import bench.data as data
    from bench.corpus import generate
    from bench.setup import app_config, build_templates, fresh_database
    from consult import create_app

    corpus = generate(comments, seed=1)
    # The bulk loader takes its texts from a pool: make the pool the corpus, in order (the stored hash and
    # signature of the old grouping are not what the analysis reads).
    data.body_pool = lambda app, n=400: [(c.text, "0" * 64, b"") for c in corpus]
    fresh_database(url)
    app = create_app(app_config(url))
    fixture = build_templates(app)
    data.extend_comments(app, fixture, comments, progress)
    return app, fixture


def _queue_run(app, fixture) -> int:
    from consult.drafts.models import CLOSED, Draft
    from consult.extensions import db
    from consult.workbench.models import AnalysisRun

    with app.app_context():
        db.session.get(Draft, fixture.draft_id).status = CLOSED
        run = AnalysisRun(draft_id=fixture.draft_id, status="queued")
        db.session.add(run)
        db.session.commit()
        return run.id


def _time_pages(app, fixture, requests: int) -> dict:
    from consult.extensions import db
    from consult.workbench import queries
    from consult.workbench.models import AnalysisUnit

    import sqlalchemy as sa

    with app.app_context():
        run = queries.current_run(fixture.draft_id)
        units = {kind: db.session.scalar(sa.select(AnalysisUnit.id).where(
            AnalysisUnit.run_id == run.id, AnalysisUnit.kind == kind).order_by(AnalysisUnit.position).limit(1))
            for kind in ("campaign", "topic")}
        page = queries.unit_page(run, queries.UnitFilters(), None)
    base = f"/office/drafts/{fixture.draft_id}"
    pages = {
        "reference: office draft page": base,
        "analysis overview": f"{base}/analysis",
        "overview, second page": f"{base}/analysis?cursor={page.next_cursor}",
        "overview, topics only": f"{base}/analysis?kind=topic",
        "one article, undecided only": f"{base}/analysis/articles/{fixture.article_anchors[2]}?undecided=1",
        "largest campaign (changed copies)": f"{base}/analysis/units/{units['campaign']}",
        "largest campaign, every copy": f"{base}/analysis/units/{units['campaign']}?all=1",
        "a topic": f"{base}/analysis/units/{units['topic']}",
    }
    app.config["WTF_CSRF_ENABLED"] = False  # the test client posts the login form without fetching it
    client = app.test_client()
    response = client.post("/account/login", data={"email": fixture.officer_email, "password": fixture.password})
    assert response.status_code in (302, 303), response.status_code
    results = {}
    pauses: list[float] = []  # full collections (generation 2) during the timed requests, ms
    started_collection = [0.0]

    def on_collection(phase: str, info: dict) -> None:
        if info["generation"] == 2:
            if phase == "start":
                started_collection[0] = time.perf_counter()
            else:
                pauses.append(round((time.perf_counter() - started_collection[0]) * 1000, 1))

    gc.callbacks.append(on_collection)
    for name, url in pages.items():
        for _ in range(5):  # warm up
            assert client.get(url).status_code == 200, (name, url)
        times = []
        pauses.clear()
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        times.sort()
        results[name] = {"p50_ms": round(times[len(times) // 2], 1),
                         "p99_ms": round(times[min(len(times) - 1, int(len(times) * 0.99))], 1),
                         "full_gc_pauses_ms": list(pauses)}
    gc.callbacks.remove(on_collection)
    reference = results["reference: office draft page"]["p99_ms"]
    for figures in results.values():
        figures["p99_ratio_to_reference"] = round(figures["p99_ms"] / reference, 2)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.workbench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--database-url")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--output")
    parser.add_argument("--job", nargs=2, metavar=("URL", "RUN_ID"), help=argparse.SUPPRESS)
    parser.add_argument("--pages", nargs=2, metavar=("URL", "FIXTURE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.job:
        _job(args.job[0], int(args.job[1]))
        return 0
    if args.pages:
        _pages(args.pages[0], args.pages[1], args.requests)
        return 0
    if args.db == "postgres":
        url = args.database_url or os.environ.get("BENCH_POSTGRES_URL",
                                                  "postgresql://postgres@127.0.0.1:5432/bench_workbench")
        url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    else:
        url = f"sqlite:///{tempfile.gettempdir()}/consult-bench-workbench-{args.comments}.sqlite3"

    def progress(message: str) -> None:
        print(f"  {message}", file=sys.stderr, flush=True)

    load_before = os.getloadavg()
    started = time.perf_counter()
    app, fixture = _load(url, args.comments, progress)
    load_seconds = time.perf_counter() - started
    run_id = _queue_run(app, fixture)
    with app.app_context():
        from consult.extensions import db

        db.engine.dispose()
    progress("running the analysis job in a fresh process")
    output = subprocess.run([sys.executable, "-m", "bench.workbench", "--job", url, str(run_id)],
                            check=True, capture_output=True, text=True).stdout
    job = json.loads(output.strip().splitlines()[-1])
    progress(f"job: {job['wall_seconds']} s, {job['peak_rss_mb']} MB")
    pages = {}
    if job["status"] == "done":
        progress("timing the pages in a fresh process")
        output = subprocess.run([sys.executable, "-m", "bench.workbench", "--requests", str(args.requests), "--pages",
                                 url, json.dumps(dataclasses.asdict(fixture))],
                                check=True, capture_output=True, text=True).stdout
        pages = json.loads(output.strip().splitlines()[-1])
    figures = {
        "comments": args.comments, "database": args.db, "generated_at": datetime.now(UTC).isoformat(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_average_before": load_before, "load_average_after": os.getloadavg()},
        "load_seconds": round(load_seconds, 1), "job": job, "pages": pages, "requests_per_page": args.requests,
    }
    RESULTS.mkdir(exist_ok=True)
    path = Path(args.output or RESULTS / f"workbench-{args.db}-{args.comments}.json")
    path.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
