"""``python -m bench.search [--letters N] [--comments N] [--db sqlite|postgres]`` — the search index measured.

Generates letters and comments (submission rows inserted in bulk with Core, as a data load would, then
indexed by ``flask reindex``'s code), and reports, each against a reference measured in the same run:

* reindex throughput (records/s, with ``--jobs`` tokenising processes) and the time it implies for 1M comments;
* the cost the index adds to one comment POST: a transaction inserting the submission row and committing,
  with and without its index row (alternately), and the tokenising alone;
* search latency (p50/p99 over repeated queries) in a department's inbox and in the published letters, for
  common two-character words (噪音, 拆迁, 停车) and rare ones, against the ILIKE scan it replaced; the inbox
  both by relevance and by date (which ranks nothing);
* the published letters' search by relevance (its index part: the newest published matches ranked, top 20);
* similar-answer suggestions for a citizen's letter, and for an officer's reply (their department's approved
  replies; every answered letter of the data has one), p50/p99, and how many replies were offered.

Letters and comments arrive interleaved (one stream, shuffled), 70 % of each answered: an answered letter
carries an approved reply of its department, an answered comment none (comments are answered through their
draft's report); an open record has no answer time.

Results go to ``bench/results/search-<db>-<letters>-<comments>.json``. With ``--reuse``, only the searches and
suggestions are timed, on the database a previous run of the same size left (nothing loaded or indexed: minutes
instead of the full size's quarter of an hour), into ``…-reuse.json``.
"""

import argparse
import base64
import hashlib
import json
import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from bench.stats import latency_ms, timed

TOPICS = {
    "噪音": ["{place}附近的工地夜间施工噪音扰民，晚上十点以后还在作业，严重影响居民休息。",
             "{place}的广场舞音响噪音太大，每天晚上持续到很晚，希望有关部门管一管。"],
    "拆迁": ["{place}旧城改造拆迁补偿标准偏低，安置房迟迟不能交付，请尽快答复。",
             "我家位于{place}拆迁范围内，征收补偿方案什么时候公布？"],
    "停车": ["{place}停车位严重不足，车辆乱停乱放，消防通道经常被堵。",
             "{place}周边停车收费标准不合理，希望增加公共停车场。"],
    "路灯": ["{place}的路灯坏了两个多星期，晚上出行很不方便。"],
    "供水": ["{place}近期自来水水压偏低，高层住户经常停水。"],
    "垃圾": ["{place}垃圾清运不及时，气味很大，夏天蚊蝇滋生。"],
    "学位": ["{place}适龄儿童入学学位紧张，希望增加公办学校学位。"],
    "公交": ["{place}到市区的公交班次太少，早晚高峰等车时间长。"],
}
RARE = ["氡气", "白蚁", "马蜂窝", "沼气池"]  # each in a handful of letters
PLACES = ["幸福小区", "建设路", "城南新区", "人民公园", "滨江花园", "东关街道", "西城村", "解放大道", "高新园区",
          "实验小学", "老城区", "火车站"]
FILLER = ["恳请领导重视。", "多次反映未果。", "希望尽快解决。", "谢谢！", "联系电话{phone}。", "具体情况如下。"]


def _text(rng: random.Random) -> tuple[str, str]:
    topic = rng.choice(list(TOPICS))
    body = rng.choice(TOPICS[topic]).format(place=rng.choice(PLACES))
    body += "".join(rng.choice(FILLER) for _ in range(rng.randint(1, 4))).format(
        phone=f"1{rng.randint(3, 9)}{rng.randint(0, 999999999):09d}")
    return f"关于{rng.choice(PLACES)}{topic}问题", body


