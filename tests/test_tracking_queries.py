"""The department inbox: filters, cursor pagination, index use (EXPLAIN on both backends); demo seed."""

import collections
from datetime import date

import pytest
import sqlalchemy as sa

from consult import seed
from consult.extensions import db
from consult.pagination import InvalidCursor, decode_cursor, encode_cursor, paginate
from consult.tracking import actions
from consult.tracking.models import EVENT_QUESTION, STATUSES, Submission, TimelineEvent
from consult.search.query import parse
from consult.tracking.queries import INBOX_ORDER, InboxFilters, inbox_listing, inbox_query, user_submissions_query
from tests.tracking_support import file_submission, local


def tracking_numbers(items):
    return [s.tracking_no for s in items]


def test_inbox_shows_only_the_departments_open_submissions_by_due_date(world):
    late = file_submission(world, received_at=local(2025, 11, 20)).submission
    early = file_submission(world, received_at=local(2025, 11, 3)).submission
    file_submission(world, department=world.other_dept)
    done = file_submission(world).submission
    actions.dismiss_submission(done, actor=world.officer, reason="重复")
    items = db.session.scalars(inbox_query(world.dept.id, date(2025, 11, 21)).order_by(*INBOX_ORDER)).all()
    assert items == [early, late]


def test_inbox_filters(world):
    today = date(2025, 12, 2)
    overdue = file_submission(world, received_at=local(2025, 11, 3), subject="噪音扰民").submission
    soon = file_submission(world, received_at=local(2025, 11, 11)).submission
    question = file_submission(world, kind=EVENT_QUESTION, received_at=local(2025, 11, 28)).submission
    actions.assign_submission(soon, world.colleague, actor=world.officer)

    def find(text="", **filters):
        stmt, order = inbox_listing(world.dept.id, today, InboxFilters(query=parse(text), sort="date", **filters))
        return db.session.scalars(stmt.order_by(*order)).all()

    assert find(overdue=True) == [overdue]
    assert find(due_soon=True) == [soon]
    assert find(kind=EVENT_QUESTION) == [question]
    assert find(assignee_id=world.colleague.id) == [soon]
    assert find(unassigned=True) == [overdue, question]
    assert find(text="噪音") == [overdue]
    assert find(text=overdue.tracking_no.lower()) == [overdue]
    assert find(text="100%_") == []
    assert find(statuses=("assigned",)) == [soon]


def test_inbox_pages_with_a_cursor(world):
    made = [file_submission(world, received_at=local(2025, 11, 3 + i % 3)).submission for i in range(7)]
    expected = sorted(made, key=lambda s: (s.due_on, s.id))
    stmt, seen, cursor = inbox_query(world.dept.id, date(2025, 11, 10)), [], None
    while True:
        page = paginate(db.session, stmt, INBOX_ORDER, cursor, per_page=3)
        seen.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == expected
    assert len(paginate(db.session, stmt, INBOX_ORDER, None, per_page=7).items) == 7
    assert paginate(db.session, stmt, INBOX_ORDER, None, per_page=7).next_cursor is None


def test_pagination_descending_and_mixed_orders(world):
    made = [file_submission(world, received_at=local(2025, 11, 3 + i % 2)).submission for i in range(5)]
    for order in ([Submission.id.desc()], [Submission.due_on.desc(), Submission.id],
                  [Submission.received_at, Submission.id.desc()]):
        seen, cursor = [], None
        while True:
            page = paginate(db.session, sa.select(Submission), order, cursor, per_page=2)
            seen.extend(page.items)
            if (cursor := page.next_cursor) is None:
                break
        assert seen == db.session.scalars(sa.select(Submission).order_by(*order)).all()
    assert {s.id for s in seen} == {s.id for s in made}


def test_pagination_of_plain_columns(world):
    for _ in range(3):
        file_submission(world)
    page = paginate(db.session, sa.select(Submission.id, Submission.tracking_no), [Submission.id], None, per_page=2)
    assert len(page.items) == 2 and page.items[0].tracking_no.startswith("L-")
    rest = paginate(db.session, sa.select(Submission.id, Submission.tracking_no), [Submission.id], page.next_cursor)
    assert [row.id for row in rest.items] == [page.items[-1].id + 1]


def test_cursor_round_trip_and_tampering():
    cursor = encode_cursor([date(2025, 11, 3), 42, "x"])
    assert cursor.isascii() and "=" not in cursor and "/" not in cursor and "+" not in cursor
    assert decode_cursor(cursor, 3) == [date(2025, 11, 3), 42, "x"]
    for bad in ["%%%", "bm90IGpzb24", encode_cursor([1]), encode_cursor([{"x": [1]}, 1, 2])]:
        with pytest.raises(InvalidCursor):
            decode_cursor(bad, 3)


def test_my_submissions_are_the_citizens_own(world):
    from consult.tracking.intake import create_submission

    mine = create_submission(kind="letter", department=world.dept, body="我的", user=world.citizen).submission
    file_submission(world)
    stmt = user_submissions_query(world.citizen)
    assert paginate(db.session, stmt, [Submission.id.desc()], None).items == [mine]


def _plan(stmt) -> str:
    compiled = stmt.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True})
    if db.engine.dialect.name == "sqlite":
        rows = db.session.execute(sa.text(f"EXPLAIN QUERY PLAN {compiled}")).all()
        return "\n".join(str(row[-1]) for row in rows)
    db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))  # a tiny table: ask whether an index *can* serve it
    return "\n".join(row[0] for row in db.session.execute(sa.text(f"EXPLAIN {compiled}")))


def test_inbox_query_uses_the_inbox_index(world):
    for i in range(5):
        file_submission(world, received_at=local(2025, 11, 3 + i))
    stmt = inbox_query(world.dept.id, date(2025, 11, 10)).order_by(*INBOX_ORDER).limit(50)
    plan = _plan(stmt)
    # PostgreSQL takes the partial index of open submissions by due date where it has it
    assert "ix_submissions_inbox" in plan or "ix_submissions_open_due" in plan, plan
    assert "SCAN submissions" not in plan and "Seq Scan" not in plan, plan


def test_reminder_query_uses_an_index(world):
    from consult.tracking.reminders import submissions_to_remind

    file_submission(world)
    plan = _plan(submissions_to_remind(date(2025, 12, 1)))
    # PostgreSQL may take the partial index of open submissions instead, depending on its statistics
    assert any(index in plan for index in ("ix_submissions_reminders", "ix_submissions_inbox",
                                           "ix_submissions_open_due")), plan
    assert "SCAN submissions" not in plan and "Seq Scan" not in plan, plan


@pytest.mark.demo_data  # the database starts as a first seed-demo leaves it
def test_demo_seed_has_every_status_and_is_idempotent(request_ctx):
    counts = collections.Counter(db.session.scalars(sa.select(Submission.status)))
    assert set(counts) == set(STATUSES)
    departments = db.session.scalars(sa.select(Submission.department_id).distinct()).all()
    assert len(departments) >= 4  # the four demo departments with officers, plus drafts and open days
    today = date.today()
    assert db.session.scalar(sa.select(sa.func.count()).where(Submission.is_overdue(today))) > 0
    total, timeline = sum(counts.values()), db.session.scalar(sa.select(sa.func.count(TimelineEvent.id)))
    seed.seed_demo()
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(Submission.id))) == total
    assert db.session.scalar(sa.select(sa.func.count(TimelineEvent.id))) == timeline
