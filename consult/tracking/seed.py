"""Demo submissions in every status, some overdue, for ``flask seed-demo`` (idempotent)."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

import sqlalchemy as sa

from consult.accounts.models import Department, User
from consult.extensions import db
from consult.localtime import local_today, zone
from consult.tracking import actions, citizen, replies
from consult.tracking.intake import create_submission
from consult.tracking.models import (
    ANSWERED, ASSIGNED, CLOSED, COMMENT, DISMISSED, EVENT_QUESTION, LETTER, NEEDS_INFO, RECEIVED,
    REOPENED, SATISFIED, UNSATISFIED, Submission,
)  # fmt: skip

DEPARTMENTS = ("SFJ", "CZJ", "MZJ", "ZRZYJ")


@dataclass(frozen=True)
class DemoSubmission:
    kind: str
    subject: str
    body: str
    days_ago: int  # calendar days since receipt
    status: str


DEMO = (
    DemoSubmission(LETTER, "小区路灯长期不亮", "我们小区东门的路灯已经坏了两周，晚上出行很不方便，请尽快修复。", 2, RECEIVED),
    DemoSubmission(LETTER, "办事流程咨询", "请问办理相关证明需要带哪些材料？可以网上办理吗？", 9, ASSIGNED),
    DemoSubmission(LETTER, "补贴发放进度", "去年申请的补贴至今没有到账，请问进度如何？", 18, ASSIGNED),
    DemoSubmission(LETTER, "投诉窗口工作人员态度", "上周在服务窗口办事时工作人员态度生硬，希望加强管理。", 32, ASSIGNED),
    DemoSubmission(EVENT_QUESTION, "开放日参观内容建议", "建议开放日增加档案室参观环节。", 45, ASSIGNED),
    DemoSubmission(LETTER, "节假日办事时间", "春节期间窗口是否正常办公？", 25, ANSWERED),
    DemoSubmission(LETTER, "政策解读请求", "希望对新出台的管理办法做一个通俗解读。", 30, CLOSED),
    DemoSubmission(LETTER, "对答复不满意", "上次的答复没有解决问题，请再核实。", 28, REOPENED),
    DemoSubmission(COMMENT, "无关广告", "优惠促销，点击链接领取。", 6, DISMISSED),
)


def _staff(code: str) -> tuple[User, User] | None:
    """The demo officer and reviewer of a department (created by the accounts seed step)."""
    officer = db.session.scalar(sa.select(User).where(User.email == f"officer.{code.lower()}@consult.localhost"))
    reviewer = db.session.scalar(sa.select(User).where(User.email == f"reviewer.{code.lower()}@consult.localhost"))
    return (officer, reviewer) if officer and reviewer else None


def _exists(department: Department, subject: str) -> bool:
    return db.session.scalar(
        sa.select(Submission.id).where(Submission.department_id == department.id, Submission.subject == subject)
    ) is not None


def _answer(submission: Submission, officer: User, reviewer: User) -> None:
    reply = replies.create_reply(officer, [submission], "您好，来信收悉。经核实，相关事项已按规定办理，详情请见附件说明。")
    replies.submit_reply(reply, actor=officer)
    replies.approve_reply(reply, reviewer=reviewer)


def _advance(submission: Submission, spec: DemoSubmission, officer: User, reviewer: User) -> None:
    """Walk the demo submission to its target status through the real services."""
    if spec.status == RECEIVED:
        return
    if spec.status == DISMISSED:
        actions.dismiss_submission(submission, actor=officer, reason="与本部门职责无关的广告信息。")
        return
    actions.assign_submission(submission, officer, actor=officer)
    if spec.status == NEEDS_INFO:
        actions.request_info(submission, actor=officer, message="请补充申请人身份证明及所需信息的具体名称。",
                             today=submission.clock_start_on + timedelta(days=1))
    elif spec.status in (ANSWERED, CLOSED, REOPENED):
        _answer(submission, officer, reviewer)
        if spec.status != ANSWERED:
            verdict = UNSATISFIED if spec.status == REOPENED else SATISFIED
            citizen.rate(submission, resolved=spec.status == CLOSED, satisfaction=verdict)


def seed_submissions(departments: dict[str, Department]) -> None:
    """Create the demo submissions of the demo departments that do not have them yet."""
    today = local_today()
    for n, code in enumerate(DEPARTMENTS):
        department, staff = departments.get(code), _staff(code)
        if department is None or staff is None:
            continue
        for i, spec in enumerate(DEMO):
            if _exists(department, spec.subject):
                continue
            received = datetime.combine(today - timedelta(days=spec.days_ago), time(9, 30 + n), tzinfo=zone())
            created = create_submission(
                kind=spec.kind, department=department, subject=spec.subject, body=spec.body,
                name=f"演示市民{i + 1}", email=f"citizen{i + 1}.{code.lower()}@example.org",
                received_at=received, is_public=spec.kind == LETTER and i % 2 == 0,
            )
            _advance(created.submission, spec, *staff)
    db.session.flush()