def _load(app, letters: int, comments: int, seed: int = 1) -> None:
    from consult.accounts.models import Department, User
    from consult.extensions import db
    from consult.tracking.models import APPROVED, Reply, Submission, reply_submissions

    rng = random.Random(seed)
    with app.app_context():
        db.drop_all()
        db.create_all()
        departments = [Department(code=f"D{i:02d}", name=f"部门{i}", name_en=f"Dept {i}",
                                  contact_email=f"d{i}@example.org") for i in range(30)]
        db.session.add_all(departments)
        db.session.commit()
        ids = [d.id for d in departments]
        author = User(display_name="办理人", password_hash="x", role="officer", department_id=ids[0])
        db.session.add(author)
        db.session.commit()
        author_id = author.id
        table = Submission.__table__
        replies: list[dict] = []  # an approved reply to every answered letter (for officers' suggestions)
        reply_texts = ["您好，来信反映的{topic}问题已转相关单位核查处理，具体情况如下。",
                       "关于{topic}问题，经现场核实，已责令整改，感谢您的监督。"]

        def flush(rows: list[dict]) -> None:
            inserted = db.session.execute(sa.insert(table).returning(table.c.id, sort_by_parameter_order=True),
                                          rows).scalars().all()
            answered = [(new_id, row) for new_id, row in zip(inserted, rows, strict=True)
                        if row["kind"] == "letter" and row["status"] == "answered"]
            if answered:
                first = len(replies) + 1
                made = [{"id": first + k, "department_id": row["department_id"], "author_id": author_id,
                         "body": rng.choice(reply_texts).format(topic=row["subject"][-4:-2]), "body_html": "",
                         "status": APPROVED, "review_note": "", "created_at": row["answered_at"],
                         "updated_at": row["answered_at"]} for k, (_id, row) in enumerate(answered)]
                replies.extend({"id": r["id"]} for r in made)
                db.session.execute(sa.insert(Reply.__table__), made)
                db.session.execute(sa.insert(reply_submissions), [
                    {"reply_id": r["id"], "submission_id": new_id} for r, (new_id, _row) in zip(made, answered)])
            db.session.commit()

        start = datetime(2026, 6, 1, tzinfo=UTC)
        rare_at = {rng.randrange(letters): word for word in RARE for _ in range(5)}
        # Letters and comments arrive side by side, as they do (not every letter before every comment): the
        # newest answered records holding a word are then letters, answered by an approved reply of their
        # department, as well as comments, answered through their draft's report (no reply of their own).
        kinds = ["letter"] * letters + ["comment"] * comments
        rng.shuffle(kinds)
        batch, seen = [], {"letter": 0, "comment": 0}
        for n, kind in enumerate(kinds, start=1):
            i = seen[kind]
            seen[kind] += 1
            subject, body = _text(rng)
            if kind == "letter" and i in rare_at:
                body += f"另外，家里发现了{rare_at[i]}。"
            status = "answered" if rng.random() < 0.7 else "assigned"  # an open one has no answer time
            received = start + timedelta(minutes=n)
            day = received.date()
            batch.append({
                "tracking_no": f"{'L' if kind == 'letter' else 'C'}-{day:%Y%m%d}-{n:07d}", "query_code_salt": "s",
                "query_code_hash": "h", "kind": kind, "department_id": rng.choice(ids), "submitter_name": "张三",
                "submitter_email": "", "submitter_phone": "", "subject": subject, "body": body,
                "is_public": True, "status": status,
                "received_at": received, "clock_start_on": day, "window_workdays": 15, "extension_workdays": 0,
                "due_on": day + timedelta(days=21), "due_soon_on": day + timedelta(days=18),
                "very_overdue_on": day + timedelta(days=42), "estimated_due": False, "reopen_count": 0,
                "answered_at": received + timedelta(days=5) if status == "answered" else None,
            })
            if len(batch) == 5000:
                flush(batch)
                batch = []
        if batch:
            flush(batch)
        if db.engine.dialect.name == "postgresql":  # statistics, as autovacuum would gather after a load
            db.session.execute(sa.text(
                "SELECT setval(pg_get_serial_sequence('replies', 'id'), (SELECT max(id) FROM replies))"))
            db.session.commit()
            with db.engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")


