"""Upgrading an empty database with the Alembic migrations yields exactly the models' schema."""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from consult import create_app
from consult.database import include_for_dialect
from consult.extensions import db
from consult.search.schema import is_index_table


def test_migrations_match_models(empty_database_url):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            # The search index tables are not models (an FTS5 virtual table cannot be one): compared by hand.
            context = MigrationContext.configure(conn, opts={
                "compare_type": True, "include_object": include_for_dialect(conn.dialect.name),
                "include_name": lambda name, type_, parent: not (type_ == "table" and is_index_table(name)),
            })
            differences = compare_metadata(context, db.metadata)
            tables = set(sa.inspect(conn).get_table_names())
        assert differences == []
        assert {"search_submissions", "search_drafts"} <= tables
        downgrade(revision="base")
        assert sa.inspect(db.engine).get_table_names() == ["alembic_version"]
        db.engine.dispose()


OLD_NOTES = [  # (action, actor_role, public_note, internal_note) as the system wrote them before 0004
    ("transfer", "officer", "已转办至县财政局。", "属于财政局职责"),
    ("extension_approved", "reviewer", "答复期限延长20个工作日（由2026-03-16延至2026-04-14）：需要征求第三方意见", ""),
    ("due_date_recomputed", "admin",
     "The working-day calendar changed (2025-11-20: 停电): the due date moved from 2025-12-01 to 2025-12-02.", ""),
    ("assign", "officer", "", "钱经办"),
    ("request_info", "officer", "请提供具体位置。", ""),
    ("close", "citizen", "基本满意", ""),
]


def test_old_notes_are_read_back_into_messages_and_typed_text_stays(empty_database_url):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade(revision="0003")
        now, day = "2026-03-01 02:00:00+00:00", "2026-03-01"
        with db.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO departments (id, code, name, name_en, contact_email, created_at) "
                "VALUES (1, 'SFJ', '县司法局', 'Justice', 'sfj@example.org', :now)"), {"now": now})
            conn.execute(sa.text(
                "INSERT INTO users (id, email, display_name, password_hash, role, department_id, active, auth_stamp, "
                "created_at, optional_mail) "
                "VALUES (1, 'q@example.org', '钱经办', 'x', 'officer', 1, :yes, 's', :now, :yes)"),
                {"now": now, "yes": True})
            conn.execute(sa.text(
                "INSERT INTO submissions (id, tracking_no, query_code_salt, query_code_hash, kind, department_id, "
                "submitter_name, submitter_email, submitter_phone, subject, body, is_public, status, received_at, "
                "clock_start_on, window_workdays, extension_workdays, due_on, due_soon_on, very_overdue_on, "
                "estimated_due, dismissal_reason, satisfaction_comment, reopen_count) VALUES (1, 'L-20260301-00001', "
                "'s', 'h', 'comment', 1, '', '', '', '', '意见', :no, 'dismissed', :now, :day, 15, 0, :day, :day, "
                ":day, :no, :reason, '', 0)"),
                {"now": now, "day": day, "no": False,
                 "reason": "该草案已撤回，对其提出的意见将不再答复。理由：上级政策调整"})
            for n, (action, role, public, internal) in enumerate(OLD_NOTES, start=1):
                conn.execute(sa.text(
                    "INSERT INTO submission_events (id, submission_id, created_at, actor_role, actor_label, action, "
                    "from_status, to_status, public_note, internal_note) VALUES (:id, 1, :now, :role, '', :action, "
                    "'assigned', 'assigned', :public, :internal)"),
                    {"id": n, "now": now, "role": role, "action": action, "public": public, "internal": internal})
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(sa.select(sa.table(
                "submission_events", sa.column("id"), sa.column("public_note"), sa.column("internal_note"),
                sa.column("public_note_message", sa.JSON), sa.column("internal_note_message", sa.JSON),
            )).order_by(sa.text("id"))).all()
            reason = conn.execute(sa.select(sa.table(
                "submissions", sa.column("dismissal_reason_message", sa.JSON)).c.dismissal_reason_message)).scalar()
        messages = [(row.public_note_message, row.internal_note_message) for row in rows]
        assert messages[0] == ({"msg": "Transferred to %(department)s.", "args": {"department": "县财政局"}}, None)
        assert messages[1][0]["args"] == {"days": 20, "old": {"date": "2026-03-16"}, "new": {"date": "2026-04-14"},
                                          "reason": "需要征求第三方意见"}
        assert messages[2][0]["args"]["note"] == {"msg": "%(day)s: %(note)s",
                                                  "args": {"day": {"date": "2025-11-20"}, "note": "停电"}}
        assert messages[3] == (None, {"msg": "Handed to %(name)s to handle.", "args": {"name": "钱经办"}})
        assert messages[4] == (None, None)  # typed by an officer: stays text
        assert messages[5] == ({"msg": "Basically satisfied", "args": {}}, None)
        assert [row.public_note for row in rows][:2] == [OLD_NOTES[0][2], OLD_NOTES[1][2]]  # the text is kept
        assert reason == {"msg": "The draft was withdrawn, so comments on it will not be answered. Reason: %(reason)s",
                          "args": {"reason": "上级政策调整"}}
        columns = ("id", "submission_id", "created_at", "actor_role", "actor_label", "action", "public_note",
                   "internal_note")
        events = sa.table("submission_events", *(sa.column(name) for name in columns),
                          sa.column("public_note_message", sa.JSON))
        with db.engine.begin() as conn:
            conn.execute(sa.insert(events).values(
                id=99, submission_id=1, created_at=now, actor_role="officer", actor_label="", action="transfer",
                public_note="", internal_note="", public_note_message=messages[0][0]))
        downgrade(revision="0003")
        with db.engine.connect() as conn:
            written_back = conn.execute(sa.text("SELECT public_note FROM submission_events WHERE id = 99")).scalar()
        assert written_back == "Transferred to 县财政局."  # going back keeps the note, in English
        db.engine.dispose()


