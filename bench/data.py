"""The benchmark dataset: comments on one draft, letters over 30 departments, registrations for one event.

``generate`` makes a fresh database; ``extend_comments`` adds comments up to a total (the growth run grows
one database from 10k to 100k to 1M comments instead of generating three).
"""

import random
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from bench.bulk import Cloner, TrackingNumbers, Writer, token
from bench.setup import Fixture, build_templates, fresh_database

SURNAMES = "张王李赵刘陈杨黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
PHRASES = [
    "建议明确办理时限", "希望增加线上渠道", "第三条的表述不够清楚", "支持这项改革", "应当保护个人隐私",
    "建议听取基层意见", "公开的范围还可以更大", "老年人使用有困难", "希望配套资金到位", "建议设立监督机制",
    "对农村地区要有特别安排", "期待早日实施", "条款之间有重复", "应当细化责任分工", "建议增加举报渠道",
]
COMMENT_STEP = timedelta(seconds=4)  # time between two generated comments (1M span about 46 days)
LETTER_SPAN_DAYS = 180


def engine_for(app):
    from consult.extensions import db

    with app.app_context():
        return db.engine


def body_pool(app, n: int = 400) -> list[tuple[str, str, bytes]]:
    """Distinct comment texts with their hash and MinHash signature (computed by Consult's own code)."""
    from consult.drafts import grouping

    rng = random.Random(7)
    pool = []
    with app.app_context():
        for i in range(n):
            text = "，".join(rng.sample(PHRASES, 3)) + f"。（意见{i}）"
            pool.append((text, grouping.text_hash(text), grouping.signature(text)))
    return pool


def comment_count(writer: Writer, draft_id: int) -> int:
    return writer.scalar("SELECT received_count FROM drafts WHERE id = ?", (draft_id,))


def extend_comments(app, fixture: Fixture, total: int, progress=None) -> int:
    """Add published comments (with submission and timeline rows) until the draft has ``total``."""
    writer = Writer(engine_for(app))
    have = comment_count(writer, fixture.draft_id)
    todo = total - have
    if todo <= 0:
        writer.raw.close()
        return 0
    pool = body_pool(app)
    comment_t = writer.template("draft_comments", "id", fixture.template_comment_id)
    sub_t = writer.template("submissions", "id", comment_t["submission_id"])
    event_t = writer.template("submission_events", "submission_id", sub_t["id"])
    numbers = TrackingNumbers(writer, "C")
    subs = Cloner(sub_t, ["id", "tracking_no", "submitter_name", "submitter_email", "body", "received_at", "subject",
                          "form_token"])
    comments = Cloner(comment_t, ["id", "submission_id", "article_id", "article_anchor", "public_name", "body",
                                  "created_at", "text_hash", "minhash"])
    events = Cloner(event_t, ["id", "submission_id", "created_at"])
    ids = {t: writer.scalar(f"SELECT MAX(id) FROM {t}") for t in ("submissions", "draft_comments", "submission_events")}
    opens = _as_datetime(writer.scalar("SELECT opens_at FROM drafts WHERE id = ?", (fixture.draft_id,)))
    articles = list(zip(fixture.article_ids, fixture.article_anchors, strict=True))
    title = sub_t["subject"]
    minute = timedelta(minutes=2)
    plan = []
    per_article = {a: 0 for a in fixture.article_anchors}
    for k in range(todo):
        i = have + k
        at = opens + minute + COMMENT_STEP * i
        article = articles[i % len(articles)] if i % 10 < 7 else None
        if article:
            per_article[article[1]] += 1
        plan.append((i, at, article))

    def submission_rows():
        for n, (i, at, article) in enumerate(plan, 1):
            surname = SURNAMES[i % len(SURNAMES)]
            subject = f"{title} · {article[1]}" if article else title
            yield subs.row(ids["submissions"] + n, numbers.next(at), f"{surname}某", f"c{i}@bench.example.org",
                           pool[i % len(pool)][0], writer.ts(at), subject[:200], f"bench-c-{i:09d}")
            if progress and n % 50_000 == 0:
                progress(f"submissions {n:,}/{todo:,}")

    def comment_rows():
        for n, (i, at, article) in enumerate(plan, 1):
            text, text_hash, minhash = pool[i % len(pool)]
            yield comments.row(ids["draft_comments"] + n, ids["submissions"] + n,
                               article[0] if article else None, article[1] if article else "",
                               SURNAMES[i % len(SURNAMES)] + "*", text, writer.ts(at), text_hash, minhash)
            if progress and n % 50_000 == 0:
                progress(f"comments {n:,}/{todo:,}")

    def event_rows():
        for n, (_i, at, _article) in enumerate(plan, 1):
            yield events.row(ids["submission_events"] + n, ids["submissions"] + n, writer.ts(at))

    dropped = writer.drop_indexes(["submissions", "draft_comments", "submission_events"])
    writer.insert("submissions", subs.columns, submission_rows())
    writer.insert("draft_comments", comments.columns, comment_rows())
    writer.insert("submission_events", events.columns, event_rows())
    if progress:
        progress("indexing")
    writer.create_indexes(dropped)
    numbers.save()
    writer.execute("UPDATE drafts SET comment_count = comment_count + ?, received_count = received_count + ? "
                   "WHERE id = ?", (todo, todo, fixture.draft_id))
    for anchor, n in per_article.items():
        writer.execute("UPDATE draft_articles SET comment_count = comment_count + ? "
                       "WHERE version_id = ? AND anchor = ?", (n, fixture.version_id, anchor))
    writer.finish(["submissions", "draft_comments", "submission_events"])
    return todo


