"""The scenarios: what each one requests, how it is judged, and running one through the load generator."""

import http.cookiejar
import json
import re
import subprocess
import sys
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

import sqlalchemy as sa

from bench.servers import RssWatcher, Server


@dataclass
class Scenario:
    name: str
    title: str
    paths: list[str]
    method: str = "GET"
    body: str | None = None
    headers: dict = field(default_factory=dict)
    expect: tuple = (200,)
    concurrency: int = 4
    duration: float = 10.0
    max_requests: int | None = None
    json_field: str | None = None
    reference: bool = False  # also run against the reference servers (the page from memory, one query)
    write_reference: bool = False  # also run against the bare-insert reference (bench/reference.py)
    target: str = ""  # the target, shown in the report


def login(server: Server, email: str, password: str) -> str:
    """Log in through the form (CSRF token and all); the ``Cookie`` header of the session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(server.url("/account/login")).read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page)
    data = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": token.group(1)}).encode()
    opener.open(server.url("/account/login"), data=data).read()
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    if "session=" not in cookie:
        raise RuntimeError(f"login as {email} failed")
    return cookie


def deep_cursor(engine, draft_id: int, page: int, per_page: int = 20) -> tuple[str, int]:
    """The cursor of page ``page`` of the newest-first comment list (clamped to 80 % of the pages)."""
    from consult.pagination import encode_cursor

    with engine.connect() as conn:
        total = conn.execute(sa.text("SELECT comment_count FROM drafts WHERE id = :d"), {"d": draft_id}).scalar_one()
        page = max(1, min(page, int(total / per_page * 0.8)))
        last_id = conn.execute(sa.text(
            "SELECT id FROM draft_comments WHERE draft_id = :d AND moderation = 'published' "
            "ORDER BY id DESC LIMIT 1 OFFSET :o"), {"d": draft_id, "o": (page - 1) * per_page - 1}).scalar_one()
    return encode_cursor([last_id]), page


def tracking_numbers(engine, n: int = 500) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(sa.text(
            "SELECT tracking_no FROM submissions WHERE kind = 'letter' AND id % 97 = 0 ORDER BY id LIMIT :n"),
            {"n": n}).scalars())


def build(fixture, engine, officer_cookie: str, editor_cookie: str, duration: float, concurrency: int) -> list[Scenario]:
    """Every scenario, in the order they run (reads, then writes, then the long export)."""
    d = fixture.draft_id
    cursor, page = deep_cursor(engine, d, 40_000)
    numbers = tracking_numbers(engine)
    code = urllib.parse.quote(fixture.letter_query_code)
    json_headers = {"Content-Type": "application/json", "Accept": "application/json"}
    common = {"duration": duration, "concurrency": concurrency}
    return [
        Scenario("draft_first", "Draft page, first page", [f"/drafts/{d}"], reference=True,
                 target="≥ 50% of reference rps", **common),
        Scenario("draft_deep", f"Draft page {page:,} deep (cursor)", [f"/drafts/{d}?cursor={cursor}"], reference=True,
                 target="p99 ≤ 1.3 × first page p99", **common),
        Scenario("draft_list", "Draft list", ["/drafts"], **common),
        Scenario("status_lookup", "Status lookup (API, tracking no + code)",
                 [f"/api/v1/submissions/{n}?code={code}" for n in numbers], **common),
        Scenario("inbox_overdue", "Officer inbox, overdue (logged in)", ["/office/inbox?due=overdue"],
                 headers={"Cookie": officer_cookie}, target="p99 ≤ 100 ms", **common),
        Scenario("stats", "Statistics page", ["/stats"], target="p99 ≤ 200 ms", **common),
        Scenario("comment_post", "Comment POST (API)", [f"/api/v1/drafts/{d}/comments"], method="POST",
                 body=json.dumps({"body": "基准测试意见 {n}：建议明确办理时限。", "name": "测试{n}",
                                  "email": "post{n}@bench.example.org"}, ensure_ascii=False),
                 headers=json_headers, expect=(201,), target="≥ 300/s, no errors", write_reference=True, **common),
        Scenario("letter_post", "Letter POST (API)", ["/api/v1/letters"], method="POST",
                 body=json.dumps({"mailbox_id": fixture.mailbox_ids[0], "category": "suggestion",
                                  "subject": "基准测试来信 {n}", "body": "建议延长社区图书室开放时间。",
                                  "name": "来信人{n}", "email": "letter{n}@bench.example.org"}, ensure_ascii=False),
                 headers=json_headers, expect=(201,), target="≥ 300/s, no errors", write_reference=True, **common),
        Scenario("registration_burst", "Registration burst, last 100 seats (API)",
                 [f"/api/v1/events/{fixture.event_id}/registrations"], method="POST",
                 body=json.dumps({"name": "抢票{n}", "phone": "+86 136 {run} {n}",
                                  "email": "burst{run}-{n}@bench.example.org"},
                                 ensure_ascii=False),
                 headers=json_headers, expect=(201,), max_requests=300, concurrency=16, duration=120,
                 json_field="status", target="exactly 100 confirmed, none lost"),
        Scenario("csv_export", "CSV export of all comments (editor)", [f"/office/drafts/{d}/comments.csv"],
                 headers={"Cookie": editor_cookie}, max_requests=1, concurrency=1, duration=1200,
                 target="peak worker RSS ≤ 150 MB"),
    ]


def run(scenario: Scenario, server: Server, show) -> dict:
    """Drive ``scenario`` against ``server`` from a separate process; adds the peak RSS of its workers."""
    spec = {
        "host": "127.0.0.1", "port": server.port, "method": scenario.method, "paths": scenario.paths,
        "headers": scenario.headers, "body": scenario.body, "expect": list(scenario.expect),
        "concurrency": scenario.concurrency, "duration": scenario.duration, "max_requests": scenario.max_requests,
        "json_field": scenario.json_field,
    }
    process = subprocess.Popen([sys.executable, "-m", "bench.loadgen"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=server.log.parent.parent.parent)
    with RssWatcher(server) as watcher:
        process.stdin.write(json.dumps(spec))
        process.stdin.close()
        for line in process.stderr:
            if line.startswith("progress "):
                _, done, elapsed = line.split()
                show(int(done), float(elapsed))
        output = process.stdout.read()
        process.wait()
    if process.returncode != 0:
        raise RuntimeError(f"load generator failed on {scenario.name}")
    result = json.loads(output)
    result["peak_rss_mb"] = watcher.peak_mb
    result["workers_rss_mb"] = watcher.total_peak_mb
    if result.get("requests"):  # what one request costs the workers: the figure the two cores divide
        result["workers_cpu_ms_per_request"] = round(1000 * watcher.cpu / result["requests"], 2)
    return result