def _indexing_figures(jobs: int) -> dict:
    """What the index costs to build and keep, on the data just loaded: tokenising, the reindex, one comment POST."""
    from consult.extensions import db
    from consult.search.commands import reindex
    from consult.search.documents import Fields, index_rows, index_tokens, scope_token
    from consult.search.schema import similar_terms
    from consult.tokens import _cut_for_search, segmenter
    from consult.tracking.models import Submission

    result = {}
    # Tokenising alone, one core: with the cache of segmented phrases as it runs (the generated texts are
    # made of few phrases, so nearly every one is a hit), and with the cache emptied before every record,
    # as text that never repeats would cost.
    segmenter()  # the dictionary loaded before anything is timed
    sample = [Fields(f"C-20260601-{n:07d} {subject}", body, "张三") for n, (subject, body) in
              enumerate(_text(random.Random(99)) for _ in range(2000))]
    _cut_for_search.cache_clear()
    started = time.perf_counter()
    for fields in sample:
        index_tokens(fields)
    cached = time.perf_counter() - started
    hits = _cut_for_search.cache_info()
    started = time.perf_counter()
    for fields in sample:
        _cut_for_search.cache_clear()
        index_tokens(fields)
    uncached = time.perf_counter() - started
    result["tokenise_per_core"] = {"cached_records_per_s": round(len(sample) / cached),
                                   "cache_hit_rate": round(hits.hits / max(1, hits.hits + hits.misses), 3),
                                   "uncached_records_per_s": round(len(sample) / uncached)}
    _cut_for_search.cache_clear()
    started = time.perf_counter()
    total = reindex("submissions", jobs=jobs)
    elapsed = time.perf_counter() - started
    result["reindex"] = {"records": total, "seconds": round(elapsed, 1), "jobs": jobs,
                         "records_per_s": round(total / elapsed), "implied_1m_comments_s": round(1e6 * elapsed / total)}
    # What the suggestions' table holds: a row per answered record, scope it is answered in and content word.
    terms = db.session.scalar(sa.select(sa.func.count()).select_from(similar_terms))
    answered = db.session.scalar(sa.select(sa.func.count()).where(Submission.answered_at.is_not(None)))
    result["similar_terms"] = {"rows": terms, "answered_records": answered,
                               "rows_per_answered_record": round(terms / max(1, answered), 1)}
    db.session.rollback()

    # One comment POST: a transaction inserting the submission row and committing (the reference), and the
    # same with its index row (what search adds), alternately, so both see the same load. The commit is
    # inside the timing: FTS5 writes its pending index data when the transaction commits. The cache of
    # segmented phrases is emptied before each, so it does not flatter the figure.
    rng = random.Random(7)
    texts = [_text(rng) for _ in range(400)]
    table = Submission.__table__
    without, with_index, tokenise = [], [], []
    for n, (subject, body) in enumerate(texts):
        row = {"tracking_no": f"C-BENCH-{n:06d}", "query_code_salt": "s", "query_code_hash": "h",
               "kind": "comment", "department_id": 1, "subject": subject, "body": body, "status": "received",
               "received_at": datetime.now(UTC), "clock_start_on": date.today(), "window_workdays": 15,
               "extension_workdays": 0, "due_on": date.today(), "due_soon_on": date.today(),
               "very_overdue_on": date.today(), "estimated_due": False, "reopen_count": 0, "is_public": False,
               "submitter_name": "", "submitter_email": "", "submitter_phone": ""}
        indexed_too = n % 2 == 1
        _cut_for_search.cache_clear()  # as if no phrase of the comment had been seen before
        t0 = time.perf_counter()
        with db.engine.begin() as conn:
            new_id = conn.execute(sa.insert(table).returning(table.c.id), row).scalar()
            if indexed_too:
                index_rows(conn, "submissions",
                           [(new_id, Fields(f"C-BENCH-{n:06d} {subject}", body, "", (scope_token(1),)))],
                           fresh=True)
        (with_index if indexed_too else without).append(time.perf_counter() - t0)
        _cut_for_search.cache_clear()
        t0 = time.perf_counter()
        index_tokens(Fields(f"C-BENCH-{n:06d} {subject}", body))
        tokenise.append(time.perf_counter() - t0)
    ms = lambda samples: round(statistics.median(samples) * 1000, 3)  # noqa: E731
    result["comment_post"] = {"row_only_median_ms": ms(without), "row_and_index_median_ms": ms(with_index),
                              "index_added_median_ms": round(ms(with_index) - ms(without), 3),
                              "index_added_mean_ms": round((statistics.mean(with_index)
                                                            - statistics.mean(without)) * 1000, 3),
                              "tokenise_median_ms": ms(tokenise)}
    return result


