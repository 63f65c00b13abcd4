"""Admins manage departments and staff accounts; the CLI creates users and seeds demo data."""

import sqlalchemy as sa

from consult.accounts.models import Department, User
from consult.extensions import db


def count(app, model, *where):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_admin_creates_and_edits_a_department(app, client, auth, make_user):
    auth.login(make_user(role="admin"))
    response = client.post("/admin/departments/new", data={"code": "SFJ", "name": "县司法局", "name_en": "Justice Bureau",
                                                           "contact_email": "SFJ@Example.org"})
    assert response.status_code == 302
    page = client.get("/admin/departments").get_data(as_text=True)
    assert "县司法局" in page
    with app.app_context():
        department = db.session.scalar(sa.select(Department).where(Department.code == "SFJ"))
        assert department.contact_email == "sfj@example.org"
    response = client.post(f"/admin/departments/{department.id}", data={"code": "SFJ", "name": "县司法局（改）"})
    assert response.status_code == 302
    assert "县司法局（改）" in client.get("/admin/departments").get_data(as_text=True)


def test_department_code_must_be_unique_and_valid(app, client, auth, make_user, make_department):
    make_department(code="SFJ")
    auth.login(make_user(role="admin"))
    assert client.post("/admin/departments/new", data={"code": "SFJ", "name": "另一个"}).status_code == 422
    assert client.post("/admin/departments/new", data={"code": "bad code!", "name": "另一个"}).status_code == 422
    assert client.post("/admin/departments/new", data={"code": "", "name": ""}).status_code == 422
    assert count(app, Department) == 1


def test_missing_department_is_404(client, auth, make_user):
    auth.login(make_user(role="admin"))
    assert client.get("/admin/departments/424242").status_code == 404
    assert client.get("/admin/users/424242").status_code == 404


def test_admin_creates_an_officer_who_can_log_in(app, client, auth, make_user, make_department):
    department = make_department()
    auth.login(make_user(role="admin"))
    response = client.post("/admin/users/new", data={
        "email": "li@example.gov.cn", "display_name": "李经办", "role": "officer",
        "department_id": department.id, "password": "initial-pass", "active": "y",
    })
    assert response.status_code == 302
    assert "李经办" in client.get("/admin/users").get_data(as_text=True)
    auth.logout()
    assert auth.login_form("li@example.gov.cn", "initial-pass").status_code == 302


def test_officer_needs_a_department(app, client, auth, make_user):
    auth.login(make_user(role="admin"))
    client.post("/preferences/language", data={"locale": "en"})
    response = client.post("/admin/users/new", data={
        "email": "li@example.gov.cn", "display_name": "李经办", "role": "officer",
        "department_id": 0, "password": "initial-pass",
    })
    assert response.status_code == 422
    assert "must belong to a department" in response.get_data(as_text=True)
    assert count(app, User, User.email == "li@example.gov.cn") == 0


def test_admin_disables_an_account(app, client, auth, make_user, make_department):
    department = make_department()
    officer = make_user(role="officer", department=department, email="li@example.gov.cn")
    auth.login(make_user(role="admin"))
    response = client.post(f"/admin/users/{officer.id}", data={
        "display_name": officer.display_name, "role": "reviewer", "department_id": department.id,
    })
    assert response.status_code == 302
    with app.app_context():
        changed = db.session.get(User, officer.id)
        assert changed.role == "reviewer"
        assert not changed.active
    auth.logout()
    assert auth.login_form("li@example.gov.cn").status_code == 422


def test_cli_create_user(app, runner, make_department):
    make_department(code="SFJ")
    result = runner.invoke(args=["create-user", "--email", "wang@example.org", "--name", "王", "--role", "officer",
                                 "--department", "SFJ", "--password", "longenough"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "wang@example.org"))
        assert user.department.code == "SFJ"
    result = runner.invoke(args=["create-user", "--email", "wang@example.org", "--name", "王", "--role", "officer",
                                 "--department", "SFJ", "--password", "longenough"])
    assert result.exit_code != 0
    result = runner.invoke(args=["create-user", "--email", "x@example.org", "--name", "X", "--role", "officer",
                                 "--department", "NOPE", "--password", "longenough"])
    assert result.exit_code != 0


def test_seed_demo_is_idempotent(app, runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    users, departments = count(app, User), count(app, Department)
    assert departments >= 20
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert (count(app, User), count(app, Department)) == (users, departments)
