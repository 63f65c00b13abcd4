"""``python -m bench.surveys [--responses N] [--db sqlite|postgres]`` — questionnaires at scale.

Builds a 20-question questionnaire through Consult's services (8 single choice, 4 multiple choice, 4 scales,
2 rankings, 2 free text, with a branch), answers it N times (default 100,000): each response is read and
branched by the same ``read_answers`` as the form, and the answer rows and counters are written in bulk, as a
data load would — through ``bench.bulk``'s raw connection: ``COPY`` on PostgreSQL, ``executemany`` on SQLite
(the counters then checked against a GROUP BY over the answers). Then it measures, in one
process, each against a reference taken in the same run:

* the public results page (GET, anonymous, the whole-page cache off), p50/p99, against ``/healthz`` (one
  ``SELECT 1`` through the same app: the floor of any request); the same page with a cross-tabulation, and
  rendered anew each time (as after every new response, when the counter version moves); the page of a
  free-text question's answers by topic before the analysis (counts only) and after it (read from the
  stored analysis), and the analysis job over the written answers itself (wall and CPU seconds);
* reading the counters (one query) against the GROUP BY scan over the answers they replace, and the
  cross-tabulation from the pair counters against the grouped self-join over the two questions' answers
  (the pair counters are checked against it for four pairs);
* submitting through the answer form (POST, one new response each, the write lock held only for the
  inserts), responses/s, against a bare one-row INSERT and commit per request on the same database.

``--db postgres`` runs on PostgreSQL: ``--database-url``, else ``$BENCH_POSTGRES_URL``, else
``bench_surveys`` on the local server; the database (its name must contain "bench") is dropped and
created again.
Results go to ``bench/results/surveys-<db>-<responses>.json``.
"""

import argparse
import base64
import hashlib
import json
import os
import random
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from bench.setup import fresh_database
from bench.stats import latency_ms, timed

QUESTIONS = (
    ["single"] * 8 + ["multiple"] * 4 + ["scale"] * 4 + ["ranking"] * 2 + ["text"] * 2
)
TEXTS = ("希望延长周末开放时间。", "建议增加停车位。", "窗口工作人员态度很好。", "排队时间太长，希望网上预约。",
         "希望增加老年人专用窗口。", "办事指南写得不清楚，建议简化。", "支持，期待尽快落实。")


def _build(app):
    """A department, an editor and an admin, and the open questionnaire (through the services)."""
    from consult.accounts.models import ADMIN, EDITOR, Department, User
    from consult.database import utcnow
    from consult.extensions import db
    from consult.surveys import services

    with app.app_context(), app.test_request_context():
        db.drop_all()
        db.create_all()
        department = Department(code="BENCH", name="基准测试局", name_en="Bench", contact_email="b@example.org")
        editor = User(email="editor@bench.example.org", display_name="编辑", role=EDITOR)
        admin = User(email="admin@bench.example.org", display_name="管理员", role=ADMIN)
        for user in (editor, admin):
            user.set_password("bench-password-1")
        db.session.add_all([department, editor, admin])
        db.session.flush()
        now = utcnow()
        questionnaire = services.create_questionnaire(
            editor, title="基准测试问卷", intro="", department_id=department.id, draft_id=None,
            opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30), answer_mode="anonymous",
            results_visibility="public")
        first = None
        for n, kind in enumerate(QUESTIONS, 1):
            options = [f"选项{n}-{k}" for k in range(1, 6 if kind != "ranking" else 5)]
            branch = first.options[1].id if n == 2 and first is not None else None
            question = services.add_question(questionnaire, editor, kind=kind, prompt=f"第{n}题：您的看法？",
                                             options=options if kind in ("single", "multiple", "ranking") else [],
                                             required=kind == "single", branch_option_id=branch)
            first = first or question
        services.submit_for_review(questionnaire, editor)
        services.approve(questionnaire, admin)
        db.session.commit()
        return questionnaire.id


def _raw(questionnaire, rng: random.Random) -> dict:
    raw = {}
    for question in questionnaire.questions:
        ids = [o.id for o in question.options]
        if question.kind in ("single", "scale"):
            raw[question.id] = rng.choice(ids)
        elif question.kind == "multiple":
            raw[question.id] = rng.sample(ids, rng.randint(1, 3))
        elif question.kind == "ranking":
            raw[question.id] = {o: r for r, o in enumerate(rng.sample(ids, len(ids)), 1)}
        elif rng.random() < 0.3:
            raw[question.id] = rng.choice(TEXTS)
    return raw