def _as_datetime(value) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


# Letters: (status, share) for letters younger and older than 30 days. Old open letters are overdue.
RECENT_MIX = [("received", 25), ("assigned", 35), ("needs_info", 8), ("answered", 20), ("closed", 10),
              ("dismissed", 2)]
OLD_MIX = [("closed", 60), ("answered", 22), ("dismissed", 8), ("received", 2), ("assigned", 5),
           ("needs_info", 2), ("reopened", 1)]
ACTION_TO = {"assigned": "assign", "needs_info": "request_info", "answered": "answer", "closed": "close",
             "dismissed": "dismiss", "reopened": "reopen"}
SATISFACTION = ["satisfied", "satisfied", "basically_satisfied", "unsatisfied", None]


def _pick(rng: random.Random, mix) -> str:
    roll, total = rng.randrange(100), 0
    for status, share in mix:
        total += share
        if roll < total:
            return status
    return mix[0][0]


def add_letters(app, fixture: Fixture, n: int, progress=None) -> None:
    """``n`` letters spread over the 30 mailboxes and the last 180 days, in every status (some overdue)."""
    from consult.workdays import current_overrides
    from consult.tracking.clock import compute_deadlines

    writer = Writer(engine_for(app))
    letter_t = writer.template("letters", "id", fixture.template_letter_id)
    sub_t = writer.template("submissions", "id", letter_t["submission_id"])
    event_t = writer.template("submission_events", "submission_id", sub_t["id"])
    boxes = dict(writer.rows("SELECT id, department_id FROM mailboxes"))
    officers = dict(writer.rows("SELECT department_id, MIN(id) FROM users WHERE role = 'officer' "
                                "GROUP BY department_id"))
    with app.app_context():
        overrides = current_overrides()
    deadlines: dict[date, object] = {}
    numbers = TrackingNumbers(writer, "L")
    subs = Cloner(sub_t, ["id", "tracking_no", "department_id", "assignee_id", "submitter_name", "submitter_email",
                          "subject", "body", "status", "received_at", "clock_start_on", "due_on", "due_soon_on",
                          "very_overdue_on", "answered_at", "answered_on", "answered_workdays", "closed_at",
                          "dismissal_reason", "satisfaction", "resolved", "rated_at", "reopen_count", "form_token"])
    letters = Cloner(letter_t, ["id", "submission_id", "mailbox_id", "category", "public_name", "created_at"])
    events = Cloner(event_t, ["id", "submission_id", "created_at", "action", "from_status", "to_status",
                              "actor_id", "actor_role"])
    base = {t: writer.scalar(f"SELECT MAX(id) FROM {t}") for t in ("submissions", "letters", "submission_events")}
    now = datetime.now(UTC)
    rng = random.Random(42)
    box_ids = sorted(boxes)
    categories = ["enquiry", "complaint", "suggestion", "enquiry", "suggestion", "report", "topic"]
    sub_rows, letter_rows, event_rows = [], [], []
    event_id = base["submission_events"]
    answered_per_box = {b: 0 for b in box_ids}
    letters_per_box = {b: 0 for b in box_ids}
    for k in range(1, n + 1):
        age = timedelta(days=LETTER_SPAN_DAYS) * (1 - k / n) + timedelta(minutes=5)
        received = now - age
        box = box_ids[k % len(box_ids)]
        department = boxes[box]
        status = _pick(rng, OLD_MIX if age.days > 30 else RECENT_MIX)
        start = numbers.local_day(received)
        if start not in deadlines:
            deadlines[start] = compute_deadlines(start, 15, 0, overrides)
        d = deadlines[start]
        answered = status in ("answered", "closed", "dismissed", "reopened")
        answer_at = received + min(age * 0.8, timedelta(days=rng.randint(2, 20))) if answered else None
        rating = rng.choice(SATISFACTION) if status in ("closed", "reopened") else None
        if status == "reopened":
            rating = "unsatisfied"
        answer_day = numbers.local_day(answer_at) if answer_at else None
        sub_id = base["submissions"] + k
        sub_rows.append(subs.row(
            sub_id, numbers.next(received), department,
            officers.get(department) if status not in ("received",) else None,
            SURNAMES[k % len(SURNAMES)] + "某", f"l{k}@bench.example.org", f"来信{k}：{PHRASES[k % len(PHRASES)]}",
            f"{PHRASES[k % len(PHRASES)]}，{PHRASES[(k * 7) % len(PHRASES)]}。", status, writer.ts(received),
            writer.day(start), writer.day(d.due_on), writer.day(d.due_soon_on), writer.day(d.very_overdue_on),
            writer.ts(answer_at) if answer_at else None, writer.day(answer_day) if answer_day else None,
            (answer_day - start).days * 5 // 7 if answer_day else None,
            writer.ts(answer_at) if status in ("closed", "dismissed") else None,
            "重复来信。" if status == "dismissed" else None,
            rating, writer.flag(rating != "unsatisfied") if rating else None,
            writer.ts(answer_at + timedelta(days=1)) if rating else None, 1 if status == "reopened" else 0,
            f"bench-l-{k:09d}",
        ))
        letter_rows.append(letters.row(base["letters"] + k, sub_id, box, categories[k % len(categories)],
                                       SURNAMES[k % len(SURNAMES)] + "*", writer.ts(received)))
        event_id += 1
        event_rows.append(events.row(event_id, sub_id, writer.ts(received), "received", None, "received", None,
                                     "citizen"))
        if status != "received":
            event_id += 1
            event_rows.append(events.row(event_id, sub_id, writer.ts(answer_at or received + timedelta(hours=2)),
                                         ACTION_TO[status], "received" if status == "assigned" else "assigned",
                                         status, officers.get(department), "officer"))
        letters_per_box[box] += 1
        answered_per_box[box] += status in ("answered", "closed")
        if progress and k % 50_000 == 0:
            progress(f"letters {k:,}/{n:,}")
    dropped = writer.drop_indexes(["submissions", "letters", "submission_events"])
    writer.insert("submissions", subs.columns, sub_rows)
    writer.insert("letters", letters.columns, letter_rows)
    writer.insert("submission_events", events.columns, event_rows)
    writer.create_indexes(dropped)
    numbers.save()
    for box in box_ids:
        writer.execute("UPDATE mailboxes SET letter_count = letter_count + ?, answered_count = answered_count + ? "
                       "WHERE id = ?", (letters_per_box[box], answered_per_box[box], box))
    writer.finish(["submissions", "letters", "submission_events"])


