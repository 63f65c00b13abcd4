"""The hot draft page through a real nginx on loopback, caching with the production recipe.

nginx (Debian's package: ``apt-get install nginx``) runs in the foreground from a configuration written to
``bench/results/nginx/``, listening on a free loopback port, with ``deploy/nginx/consult-proxy.conf`` — the
same file docs/deploy.md puts in production — in front of the benchmark's Consult. The scenario reports

* the draft page's requests/s through nginx against the app alone, measured one after the other;
* how nginx answered (``X-Cache-Status``) once warm;
* freshness: a comment posted through the API shows at once in the app, and through nginx within the
  page's ``s-maxage`` (the seconds it took are measured).

Run it alone on an existing benchmark database::

    .venv/bin/python -m bench run --size small --only draft_first,nginx --no-growth
"""

import json
import re
import shutil
import subprocess
import time
import urllib.request
import uuid
from collections import Counter

from bench import scenarios
from bench.servers import ROOT, Server, free_port

RECIPE = ROOT / "deploy" / "nginx" / "consult-proxy.conf"
HOME = ROOT / "bench" / "results" / "nginx"
CONFIG = """worker_processes {workers};
error_log {home}/error.log warn;
pid {home}/nginx.pid;
events {{ worker_connections 2048; }}
http {{
    access_log off;
    client_body_temp_path {home}/tmp/body;
    proxy_temp_path {home}/tmp/proxy;
    fastcgi_temp_path {home}/tmp/fastcgi;
    uwsgi_temp_path {home}/tmp/uwsgi;
    scgi_temp_path {home}/tmp/scgi;
    proxy_cache_path {home}/cache levels=1:2 keys_zone=consult:10m max_size=256m inactive=10m use_temp_path=off;
    upstream consult {{ server 127.0.0.1:{app_port}; keepalive 16; }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            include {recipe};
        }}
    }}
}}
"""


def _binary() -> str | None:
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")


def available() -> bool:
    return _binary() is not None


class Nginx:
    """nginx in the foreground with the recipe, in front of ``app``; stopped with its own process id."""

    def __init__(self, app: Server, workers: int):
        self.name, self.app, self.port = "nginx", app, free_port()
        self.workers = workers
        self.process: subprocess.Popen | None = None

    def start(self) -> "Nginx":
        shutil.rmtree(HOME, ignore_errors=True)
        (HOME / "tmp").mkdir(parents=True)
        conf = HOME / "nginx.conf"
        conf.write_text(CONFIG.format(workers=self.workers, home=HOME, app_port=self.app.port, port=self.port,
                                      recipe=RECIPE))
        self.process = subprocess.Popen([_binary(), "-p", str(HOME), "-c", str(conf), "-g", "daemon off;"],
                                        stdout=subprocess.DEVNULL, stderr=(HOME / "stderr.log").open("wb"))
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited: {(HOME / 'stderr.log').read_text()[-500:]}")
            try:
                with urllib.request.urlopen(self.url("/healthz"), timeout=2):
                    return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("nginx did not answer within 20 s")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    # What the scenario runner needs of a server: a port, a log folder and worker pids (for RSS).
    @property
    def log(self):
        return ROOT / "bench" / "results" / "nginx.log"

    def worker_pids(self) -> list[int]:
        from bench.servers import children

        return children(self.process.pid) if self.process else []


def _get(url: str) -> tuple[int, dict, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, dict(response.headers), response.read().decode()


def _cache_statuses(server: Nginx, path: str, n: int = 20) -> dict:
    statuses = Counter()
    for _ in range(n):
        statuses[_get(server.url(path))[1].get("X-Cache-Status", "none")] += 1
    return dict(statuses)


def _post_comment(app: Server, draft_id: int, text: str) -> dict:
    body = json.dumps({"body": text, "name": "王读者", "email": "fresh@bench.example.org"}).encode()
    request = urllib.request.Request(app.url(f"/api/v1/drafts/{draft_id}/comments"), data=body, method="POST",
                                     headers={"Content-Type": "application/json", "Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def freshness(app: Server, server: Nginx, draft_id: int) -> dict:
    """Post a comment; time until the app, then nginx, shows it on the draft page (bounded by s-maxage)."""
    path = f"/drafts/{draft_id}"
    _status, headers, _ = _get(server.url(path))
    s_maxage = int(re.search(r"s-maxage=(\d+)", headers.get("Cache-Control", "")).group(1))
    mark = uuid.uuid4().hex[:12]
    posted_at = time.monotonic()
    receipt = _post_comment(app, draft_id, f"建议公开办理进度（核对号 {mark}）。")
    in_app = mark in _get(app.url(path))[2]
    app_seconds = round(time.monotonic() - posted_at, 3)
    seen = None
    deadline = posted_at + s_maxage + 10
    while time.monotonic() < deadline:
        if mark in _get(server.url(path))[2]:
            seen = round(time.monotonic() - posted_at, 2)
            break
        time.sleep(0.25)
    return {
        "s_maxage": s_maxage, "tracking_no": receipt.get("tracking_no"), "shown_by_app_at_once": in_app,
        "app_seconds": app_seconds, "nginx_seconds": seen,
        "within_s_maxage": seen is not None and seen <= s_maxage + 1,  # +1: nginx's one-second clock
    }


def scenario(app: Server, fixture, duration: float, concurrency: int, say, in_turns) -> dict:
    """The hot draft page through nginx and through the app alone (taking turns), then the freshness check."""
    server = Nginx(app, app.workers).start()
    try:
        path = f"/drafts/{fixture.draft_id}"
        hot = scenarios.Scenario("draft_first_nginx", "Draft page, first page", [path], duration=duration,
                                 concurrency=concurrency)
        _get(server.url(path))  # warm
        both = in_turns(hot, {"through_nginx": server, "app_alone": app})
        through, alone = both["through_nginx"], both["app_alone"]
        statuses = _cache_statuses(server, path)
        fresh = freshness(app, server, fixture.draft_id)
    finally:
        server.stop()
    ratio = through["rps"] / alone["rps"] if alone["rps"] else None
    say(f"nginx: draft page {through['rps']:.0f} req/s (p99 {through['p99_ms']} ms) against the app alone "
        f"{alone['rps']:.0f} req/s: {ratio:.1f} × · cache {statuses} · a new comment shown by the app at once: "
        f"{fresh['shown_by_app_at_once']}, through nginx after {fresh['nginx_seconds']} s "
        f"(s-maxage {fresh['s_maxage']} s)")
    return {
        "title": "Draft page through nginx (proxy_cache, deploy/nginx/consult-proxy.conf)",
        "through_nginx": through, "app_alone": alone, "times_faster": round(ratio, 2) if ratio else None,
        "cache_statuses": statuses, "freshness": fresh,
    }
