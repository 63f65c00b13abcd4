"""Personal data typed into a comment never reaches the public: the draft page, the API, the page for
reporting a comment, the feedback report and both exports all show the text with it redacted, and the
writer's name masked the same way as on letters."""

import csv
import io
import json

import pytest
from tests.drafts_support import add_comment, close_now, get, make_draft

from consult.drafts import report
from consult.drafts.models import Comment, Draft
from consult.extensions import db

pytestmark = pytest.mark.usefixtures("request_ctx")

SECRETS = ("欧阳娜娜", "110101199003074518", "13912345678", "nana@example.org", "0571-87654321")
WRITTEN = "我叫欧阳娜娜，身份证110101199003074518，手机13912345678，邮箱nana@example.org，建议延长公示期。"
SHOWN = "我叫欧阳**，身份证***，手机***，邮箱***，建议延长公示期。"


def _comment(draft_id: int) -> Comment:
    return add_comment(draft_id, WRITTEN, name="欧阳娜娜", email="nana@example.org", phone="0571-87654321")


def _assert_private(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, secret


def test_the_draft_page_and_the_api_show_the_comment_redacted(world, client):
    draft_id = make_draft(world)
    comment = _comment(draft_id)
    page = client.get(f"/drafts/{draft_id}").get_data(as_text=True)
    assert SHOWN in page and "欧阳**" in page
    _assert_private(page)
    [item] = client.get(f"/api/v1/drafts/{draft_id}/comments").get_json()["items"]
    assert item["body"] == SHOWN and item["public_name"] == "欧阳**"
    report_page = client.get(f"/drafts/{draft_id}/comments/{comment.id}/report").get_data(as_text=True)
    assert SHOWN in report_page
    _assert_private(report_page)


def test_an_account_holders_own_name_is_redacted_from_the_comment(world, client, auth):
    draft_id = make_draft(world)
    auth.login(world.citizen)  # display name "citizen"
    client.post(f"/drafts/{draft_id}/comment", data={"body": "我是citizen，住在城关镇。", "form_token": "own-name-form-token"})
    [item] = client.get(f"/api/v1/drafts/{draft_id}/comments").get_json()["items"]
    assert item["body"] == "我是c***，住在城关镇。"


def test_the_feedback_report_and_the_exports_show_the_comment_redacted(world, client, auth):
    draft_id = make_draft(world)
    comment = _comment(draft_id)
    close_now(draft_id)
    editor, reviewer = db.session.merge(world.editor), db.session.merge(world.reviewer)
    report.set_disposition(get(Draft, draft_id), [get(Comment, comment.id)], "adopted", "已延长", editor)
    report.submit_report(get(Draft, draft_id), editor, "")
    report.approve_report(get(Draft, draft_id), reviewer)
    db.session.commit()

    page = client.get(f"/drafts/{draft_id}/report").get_data(as_text=True)
    assert SHOWN in page
    _assert_private(page)
    public_csv = client.get(f"/drafts/{draft_id}/report/comments.csv").get_data(as_text=True)
    [row] = csv.DictReader(io.StringIO(public_csv.lstrip("\ufeff")))
    assert row["comment"] == SHOWN and row["name"] == "欧阳**"
    public_json = client.get(f"/drafts/{draft_id}/report/comments.json").get_data(as_text=True)
    assert json.loads(public_json)[0]["comment"] == SHOWN
    auth.login(world.editor)
    office_csv = client.get(f"/office/drafts/{draft_id}/comments.csv").get_data(as_text=True)
    assert SHOWN in office_csv
    for text in (public_csv, public_json, office_csv):
        _assert_private(text)


def test_staff_still_read_the_comment_as_written(world, client, auth):
    draft_id = make_draft(world)
    comment = _comment(draft_id)
    auth.login(world.officer)
    page = client.get(f"/office/submissions/{comment.submission_id}").get_data(as_text=True)
    assert WRITTEN in page


def test_the_comments_api_loads_the_writers_details_in_the_same_query(app, world, client, sql):
    draft_id = make_draft(world)

    def selects_for_one_page() -> int:
        with sql() as statements:
            assert client.get(f"/api/v1/drafts/{draft_id}/comments").status_code == 200
        return len(statements.selects)

    _comment(draft_id)
    db.session.expire_all()
    one = selects_for_one_page()
    for n in range(5):
        add_comment(draft_id, f"第{n}条意见，电话1391234567{n}。", name=f"王{n}明")
    db.session.expire_all()
    assert selects_for_one_page() == one
