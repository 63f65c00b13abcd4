"""Consult as the benchmark serves it: ``gunicorn 'bench.wsgi:app'`` with ``BENCH_DATABASE_URL`` set.

Same code as production; only the settings differ (no rate limits, so the load is not refused; mail only
queued in the outbox). See ``bench.setup.app_config``.
"""

import os

from bench.setup import app_config
from consult import create_app

app = create_app(app_config(os.environ["BENCH_DATABASE_URL"]))