RESPONSE_COLUMNS = ["id", "questionnaire_id", "form_token", "respondent_key", "submitted_at"]
ANSWER_COLUMNS = ["response_id", "question_id", "option_id", "rank", "text"]


def _load(app, questionnaire_id: int, count: int, seed: int = 1) -> dict:
    """``count`` responses, each read by ``read_answers``; rows written in bulk (COPY on PostgreSQL,
    ``executemany`` on SQLite, through one raw connection), then the counters."""
    from bench.bulk import Writer
    from consult.extensions import db
    from consult.surveys import results
    from consult.surveys.models import Questionnaire, SurveyAnswer, SurveyOption, SurveyPairCount, SurveyQuestion
    from consult.surveys.responses import pairs, read_answers

    rng = random.Random(seed)
    with app.app_context(), app.test_request_context():
        questionnaire = results.load(questionnaire_id)
        size = {q.id: len(q.options) for q in questionnaire.questions}
        answered, chosen, points, pair_counts = {}, {}, {}, {}
        submitted = questionnaire.opens_at
        next_id = 1
        responses, answers = [], []
        db.session.commit()  # the rows go through the writer's own connection
        writer = Writer(db.engine)

        def flush():
            writer.insert("survey_responses", RESPONSE_COLUMNS, responses)
            writer.insert("survey_answers", ANSWER_COLUMNS, answers)
            responses.clear()
            answers.clear()

        for n in range(count):
            read = read_answers(questionnaire, _raw(questionnaire, rng))
            responses.append((next_id, questionnaire_id, f"bench-{n:012d}", None,
                              writer.ts(submitted + timedelta(seconds=n))))
            for q, options in read.chosen.items():
                answers.extend((next_id, q, o, None, None) for o in options)
                for o in options:
                    chosen[o] = chosen.get(o, 0) + 1
            for q, ranks in read.ranks.items():
                answers.extend((next_id, q, o, r, None) for o, r in ranks.items())
                for o, r in ranks.items():
                    points[o] = points.get(o, 0) + size[q] - r + 1
                    if r == 1:
                        chosen[o] = chosen.get(o, 0) + 1
            for q, text in read.texts.items():
                answers.append((next_id, q, None, None, text))
            for pair in pairs(questionnaire, read):
                key = (pair["option_a_id"], pair["option_b_id"], pair["question_a_id"], pair["question_b_id"])
                pair_counts[key] = pair_counts.get(key, 0) + 1
            for q in read.visible:
                if read.answered(q):
                    answered[q] = answered.get(q, 0) + 1
            next_id += 1
            if len(responses) == 2000:
                flush()
        if responses:
            flush()
        if writer.pg:
            writer.dbapi.commit()
        else:
            writer.dbapi.execute("COMMIT")
            writer.dbapi.execute("PRAGMA synchronous=NORMAL")
        writer.raw.close()
        db.session.commit()  # end the session's read snapshot, taken before the rows were written
        for q, n in answered.items():
            db.session.execute(sa.update(SurveyQuestion).where(SurveyQuestion.id == q).values(answer_count=n))
        for o in set(chosen) | set(points):
            db.session.execute(sa.update(SurveyOption).where(SurveyOption.id == o)
                               .values(chosen_count=chosen.get(o, 0), points=points.get(o, 0)))
        db.session.execute(sa.insert(SurveyPairCount), [
            {"option_a_id": a, "option_b_id": b, "question_a_id": qa, "question_b_id": qb, "count": n}
            for (a, b, qa, qb), n in pair_counts.items()])
        db.session.execute(sa.update(Questionnaire).where(Questionnaire.id == questionnaire_id)
                           .values(response_count=count))
        if db.engine.dialect.name == "postgresql":
            for table in ("survey_responses", "survey_answers"):
                db.session.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                           f"(SELECT max(id) FROM {table}))"))
            db.session.commit()
            for table in ("survey_responses", "survey_answers", "survey_pair_counts"):
                db.session.execute(sa.text(f"ANALYZE {table}"))
        db.session.commit()
        rows = db.session.scalar(sa.select(sa.func.count()).select_from(SurveyAnswer))
        return {"answer_rows": rows}


