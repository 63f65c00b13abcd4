"""Departments appear in the official order an admin sets, everywhere they are listed, not by id or code."""

import re

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from consult import create_app
from consult.accounts.models import Department
from consult.extensions import db

# Created in this order (ids 1, 2, 3) with codes in yet another order; the official order is the third one.
DEPARTMENTS = (("ZZB", "县财政局", 30), ("AAB", "县司法局", 20), ("MMB", "县人民政府办公室", 10))
OFFICIAL = ["县人民政府办公室", "县司法局", "县财政局"]


@pytest.fixture
def app_config():
    return {"CONSULT_DEFAULT_LOCALE": "zh_CN"}  # pages name departments in Chinese


@pytest.fixture
def departments(app, make_department):
    made = [make_department(code=code, name=name) for code, name, _place in DEPARTMENTS]
    with app.app_context():
        for department, (_code, _name, place) in zip(made, DEPARTMENTS, strict=True):
            db.session.get(Department, department.id).sort_order = place
        db.session.commit()
    return made


def order_in(html: str) -> list[str]:
    """The departments of the test in the order the page shows them."""
    found = sorted((html.find(name), name) for name in OFFICIAL if name in html)
    return [name for _position, name in found]


def section(html: str, start: str, end: str) -> str:
    return html[html.index(start):html.index(end, html.index(start))]


def test_every_list_of_departments_follows_the_official_order(client, auth, make_user, departments):
    assert order_in(client.get("/").get_data(as_text=True)) == OFFICIAL
    drafts_filter = section(client.get("/drafts").get_data(as_text=True), 'name="department"', "</select>")
    assert order_in(drafts_filter) == OFFICIAL
    stats = client.get("/stats?all=1").get_data(as_text=True)  # with nothing received they are folded away
    assert order_in(section(stats, 'id="stats-department"', "</select>")) == OFFICIAL
    assert order_in(section(stats, 'id="departments-heading"', "</table>")) == OFFICIAL
    assert order_in(client.get("/disclosure").get_data(as_text=True)) == OFFICIAL

    auth.login(make_user(role="admin"))
    assert order_in(client.get("/admin/departments").get_data(as_text=True)) == OFFICIAL
    inbox = client.get("/office/inbox").get_data(as_text=True)
    assert order_in(section(inbox, 'id="department"', "</select>")) == OFFICIAL
    assert "县人民政府办公室" in re.search(r"<h1>.*?</h1>", inbox).group(0)  # the first in order is shown first
    assert order_in(client.get("/admin/users/new").get_data(as_text=True)) == OFFICIAL


def test_the_admin_moves_a_department_and_a_new_one_goes_last(app, client, auth, make_user, departments):
    auth.login(make_user(role="admin"))
    finance = departments[0]
    page = client.get(f"/admin/departments/{finance.id}").get_data(as_text=True)
    assert 'name="sort_order"' in page and 'value="30"' in page
    response = client.post(f"/admin/departments/{finance.id}",
                           data={"code": "ZZB", "name": "县财政局", "sort_order": "5"})
    assert response.status_code == 302
    assert order_in(client.get("/").get_data(as_text=True)) == ["县财政局", "县人民政府办公室", "县司法局"]

    assert 'value="30"' in client.get("/admin/departments/new").get_data(as_text=True)  # proposed: after 20
    client.post("/admin/departments/new", data={"code": "TJJ", "name": "县统计局", "contact_email": "tjj@example.org"})
    with app.app_context():
        assert db.session.scalar(sa.select(Department.sort_order).where(Department.code == "TJJ")) == 30
    client.post(f"/admin/departments/{finance.id}", data={"code": "ZZB", "name": "县财政局", "sort_order": ""})
    with app.app_context():
        assert db.session.get(Department, finance.id).sort_order == 5  # empty keeps the place


def test_a_place_must_be_a_sensible_number(app, client, auth, make_user, departments):
    auth.login(make_user(role="admin"))
    for bad in ("-1", "abc", "99999999"):
        response = client.post(f"/admin/departments/{departments[0].id}",
                               data={"code": "ZZB", "name": "县财政局", "sort_order": bad})
        assert response.status_code == 422
    with app.app_context():
        assert db.session.get(Department, departments[0].id).sort_order == 30


def test_the_migration_keeps_the_order_existing_departments_had(empty_database_url):  # noqa: F811
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade(revision="0003")
        with db.engine.begin() as connection:
            for code in ("SFJ", "CZJ", "XZFB"):
                connection.execute(sa.text("INSERT INTO departments (code, name, name_en, contact_email, created_at) "
                                           "VALUES (:code, :code, '', '', CURRENT_TIMESTAMP)"), {"code": code})
        upgrade()
        with db.engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT code, sort_order FROM departments ORDER BY sort_order")).all()
        assert [tuple(row) for row in rows] == [("CZJ", 10), ("SFJ", 20), ("XZFB", 30)]
        db.engine.dispose()
