"""Replies with review: sanitised Markdown, review by another person, bulk answers, templates."""

from html.parser import HTMLParser

import pytest

from consult.domain import DomainError
from consult.extensions import db
from consult.tracking import actions, replies
from consult.text import render_markdown
from consult.tracking.models import ANSWERED, APPROVED, ASSIGNED, PENDING_REVIEW, RETURNED
from consult.tracking.reply_templates import (
    create_reply_template, delete_reply_template, reply_templates_for, update_reply_template,
)  # fmt: skip
from tests.tracking_support import events, file_submission, mails

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    '<a href="javascript:alert(1)" onclick="alert(1)" style="position:fixed">x</a>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<iframe src=https://evil.example></iframe>",
    "<svg onload=alert(1)>",
    '[x](https://ok.example "title" onmouseover="alert(1)")',
    "<style>body{display:none}</style>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
]


class _Elements(HTMLParser):
    """Collect the real elements and attributes of rendered HTML (escaped text is harmless)."""

    def __init__(self):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict]]:
    parser = _Elements()
    parser.feed(html)
    return parser.elements


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_markdown_is_neutralised(payload):
    html = render_markdown(f"答复如下：\n\n{payload}\n\n**完**")
    for tag, attrs in elements(html):
        assert tag in {"p", "strong", "a", "em", "code", "pre", "br"}, html
        assert not any(name.startswith("on") or name == "style" for name in attrs), html
        if "href" in attrs:
            assert attrs["href"].split(":")[0].lower() in {"https", "http", "mailto"}, html
    assert "<strong>完</strong>" in html


def test_markdown_keeps_ordinary_formatting():
    html = render_markdown("# 标题\n\n- 一\n- 二\n\n[政府网站](https://www.gov.cn) `code`")
    assert "<h1>标题</h1>" in html and "<li>一</li>" in html and "<code>code</code>" in html
    assert '<a href="https://www.gov.cn" rel="noopener noreferrer nofollow">政府网站</a>' in html


def test_reply_review_cycle_with_return_and_approval(world):
    submission = file_submission(world).submission
    reply = replies.create_reply(world.officer, [submission], "**初稿**")
    assert reply.body_html == "<p><strong>初稿</strong></p>\n"
    assert (submission.status, submission.assignee) == (ASSIGNED, world.officer)  # drafting takes it on
    replies.submit_reply(reply, actor=world.officer)
    assert reply.status == PENDING_REVIEW
    with pytest.raises(DomainError):
        replies.update_reply(reply, editor=world.officer, body="locked while in review")
    replies.return_reply(reply, reviewer=world.reviewer, note="请补充法律依据。")
    assert (reply.status, reply.review_note) == (RETURNED, "请补充法律依据。")
    [returned] = mails("reply_returned")
    assert returned.recipient == world.officer.email and "请补充法律依据。" in returned.body_text
    replies.update_reply(reply, editor=world.officer, body="依据《条例》第三条，已办理。")
    replies.submit_reply(reply, actor=world.officer)
    replies.approve_reply(reply, reviewer=world.reviewer)
    db.session.commit()
    assert reply.status == APPROVED and submission.status == ANSWERED and submission.answered_at
    assert replies.answer_of(submission) == reply
    [answer_mail] = mails("submission_answer")
    assert "依据《条例》第三条" in answer_mail.body_text
    assert "/track/rate/" in answer_mail.body_text
    assert events(submission)[-1].action == "answer"


def test_returning_needs_a_note(world):
    reply = replies.create_reply(world.officer, [file_submission(world).submission], "草稿")
    replies.submit_reply(reply, actor=world.officer)
    with pytest.raises(DomainError):
        replies.return_reply(reply, reviewer=world.reviewer, note=" ")
    assert reply.status == PENDING_REVIEW


@pytest.mark.parametrize("who", ["officer", "colleague", "other_reviewer"])
def test_only_another_reviewer_of_the_department_approves(world, who):
    submission = file_submission(world).submission
    reply = replies.create_reply(world.officer, [submission], "答复")
    replies.submit_reply(reply, actor=world.officer)
    with pytest.raises(DomainError) as error:
        replies.approve_reply(reply, reviewer=getattr(world, who))
    assert error.value.status == 403
    assert reply.status == PENDING_REVIEW and submission.status == ASSIGNED


