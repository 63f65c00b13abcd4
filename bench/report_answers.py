"""Publishing a feedback report on a draft with N comments: every open comment answered (status, timeline,
mail or SMS) in one transaction.

Usage (from the repository root)::

    .venv/bin/python -m bench.report_answers                          # 10,000 and 100,000 comments, SQLite
    .venv/bin/python -m bench.report_answers --counts 10000 --reference 2000
    .venv/bin/python -m bench.report_answers --database-url postgresql://postgres@127.0.0.1:5432/bench_x

What it does, for each count N:

1. Creates a fresh database (a temporary SQLite file, or a new schema in the PostgreSQL database, dropped
   afterwards), a department, an editor and a reviewer, and a draft whose consultation has closed.
2. Writes 40 comments through Consult's own ``submit_comment`` (70 % leave an e-mail address, 20 % only a
   mobile number, 10 % both), then clones them with bulk inserts to N comments, each with its own tracking
   number, address and number; gives every comment a disposition and a reason (one per article) and sends
   the report for approval through the service.
3. In a fresh process (so its peak memory is the publishing's own), runs ``report.approve_report`` and
   commits: the seconds, comments answered per second, and the process's peak RSS.
4. The reference, in the same run and on the same database: the per-comment path a view would take without
   the bulk engine — for each comment ``transition(…, "answer_by_publication")`` and ``notify_citizen`` with
   the same mail template — on a second draft of ``--reference`` comments; its comments per second. The
   report gives the bulk figure as a multiple of it.
5. Checks that every comment of the draft is answered, has exactly one ``answer_by_publication`` event, and
   that one mail went to each e-mail address and one SMS to each phone-only citizen (exits non-zero if not).

Writes ``bench/results/report_answers-<db>.json``. Other work on the machine runs beside it: figures are
ratios to the reference measured in the same run.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from bench.outbox_drain import fresh_database, peak_rss_mb
from bench.setup import BENCH_ENCRYPTION_KEY

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = 40
CHUNK = 5000
BODY = """第一条 为规范县级预决算公开工作，制定本规定。

第二条 县级部门预决算应当在批准后二十日内向社会公开。

第三条 预决算公开应当同时公开“三公”经费安排和使用情况。

