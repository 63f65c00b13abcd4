"""The citizen's status page shows what they sent beside the answer, and their rating with what they added."""

import pytest

from tests.tracking_views_support import answer, file


@pytest.fixture
def app_config():
    return {"CONSULT_DEFAULT_LOCALE": "en"}


def _status(client, filed) -> str:
    client.post("/track", data={"tracking_no": filed.tracking_no, "code": filed.code})
    return client.get(f"/track/{filed.tracking_no}").get_data(as_text=True)


def test_the_citizen_reads_their_own_text_beside_the_answer(app, client, office):
    filed = file(app, office.dept, body="小区东门的路灯坏了两周。\n\n晚上出行很不方便。")
    answer(app, filed, office.officer, office.reviewer, body="路灯已修复。")
    page = _status(client, filed)
    assert "What you wrote" in page
    assert "<p>小区东门的路灯坏了两周。</p><p>晚上出行很不方便。</p>" in page
    assert page.index("What you wrote") < page.index("路灯已修复。")


def test_after_not_satisfied_the_citizen_sees_what_they_added(app, client, office):
    filed = file(app, office.dept)
    answer(app, filed, office.officer, office.reviewer)
    _status(client, filed)
    client.post(f"/track/{filed.tracking_no}/rate",
                data={"resolved": "no", "satisfaction": "unsatisfied", "comment": "路灯晚上还是不亮。"})
    page = client.get(f"/track/{filed.tracking_no}").get_data(as_text=True)
    assert "Your rating: Not satisfied." in page and "路灯晚上还是不亮。" in page
    answer(app, filed, office.officer, office.reviewer, body="已更换灯泡。")
    page = client.get(f"/track/{filed.tracking_no}").get_data(as_text=True)
    assert "Your rating of the earlier answer" in page and "路灯晚上还是不亮。" in page
    assert "Send my rating" in page  # the new answer can be rated in turn


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "CONSULT_DEFAULT_LOCALE": "zh_CN"}])
def test_a_rate_limit_outside_the_forms_is_explained_in_the_visitors_language(client):
    attempt = {"tracking_no": "L-20990101-00001", "code": "AAAA-BBBB-CCCC"}
    assert [client.post("/track", data=attempt).status_code for _ in range(10)] == [404] * 10
    response = client.post("/track", data=attempt)
    page = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "您在短时间内提交的请求过多，请稍后再试。" in page and "per 1 minute" not in page
