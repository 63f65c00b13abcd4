"""A due date moved by a change of the working-day calendar is the system's doing, not the department's:
the citizen's timeline says so, with the administrator's note; staff see which administrator it was."""

import re

import pytest

from tests.tracking_views_support import file, get


@pytest.fixture
def app_config():
    return {"CONSULT_DEFAULT_LOCALE": "en"}


def test_a_calendar_change_is_shown_as_automatic_with_the_note(app, client, auth, office):
    filed = file(app, office.dept)
    due = get(app, filed.id).due_on
    auth.login(office.admin)
    client.post("/admin/calendar", data={"day": due.isoformat(), "is_workday": "holiday", "note": "Local festival"})
    assert get(app, filed.id).due_on > due

    auth.logout()
    client.post("/track", data={"tracking_no": filed.tracking_no, "code": filed.code})
    html = client.get(f"/track/{filed.tracking_no}").get_data(as_text=True)
    entry = re.search(r"<li>(?:(?!</li>).)*Due date recomputed(?:(?!</li>).)*</li>", html, re.S).group(0)
    assert "Automatic" in entry and "The department" not in entry
    assert "Local festival" in entry and office.admin.display_name not in html

    auth.login(office.officer)
    staff_view = client.get(f"/office/submissions/{filed.id}").get_data(as_text=True)
    entry = re.search(r"<li>(?:(?!</li>).)*Due date recomputed(?:(?!</li>).)*</li>", staff_view, re.S).group(0)
    assert office.admin.display_name in entry  # staff see who changed the calendar
