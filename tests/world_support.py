"""The staff most tests need: two departments, their officers and reviewers, an editor, an administrator and
a citizen (the ``world`` fixture), and the request context services run in (``request_ctx``).

Registered for every test through ``pytest_plugins`` in ``tests/conftest.py``; import ``World`` from here
for type hints.
"""

from dataclasses import dataclass

import pytest
from flask import g

from consult.accounts.models import ADMIN, CITIZEN, EDITOR, OFFICER, REVIEWER, Department, User
from consult.extensions import db


@dataclass
class World:
    dept: Department  # 县司法局 (SFJ): the lead department of the test drafts and the default for submissions
    other_dept: Department  # 县财政局 (CZJ)
    editor: User  # writes drafts; no department
    officer: User  # of ``dept``, reads English
    colleague: User  # a second officer of ``dept``
    reviewer: User  # of ``dept``, reads English
    second_reviewer: User  # a second reviewer of ``dept``
    other_officer: User  # of ``other_dept``
    other_reviewer: User  # of ``other_dept``
    admin: User
    citizen: User  # a registered citizen, reads English


def make_staff(email: str, role: str, department: Department | None = None, locale: str | None = None) -> User:
    """A user with the test password, added to the session (not committed)."""
    user = User(email=email, display_name=email.split("@")[0], role=role, department=department, locale=locale)
    user.set_password("correct horse 42")
    db.session.add(user)
    return user


@pytest.fixture
def request_ctx(app):
    """Services raise translated errors and build URLs: run the test inside a request context.

    Client requests then share the test's app context (its ``g`` and database session): forget the
    logged-in user cached in ``g`` before each request, so each request loads its own.
    """

    @app.before_request
    def forget_cached_user():
        g.pop("_login_user", None)

    with app.test_request_context("/"):
        yield


@pytest.fixture
def world(request_ctx) -> World:
    dept = Department(code="SFJ", name="县司法局", name_en="Justice Bureau", contact_email="sfj@example.org")
    other = Department(code="CZJ", name="县财政局", name_en="Finance Bureau", contact_email="czj@example.org")
    db.session.add_all([dept, other])
    created = World(
        dept=dept,
        other_dept=other,
        editor=make_staff("editor@example.org", EDITOR),
        officer=make_staff("officer@example.org", OFFICER, dept, locale="en"),
        colleague=make_staff("colleague@example.org", OFFICER, dept),
        reviewer=make_staff("reviewer@example.org", REVIEWER, dept, locale="en"),
        second_reviewer=make_staff("reviewer2@example.org", REVIEWER, dept),
        other_officer=make_staff("other.officer@example.org", OFFICER, other),
        other_reviewer=make_staff("other.reviewer@example.org", REVIEWER, other),
        admin=make_staff("admin@example.org", ADMIN),
        citizen=make_staff("citizen@example.org", CITIZEN, locale="en"),
    )
    db.session.commit()
    return created
