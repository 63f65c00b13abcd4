"""Every comment answered, at volume, in a real browser: a draft closes with 2,000 comments (generated through
the services: three form letters copied with small edits, and a few comments of their own), the editor
analyses them, disposes of each unit, records the revised text and links the adopted form letter to the
article it changed, sends the report; the reviewer publishes it; every commenter has an answer and the
public report says which article the comments changed."""

import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.browser.support import login, submit

EDITOR, REVIEWER = "editor@consult.localhost", "reviewer.xzfb@consult.localhost"
TITLE = "县城市养犬管理办法（征求意见稿）"
ARTICLE_3 = "第三条 犬只应当办理登记，领取犬牌。"
BODY = "\n\n".join([
    "第一条 为规范养犬行为，保障公民人身安全，制定本办法。",
    "第二条 本办法适用于本县城区范围内的养犬管理。",
    ARTICLE_3,
    "第四条 携犬出户应当束犬链，由成年人牵领。",
    "第五条 违反本办法的，由公安机关依法处理。",
])
REVISED = BODY.replace(ARTICLE_3, "第三条 犬只应当办理登记，领取犬牌；登记可以在网上办理。")
LETTERS = {  # three form letters, each on one article
    "art-3": "建议犬只登记可以在网上办理，不必到派出所现场排队，方便上班族，也减少窗口压力。",
    "art-4": "建议明确犬链长度不超过一点五米，并在电梯等公共场所要求收紧犬链，保护老人和儿童安全。",
    "art-5": "建议加大对遛狗不拴绳、不清理粪便行为的处罚力度，并公布举报电话，接受群众监督。",
}
SENDERS = ["我是城东社区居民。", "我是一名退休教师。", "作为养犬人，", "我们小区很多人都这样认为。", ""]
OWN = [("art-2", "城郊结合部是否适用本办法，请予以明确。"),
       ("art-1", "整体支持出台本办法，希望尽快实施。"),
       ("art-4", "大型犬应当佩戴嘴套，建议在第四条中写明。")]
COMMENTS = 2000
MAIL_DOMAIN = "@journey.example.org"
UNITS = "section[aria-labelledby=units-heading] table tbody tr"


def _make_closed_draft_with_comments(app) -> int:
    """The draft, put out for comment and closed, with ``COMMENTS`` comments received through the services."""
    from consult.accounts.models import Department, User
    from consult.database import utcnow
    from consult.drafts import comments, services
    from consult.drafts.models import Draft
    from consult.extensions import db

    with app.test_request_context():
        department = db.session.scalar(sa.select(Department).where(Department.code == "XZFB"))
        editor = db.session.scalar(sa.select(User).where(User.email == EDITOR))
        reviewer = db.session.scalar(sa.select(User).where(User.email == REVIEWER))
        opens_at = utcnow() - timedelta(hours=1)
        draft = services.create_draft(
            editor, body=BODY, title=TITLE, summary="征求社会公众意见。", department_id=department.id,
            domain="government_affairs", legal_basis="《中华人民共和国动物防疫法》", opens_at=opens_at,
            closes_at=opens_at + timedelta(days=30), short_window_reason="", interpretation="养犬管理办法解读。")
        services.submit_for_review(draft, editor)
        services.approve_draft(draft, reviewer)
        db.session.commit()
        draft_id = draft.id
        anchors = list(LETTERS)
        for n in range(COMMENTS - len(OWN)):
            anchor = anchors[n % len(anchors)]
            text = SENDERS[n % len(SENDERS)] + LETTERS[anchor]
            comments.submit_comment(db.session.get(Draft, draft_id), body=text, form_token=f"analysis-journey-{n}",
                                    article_anchor=anchor, name=f"市民{n}", email=f"shimin{n}{MAIL_DOMAIN}")
            if n % 250 == 249:
                db.session.commit()
        for n, (anchor, text) in enumerate(OWN):
            comments.submit_comment(db.session.get(Draft, draft_id), body=text, article_anchor=anchor,
                                    form_token=f"analysis-journey-own-{n}", name="赵六",
                                    email=f"zhaoliu{n}{MAIL_DOMAIN}")
        db.session.commit()
        draft = db.session.get(Draft, draft_id)
        services.advance_drafts(draft.closes_at + timedelta(seconds=1), draft_id=draft_id)
        db.session.execute(sa.update(Draft).where(Draft.id == draft_id).values(closed_at=utcnow()))
        db.session.commit()
    return draft_id


def _wait_for_the_publication(app, draft_id: int, timeout: float = 240) -> None:
    from consult.drafts.models import ReportPublication
    from consult.extensions import db

    deadline = time.monotonic() + timeout
    status = None
    while time.monotonic() < deadline:
        with app.app_context():
            status = db.session.scalar(sa.select(ReportPublication.status).where(
                ReportPublication.draft_id == draft_id).order_by(ReportPublication.id.desc()).limit(1))
        if status in ("done", "failed"):
            assert status == "done"
            return
        time.sleep(1)
    raise AssertionError(f"the report's publication did not finish in {timeout} s (last status: {status})")


