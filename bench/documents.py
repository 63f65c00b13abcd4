"""What documents cost: the feedback report of a draft with many comments, and a receipt PDF.

    .venv/bin/python -m bench.documents                      # 100,000 comments (SQLite)
    .venv/bin/python -m bench.documents --db postgres        # the same on PostgreSQL ($BENCH_POSTGRES_URL)
    .venv/bin/python -m bench.documents --comments 20000

The database (``bench/results/documents-<n>.sqlite3``, or the PostgreSQL database ``bench_documents``) is
built with the benchmark's own generator (template
rows written by Consult's services, cloned in bulk) and given dispositions: four kinds, ``REASONS`` distinct
reasons, spread over the articles, the way a workbench of units leaves them. The report is then published.

Each measurement runs in a fresh process that first starts the app and renders a one-page document (the
fonts are loaded then), so its ``ru_maxrss`` before the measured request is the reference; it reports the
peak resident set after, and the time. Measured:

* the feedback report as .docx and as PDF, without and with the annex (above 2,000 comments the annex is the
  streamed CSV, which the document names) — target: peak RSS ≤ 200 MB;
* the receipt PDF of one comment, 20 times after a warm-up (median and worst wall time, and the median CPU
  time of the process, which other load on the machine does not inflate), against the status page of the
  same submission as HTML in the same process — target: ≤ 300 ms.

Results go to ``bench/results/documents-<n>.json`` (SQLite) and ``documents-postgres-<n>.json``.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "bench", "results")
REASONS = 400
RSS_TARGET_MB = 200
RECEIPT_TARGET_MS = 300


def _url(comments: int, db: str = "sqlite") -> str:
    if db == "postgres":
        url = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/bench_documents")
        return url.replace("postgresql://", "postgresql+psycopg://", 1)
    return f"sqlite:///{os.path.join(RESULTS, f'documents-{comments}.sqlite3')}"


def _name(comments: int, db: str) -> str:
    return f"documents-{comments}" if db == "sqlite" else f"documents-postgres-{comments}"


def build(comments: int, db: str = "sqlite") -> None:
    """Generate the draft, its comments and their dispositions, and publish the report."""
    from bench.bulk import Writer
    from bench.data import engine_for, extend_comments
    from bench.setup import app_config, build_templates, fresh_database
    from consult import create_app

    url = _url(comments, db)
    fresh_database(url)
    app = create_app(app_config(url))
    fixture = build_templates(app)
    extend_comments(app, fixture, comments, progress=lambda text: print("  ", text, flush=True))
    writer = Writer(engine_for(app))
    kinds = ("adopted", "partly_adopted", "not_adopted", "noted")
    dispositions = (
        "UPDATE draft_comments SET disposition = CASE id % 4 WHEN 0 THEN ? WHEN 1 THEN ? WHEN 2 THEN ? ELSE ? END, "
        "disposition_reason = '理由' || (id % ?) || '：经研究，' || substr('该意见已在修改稿中予以体现或说明', 1, 6 + id % 10) "
        "WHERE draft_id = ?")
    writer.execute(dispositions.replace("%", "%%") if writer.pg else dispositions,
                   (*kinds, REASONS, fixture.draft_id))
    writer.execute("UPDATE drafts SET status = 'report_published', report_state = 'approved', "
                   "report_published_at = closes_at, report_summary = ? WHERE id = ?",
                   ("共收到意见十万条，**主要集中在**公开范围和公开时限。", fixture.draft_id))
    writer.finish(["draft_comments", "drafts"])
    with open(os.path.join(RESULTS, f"{_name(comments, db)}.fixture.json"), "w") as out:
        json.dump({"draft_id": fixture.draft_id, "template_comment_id": fixture.template_comment_id}, out)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(comments: int, what: str, database: str = "sqlite") -> dict:
    """One measurement in this (fresh) process; see the module."""
    from bench.setup import app_config
    from consult import create_app
    from consult.extensions import db
    from consult.tracking.models import Submission

    with open(os.path.join(RESULTS, f"{_name(comments, database)}.fixture.json")) as fixture_file:
        fixture = json.load(fixture_file)
    app = create_app(app_config(_url(comments, database)))
    client = app.test_client()
    with app.app_context():
        submission = db.session.scalar(
            db.select(Submission).where(Submission.kind == "comment").order_by(Submission.id).limit(1))
        number, submission_id = submission.tracking_no, submission.id
    with client.session_transaction() as session:
        session["tracked_submissions"] = [submission_id]
    warm = client.get(f"/track/{number}/receipt.pdf")  # fonts loaded, templates compiled
    assert warm.status_code == 200, warm.status_code
    before = _rss_mb()
    if what == "receipt":
        pdf_times, page_times, cpu_times = [], [], []
        for _ in range(20):
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.get(f"/track/{number}/receipt.pdf")
            pdf_times.append((time.perf_counter() - started) * 1000)
            cpu_times.append((time.process_time() - cpu_started) * 1000)
            assert response.status_code == 200
            started = time.perf_counter()
            page = client.get(f"/track/{number}")
            page_times.append((time.perf_counter() - started) * 1000)
            assert page.status_code == 200
        return {"what": what, "median_ms": round(statistics.median(pdf_times), 1), "max_ms": round(max(pdf_times), 1),
                "cpu_median_ms": round(statistics.median(cpu_times), 1),
                "reference_status_page_median_ms": round(statistics.median(page_times), 1),
                "ratio_to_reference": round(statistics.median(pdf_times) / statistics.median(page_times), 1),
                "bytes": len(response.data), "target_ms": RECEIPT_TARGET_MS,
                "met": statistics.median(pdf_times) <= RECEIPT_TARGET_MS}
    fmt, annex = what.split("+")[0], "+annex" in what
    url = f"/drafts/{fixture['draft_id']}/report.{fmt}" + ("?annex=1" if annex else "")
    started = time.perf_counter()
    response = client.get(url)
    seconds = time.perf_counter() - started
    assert response.status_code == 200, response.status_code
    peak = _rss_mb()
    return {"what": what, "seconds": round(seconds, 2), "bytes": len(response.data),
            "reference_rss_mb": round(before, 1), "peak_rss_mb": round(peak, 1),
            "growth_mb": round(peak - before, 1), "target_mb": RSS_TARGET_MB, "met": peak <= RSS_TARGET_MB}


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.documents")
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--rebuild", action="store_true", help="generate the database again")
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(measure(args.comments, args.one, args.db)))
        return
    os.makedirs(RESULTS, exist_ok=True)
    name = _name(args.comments, args.db)
    if args.rebuild or not os.path.exists(os.path.join(RESULTS, f"{name}.fixture.json")):
        print(f"generating {args.comments:,} comments …", flush=True)
        build(args.comments, args.db)
    results = []
    for what in ("receipt", "docx", "pdf", "docx+annex", "pdf+annex"):
        run = subprocess.run([sys.executable, "-m", "bench.documents", "--comments", str(args.comments), "--one",
                              what, "--db", args.db], cwd=ROOT, capture_output=True, text=True)
        if run.returncode != 0:
            print(run.stderr[-3000:])
            raise SystemExit(f"{what} failed")
        figures = json.loads(run.stdout.strip().splitlines()[-1])
        results.append(figures)
        print(json.dumps(figures, ensure_ascii=False), flush=True)
    path = os.path.join(RESULTS, f"{name}.json")
    with open(path, "w") as out:
        json.dump({"comments": args.comments, "database": args.db, "load_average": os.getloadavg()[0],
                   "results": results}, out, indent=2, ensure_ascii=False)
    print("written", path)


if __name__ == "__main__":
    main(sys.argv[1:])
