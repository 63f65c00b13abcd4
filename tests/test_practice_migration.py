"""Upgrading keeps the ratings given on the old three-level scale and reads the first response back from the
timeline."""

import sqlalchemy as sa
from flask_migrate import upgrade

from consult import create_app
from consult.extensions import db

NOW, DAY = "2026-03-02 02:00:00+00:00", "2026-03-02"


def test_old_ratings_keep_their_meaning_and_the_first_response_is_read_back(empty_database_url):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade(revision="0012")
        with db.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO departments (id, code, name, name_en, contact_email, created_at, sort_order) "
                "VALUES (1, 'SFJ', '县司法局', 'Justice', 'sfj@example.org', :now, 10)"), {"now": NOW})
            for n, verdict in enumerate(("satisfied", "basically_satisfied", "unsatisfied"), start=1):
                conn.execute(sa.text(
                    "INSERT INTO submissions (id, tracking_no, query_code_salt, query_code_hash, kind, department_id, "
                    "submitter_name, submitter_email, submitter_phone, subject, body, is_public, status, received_at, "
                    "clock_start_on, window_workdays, extension_workdays, due_on, due_soon_on, very_overdue_on, "
                    "estimated_due, satisfaction, resolved, satisfaction_comment, reopen_count) VALUES (:id, :no, "
                    "'s', 'h', 'letter', 1, '', '', '', '', '信', :false, 'closed', :now, :day, 15, 0, :day, :day, "
                    ":day, :false, :verdict, :false, '', 0)"),
                    {"id": n, "no": f"L-20260302-0000{n}", "now": NOW, "day": DAY, "false": False, "verdict": verdict})
            conn.execute(sa.text(
                "INSERT INTO submission_events (id, submission_id, created_at, actor_role, actor_label, action, "
                "from_status, to_status, public_note, internal_note) VALUES "
                "(1, 1, '2026-03-02 03:00:00+00:00', 'citizen', '', 'info_received', 'needs_info', 'assigned', '', ''),"
                "(2, 1, '2026-03-02 05:00:00+00:00', 'officer', '', 'assign', 'received', 'assigned', '', ''),"
                "(3, 1, '2026-03-03 05:00:00+00:00', 'officer', '', 'answer', 'assigned', 'answered', '', '')"))
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT id, satisfaction, rating_removed, responded_at FROM submissions ORDER BY id")).all()
        assert [row.satisfaction for row in rows] == ["satisfied", "basically_satisfied", "unsatisfied"]
        assert [bool(row.rating_removed) for row in rows] == [False, False, False]
        assert str(rows[0].responded_at).startswith("2026-03-02 05:00") and rows[1].responded_at is None
        with db.engine.begin() as conn:  # the two new levels are accepted
            conn.execute(sa.text("UPDATE submissions SET satisfaction = 'very_unsatisfied' WHERE id = 3"))
        db.engine.dispose()