def measure(url: str, letters: int, comments: int, repeat: int, jobs: int = 1, reuse: bool = False) -> dict:
    from consult import create_app
    from consult.extensions import db
    from consult.localtime import local_today
    from consult.pagination import paginate
    from consult.search.matching import DATE
    from consult.search.query import parse
    from consult.tracking.models import STATUSES, Submission
    from consult.tracking.queries import InboxFilters, inbox_listing, inbox_query

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True,
                      "CONSULT_ENCRYPTION_KEYS": base64.urlsafe_b64encode(hashlib.sha256(b"bench").digest()).decode(),
                      "RATELIMIT_ENABLED": False})
    result = {"letters": letters, "comments": comments, "reused": reuse}
    if not reuse:
        started = time.perf_counter()
        _load(app, letters, comments)
        result["load_s"] = round(time.perf_counter() - started, 1)
    with app.app_context():
        if reuse:
            found = db.session.scalar(sa.select(sa.func.count()).select_from(Submission))
            if found < letters + comments:  # a run also leaves the rows of its comment POST timing
                raise SystemExit(f"--reuse: the database holds {found} submissions, fewer than {letters} + {comments}")
        else:
            result.update(_indexing_figures(jobs))

        today = local_today()
        queries = {"common": ["噪音", "拆迁", "停车"], "rare": RARE}
        for group, words in queries.items():
            for word in words:
                query = parse(word)
                filters = InboxFilters(statuses=STATUSES, query=query)

                def indexed(department_id=1):
                    stmt, order = inbox_listing(department_id, today, filters)
                    return paginate(db.session, stmt, order, None, per_page=50).items

                def indexed_by_date(department_id=1):
                    by_date = InboxFilters(statuses=STATUSES, query=query, sort=DATE)
                    stmt, order = inbox_listing(department_id, today, by_date)
                    return paginate(db.session, stmt, order, None, per_page=50).items

                def scanned(department_id=1):
                    pattern = f"%{word}%"
                    stmt = inbox_query(department_id, today, InboxFilters(statuses=STATUSES)).where(sa.or_(
                        Submission.subject.ilike(pattern), Submission.body.ilike(pattern)))
                    return paginate(db.session, stmt, (Submission.due_on, Submission.id), None, per_page=50).items

                def everywhere():
                    from consult.search.matching import matches
                    found = matches("submissions", query)
                    return db.session.execute(sa.select(found.c.id).order_by(found.c.score.desc()).limit(20)).all()

                def published():  # the published letters' search by relevance: its index part
                    from consult.mailbox.queries import RANKED
                    from consult.search.documents import PUBLISHED_SCOPE
                    from consult.search.matching import PUBLIC, matches
                    found = matches("submissions", query, PUBLIC, scope=PUBLISHED_SCOPE, recent=RANKED)
                    return db.session.execute(sa.select(found.c.id).order_by(found.c.score.desc()).limit(20)).all()

                def everywhere_scan():
                    pattern = f"%{word}%"
                    return db.session.execute(sa.select(Submission.id).where(sa.or_(
                        Submission.subject.ilike(pattern), Submission.body.ilike(pattern)))
                        .order_by(Submission.id.desc()).limit(20)).all()

                indexed(), indexed_by_date(), scanned(), everywhere(), everywhere_scan(), published()
                db.session.rollback()
                hits = db.session.execute(sa.select(sa.func.count()).select_from(
                    __import__("consult.search.matching", fromlist=["matches"]).matches("submissions", query))).scalar()
                entry = {"matching_records": hits,
                         "inbox_index": latency_ms(timed(indexed, repeat)),
                         "inbox_index_by_date": latency_ms(timed(indexed_by_date, repeat)),
                         "inbox_ilike": latency_ms(timed(scanned, max(3, repeat // 5))),
                         "all_index_top20": latency_ms(timed(everywhere, repeat)),
                         "published_index_top20": latency_ms(timed(published, repeat)),
                         "all_ilike_top20": latency_ms(timed(everywhere_scan, max(3, repeat // 5)))}
                entry["inbox_ratio_p99"] = round(entry["inbox_ilike"]["p99_ms"] / max(entry["inbox_index"]["p99_ms"], 0.01), 1)
                result.setdefault("search", {}).setdefault(group, {})[word] = entry
                db.session.rollback()

        # Similar answers for a citizen's letter being written (the index part: this data set has no
        # mailboxes, so the publication filter finds no letter after the candidates are ranked).
        from consult.mailbox.answers import similar_answers

        drafts = [_text(random.Random(1000 + n)) for n in range(repeat)]
        letters_iter = iter(drafts * 2)

        def suggest():
            subject, body = next(letters_iter)
            return similar_answers(subject, body, "zh_CN")

        suggest()
        result["similar_answers"] = latency_ms(timed(suggest, repeat))
        db.session.rollback()

        # Officers' suggestions on the reply form: their department's approved replies to similar submissions.
        from consult.search.similar import similar_replies

        officer_texts = iter([" ".join(_text(random.Random(2000 + n))) for n in range(repeat + 1)])
        offered = []

        def officer_suggest():
            offered.append(len(similar_replies(next(officer_texts), 1, [])))

        officer_suggest()
        result["similar_replies"] = latency_ms(timed(officer_suggest, repeat))
        result["similar_replies"]["offered_mean"] = round(statistics.mean(offered), 1)
        db.session.rollback()
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search", description=__doc__)
    parser.add_argument("--letters", type=int, default=200_000)
    parser.add_argument("--comments", type=int, default=1_000_000)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--database-url", help="PostgreSQL URL (its database name must contain 'bench')")
    parser.add_argument("--repeat", type=int, default=50, help="runs of each query")
    parser.add_argument("--jobs", type=int, default=1, help="processes tokenising during the reindex")
    parser.add_argument("--reuse", action="store_true",
                        help="time the searches and suggestions on the database a run of the same size left, "
                             "without loading or indexing anything")
    args = parser.parse_args(argv)
    results = Path(__file__).parent / "results"
    results.mkdir(exist_ok=True)
    if args.db == "sqlite":
        path = results / f"search-{args.letters}-{args.comments}.sqlite3"
        if not args.reuse:
            path.unlink(missing_ok=True)
        elif not path.exists():
            parser.error(f"--reuse: {path} does not exist")
        url = f"sqlite:///{path}"
    else:
        url = args.database_url or "postgresql://postgres@127.0.0.1:5432/bench_search"
        if "bench" not in url.rsplit("/", 1)[-1]:
            parser.error("the PostgreSQL database name must contain 'bench'")
        url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    result = measure(url, args.letters, args.comments, args.repeat, args.jobs, args.reuse)
    result["db"] = args.db
    out = results / f"search-{args.db}-{args.letters}-{args.comments}{'-reuse' if args.reuse else ''}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
