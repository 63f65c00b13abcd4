"""Set-up for the tracking page tests: two departments with staff, and helpers that file submissions and
run services in their own request context (the test client then sees committed data)."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa

from consult.accounts.models import Department, User
from consult.database import utcnow
from consult.extensions import db
from consult.tracking import services
from consult.tracking.models import LETTER, Submission


@dataclass
class Office:
    dept: Department
    other_dept: Department
    officer: User
    colleague: User
    reviewer: User
    reviewer2: User
    other_officer: User
    other_reviewer: User
    admin: User
    citizen: User
    citizen2: User
    editor: User


@pytest.fixture
def office(make_department, make_user) -> Office:
    dept = make_department(code="SFJ", name="县司法局")
    other = make_department(code="CZJ", name="县财政局")
    return Office(
        dept=dept,
        other_dept=other,
        officer=make_user("officer", dept, email="officer@example.org"),
        colleague=make_user("officer", dept, email="colleague@example.org"),
        reviewer=make_user("reviewer", dept, email="reviewer@example.org"),
        reviewer2=make_user("reviewer", dept, email="reviewer2@example.org"),
        other_officer=make_user("officer", other, email="other.officer@example.org"),
        other_reviewer=make_user("reviewer", other, email="other.reviewer@example.org"),
        admin=make_user("admin", email="admin@example.org"),
        citizen=make_user("citizen", email="citizen@example.org"),
        citizen2=make_user("citizen", email="citizen2@example.org"),
        editor=make_user("editor", email="editor@example.org"),
    )


@dataclass(frozen=True)
class Filed:
    id: int
    tracking_no: str
    code: str


def act(app, fn):
    """Run ``fn()`` (service calls) in a request context, commit, and return its result."""
    with app.test_request_context("/"):
        result = fn()
        db.session.commit()
        return result


def file(app, department: Department, *, days_ago: int = 0, user: User | None = None, **fields) -> Filed:
    """File a letter (by default from an anonymous citizen, received ``days_ago`` calendar days ago)."""
    fields.setdefault("subject", "路灯不亮")
    fields.setdefault("body", "小区东门的路灯坏了两周。")
    if user is None:
        fields.setdefault("name", "张三")
        fields.setdefault("email", "zhang@example.org")
        fields.setdefault("phone", "13800000000")

    def create():
        created = services.create_submission(
            kind=fields.pop("kind", LETTER), department=db.session.get(Department, department.id),
            user=db.session.get(User, user.id) if user else None,
            received_at=utcnow() - timedelta(days=days_ago), **fields,
        )
        return Filed(created.submission.id, created.submission.tracking_no, created.query_code)

    return act(app, create)


def get(app, submission_id: int) -> Submission:
    """A fresh, detached copy of the submission."""
    with app.app_context():
        submission = db.session.get(Submission, submission_id)
        db.session.expunge(submission)
        return submission


def submission(submission_id: int) -> Submission:
    """Inside ``act``: the attached submission."""
    return db.session.get(Submission, submission_id)


def staff(person: User) -> User:
    """Inside ``act``: the attached user."""
    return db.session.get(User, person.id)


def assign(app, filed: Filed, person: User) -> None:
    act(app, lambda: services.assign_submission(submission(filed.id), staff(person), actor=staff(person)))


def answer(app, filed: Filed, officer: User, reviewer: User, body: str = "已处理，谢谢。") -> int:
    """Reply to the submission and approve the reply; returns the reply id."""

    def run():
        reply = services.create_reply(staff(officer), [submission(filed.id)], body)
        services.submit_reply(reply, actor=staff(officer))
        services.approve_reply(reply, reviewer=staff(reviewer))
        return reply.id

    return act(app, run)


def count(app, stmt) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))