def test_a_reviewer_cannot_approve_their_own_reply(world):
    submission = file_submission(world).submission
    reply = replies.create_reply(world.reviewer, [submission], "答复")
    replies.submit_reply(reply, actor=world.reviewer)
    with pytest.raises(DomainError):
        replies.approve_reply(reply, reviewer=world.reviewer)
    replies.approve_reply(reply, reviewer=world.second_reviewer)
    assert submission.status == ANSWERED


def test_a_draft_cannot_be_approved_before_it_is_submitted(world):
    reply = replies.create_reply(world.officer, [file_submission(world).submission], "答复")
    with pytest.raises(DomainError):
        replies.approve_reply(reply, reviewer=world.reviewer)


def test_bulk_reply_answers_every_selected_submission(world):
    batch = [file_submission(world, email=f"c{i}@example.org").submission for i in range(4)]
    reply = replies.create_reply(world.officer, batch, "统一答复：已采纳。")
    replies.submit_reply(reply, actor=world.officer)
    replies.approve_reply(reply, reviewer=world.reviewer)
    db.session.commit()
    assert {s.status for s in batch} == {ANSWERED}
    assert sorted(m.recipient for m in mails("submission_answer")) == [f"c{i}@example.org" for i in range(4)]


def test_approval_is_refused_if_a_linked_submission_is_no_longer_open(world):
    batch = [file_submission(world).submission for _ in range(3)]
    reply = replies.create_reply(world.officer, batch, "统一答复")
    replies.submit_reply(reply, actor=world.officer)
    actions.dismiss_submission(batch[1], actor=world.officer, reason="重复提交")
    db.session.commit()
    with pytest.raises(DomainError) as error:
        replies.approve_reply(reply, reviewer=world.reviewer)
    assert batch[1].tracking_no in str(error.value)
    assert reply.status == PENDING_REVIEW
    assert [s.status for s in batch] == [ASSIGNED, "dismissed", ASSIGNED]


def test_a_reply_covers_one_department_and_submissions_not_already_in_another_reply(world):
    ours = file_submission(world).submission
    theirs = file_submission(world, department=world.other_dept).submission
    with pytest.raises(DomainError):
        replies.create_reply(world.officer, [ours, theirs], "答复")
    replies.create_reply(world.officer, [ours], "答复")
    with pytest.raises(DomainError):
        replies.create_reply(world.colleague, [ours], "另一份答复")
    with pytest.raises(DomainError):
        replies.create_reply(world.officer, [], "答复")


def test_a_submission_waiting_for_information_cannot_be_replied_to(world):
    submission = file_submission(world).submission
    actions.assign_submission(submission, world.officer, actor=world.officer)
    actions.request_info(submission, actor=world.officer, message="请补充")
    with pytest.raises(DomainError):
        replies.create_reply(world.officer, [submission], "答复")


def test_only_the_author_edits_and_submits(world):
    reply = replies.create_reply(world.officer, [file_submission(world).submission], "答复")
    with pytest.raises(DomainError):
        replies.update_reply(reply, editor=world.colleague, body="改")
    with pytest.raises(DomainError):
        replies.submit_reply(reply, actor=world.colleague)
    assert reply.status == "draft" and reply.body == "答复"


def test_reply_templates_per_department(world):
    template = create_reply_template(world.officer, world.dept.id, "路灯维修", "您好，已转交维修。")
    with pytest.raises(DomainError):
        create_reply_template(world.officer, world.dept.id, "路灯维修", "重复标题")
    with pytest.raises(DomainError):
        create_reply_template(world.other_officer, world.dept.id, "别的部门", "不行")
    create_reply_template(world.other_officer, world.other_dept.id, "路灯维修", "另一部门可用同名")
    update_reply_template(world.colleague, template, "路灯维修（更新）", "您好，已修复。")
    assert [t.title for t in reply_templates_for(world.dept.id)] == ["路灯维修（更新）"]
    delete_reply_template(world.officer, template)
    assert reply_templates_for(world.dept.id) == []