BURST_SEATS = 100  # the seats left for the registration burst


def add_registrations(app, fixture: Fixture, n: int, free_seats: int = BURST_SEATS) -> None:
    """``n`` confirmed registrations; the event's capacity leaves ``free_seats`` for the burst."""
    writer = Writer(engine_for(app))
    reg_t = writer.template("event_registrations", "id", fixture.template_registration_id)
    regs = Cloner(reg_t, ["id", "name", "phone", "email", "phone_key", "email_key", "manage_token_hash",
                          "checkin_code", "created_at", "confirmed_at"])
    base = writer.scalar("SELECT MAX(id) FROM event_registrations")
    now = writer.ts(datetime.now(UTC) - timedelta(days=1))
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

    def code(i: int) -> str:
        digits = []
        for _ in range(8):
            i, r = divmod(i, len(alphabet))
            digits.append(alphabet[r])
        return "".join(digits)

    writer.insert("event_registrations", regs.columns, (
        regs.row(base + k, SURNAMES[k % len(SURNAMES)] + f"先生{k}", f"137{k:08d}", f"r{k}@bench.example.org",
                 f"137{k:08d}", f"r{k}@bench.example.org", token("registration", k), code(k * 7919 + 1), now, now)
        for k in range(1, n + 1)
    ))
    confirmed = writer.scalar("SELECT confirmed_count FROM events WHERE id = ?", (fixture.event_id,)) + n
    writer.execute("UPDATE events SET capacity = ?, confirmed_count = ? WHERE id = ?",
                   (confirmed + free_seats, confirmed, fixture.event_id))
    writer.finish(["event_registrations"])


def generate(url: str, *, comments: int, letters: int, registrations: int, progress=None) -> tuple[Fixture, object]:
    """A fresh database at ``url`` with the templates, letters, registrations and ``comments`` comments."""
    from consult import create_app
    from bench.setup import app_config

    fresh_database(url)
    app = create_app(app_config(url))
    fixture = build_templates(app)
    if progress:
        progress("templates written")
    add_letters(app, fixture, letters, progress)
    add_registrations(app, fixture, registrations)
    extend_comments(app, fixture, comments, progress)
    settle(app)
    return fixture, app


def settle(app) -> None:
    """Leave the database as it would be at rest after the bulk load, so no scenario shares the machine with
    the database catching up on it: PostgreSQL vacuums and analyses now rather than its autovacuum during a
    scenario; SQLite gathers its statistics and moves the write-ahead log into the database file."""
    from consult.extensions import db

    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
        else:  # on the driver's connection, which runs each statement on its own (see configure_sqlite)
            connection = engine.raw_connection()
            try:
                connection.driver_connection.execute("ANALYZE")
                connection.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                connection.close()
        engine.dispose()


def counts(app) -> dict:
    """Row counts of the big tables (for the report)."""
    from consult.extensions import db

    with app.app_context():
        return {t: db.session.execute(sa.text(f"SELECT COUNT(*) FROM {t}")).scalar_one()
                for t in ("submissions", "draft_comments", "letters", "submission_events", "event_registrations",
                          "outbox_messages")}
