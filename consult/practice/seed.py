"""Demo data for the compliance self-check: a few things an inspector would flag, made through the real
services (backdated), so the board shows real rows: a letter unanswered for months in a mailbox nobody
answers, a poor rating whose rectification is overdue, and a short consultation of the old kind, closed
without a reason or a feedback report. (The annual report row shows by itself after 31 January.)"""

from datetime import datetime, time, timedelta

import sqlalchemy as sa

from consult.accounts.models import Department, User
from consult.disclosure.models import ELECTRONIC, EMAIL
from consult.disclosure.seed import _applicant
from consult.disclosure.services import submit_request
from consult.drafts.models import CLOSED, Draft
from consult.drafts.versions import add_version
from consult.extensions import db
from consult.mailbox.models import Mailbox
from consult.mailbox.services import save_mailbox, submit_letter
from consult.tracking import actions, citizen, replies
from consult.localtime import local_today, zone

SILENT_MAILBOX = "开发区管委会主任信箱"
DEMO_DEPARTMENT = "ZRZYJ"


def _moment(days_ago: int, hour: int = 10) -> datetime:
    return datetime.combine(local_today() - timedelta(days=days_ago), time(hour), tzinfo=zone())


def _staff(code: str) -> tuple[User, User] | None:
    officer = db.session.scalar(sa.select(User).where(User.email == f"officer.{code.lower()}@consult.localhost"))
    reviewer = db.session.scalar(sa.select(User).where(User.email == f"reviewer.{code.lower()}@consult.localhost"))
    return (officer, reviewer) if officer and reviewer else None


def seed_practice(departments: dict[str, Department]) -> None:
    """Create the compliance demo items once (skipped when the silent mailbox exists)."""
    department, staff = departments.get(DEMO_DEPARTMENT), _staff(DEMO_DEPARTMENT)
    if department is None or staff is None:
        return
    if db.session.scalar(sa.select(Mailbox.id).where(Mailbox.name == SILENT_MAILBOX)) is not None:
        return
    officer, reviewer = staff
    silent = save_mailbox(None, name=SILENT_MAILBOX, department=department, description="开发区管委会主任信箱。",
                          categories=("complaint", "suggestion"), window_workdays=15, allow_publication=True,
                          allow_attachments=False, active=True)
    submit_letter(silent, category="complaint", subject="开发区道路积水长期未处理",
                  body="开发区三号路每逢下雨严重积水，去年反映过，至今没有处理。", form_token="demo-practice-silent",
                  name="演示市民甲", email="jia@example.org", received_at=_moment(110), locale="zh_CN")

    mailbox = db.session.scalar(sa.select(Mailbox).where(Mailbox.department_id == department.id,
                                                         Mailbox.id != silent.id).order_by(Mailbox.id))
    if mailbox is not None:
        category = "complaint" if "complaint" in mailbox.categories else mailbox.categories[0]
        receipt = submit_letter(mailbox, category=category, subject="小区垃圾清运不及时",
                                body="小区垃圾站经常三四天才清运一次，气味很大。", form_token="demo-practice-rated",
                                name="演示市民乙", email="yi@example.org", received_at=_moment(60), locale="zh_CN",
                                public=True)
        submission = receipt.letter.submission
        actions.assign_submission(submission, officer, actor=officer)
        reply = replies.create_reply(officer, [submission], "您好，已协调环卫部门增加清运频次。")
        replies.submit_reply(reply, actor=officer)
        replies.approve_reply(reply, reviewer=reviewer)
        # Rated 非常不满意 seven weeks ago: reopened, and its rectification is now past due.
        citizen.rate(submission, resolved=False, satisfaction="very_unsatisfied", comment="还是三四天才清运一次。",
                     now=_moment(50))

    # An information request received seven weeks ago and still not answered: past the legal time limit.
    request = submit_request(
        department, _applicant(0), subject="关于开发区道路改造工程的招标文件",
        description="申请公开开发区三号路改造工程的招标文件及中标结果。", preferred_format=ELECTRONIC, delivery=EMAIL,
        form_token="demo-practice-disclosure", received_at=_moment(50), locale="zh_CN",
    ).request
    actions.assign_submission(request.submission, officer, actor=officer)

    opens_at = _moment(70)
    draft = Draft(
        title="开发区临时占道经营管理办法（征求意见稿）", summary="规范临时占道经营。", department_id=department.id,
        domain="government_affairs", legal_basis="《城市市容和环境卫生管理条例》", opens_at=opens_at,
        closes_at=opens_at + timedelta(days=15), short_window_reason="", decision_type="major_decision",
        status=CLOSED, opened_at=opens_at, closed_at=opens_at + timedelta(days=15),
    )
    db.session.add(draft)
    db.session.flush()
    add_version(draft, "第一条 为规范开发区临时占道经营行为，制定本办法。\n\n第二条 临时占道经营应当经城市管理部门批准。")
