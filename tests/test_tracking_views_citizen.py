"""The citizen's side: status lookup, the status page, rating (also from the mail's link), providing
information, and "my submissions"."""

import pytest

from consult.tracking import services
from consult.tracking.models import ANSWERED, ASSIGNED, CLOSED, REOPENED
from tests.tracking_views_support import act, answer, assign, file, get, staff, submission

NOT_FOUND = "No submission matches this tracking number and query code."


@pytest.fixture
def app_config():
    return {"CONSULT_DEFAULT_LOCALE": "en"}


def lookup(client, filed, code=None):
    return client.post("/track", data={"tracking_no": filed.tracking_no, "code": code or filed.code})


def test_lookup_with_the_right_code_shows_the_status_page(app, client, office):
    filed = file(app, office.dept)
    response = lookup(client, filed)
    assert response.status_code == 303 and response.location.endswith(f"/track/{filed.tracking_no}")
    html = client.get(response.location).get_data(as_text=True)
    assert "Received" in html and office.dept.name_en in html
    assert "How the due date was computed" in html
    assert filed.code not in html
    assert "zhang@example.org" not in html and "13800000000" not in html


def test_the_code_is_accepted_in_any_case_and_grouping(app, client, office):
    filed = file(app, office.dept)
    response = lookup(client, filed, code=filed.code.replace("-", "").lower())
    assert response.status_code == 303


def test_unknown_number_and_wrong_code_get_the_same_answer(app, client, office):
    filed = file(app, office.dept)
    unknown = filed.tracking_no[:-5] + ("99999" if not filed.tracking_no.endswith("99999") else "99998")
    wrong_code = client.post("/track", data={"tracking_no": filed.tracking_no, "code": "AAAA-BBBB-CCCC"})
    no_such = client.post("/track", data={"tracking_no": unknown, "code": "AAAA-BBBB-CCCC"})
    assert wrong_code.status_code == no_such.status_code == 404
    first = wrong_code.get_data(as_text=True).replace(filed.tracking_no, "NUMBER")
    second = no_such.get_data(as_text=True).replace(unknown, "NUMBER")
    assert first == second and NOT_FOUND in first


def test_status_page_needs_a_lookup_first(app, client, office):
    filed = file(app, office.dept)
    response = client.get(f"/track/{filed.tracking_no}")
    assert response.status_code == 302 and "/track?tracking_no=" in response.location
    unknown = client.get("/track/L-20990101-00001")
    assert unknown.status_code == 302 and "/track?tracking_no=" in unknown.location


def test_the_receipt_mail_link_prefills_and_the_code_never_appears_in_links(app, client, office):
    filed = file(app, office.dept)
    prefilled = client.get(f"/track?tracking_no={filed.tracking_no}").get_data(as_text=True)
    assert f'value="{filed.tracking_no}"' in prefilled
    response = client.get(f"/track?no={filed.tracking_no}&code={filed.code}")
    assert response.status_code == 303
    html = client.get(response.location).get_data(as_text=True)
    assert filed.code not in html
    assert response.headers.get("Location", "").find("code") == -1


def test_public_timeline_hides_internal_notes_and_staff_names(app, client, office):
    filed = file(app, office.dept)
    assign(app, filed, office.officer)
    act(app, lambda: services.request_extension(
        submission(filed.id), actor=staff(office.officer), workdays=3, reason="Secret internal reason"))
    act(app, lambda: services.request_info(submission(filed.id), actor=staff(office.officer), message="Which gate?"))
    lookup(client, filed)
    html = client.get(f"/track/{filed.tracking_no}").get_data(as_text=True)
    assert "Which gate?" in html  # public note
    assert "Secret internal reason" not in html
    assert office.officer.display_name not in html and office.officer.email not in html
    assert "The department" in html


def test_citizen_provides_requested_information(app, client, office):
    filed = file(app, office.dept)
    assign(app, filed, office.officer)
    act(app, lambda: services.request_info(submission(filed.id), actor=staff(office.officer), message="Which gate?"))
    lookup(client, filed)
    assert "The department needs more information" in client.get(f"/track/{filed.tracking_no}").get_data(as_text=True)
    assert client.post(f"/track/{filed.tracking_no}/info", data={"text": ""}).status_code == 422
    response = client.post(f"/track/{filed.tracking_no}/info", data={"text": "The east gate"})
    assert response.status_code == 303
    assert get(app, filed.id).status == ASSIGNED
    again = client.post(f"/track/{filed.tracking_no}/info", data={"text": "The east gate"})
    assert again.status_code == 409  # a double submit changes nothing


def test_strangers_cannot_act_without_the_code(app, client, office):
    filed = file(app, office.dept)
    answer(app, filed, office.officer, office.reviewer)
    response = client.post(f"/track/{filed.tracking_no}/rate",
                           data={"resolved": "no", "satisfaction": "unsatisfied"})
    assert response.status_code == 302
    assert get(app, filed.id).status == ANSWERED