def _scan_counts(questionnaire_id: int):
    """What the counters replace: option counts by GROUP BY over every answer of the questionnaire."""
    from consult.extensions import db
    from consult.surveys.models import SurveyAnswer, SurveyQuestion

    return db.session.execute(
        sa.select(SurveyAnswer.option_id, sa.func.count())
        .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
        .where(SurveyQuestion.questionnaire_id == questionnaire_id, SurveyAnswer.option_id.is_not(None))
        .group_by(SurveyAnswer.option_id)).all()


def _analyse_answers(app, questionnaire_id: int) -> dict:
    """The analysis of the questionnaire's written answers, run in this process as its job runs: wall and CPU
    seconds, and how many answers it read."""
    from consult.extensions import db
    from consult.surveys.models import Questionnaire
    from consult.workbench import jobs, services
    from consult.workbench.models import AnalysisRun

    with app.app_context():
        run_id = services.request_answer_analysis(db.session.get(Questionnaire, questionnaire_id), None).id
        db.session.commit()
        wall, cpu = time.perf_counter(), time.process_time()
        status = jobs.run_analysis(run_id)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        run = db.session.get(AnalysisRun, run_id)
        return {"status": status, "answers": run.total_count, "wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
                "steps": run.seconds}


def measure(url: str, count: int, repeat: int, posts: int) -> dict:
    from consult import create_app
    from consult.database import utcnow
    from consult.extensions import db
    from consult.surveys import results
    from consult.surveys.models import SurveyOption, Questionnaire, SurveyResponse

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": False,
                      "CONSULT_ENCRYPTION_KEYS": base64.urlsafe_b64encode(hashlib.sha256(b"bench").digest()).decode(),
                      "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False, "SERVER_NAME": "bench.test",
                      "CONSULT_PAGE_CACHE_SECONDS": 0})
    started = time.perf_counter()
    qid = _build(app)
    result = {"responses": count, "questions": len(QUESTIONS), **_load(app, qid, count),
              "load_s": round(time.perf_counter() - started, 1)}
    with app.app_context():
        scanned = dict(_scan_counts(qid))
        counted = dict(db.session.execute(sa.select(SurveyOption.id, SurveyOption.chosen_count)).all())
        ranking_options = {o.id for q in results.load(qid).questions if q.kind == "ranking" for o in q.options}
        result["counters_match_scan"] = all(counted[o] == n for o, n in scanned.items() if o not in ranking_options)

    client = app.test_client()
    with app.app_context():
        questionnaire = db.session.get(Questionnaire, qid)
        questionnaire.opens_at = utcnow() - timedelta(days=60)
        questionnaire.closes_at = utcnow() - timedelta(minutes=1)  # closed: the results are public
        db.session.commit()
    url_results = f"/questionnaires/{qid}/results"
    with app.app_context():
        shape = results.question_results(results.load(qid))
        choice = results.choice_questions(shape)
        first, third = choice[0].id, choice[2].id
        multiple = next(q.id for q in choice if q.kind == "multiple")
        scale = next(q.id for q in choice if q.kind == "scale")
    url_crosstab = f"{url_results}?rows={first}&columns={third}"
    assert client.get(url_results).status_code == 200
    for _ in range(5):  # warm
        client.get(url_results)
        client.get(url_crosstab)
        client.get("/healthz")
    page = latency_ms(timed(lambda: client.get(url_results).get_data(), repeat))
    floor = latency_ms(timed(lambda: client.get("/healthz").get_data(), repeat))
    with_tab = latency_ms(timed(lambda: client.get(url_crosstab).get_data(), repeat))

    def cold():  # as after a new response: the rendered results are not kept yet
        app.extensions["consult.caches"].clear()
        client.get(url_results).get_data()

    missed = latency_ms(timed(cold, max(20, repeat // 5)))
    with app.app_context():
        text_question = next(r.question.id for r in shape if r.question.kind == "text")
    url_topics = f"/questionnaires/{qid}/results/questions/{text_question}/topics"
    preparing = latency_ms(timed(lambda: client.get(url_topics).get_data(), repeat))  # no analysis yet: counts
    analysis = _analyse_answers(app, qid)  # as the daily job does once the questionnaire has closed
    assert "being prepared" not in client.get(url_topics).get_data(as_text=True)
    topics = latency_ms(timed(lambda: client.get(url_topics).get_data(), repeat))
    result["results_page"] = {**page, "reference_healthz": floor,
                              "p99_ratio_to_reference": round(page["p99_ms"] / floor["p99_ms"], 2)}
    result["results_page_with_crosstab"] = {
        **with_tab, "p99_ratio_to_reference": round(with_tab["p99_ms"] / floor["p99_ms"], 2)}
    result["results_page_rendered_anew"] = {
        **missed, "p99_ratio_to_reference": round(missed["p99_ms"] / floor["p99_ms"], 2)}
    result["topics_page"] = {**topics, "p99_ratio_to_reference": round(topics["p99_ms"] / floor["p99_ms"], 2),
                             "before_the_analysis": preparing}
    result["answer_analysis_job"] = analysis
    scans = max(3, repeat // 100)
    with app.app_context():
        scan = latency_ms(timed(lambda: _scan_counts(qid), scans))
        counters = latency_ms(timed(lambda: results.question_results(results.load_alone(qid)), repeat))
        tab = latency_ms(timed(lambda: results.crosstab(choice, first, third), repeat))
        tab_scan = latency_ms(timed(lambda: results.crosstab_by_scan(first, third), scans))
        result["counters_read"] = counters
        result["scan_instead_of_counters"] = scan
        result["crosstab"] = {**tab, "scan_instead_of_pair_counters": tab_scan}
        checked = True
        for rows_id, columns_id in ((first, third), (third, first), (multiple, scale), (scale, first)):
            checked &= results.crosstab(choice, rows_id, columns_id).counts == {
                cell: n for cell, n in results.crosstab_by_scan(rows_id, columns_id).items() if n}
        result["pair_counters_match_scan"] = checked

    # Submitting: reopen, then POST the answer form (a new form token each time).
    with app.app_context():
        questionnaire = db.session.get(Questionnaire, qid)
        questionnaire.closes_at = utcnow() + timedelta(days=30)
        db.session.commit()
        loaded = results.load(qid)
        rng = random.Random(99)
        forms = []
        for n in range(posts):
            data = {"form_token": f"bench-post-{n:010d}"}
            for q, value in _raw(loaded, rng).items():
                if isinstance(value, dict):
                    data.update({f"q{q}-{o}": str(r) for o, r in value.items()})
                else:
                    data[f"q{q}"] = [str(v) for v in value] if isinstance(value, list) else str(value)
            forms.append(data)
    post_client = app.test_client()
    started = time.perf_counter()
    for data in forms:
        post_client.delete_cookie("answered_questionnaires", domain="bench.test")
        response = post_client.post(f"/questionnaires/{qid}/answer", data=data)
        assert response.status_code == 302, response.status_code
    elapsed = time.perf_counter() - started
    with app.app_context():
        made = db.session.scalar(sa.select(sa.func.count()).select_from(SurveyResponse)) - count
        reference = sa.Table("bench_bare_inserts", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                             sa.Column("body", sa.Text))
        reference.create(db.engine, checkfirst=True)
        body = json.dumps(forms[0], ensure_ascii=False)
        started_ref = time.perf_counter()
        for _ in range(posts):
            with db.engine.begin() as conn:
                conn.execute(reference.insert().values(body=body))
        ref_elapsed = time.perf_counter() - started_ref
    result["submit"] = {"posts": posts, "responses_made": made, "per_s": round(posts / elapsed, 1),
                        "reference_bare_insert_per_s": round(posts / ref_elapsed, 1),
                        "ratio_to_reference": round((posts / elapsed) / (posts / ref_elapsed), 3)}
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.surveys", description=__doc__)
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--database-url", help="PostgreSQL URL (its database name must contain 'bench')")
    parser.add_argument("--repeat", type=int, default=300, help="requests per page measured")
    parser.add_argument("--posts", type=int, default=1000, help="responses submitted through the form")
    args = parser.parse_args(argv)
    results_dir = Path(__file__).parent / "results"
    results_dir.mkdir(exist_ok=True)
    if args.db == "sqlite":
        path = results_dir / f"surveys-{args.responses}.sqlite3"
        url = f"sqlite:///{path}"
    else:
        url = (args.database_url or os.environ.get("BENCH_POSTGRES_URL")
               or "postgresql://postgres@127.0.0.1:5432/bench_surveys")
        if "bench" not in (sa.engine.make_url(url).database or ""):
            parser.error("the PostgreSQL database name must contain 'bench'")
        url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    fresh_database(url)  # a new SQLite file, or the PostgreSQL database dropped and created again
    load_before = os.getloadavg()
    result = measure(url, args.responses, args.repeat, args.posts)
    result["db"] = args.db
    result["machine"] = {"cpus": os.cpu_count(), "load_average_before": load_before,
                         "load_average_after": os.getloadavg()}
    out = results_dir / f"surveys-{args.db}-{args.responses}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
