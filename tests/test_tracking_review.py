"""What a reviewer sees before deciding: the citizens' own words beside the reply, and the due date an
extension would give; where a submission may be transferred to."""

import re

import pytest

from consult.accounts.models import Department
from consult.domain import DomainError
from consult.extensions import db
from consult.tracking import services
from tests.tracking_views_support import act, assign, file, get, staff, submission


@pytest.fixture
def app_config():
    return {"CONSULT_DEFAULT_LOCALE": "en"}


def test_the_reviewer_reads_the_submissions_beside_the_reply(app, client, auth, office):
    first = file(app, office.dept, subject="路灯不亮", body="小区东门的路灯坏了两周。\n晚上很黑。")
    second = file(app, office.dept, subject="路灯又坏了", body="东门路灯还是不亮。")

    def write():
        reply = services.create_reply(staff(office.officer), [submission(first.id), submission(second.id)],
                                      "路灯已于本周修复，**感谢**反映。")
        services.submit_reply(reply, actor=staff(office.officer))
        return reply.id

    reply_id = act(app, write)
    auth.login(office.reviewer)
    html = client.get(f"/office/replies/{reply_id}").get_data(as_text=True)
    originals = html[html.index('class="reply-originals"'):html.index('class="panel reply-preview"')]
    assert "路灯不亮" in originals and "<p>小区东门的路灯坏了两周。<br>晚上很黑。</p>" in originals
    assert "路灯又坏了" in originals and "东门路灯还是不亮。" in originals
    assert "<strong>感谢</strong>" in html[html.index('class="panel reply-preview"'):]
    assert "Approve and send" in html


def test_citizens_text_beside_the_reply_is_escaped(app, client, auth, office):
    filed = file(app, office.dept, body="<script>alert(1)</script> **not bold**")
    reply_id = act(app, lambda: services.create_reply(staff(office.officer), [submission(filed.id)], "Done.").id)
    auth.login(office.officer)
    html = client.get(f"/office/replies/{reply_id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; **not bold**" in html  # plain text, as the citizen typed it


def test_the_extension_review_shows_the_due_date_it_would_give(app, client, auth, office):
    filed = file(app, office.dept)
    assign(app, filed, office.officer)
    act(app, lambda: services.request_extension(submission(filed.id), actor=staff(office.officer), workdays=5,
                                                reason="Site visit"))
    before = get(app, filed.id)
    auth.login(office.reviewer)
    html = client.get("/office/review/extensions").get_data(as_text=True)
    shown = re.search(r"If you approve, the new due date is ([^.<]+)\.", html).group(1)
    assert get(app, filed.id).due_on == before.due_on  # looking changes nothing

    request_id = int(html.split("/office/extensions/")[1].split("/")[0])
    client.post(f"/office/extensions/{request_id}/decide", data={"decision": "approve"})
    after = get(app, filed.id)
    assert after.due_on > before.due_on
    with app.test_request_context():
        from flask_babel import format_date

        assert shown == format_date(after.due_on, "long")  # exactly the date the approval gave


def test_a_submission_is_transferred_only_to_a_department_with_staff(app, client, auth, office, make_department):
    empty = make_department(code="TJJ", name="县统计局")  # nobody works there yet
    filed = file(app, office.dept)
    auth.login(office.officer)
    html = client.get(f"/office/submissions/{filed.id}").get_data(as_text=True)
    targets = re.search(r'<select[^>]*name="department_id".*?</select>', html, re.S).group(0)
    assert f'value="{office.other_dept.id}"' in targets
    assert f'value="{empty.id}"' not in targets and f'value="{office.dept.id}"' not in targets

    response = client.post(f"/office/submissions/{filed.id}/transfer",
                           data={"department_id": empty.id, "reason": "Statistics"})
    assert response.status_code == 422
    assert get(app, filed.id).department_id == office.dept.id


def test_the_transfer_rule_holds_outside_the_form_too(app, office, make_department):
    empty = make_department(code="TJJ", name="县统计局")
    filed = file(app, office.dept)
    with pytest.raises(DomainError) as refused:
        act(app, lambda: services.transfer_submission(submission(filed.id), db.session.get(Department, empty.id),
                                                      actor=staff(office.officer), reason="Statistics"))
    assert refused.value.field == "department"
    assert "Nobody works in that department yet" in str(refused.value.message)


@pytest.mark.parametrize("decision", ["approve", "return"])
def test_a_reviewer_neither_approves_nor_returns_their_own_reply(app, client, auth, office, decision):
    """Four eyes, in one place: the page offers no decision to the author, and the service refuses it."""
    filed = file(app, office.dept, subject="路灯不亮", body="东门路灯坏了。")

    def write():
        reply = services.create_reply(staff(office.reviewer), [submission(filed.id)], "已修复。")
        services.submit_reply(reply, actor=staff(office.reviewer))
        return reply.id

    reply_id = act(app, write)
    auth.login(office.reviewer)
    assert "Approve and send" not in client.get(f"/office/replies/{reply_id}").get_data(as_text=True)

    def decide():
        from consult.tracking.models import Reply

        reply = db.session.get(Reply, reply_id)
        if decision == "approve":
            services.approve_reply(reply, reviewer=staff(office.reviewer))
        else:
            services.return_reply(reply, reviewer=staff(office.reviewer), note="再改改")

    with pytest.raises(DomainError) as refused:
        act(app, decide)
    assert refused.value.status == 403
    auth.login(office.reviewer2)
    assert "Approve and send" in client.get(f"/office/replies/{reply_id}").get_data(as_text=True)