def test_answer_is_shown_and_not_satisfied_reopens_once(app, client, office):
    filed = file(app, office.dept)
    answer(app, filed, office.officer, office.reviewer, body="We **fixed** the lamp.")
    lookup(client, filed)
    html = client.get(f"/track/{filed.tracking_no}").get_data(as_text=True)
    assert "<strong>fixed</strong>" in html
    assert "<fieldset" in html and "<legend>How satisfied are you with the answer?</legend>" in html
    assert "reopened once" in html  # said beforehand

    assert client.post(f"/track/{filed.tracking_no}/rate", data={"resolved": "no"}).status_code == 422
    response = client.post(f"/track/{filed.tracking_no}/rate",
                           data={"resolved": "no", "satisfaction": "unsatisfied", "comment": "Still dark"})
    assert response.status_code == 303
    reopened = get(app, filed.id)
    assert reopened.status == REOPENED and reopened.reopen_count == 1
    assert "has been reopened" in client.get(response.location).get_data(as_text=True)

    answer(app, filed, office.officer, office.reviewer, body="Fixed again.")
    html = client.get(f"/track/{filed.tracking_no}").get_data(as_text=True)
    assert "already been reopened once" in html
    client.post(f"/track/{filed.tracking_no}/rate", data={"resolved": "no", "satisfaction": "unsatisfied"})
    assert get(app, filed.id).status == CLOSED  # not a second time
    again = client.post(f"/track/{filed.tracking_no}/rate", data={"resolved": "yes", "satisfaction": "satisfied"})
    assert again.status_code == 409


def test_rating_link_from_the_answer_mail(app, client, office):
    filed = file(app, office.dept)
    answer(app, filed, office.officer, office.reviewer, body="Done.")
    token = act(app, lambda: services.rating_token(submission(filed.id)))
    html = client.get(f"/track/rate/{token}").get_data(as_text=True)
    assert "Done." in html and "Send my rating" in html
    response = client.post(f"/track/rate/{token}", data={"resolved": "yes", "satisfaction": "satisfied"})
    assert response.status_code == 303
    assert get(app, filed.id).status == CLOSED and get(app, filed.id).satisfaction == "satisfied"
    assert "already been rated" in client.get(f"/track/rate/{token}").get_data(as_text=True)
    assert client.get("/track/rate/forged-token").status_code == 404


def test_dismissal_reason_is_shown_to_the_citizen(app, client, office):
    filed = file(app, office.dept)
    act(app, lambda: services.dismiss_submission(
        submission(filed.id), actor=staff(office.officer), reason="Duplicate of L-1"))
    lookup(client, filed)
    assert "Duplicate of L-1" in client.get(f"/track/{filed.tracking_no}").get_data(as_text=True)


def test_my_submissions_lists_only_my_own_and_opens_them_without_a_code(app, client, auth, office):
    mine = file(app, office.dept, user=office.citizen, subject="My own letter")
    theirs = file(app, office.dept, user=office.citizen2, subject="Someone else's")
    auth.login(office.citizen)
    html = client.get("/my/submissions").get_data(as_text=True)
    assert mine.tracking_no in html and theirs.tracking_no not in html
    assert client.get(f"/track/{mine.tracking_no}").status_code == 200
    assert client.get(f"/track/{theirs.tracking_no}").status_code == 302


def test_my_submissions_is_for_citizens(client, auth, office):
    auth.login(office.officer)
    assert client.get("/my/submissions").status_code == 403
    auth.logout()
    assert client.get("/my/submissions").status_code == 302


def test_my_submissions_empty_state(client, auth, office):
    auth.login(office.citizen)
    assert "You have not sent anything yet." in client.get("/my/submissions").get_data(as_text=True)


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "CONSULT_DEFAULT_LOCALE": "en"}])
def test_lookup_is_rate_limited(app, client, office):
    from consult.extensions import limiter

    limiter.reset()
    filed = file(app, office.dept)
    statuses = [lookup(client, filed, code="WRONG-CODE-0000").status_code for _ in range(11)]
    assert statuses[:10] == [404] * 10 and statuses[10] == 429
    assert client.get("/track").status_code == 200  # the empty form is not counted
    limiter.reset()


def test_a_wrong_code_in_a_link_is_dropped_from_the_address(app, client, office):
    filed = file(app, office.dept)
    response = client.get(f"/track?tracking_no={filed.tracking_no}&code=WRONG-CODE-0000")
    assert response.status_code == 303 and "code" not in response.location
    html = client.get(response.location).get_data(as_text=True)
    assert NOT_FOUND in html and "WRONG-CODE-0000" not in html
