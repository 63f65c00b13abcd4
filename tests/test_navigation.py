"""The main navigation marks exactly one entry as the current page: the section the page belongs to."""

import re

import pytest

from consult.navigation import current_endpoint


def main_nav(html: str) -> str:
    return re.search(r'<nav class="site-nav".*?</nav>', html, re.S).group(0)


def current_entries(html: str) -> list[str]:
    return re.findall(r'<a href="[^"]*" aria-current="page">([^<]+)</a>', main_nav(html))


@pytest.mark.parametrize(("path", "endpoint"), [
    ("/", "main.index"),
    ("/drafts/3/versions", "drafts.index"),
    ("/office/drafts/3/edit", "drafts.index"),
    ("/track/L-20261130-00001", "tracking.lookup"),
    ("/office/inbox", "tracking.inbox"),
    ("/office/submissions/4", "tracking.inbox"),
    ("/office/review/replies", "tracking.inbox"),
    ("/office/dashboard", "stats.dashboard"),
    ("/stats.csv", "stats.index"),
    ("/admin/outbox/3", "main.admin"),
    ("/account/login", None),
    ("/draftsman", None),
])
def test_each_page_belongs_to_one_section(path, endpoint):
    assert current_endpoint(path) == endpoint


@pytest.mark.parametrize(("role", "path", "label"), [
    ("officer", "/office/inbox", "Inbox"),
    ("officer", "/office/dashboard", "Dashboard"),
    ("reviewer", "/office/review/replies", "Inbox"),
    ("admin", "/admin/outbox", "Administration"),
    ("citizen", "/my/submissions", "My submissions"),
    (None, "/track", "Track a submission"),
    (None, "/stats", "Statistics"),
    (None, "/", "Home"),
])
def test_exactly_one_navigation_entry_is_current(client, auth, make_user, make_department, role, path, label):
    if role:
        auth.login(make_user(role=role, department=make_department() if role in ("officer", "reviewer") else None))
    response = client.get(path)
    assert response.status_code == 200
    assert current_entries(response.get_data(as_text=True)) == [label]


def test_a_page_outside_every_section_marks_none(client):
    assert current_entries(client.get("/account/login").get_data(as_text=True)) == []


def test_the_phone_menu_names_the_current_section_and_needs_no_script(client):
    html = main_nav(client.get("/stats").get_data(as_text=True))
    summary = re.search(r'<details class="nav-toggle"><summary>(.*?)</summary></details>', html).group(1)
    assert re.sub(r"<[^>]+>", "", summary) == "Menu · Statistics"
    assert "<script" not in html
