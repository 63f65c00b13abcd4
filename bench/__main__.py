"""``python -m bench run [--size small|default] [--db sqlite|postgres]`` — see README, "Benchmarks"."""

import argparse
import sys

from bench.runner import SIZES, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="generate the data, start the servers, run every scenario, write the report")
    r.add_argument("--size", choices=sorted(SIZES), default="default",
                   help="default: 1M comments, 200k letters, 10k registrations; small: 10k / 20k / 1k")
    r.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    r.add_argument("--database-url", help="PostgreSQL URL to (re)create; its database name must contain 'bench' "
                   "(default: $BENCH_POSTGRES_URL or postgresql://postgres@127.0.0.1:5432/consult_bench)")
    r.add_argument("--duration", type=float, help="seconds per scenario (default 15; 6 with --size small)")
    r.add_argument("--workers", type=int, help="gunicorn workers (default: number of cores)")
    r.add_argument("--only", help="comma-separated scenario names to run (default: all)")
    r.add_argument("--no-growth", action="store_true", help="skip the growth run (generate the final size directly)")
    r.add_argument("--output", help="name of the report (bench/results/NAME.json; default SIZE-DB)")
    r.add_argument("--no-nginx", action="store_true",
                   help="skip the scenario through nginx on loopback (run by default when nginx is installed)")
    args = parser.parse_args(argv)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
