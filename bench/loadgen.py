"""Load generator, run as its own process: ``python -m bench.loadgen < spec.json > result.json``.

A small asyncio HTTP/1.1 client (one connection per request, as gunicorn's sync workers close them):
``concurrency`` tasks send requests for ``duration`` seconds or until ``max_requests``. Progress goes
to stderr once a second as ``progress <done> <elapsed>``; the summary is one JSON object on stdout.

Spec keys: ``host``, ``port``, ``method``, ``paths`` (cycled), ``headers``, ``body`` (a string where
``{n}`` becomes a unique number and ``{run}`` a per-run id), ``concurrency``, ``duration``, ``max_requests``, ``expect`` (status
codes counted as success), ``json_field`` (count the values of this field of JSON answers).
"""

import asyncio
import itertools
import json
import sys
import time
from collections import Counter

from bench.stats import percentile

READ = 256 * 1024


class Run:
    def __init__(self, spec: dict):
        self.spec = spec
        self.paths = itertools.cycle(spec["paths"])
        self.counter = itertools.count(1)
        self.run_id = str(int(time.time() * 1000) % 10**7)  # keeps {run}-marked values unique across runs
        self.latencies: list[float] = []
        self.statuses: Counter = Counter()
        self.errors = 0
        self.error_samples: list[str] = []
        self.fields: Counter = Counter()
        self.bytes = 0
        self.started = 0.0

    def request_bytes(self) -> bytes:
        spec = self.spec
        n = next(self.counter)
        body = spec.get("body")
        data = body.replace("{n}", str(n)).replace("{run}", self.run_id).encode() if body is not None else b""
        headers = {"Host": f"{spec['host']}:{spec['port']}", "Connection": "close", **spec.get("headers", {})}
        if body is not None:
            headers["Content-Length"] = str(len(data))
        path = next(self.paths).replace("{n}", str(n))
        head = f"{spec.get('method', 'GET')} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        return head.encode("latin-1") + b"\r\n" + data

    async def one(self) -> None:
        spec = self.spec
        begin = time.perf_counter()
        try:
            reader, writer = await asyncio.open_connection(spec["host"], spec["port"])
            writer.write(self.request_bytes())
            await writer.drain()
            first = await reader.read(READ)
            size, chunks = len(first), [first]
            while True:
                chunk = await reader.read(READ)
                if not chunk:
                    break
                size += len(chunk)
                if spec.get("json_field") and size < 65536:
                    chunks.append(chunk)
            writer.close()
            status = int(first.split(b" ", 2)[1])
        except (OSError, ValueError, IndexError, asyncio.IncompleteReadError) as error:
            self.errors += 1
            if len(self.error_samples) < 5:
                self.error_samples.append(repr(error))
            return
        elapsed = time.perf_counter() - begin
        self.latencies.append(elapsed)
        self.statuses[status] += 1
        self.bytes += size
        if status not in spec.get("expect", [200]):
            self.errors += 1
            if len(self.error_samples) < 5:
                self.error_samples.append(b"".join(chunks)[:300].decode("utf-8", "replace"))
        elif spec.get("json_field"):
            raw = b"".join(chunks)
            try:
                self.fields[json.loads(raw.split(b"\r\n\r\n", 1)[1]).get(spec["json_field"])] += 1
            except (ValueError, IndexError, AttributeError):
                self.fields["<unparsed>"] += 1

    async def worker(self, deadline: float, limit: int | None) -> None:
        while time.perf_counter() < deadline:
            if limit is not None:
                if self.issued >= limit:
                    return
                self.issued += 1
            await self.one()

    async def progress(self, deadline: float) -> None:
        while time.perf_counter() < deadline:
            await asyncio.sleep(1)
            done = len(self.latencies) + self.errors
            print(f"progress {done} {time.perf_counter() - self.started:.1f}", file=sys.stderr, flush=True)

    async def main(self) -> dict:
        spec = self.spec
        self.issued = 0
        self.started = time.perf_counter()
        deadline = self.started + spec.get("duration", 10)
        ticker = asyncio.create_task(self.progress(deadline))
        await asyncio.gather(*(self.worker(deadline, spec.get("max_requests"))
                               for _ in range(spec.get("concurrency", 8))))
        ticker.cancel()
        wall = time.perf_counter() - self.started
        ordered = sorted(self.latencies)
        return {
            "requests": len(self.latencies),
            "errors": self.errors,
            "error_samples": self.error_samples,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "seconds": round(wall, 3),
            "rps": round(len(self.latencies) / wall, 1) if wall else 0.0,
            "p50_ms": round(percentile(ordered, 0.50) * 1000, 2),
            "p90_ms": round(percentile(ordered, 0.90) * 1000, 2),
            "p99_ms": round(percentile(ordered, 0.99) * 1000, 2),
            "max_ms": round(ordered[-1] * 1000, 2) if ordered else 0.0,
            "bytes": self.bytes,
            "fields": {str(k): v for k, v in self.fields.items()},
        }


def main() -> None:
    spec = json.load(sys.stdin)
    result = asyncio.run(Run(spec).main())
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