def _wait_for_the_analysis(app, draft_id: int, timeout: float = 240) -> None:
    from consult.extensions import db
    from consult.workbench.models import AnalysisRun

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context():
            status = db.session.scalar(sa.select(AnalysisRun.status).where(AnalysisRun.draft_id == draft_id)
                                       .order_by(AnalysisRun.id.desc()).limit(1))
        if status in ("done", "failed"):
            assert status == "done"
            return
        time.sleep(1)
    pytest.fail("the analysis did not finish")


def _answer_mails(app, *, forget: bool = False) -> int:
    """The answer mails queued for the generated commenters; ``forget`` takes every mail to them out of the
    outbox, so that the other journeys, which send the outbox to the test SMTP server, do not send 4,000."""
    from consult.extensions import db
    from consult.notify.models import OutboxMessage

    to_them = OutboxMessage.recipient.like(f"%{MAIL_DOMAIN}")
    with app.app_context():
        if forget:
            db.session.execute(sa.delete(OutboxMessage).where(to_them))
            db.session.commit()
            return 0
        return db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(
            to_them, OutboxMessage.template == "comment_answered_in_report"))


@pytest.fixture
def forget_the_mails(live_server):
    yield
    _answer_mails(live_server.app, forget=True)


def _open_submissions(app, draft_id: int) -> int:
    from consult.drafts.models import Comment
    from consult.extensions import db
    from consult.tracking.models import Submission

    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Comment)
                                 .join(Submission, Submission.id == Comment.submission_id)
                                 .where(Comment.draft_id == draft_id, Submission.status != "answered"))


@pytest.mark.parametrize("viewport", ["desktop"])
def test_a_draft_with_thousands_of_comments_is_analysed_disposed_by_unit_and_every_comment_answered(
        new_page, live_server, forget_the_mails, viewport):
    zh = live_server.zh
    draft_id = _make_closed_draft_with_comments(live_server.app)

    editor = new_page(viewport)
    login(editor, EDITOR)
    editor.goto(f"/office/drafts/{draft_id}/analysis")
    submit(editor, zh("Analyse the comments"))
    _wait_for_the_analysis(live_server.app, draft_id)
    editor.goto(f"/office/drafts/{draft_id}/analysis")
    main = editor.locator("main")
    assert zh("Processed %(done)s / %(total)s", done="0", total="2,000") in main.inner_text()
    rows = main.locator(UNITS)
    campaigns = rows.filter(has_text=zh("Campaign"))
    assert campaigns.count() >= len(LETTERS), main.inner_text()  # a letter's copies may form two campaigns
    assert rows.count() <= 10  # and the three comments of their own stand alone

    # The form letter on 第三条 is adopted, and linked to the article once the revised text is recorded.
    campaigns.filter(has_text="网上办理").get_by_role("link").first.click()
    unit_url = editor.url
    editor.locator("#disposition").select_option("adopted")
    editor.locator("#reason").fill("采纳。修改稿第三条已规定登记可以在网上办理。")
    submit(editor, zh("Save disposition"))
    editor.goto(f"/office/drafts/{draft_id}/analysis/revision")
    editor.locator("#body").fill(REVISED)
    editor.locator("#change_note").fill("第三条增加网上登记。")
    submit(editor, zh("Save the revised text"))
    editor.goto(unit_url)
    editor.locator("input[name=anchors][value=art-3]").check()
    with editor.expect_navigation():
        editor.locator("form").filter(has=editor.locator("input[name=anchors]")).get_by_role(
            "button", name=zh("Save")).click()
    assert zh("Led to the change of: %(articles)s", articles="第三条") in editor.locator("main").inner_text()

    # Every other unit gets one disposition, unit by unit, from the list of undecided units.
    for _ in range(20):
        editor.goto(f"/office/drafts/{draft_id}/analysis?undecided=1")
        undecided = editor.locator(UNITS)
        if undecided.count() == 0:
            break
        undecided.first.get_by_role("link").first.click()
        editor.locator("#disposition").select_option("noted")
        editor.locator("#reason").fill("已知悉，将在实施中统筹考虑。")
        submit(editor, zh("Save disposition"))
    editor.goto(f"/office/drafts/{draft_id}/analysis")
    assert zh("Processed %(done)s / %(total)s", done="2,000", total="2,000") in editor.locator("main").inner_text()

    editor.goto(f"/office/drafts/{draft_id}/report")
    editor.locator("#summary").fill("本次共收到意见2000条，主要集中在犬只登记、牵引和处罚三个方面。")
    submit(editor, zh("Send the report for approval"))
    reviewer = new_page(viewport)
    login(reviewer, REVIEWER)
    reviewer.goto(f"/office/drafts/{draft_id}")
    submit(reviewer, zh("Approve and publish the report"))
    # The publication runs as a job; its page follows it, reloading itself, until the report is out.
    assert "/report/publications/" in reviewer.url
    _wait_for_the_publication(live_server.app, draft_id)
    reviewer.reload()
    assert zh("The feedback report has been published.") in reviewer.locator("main").inner_text()

    # Every commenter is answered; the public report names the change and the form letters.
    assert _open_submissions(live_server.app, draft_id) == 0
    assert _answer_mails(live_server.app) == COMMENTS
    visitor = new_page(viewport)
    visitor.goto(f"/drafts/{draft_id}/report")
    text = visitor.locator("main").inner_text()
    assert zh("These comments led to the change of %(article)s.", article="第三条") in text
    assert "登记可以在网上办理" in text
    assert "市民1" not in text
