"""Helpers for the drafts tests: drafts of the ``world`` (tests/world_support.py) and comments on them."""

import itertools
from html.parser import HTMLParser
from datetime import timedelta


from consult.accounts.models import User
from consult.database import utcnow
from consult.drafts import comments, services
from consult.drafts.models import Comment, Draft
from consult.extensions import db
from tests.world_support import World

BODY = """本方案适用于全县各乡镇人民政府、街道办事处。

## 一、总体要求

第一条 为深化基层政务公开，提升基层政府治理能力，制定本方案。

第二条 各乡镇应当在每季度首月十日前公开上一季度的财政资金使用情况。

## 二、主要任务

第三条 建立政务公开专区，方便群众查阅政策文件。

第四条 每年至少举办两次政务开放日活动，邀请群众代表参加。
"""

_tokens = itertools.count(1)


def fields(dept_id: int, days: int = 30, starts_in: timedelta = -timedelta(hours=1), **extra) -> dict:
    opens_at = utcnow() + starts_in
    return {
        "title": "深化政务公开促进基层政府治理能力提升工作实施方案(征求意见稿)",
        "summary": "征求社会公众意见。", "department_id": dept_id, "domain": "government_affairs",
        "legal_basis": "《中华人民共和国政府信息公开条例》", "opens_at": opens_at,
        "closes_at": opens_at + timedelta(days=days), "short_window_reason": "",
        "interpretation": "本方案解读：为什么要在基层推进政务公开专区建设。", **extra,
    }


def make_draft(w: World, *, status: str = "open", body: str = BODY, **extra) -> int:
    """A draft in ``status`` (draft, in_review, open), committed; returns its id. Call inside an app context."""
    editor, reviewer = db.session.get(User, w.editor.id), db.session.get(User, w.reviewer.id)
    draft = services.create_draft(editor, body=body, **fields(w.dept.id, **extra))
    if status in ("in_review", "open"):
        services.submit_for_review(draft, editor)
    if status == "open":
        services.approve_draft(draft, reviewer)
    db.session.commit()
    return draft.id


def add_comment(draft_id: int, body: str, *, anchor: str | None = None, name: str = "王五",
                email: str = "wangwu@example.org", **kwargs) -> Comment:
    draft = db.session.get(Draft, draft_id)
    receipt = comments.submit_comment(draft, body=body, form_token=f"test-comment-token-{next(_tokens):06d}", article_anchor=anchor,
                                      name=name, email=email, **kwargs)
    db.session.commit()
    return receipt.comment


def close_now(draft_id: int) -> None:
    """Move the clock past the closing time: the scheduled closing happens."""
    draft = db.session.get(Draft, draft_id)
    services.advance_drafts(draft.closes_at + timedelta(seconds=1), draft_id=draft_id)
    db.session.commit()


def get(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


class _TagAudit(HTMLParser):
    """Collects what a browser would treat as markup (escaped text is harmless and ignored)."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self._in_own_script = False

    def handle_starttag(self, tag, attrs):
        # The site's own script files (progressive enhancement, e.g. the letter form's similar answers) are
        # loaded from /static/ with nothing inline; any other script, or text inside one, is a problem.
        own_script = tag == "script" and (dict(attrs).get("src") or "").startswith("/static/js/")
        self._in_own_script = own_script
        if tag in ("script", "style", "iframe", "object", "embed") and not own_script:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on") or name == "style":
                self.problems.append(f"{tag}[{name}]")
            if name in ("href", "src", "action") and value.startswith(("javascript:", "data:", "vbscript:")):
                if not (tag == "img" and value.startswith("data:image/")):
                    self.problems.append(f"{tag}[{name}={value[:20]}]")


    def handle_data(self, data):
        if self._in_own_script and data.strip():
            self.problems.append("<script> with inline text")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_own_script = False


def assert_safe_html(page: str) -> None:
    """No script/style elements, event handlers, style attributes or script URLs anywhere in ``page``."""
    audit = _TagAudit()
    audit.feed(page)
    assert audit.problems == []


def publish_report(client, draft_id: int):
    """Publish the report through the page as the logged-in reviewer and wait for its job; returns the
    publication page as it is then."""
    from consult import jobs
    from consult.drafts import publishing

    response = client.post(f"/office/drafts/{draft_id}/report/approve")
    assert response.status_code == 302 and "/report/publications/" in response.location, response.status_code
    publication_id = publishing.latest_publication(draft_id).id
    db.session.commit()
    jobs.wait(publishing.run_publication, publication_id, timeout=120)
    db.session.commit()  # end this session's read: see what the job wrote
    return client.get(response.location)
