"""The information-request form as a newcomer meets it: every problem at once, required fields marked, a
rate limit answered on the form with the request kept, a request sent again after going back, the receipt."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from consult.disclosure.models import DisclosureRequest
from consult.extensions import db
from consult.tracking.intake import DUPLICATE_WINDOW
from consult.tracking.models import Submission
from tests.disclosure_support import RESIDENT_ID_NUMBER


def _form(world, **overrides) -> dict:
    data = {
        "department_id": str(world.dept.id), "applicant_type": "natural_person", "name": "王五",
        "id_type": "resident_id", "id_number": RESIDENT_ID_NUMBER, "phone": "13800138000",
        "email": "wang@example.org", "subject": "2025年部门预算", "description": "请公开2025年部门预算。",
        "preferred_format": "electronic", "delivery": "online", "form_token": "page-form-token-0000001",
    }
    data.update(overrides)
    return data


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count(DisclosureRequest.submission_id)))


def test_every_problem_of_a_request_is_reported_at_once(world, client):
    response = client.post("/disclosure", data=_form(
        world, department_id="0", name="", id_number="12345", phone="", email="", subject="", description="",
        delivery="post"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    for field in ("department_id", "name", "id_number", "phone", "subject", "description", "postal_address"):
        assert f'id="{field}-error"' in page, field
    assert "This is not a valid resident identity card number." in page
    assert _count() == 0


def test_an_organisation_learns_about_its_document_and_contact_person_together(world, client):
    page = client.post("/disclosure", data=_form(world, applicant_type="commercial", contact_person="")
                       ).get_data(as_text=True)
    assert 'id="id_type-error"' in page and 'id="contact_person-error"' in page


def test_required_fields_carry_a_mark_and_the_attribute(world, client):
    page = client.get("/disclosure").get_data(as_text=True)
    assert "Fields marked * are required." in page
    for field in ("department_id", "applicant_type", "name", "id_type", "id_number", "subject", "description"):
        assert re.search(rf'<(?:input|textarea|select)[^>]*id="{field}"[^>]*required', page), field


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "CONSULT_DEFAULT_LOCALE": "zh_CN"}])
def test_over_the_rate_limit_the_request_comes_back_on_the_form(world, client):
    for n in range(5):
        data = _form(world, description=f"第{n}项申请。", form_token=f"page-form-token-{n:07d}")
        assert client.post("/disclosure", data=data).status_code == 302
    response = client.post("/disclosure", data=_form(world, description="这份申请不能丢。", form_token="x" * 20))
    page = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "您在短时间内多次提交本表单" in page and "这份申请不能丢。" in page and 'value="王五"' in page
    assert _count() == 5


def test_going_back_and_sending_the_same_request_again_shows_the_first_receipt(world, client):
    client.post("/disclosure", data=_form(world))
    client.get("/disclosure/thanks")
    again = client.post("/disclosure", data=_form(world, form_token="page-form-token-0000002", email=""))
    assert again.status_code == 302 and _count() == 1
    page = client.get("/disclosure/thanks").get_data(as_text=True)
    assert db.session.scalar(sa.select(Submission.tracking_no)) in page and 'class="query-code"' not in page


def test_the_same_request_to_another_body_or_later_is_a_new_request(world, client):
    client.post("/disclosure", data=_form(world))
    client.post("/disclosure", data=_form(world, department_id=str(world.other_dept.id),
                                          form_token="page-form-token-0000002"))
    assert _count() == 2
    for submission in db.session.scalars(sa.select(Submission)):
        submission.received_at -= DUPLICATE_WINDOW + timedelta(seconds=1)
    db.session.commit()
    client.post("/disclosure", data=_form(world, form_token="page-form-token-0000003"))
    assert _count() == 3


@pytest.mark.parametrize("app_config", [{"CONSULT_DEFAULT_LOCALE": "zh_CN"}])
def test_the_receipt_uses_the_shared_layout(world, client):
    client.post("/disclosure", data=_form(world))
    page = client.get("/disclosure/thanks").get_data(as_text=True)
    submission = db.session.scalar(sa.select(Submission))
    due = submission.due_on
    assert 'class="panel receipt"' in page and "后续办理" in page
    assert f"答复期限为 {due.year}年{due.month}月{due.day}日。" in page
    assert f'href="/track?tracking_no={submission.tracking_no}">查看办理状态</a>' in page


def test_the_status_page_shows_the_request_and_how_it_is_delivered(world, client):
    client.post("/disclosure", data=_form(world))
    code = re.search(r'class="query-code">([^<]+)<', client.get("/disclosure/thanks").get_data(as_text=True)).group(1)
    tracking_no = db.session.scalar(sa.select(Submission.tracking_no))
    client.post("/track", data={"tracking_no": tracking_no, "code": code})
    page = client.get(f"/track/{tracking_no}").get_data(as_text=True)
    assert "请公开2025年部门预算。" in page and "<dt>Format</dt><dd>Electronic</dd>" in page