def _insert(conn, table: str, **values) -> None:
    """Insert a row at an old revision: the given values, and a plain value for every other required column."""
    from datetime import UTC, date, datetime

    plain = {sa.String: "x", sa.Text: "", sa.Integer: 0, sa.Boolean: False, sa.JSON: [],
             sa.DateTime: datetime(2025, 11, 10, tzinfo=UTC), sa.Date: date(2025, 11, 10)}
    reflected = sa.Table(table, sa.MetaData(), autoload_with=conn)
    for column in reflected.columns:
        if column.name in values or column.nullable or column.server_default is not None or column.primary_key:
            continue
        values[column.name] = next(v for t, v in plain.items() if isinstance(column.type, t))
    conn.execute(reflected.insert().values(**values))


def test_the_form_tokens_move_to_submissions_and_back(empty_database_url):
    """0024: each kind's form_token is carried to submissions.form_token (unique) and back on downgrade."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade(revision="0023")
        with db.engine.begin() as conn:
            _insert(conn, "departments", id=1, code="SFJ", name="县司法局", name_en="Justice")
            _insert(conn, "mailboxes", id=1, name="县长信箱", department_id=1, categories=["complaint"],
                    window_workdays=15)
            for n, kind in ((1, "letter"), (2, "disclosure")):
                _insert(conn, "submissions", id=n, tracking_no=f"L-20251110-0000{n}", kind=kind, department_id=1,
                        status="received", is_public=False, estimated_due=False)
            _insert(conn, "letters", id=1, submission_id=1, mailbox_id=1, category="complaint",
                    form_token="old-letter-form-token-1")
            _insert(conn, "disclosure_requests", submission_id=2, applicant_type="natural_person",
                    id_type="resident_id", preferred_format="electronic", delivery="online",
                    form_token="old-request-form-token-2")
        upgrade()
        with db.engine.connect() as conn:
            tokens = conn.execute(sa.text("SELECT id, form_token FROM submissions ORDER BY id")).all()
            assert "form_token" not in {c["name"] for c in sa.inspect(conn).get_columns("letters")}
        assert [tuple(row) for row in tokens] == [(1, "old-letter-form-token-1"), (2, "old-request-form-token-2")]
        downgrade(revision="0023")
        with db.engine.connect() as conn:
            letter = conn.execute(sa.text("SELECT form_token FROM letters")).scalar()
            request = conn.execute(sa.text("SELECT form_token FROM disclosure_requests")).scalar()
        assert (letter, request) == ("old-letter-form-token-1", "old-request-form-token-2")
        db.engine.dispose()


def test_the_cross_tabulation_counters_are_filled_from_the_answers_already_taken(empty_database_url):
    """0027: the pair counters of responses taken before the upgrade come from their answers (choice
    questions only: not the free text, not the ranking); the downgrade drops them."""
    from datetime import UTC, datetime

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade(revision="0026")
        with db.engine.begin() as conn:
            _insert(conn, "departments", id=1, code="TJJ", name="县统计局", name_en="Statistics")
            _insert(conn, "questionnaires", id=1, title="问卷", department_id=1, status="approved",
                    answer_mode="anonymous", results_visibility="public", salt="s" * 32,
                    opens_at=datetime(2025, 11, 1, tzinfo=UTC), closes_at=datetime(2025, 11, 30, tzinfo=UTC))
            for qid, kind in ((1, "single"), (2, "multiple"), (3, "text"), (4, "ranking")):
                _insert(conn, "survey_questions", id=qid, questionnaire_id=1, kind=kind, prompt=f"第{qid}题",
                        position=qid)
            for oid, qid in ((1, 1), (2, 1), (3, 2), (4, 2), (5, 2), (6, 4), (7, 4)):
                _insert(conn, "survey_options", id=oid, question_id=qid, label=f"选项{oid}")
            for rid in (1, 2):
                _insert(conn, "survey_responses", id=rid, questionnaire_id=1, form_token=f"old-survey-token-{rid}")
            answers = [(1, 1, 1, None, None), (1, 2, 3, None, None), (1, 2, 4, None, None), (1, 3, None, None, "好"),
                       (1, 4, 6, 1, None), (1, 4, 7, 2, None), (2, 1, 2, None, None), (2, 2, 3, None, None)]
            for rid, qid, oid, rank, text in answers:
                _insert(conn, "survey_answers", response_id=rid, question_id=qid, option_id=oid, rank=rank,
                        text=text)
        upgrade()
        with db.engine.connect() as conn:
            pairs = conn.execute(sa.text("SELECT option_a_id, option_b_id, question_a_id, question_b_id, count "
                                         "FROM survey_pair_counts ORDER BY option_a_id, option_b_id")).all()
        assert [tuple(p) for p in pairs] == [(1, 3, 1, 2, 1), (1, 4, 1, 2, 1), (2, 3, 1, 2, 1)]
        downgrade(revision="0026")
        assert "survey_pair_counts" not in sa.inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_the_search_index_gets_each_submissions_department_and_loses_it_again(empty_database_url):
    """0029: every index row of a submission gains its department's scope token, from the index rows already
    there (nothing is segmented again); the downgrade takes it away and the words are still found."""
    from consult.search.matching import matches
    from consult.search.query import parse

    def found(department_id=None) -> list[int]:
        subquery = matches("submissions", parse("噪音"), department_id=department_id)
        ids = sorted(db.session.scalars(sa.select(subquery.c.id)))
        db.session.rollback()
        return ids

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade(revision="0028")
        sqlite = db.engine.dialect.name == "sqlite"
        with db.engine.begin() as conn:
            for n in (1, 2):
                _insert(conn, "departments", id=n, code=f"D{n}", name=f"部门{n}", name_en=f"Dept {n}")
                _insert(conn, "submissions", id=n, tracking_no=f"L-20251110-0000{n}", kind="letter",
                        department_id=n, status="received", is_public=False, estimated_due=False)
                if sqlite:
                    conn.execute(sa.text("INSERT INTO search_submissions (rowid, title, body, contact) "
                                         "VALUES (:n, '噪音 扰民', '', '')"), {"n": n})
                else:
                    conn.execute(sa.text("INSERT INTO search_submissions (record_id, document) "
                                         "VALUES (:n, CAST('噪音\\:1A 扰民\\:2A' AS tsvector))"), {"n": n})
        upgrade()
        assert (found(), found(1), found(2), found(3)) == ([1, 2], [1], [2], [])
        downgrade(revision="0028")
        with db.engine.connect() as conn:
            if sqlite:
                columns = [row[1] for row in conn.execute(sa.text("PRAGMA table_info(search_submissions)"))]
                assert columns == ["title", "body", "contact"]
            else:
                lexemes = conn.execute(sa.text("SELECT string_agg(lexeme, ' ' ORDER BY lexeme) "
                                               "FROM search_submissions, unnest(document) GROUP BY record_id")).scalars().all()
                assert lexemes == ["噪音 扰民", "噪音 扰民"]
        assert found() == [1, 2]
        db.engine.dispose()


def test_answered_submissions_get_their_scope_tokens_and_lose_them_again(empty_database_url):
    """0033: the index row of an answered submission gains ``a<department>`` (and ``p`` for a public
    letter) from the rows already there; an unanswered one gains nothing; the downgrade takes them away.
    0036: the similar terms of the answered ones are read back from those index rows."""
    from consult.search.matching import matches
    from consult.search.query import parse

    def found(scope: str) -> list[int]:
        hits = matches("submissions", parse("噪音"), scope=scope)
        ids = db.session.scalars(sa.select(hits.c.id)).all()
        db.session.rollback()
        return sorted(ids)

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade(revision="0032")
        sqlite = db.engine.dialect.name == "sqlite"
        with db.engine.begin() as conn:
            for n in (1, 2):
                _insert(conn, "departments", id=n, code=f"D{n}", name=f"部门{n}", name_en=f"Dept {n}")
            for n, kind, department, public, answered in ((1, "letter", 1, True, True), (2, "comment", 2, True, True),
                                                          (3, "letter", 1, True, False), (4, "letter", 1, False, True)):
                _insert(conn, "submissions", id=n, tracking_no=f"L-20251110-0000{n}", kind=kind,
                        department_id=department, status="answered" if answered else "received", is_public=public,
                        estimated_due=False, answered_at=datetime(2025, 11, 12, tzinfo=UTC) if answered else None)
                if sqlite:
                    conn.execute(sa.text("INSERT INTO search_submissions (rowid, title, body, contact, scope) "
                                         "VALUES (:n, '噪音 扰民', '', '', :scope)"), {"n": n, "scope": f"d{department}"})
                else:
                    conn.execute(sa.text("INSERT INTO search_submissions (record_id, document) VALUES "
                                         "(:n, CAST(:document AS tsvector))"),
                                 {"n": n, "document": f"'噪音':1A '扰民':2A '§d{department}':3C"})
        upgrade()
        assert (found("a1"), found("a2"), found("p"), found("d1")) == ([1, 4], [2], [1], [1, 3, 4])
        with db.engine.connect() as conn:
            terms = set(conn.execute(sa.text("SELECT scope, term, record_id FROM similar_terms")).all())
        assert terms == {(scope, term, n) for scope, n in (("a1", 1), ("a1", 4), ("a2", 2), ("p", 1))
                         for term in ("噪音", "扰民")}
        downgrade(revision="0032")
        assert (found("a1"), found("a2"), found("p"), found("d1"), found("d2")) == ([], [], [], [1, 3, 4], [2])
        db.engine.dispose()


def test_stored_id_number_masks_follow_the_one_rule_where_the_keys_open_the_number(empty_database_url):
    """0031: an information request's mask is made again from its decrypted number (the last 4 characters
    kept); a number no configured key opens keeps its mask; the downgrade brings back the old rule."""
    from cryptography.fernet import Fernet

    from consult import encryption

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade(revision="0030")
        elsewhere = Fernet(Fernet.generate_key()).encrypt(b"11010519491231002X").decode("ascii")
        with db.engine.begin() as conn:
            _insert(conn, "departments", id=1, code="SFJ", name="县司法局", name_en="Justice")
            rows = ((1, encryption.encrypt("11010519491231002X"), "110*************2X"),
                    (2, encryption.encrypt("91110000600037341L"), "911*************1L"),
                    (3, elsewhere, "110*************2X"))  # encrypted under a key this app does not hold
            for n, token, masked in rows:
                _insert(conn, "submissions", id=n, tracking_no=f"D-20251110-0000{n}", kind="disclosure",
                        department_id=1, status="received", is_public=False, estimated_due=False)
                _insert(conn, "disclosure_requests", submission_id=n, applicant_type="natural_person",
                        id_type="resident_id", preferred_format="electronic", delivery="online",
                        id_number_encrypted=token, id_number_masked=masked)

        def masks():
            with db.engine.connect() as conn:
                return [tuple(row) for row in conn.execute(sa.text(
                    "SELECT submission_id, id_number_masked FROM disclosure_requests ORDER BY submission_id"))]

        upgrade(revision="0031")
        assert masks() == [(1, "**************002X"), (2, "**************341L"), (3, "110*************2X")]
        downgrade(revision="0030")
        assert masks() == [(1, "110*************2X"), (2, "911*************1L"), (3, "110*************2X")]
        db.engine.dispose()


def test_word_for_word_campaign_copies_lose_their_json_null_edits(empty_database_url):
    """0035: a member stored with the JSON value ``null`` as its edits gets SQL NULL, so the campaign page
    leaves it out of the changed copies; a member with changes keeps them."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade(revision="0034")
        with db.engine.begin() as conn:
            _insert(conn, "departments", id=1, code="SFJ", name="县司法局", name_en="Justice")
            _insert(conn, "drafts", id=1, department_id=1, title="养犬管理办法", status="closed", domain="other",
                    opens_at=datetime(2025, 11, 10, tzinfo=UTC), closes_at=datetime(2025, 12, 10, tzinfo=UTC))
            _insert(conn, "analysis_runs", id=1, draft_id=1, status="done", step="done")
            _insert(conn, "analysis_units", id=1, run_id=1, key="c1", kind="campaign", position=1, size=2)
            conn.execute(sa.text("INSERT INTO analysis_members (run_id, comment_id, unit_id, stance, overridden, edits) "
                                 "VALUES (1, 1, 1, 'support', :no, 'null'), (1, 2, 1, 'support', :no, :edits)"),
                         {"no": False, "edits": '[["insert", "", "和自助机"]]'})
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT comment_id, edits IS NULL FROM analysis_members ORDER BY 1")).all()
        assert [tuple(row) for row in rows] == [(1, True), (2, False)]
        db.engine.dispose()
