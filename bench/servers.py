"""Start Consult and the reference server under gunicorn on loopback; watch their workers' memory."""

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kb(pid: int) -> int:
    """Resident set size of ``pid`` in KiB (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time ``pid`` has used so far, in seconds (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


class Server:
    """A gunicorn master serving ``app`` (``module:variable``) with ``workers`` sync workers."""

    def __init__(self, name: str, app: str, database_url: str, workers: int, ready_path: str):
        self.name, self.app, self.workers, self.ready_path = name, app, workers, ready_path
        self.port = free_port()
        self.env = {**os.environ, "BENCH_DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
        self.process: subprocess.Popen | None = None
        self.log = ROOT / "bench" / "results" / f"{name}.log"

    def start(self) -> "Server":
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [GUNICORN, "--workers", str(self.workers), "--bind", f"127.0.0.1:{self.port}", "--timeout", "600",
             "--backlog", "2048", "--log-level", "warning", self.app],
            cwd=ROOT, env=self.env, stdout=self.log.open("wb"), stderr=subprocess.STDOUT,
        )
        deadline = time.time() + 180  # a busy machine can take a while to import the app
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited; see {self.log}")
            try:
                with urllib.request.urlopen(self.url(self.ready_path), timeout=5):
                    return self
            except (urllib.error.URLError, OSError):
                time.sleep(0.3)
        raise RuntimeError(f"{self.name} did not answer {self.ready_path} within 180 s; see {self.log}")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def worker_pids(self) -> list[int]:
        return children(self.process.pid) if self.process else []

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class RssWatcher:
    """Samples the RSS of a server's workers every 50 ms; ``peak_mb`` is the largest single worker. ``cpu`` is
    the CPU seconds its workers used meanwhile (a worker restarted meanwhile is not counted)."""

    def __init__(self, server: Server):
        self.server = server
        self.peak_kb = 0
        self.total_peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            sizes = [rss_kb(pid) for pid in self.server.worker_pids()]
            if sizes:
                self.peak_kb = max(self.peak_kb, *sizes)
                self.total_peak_kb = max(self.total_peak_kb, sum(sizes))
            self._stop.wait(0.05)

    def __enter__(self) -> "RssWatcher":
        self.cpu_before = {pid: cpu_seconds(pid) for pid in self.server.worker_pids()}
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.cpu = sum(cpu_seconds(pid) - before for pid, before in self.cpu_before.items())

    @property
    def peak_mb(self) -> float:
        return round(self.peak_kb / 1024, 1)

    @property
    def total_peak_mb(self) -> float:
        return round(self.total_peak_kb / 1024, 1)
