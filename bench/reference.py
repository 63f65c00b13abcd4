"""The reference servers: the least code that serves the draft page from the same database (``app``), and
the same bytes as Consult from memory (``memory``).

One Flask view, one SQL query (the draft joined with a page of its newest comments, keyset by id),
one Jinja template compiled once. It is the practical limit of the stack (Flask + gunicorn + Jinja +
the database driver) that Consult's own page is measured against.

For the writes, the same paths as Consult's comment and letter POSTs answer 201 after one bare
``INSERT`` of the request body into a table of its own, committed: the floor that Consult's write path
(validation, tracking number, submission, timeline, receipt mail, detail row, counters) is measured against.

    BENCH_DATABASE_URL=sqlite:///bench/results/bench-small-sqlite.sqlite3 \\
        gunicorn -w 2 -b 127.0.0.1:8001 'bench.reference:app'
"""

import base64
import json
import os

from flask import Flask, Response, abort, request
from jinja2 import Environment

URL = os.environ.get("BENCH_DATABASE_URL", "sqlite:///bench/results/bench-small-sqlite.sqlite3")
PG = URL.startswith("postgres")
PAGE = 20
QUERY = (
    "SELECT d.title, d.summary, d.comment_count, c.id, c.public_name, c.body, c.created_at "
    "FROM drafts d JOIN draft_comments c ON c.draft_id = d.id "
    "WHERE d.id = {p} AND c.moderation = 'published' AND c.id < {p} ORDER BY c.id DESC LIMIT {page}"
).format(p="%s" if PG else "?", page=PAGE + 1)
TEMPLATE = Environment(autoescape=True).from_string("""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{ rows[0][0] }}</title></head><body><main>
<h1>{{ rows[0][0] }}</h1><p>{{ rows[0][1] }}</p><p>{{ rows[0][2] }} 条意见</p><ol>
{% for row in rows[:page] %}<li><p>{{ row[4] }} · {{ row[6] }}</p><p>{{ row[5] }}</p></li>
{% endfor %}</ol>{% if rows|length > page %}<a href="?cursor={{ cursor }}">下一页</a>{% endif %}
</main></body></html>""")

app = Flask(__name__)
_connection = None


def connection():
    """One connection per worker process, opened on first use."""
    global _connection
    if _connection is None:
        if PG:
            import psycopg

            _connection = psycopg.connect(URL.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)
        else:
            import sqlite3

            _connection = sqlite3.connect(URL.removeprefix("sqlite:///"), check_same_thread=False)
    return _connection


def _before(cursor: str | None) -> int:
    """The id after which the page starts (Consult's cursor format: base64 JSON ``[id]``)."""
    if not cursor:
        return 2**62
    try:
        return int(json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))[0])
    except (ValueError, TypeError, IndexError):
        abort(400)


@app.get("/drafts/<int:draft_id>")
def draft(draft_id: int):
    rows = connection().execute(QUERY, (draft_id, _before(request.args.get("cursor")))).fetchall()
    if not rows:
        abort(404)
    last = rows[min(len(rows), PAGE) - 1][3]
    cursor = base64.urlsafe_b64encode(json.dumps([last]).encode()).rstrip(b"=").decode()
    return TEMPLATE.render(rows=rows, page=PAGE, cursor=cursor)


# The memory reference: the same bytes Consult serves for a page, from memory, under the same gunicorn.
# ``BENCH_PAGES_FILE`` is a JSON object {path with query: html}, fetched from Consult by the runner.
#
#     BENCH_PAGES_FILE=bench/results/reference-pages.json gunicorn -w 2 -b 127.0.0.1:8002 'bench.reference:memory'
memory = Flask("memory")
_pages: dict[str, bytes] = {}


@memory.get("/", defaults={"path": ""})
@memory.get("/<path:path>")
def stored_page(path: str):
    if not _pages:
        with open(os.environ["BENCH_PAGES_FILE"], encoding="utf-8") as stored:
            _pages.update({key: html.encode() for key, html in json.load(stored).items()})
    body = _pages.get(request.full_path.rstrip("?"))
    if body is None:
        abort(404)
    return Response(body, mimetype="text/html")


BARE_TABLE = "bench_bare_inserts"


def _bare_insert():
    """One row holding the request body, committed; answers 201 like Consult."""
    conn = connection()
    marker = "%s" if PG else "?"
    if PG:
        conn.execute(f"INSERT INTO {BARE_TABLE} (body) VALUES ({marker})", (request.get_data(as_text=True),))
    else:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(f"INSERT INTO {BARE_TABLE} (body) VALUES ({marker})", (request.get_data(as_text=True),))
        conn.commit()
    return {"status": "received"}, 201


def _bare_table() -> None:
    conn = connection()
    if PG:
        conn.execute(f"CREATE TABLE IF NOT EXISTS {BARE_TABLE} (id BIGSERIAL PRIMARY KEY, body TEXT)")
    else:
        conn.isolation_level = None  # explicit BEGIN IMMEDIATE, as Consult's writers
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=15000")
        conn.execute(f"CREATE TABLE IF NOT EXISTS {BARE_TABLE} (id INTEGER PRIMARY KEY, body TEXT)")


@app.post("/api/v1/drafts/<int:draft_id>/comments")
def bare_comment(draft_id: int):
    _bare_table_once()
    return _bare_insert()


@app.post("/api/v1/letters")
def bare_letter():
    _bare_table_once()
    return _bare_insert()


_made = False


def _bare_table_once() -> None:
    global _made
    if not _made:
        _bare_table()
        _made = True