第四条 鼓励以图表等通俗易懂的方式解读预决算。
"""
REASONS = {"art-1": ("noted", "感谢关注，留存参考。"), "art-2": ("not_adopted", "二十日为上级规定的最长期限。"),
           "art-3": ("adopted", "已在第三条中增加按项目说明的要求。"), "art-4": ("partly_adopted", "将逐步推进。")}


def app_config(database_url: str) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench-only", "SERVER_NAME": "consult.bench",
        "CONSULT_ENCRYPTION_KEYS": BENCH_ENCRYPTION_KEY, "RATELIMIT_ENABLED": False,
        "SMS_DAILY_BUDGET": 10**9, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    }


def _draft(services, editor, reviewer, department, title: str):
    from consult.database import utcnow

    start = utcnow() - timedelta(days=40)
    draft = services.create_draft(
        editor, body=BODY, title=title, summary="预决算公开", department_id=department.id, domain="budgets",
        legal_basis="《中华人民共和国预算法》", opens_at=start, closes_at=start + timedelta(days=30),
        short_window_reason="", premoderate=False, interpretation="解读。",
    )
    services.submit_for_review(draft, editor)
    services.approve_draft(draft, reviewer, now=start + timedelta(minutes=1), without_interpretation=True)
    return draft, start


def _comments(draft, start, n: int, prefix: str, phone_prefix: str) -> None:
    """40 comments through the service, cloned to ``n`` with bulk inserts."""
    from consult.contacts import phone_key
    from consult.drafts import comments
    from consult.drafts.models import Comment
    from consult.extensions import db
    from consult.tracking.models import Submission

    made = []
    for i in range(min(TEMPLATES, n)):
        contact = {"email": f"{prefix}t{i}@example.org"} if i % 10 < 7 else (
            {"phone": f"{phone_prefix}0000{i:04d}"} if i % 10 < 9 else {"email": f"{prefix}t{i}@example.org",
                                                                 "phone": f"{phone_prefix}1000{i:04d}"})
        receipt = comments.submit_comment(
            draft, body=f"关于第{i % 4 + 1}条的意见{i}：建议进一步细化。", form_token=f"{prefix}-template-{i:08d}",
            article_anchor=f"art-{i % 4 + 1}", name="周九", now=start + timedelta(days=1), **contact)
        made.append(receipt.comment.id)
    db.session.commit()
    comment_rows = {row.id: dict(row._mapping) for row in db.session.execute(
        sa.select(Comment.__table__).where(Comment.id.in_(made)))}
    sub_rows = {row.id: dict(row._mapping) for row in db.session.execute(
        sa.select(Submission.__table__).where(Submission.id.in_([c["submission_id"] for c in comment_rows.values()])))}
    templates = [(sub_rows[c["submission_id"]], c) for c in comment_rows.values()]
    next_sub = db.session.scalar(sa.select(sa.func.max(Submission.id))) + 1
    next_comment = db.session.scalar(sa.select(sa.func.max(Comment.id))) + 1
    for base in range(len(made), n, CHUNK):
        sub_rows_out, comment_rows_out = [], []
        for i in range(base, min(base + CHUNK, n)):
            template, template_comment = templates[i % len(templates)]
            sid, cid = next_sub + i, next_comment + i
            sub = dict(template)
            sub.update(id=sid, tracking_no=f"C-{prefix}-{i:08d}", content_key=None,
                       form_token=f"{prefix}-comment-{i:08d}",
                       submitter_email=f"{prefix}{i}@example.org" if template["submitter_email"] else "",
                       submitter_phone=f"{phone_prefix}{i:08d}" if template["submitter_phone"] else "")
            sub["submitter_phone_key"] = phone_key(sub["submitter_phone"])
            comment = dict(template_comment)
            comment.update(id=cid, submission_id=sid)
            sub_rows_out.append(sub)
            comment_rows_out.append(comment)
        db.session.execute(sa.insert(Submission.__table__), sub_rows_out)
        db.session.execute(sa.insert(Comment.__table__), comment_rows_out)
        db.session.commit()


def prepare(config: dict, count: int, reference: int) -> dict:
    """Schema, staff, the measured draft (``count`` comments) and the reference draft; both reports waiting."""
    import consult.models  # noqa: F401  -- every model mapped before a module builds a query at import
    from consult import create_app
    from consult.accounts.models import EDITOR, REVIEWER, Department, User
    from consult.database import utcnow
    from consult.drafts import report, services
    from consult.drafts.models import Comment, Draft
    from consult.extensions import db

    app = create_app(config)
    with app.app_context():
        db.create_all()
        department = Department(code="CZJ", name="县财政局", name_en="Finance Bureau", contact_email="czj@example.org")
        db.session.add(department)
        staff = []
        for email, role in (("editor@consult.bench", EDITOR), ("reviewer@consult.bench", REVIEWER),
                            ("reviewer2@consult.bench", REVIEWER)):
            user = User(email=email, display_name=email.split("@")[0], role=role, department=department)
            user.set_password("bench-only-password")
            staff.append(user)
        db.session.add_all(staff)
        db.session.commit()
        editor, reviewer = staff[0], staff[1]
        ids = {}
        for key, n in (("measured", count), ("reference", reference)):
            draft, start = _draft(services, editor, reviewer, department, f"县级预决算公开管理规定（{key}）")
            _comments(draft, start, n, key[:3], "139" if key == "measured" else "158")
            services.advance_drafts(utcnow(), draft_id=draft.id)
            for anchor, (disposition, reason) in REASONS.items():
                db.session.execute(sa.update(Comment).where(Comment.draft_id == draft.id,
                                                            Comment.article_anchor == anchor)
                                   .values(disposition=disposition, disposition_reason=reason))
            draft = db.session.get(Draft, draft.id)
            report.submit_report(draft, editor, "本次意见采纳情况如下。")
            db.session.commit()
            ids[key] = draft.id
        db.engine.dispose()
    return ids


def child(config_json: str, draft_id: int, mode: str) -> None:
    """One measured step in its own process: ``bulk`` (approve_report) or ``reference`` (per comment)."""
    import consult.models  # noqa: F401  -- as in prepare()
    from consult import create_app
    from consult.accounts.models import User
    from consult.drafts import report
    from consult.drafts.models import Draft
    from consult.extensions import db

    app = create_app(json.loads(config_json))
    with app.app_context():
        reviewer = db.session.scalar(sa.select(User).where(User.email == "reviewer@consult.bench"))
        draft = db.session.get(Draft, draft_id)
        before = peak_rss_mb()
        started = time.perf_counter()
        answered = report.approve_report(draft, reviewer) if mode == "bulk" else _one_by_one(draft, reviewer)
        db.session.commit()
        seconds = time.perf_counter() - started
        db.engine.dispose()
    print(json.dumps({"seconds": seconds, "answered": answered, "peak_rss_mb": peak_rss_mb(),
                      "rss_before_mb": before}))


def _one_by_one(draft, reviewer) -> int:
    """The reference: what publishing would cost through the engine's one-submission functions."""
    from consult.drafts import publication
    from consult.drafts.models import PUBLISHED, Comment
    from consult.drafts.report import DISPOSITION_LABELS
    from consult.extensions import db
    from consult.tracking.citizen import rating_token
    from consult.tracking.mails import notify_citizen, rate_url
    from consult.tracking.models import OPEN_STATUSES, Submission
    from consult.tracking.notes import label_note, timeline_note
    from consult.tracking.transitions import transition

    draft.status, draft.report_state = "report_published", "approved"
    comments = db.session.scalars(sa.select(Comment).join(Submission, Submission.id == Comment.submission_id)
                                  .where(Comment.draft_id == draft.id, Comment.moderation == PUBLISHED,
                                         Submission.status.in_(OPEN_STATUSES)).order_by(Comment.id)).all()
    for comment in comments:
        submission = comment.submission
        transition(submission, "answer_by_publication", actor=reviewer, public_note=timeline_note(
            "Answered in the published feedback report: %(disposition)s. Reason: %(reason)s",
            disposition=label_note(DISPOSITION_LABELS[comment.disposition]), reason=comment.disposition_reason))
        notify_citizen(submission, publication.MAIL_TEMPLATE, draft_title=draft.title,
                       report_url=publication.report_url(draft.id), disposition=DISPOSITION_LABELS[comment.disposition],
                       reason=comment.disposition_reason, part=comment.article_anchor,
                       article_url=publication.article_url(draft.id, comment.article_anchor),
                       rate_url=rate_url(rating_token(submission)))
        db.session.flush()
    return len(comments)


def check(config: dict, draft_id: int) -> dict:
    """Every comment answered once; one mail per address, one SMS per phone-only citizen."""
    from consult import create_app
    from consult.drafts.models import Comment
    from consult.extensions import db
    from consult.notify.models import OutboxMessage
    from consult.tracking.models import Submission, TimelineEvent

    app = create_app(config)
    with app.app_context():
        of_draft = sa.select(Comment.submission_id).where(Comment.draft_id == draft_id)
        open_left = db.session.scalar(sa.select(sa.func.count()).where(
            Submission.id.in_(of_draft), Submission.status != "answered"))
        events = db.session.scalar(sa.select(sa.func.count()).where(
            TimelineEvent.submission_id.in_(of_draft), TimelineEvent.action == "answer_by_publication"))
        with_email = db.session.scalar(sa.select(sa.func.count()).where(
            Submission.id.in_(of_draft), Submission.submitter_email != ""))
        phone_only = db.session.scalar(sa.select(sa.func.count()).where(
            Submission.id.in_(of_draft), Submission.submitter_email == "", Submission.submitter_phone != ""))
        mails = db.session.scalar(sa.select(sa.func.count()).where(
            OutboxMessage.template == "comment_answered_in_report", OutboxMessage.recipient.like("mea%")))
        texts = db.session.scalar(sa.select(sa.func.count()).where(
            OutboxMessage.template == "answered", OutboxMessage.recipient.like("139%")))
        total = db.session.scalar(sa.select(sa.func.count()).select_from(of_draft.subquery()))
        db.engine.dispose()
    return {"comments": total, "still_open": open_left, "answer_events": events, "mails": mails,
            "addresses": with_email, "texts": texts, "phone_only": phone_only,
            "ok": open_left == 0 and events == total and mails == with_email and texts == phone_only}


def _run_child(config: dict, draft_id: int, mode: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "bench.report_answers", "--child", json.dumps(config),
                          str(draft_id), mode], check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_one(url: str | None, count: int, reference: int) -> dict:
    database_url, remove = fresh_database(url)
    try:
        config = app_config(database_url)
        started = time.perf_counter()
        ids = prepare(config, count, reference)
        print(f"  {count:,} comments prepared in {time.perf_counter() - started:.0f} s", flush=True)
        ref = _run_child(config, ids["reference"], "reference")
        bulk = _run_child(config, ids["measured"], "bulk")
        checks = check(config, ids["measured"])
    finally:
        remove()
    bulk_rate, ref_rate = bulk["answered"] / bulk["seconds"], ref["answered"] / ref["seconds"]
    result = {"comments": count, "publish_seconds": round(bulk["seconds"], 2),
              "comments_per_second": round(bulk_rate), "peak_rss_mb": bulk["peak_rss_mb"],
              "rss_before_mb": bulk["rss_before_mb"],
              "reference": {"comments": ref["answered"], "seconds": round(ref["seconds"], 2),
                            "comments_per_second": round(ref_rate), "peak_rss_mb": ref["peak_rss_mb"]},
              "ratio_to_reference": round(bulk_rate / ref_rate, 1), "checks": checks}
    print(f"  published in {bulk['seconds']:.1f} s ({bulk_rate:,.0f} comments/s, peak RSS "
          f"{bulk['peak_rss_mb']} MB); one by one: {ref_rate:,.0f} comments/s → {bulk_rate / ref_rate:.1f} ×; "
          f"checks {'ok' if checks['ok'] else 'FAILED'}", flush=True)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.report_answers", description=__doc__.split("\n")[0])
    parser.add_argument("--counts", default="10000,100000", help="comma-separated draft sizes")
    parser.add_argument("--reference", type=int, default=2000, help="comments answered one by one (reference)")
    parser.add_argument("--database-url", help="PostgreSQL URL (a schema is created in it and dropped)")
    parser.add_argument("--output", help="JSON file (default bench/results/report_answers-<db>.json)")
    parser.add_argument("--child", nargs=3, metavar=("CONFIG", "DRAFT", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], int(args.child[1]), args.child[2])
        return 0
    url = args.database_url
    db_name = "postgres" if url else "sqlite"
    results = []
    for count in (int(c) for c in args.counts.split(",")):
        print(f"Publishing a report on {count:,} comments ({db_name}) …", flush=True)
        results.append(run_one(url, count, args.reference))
    output = Path(args.output or ROOT / "bench" / "results" / f"report_answers-{db_name}.json")
    output.write_text(json.dumps({"db": db_name, "machine": platform.machine(), "cpus": os.cpu_count(),
                                  "results": results}, indent=2, ensure_ascii=False) + "\n")
    print(f"Wrote {output}")
    return 0 if all(r["checks"]["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
