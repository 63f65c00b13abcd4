"""Demo information requests for ``flask seed-demo`` (idempotent): every outcome of the annual-report
table, across last year and this year, some received in December and answered in January, and a few still
open, so the report has numbers in every row.

Requests go through the real services (intake, outcome with reply and review, pause, clarification and
abandonment); only the moment of the answer is then backdated to its demo date, because the services
stamp "now".
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from consult.accounts.models import Department, User
from consult.disclosure import handling
from consult.disclosure.models import COLLECT, CREDIT_CODE, EMAIL, ELECTRONIC, ONLINE, PAPER, POST, RESIDENT_ID
from consult.disclosure.models import DisclosureRequest
from consult.disclosure.outcomes import APPLICANT_TYPES, NATURAL_PERSON, NO_CLARIFICATION
from consult.disclosure.services import Applicant, record_outcome, submit_request
from consult.extensions import db
from consult.localtime import local_today, zone
from consult.tracking import actions, replies
from consult.tracking.intake import submission_with_token

DEPARTMENTS = ("SFJ", "CZJ")
OPEN, PAUSED = "open", "paused"
# Valid check characters: resident IDs (GB 11643) and unified social credit codes (GB 32100).
DEMO_RESIDENT_ID = "11010519491231002X"
DEMO_CREDIT_CODE = "91350100M000100Y43"


@dataclass(frozen=True)
class DemoRequest:
    subject: str
    outcome: str  # an outcome key, or OPEN / PAUSED
    last_year: bool  # received last year (else this year)
    received_day: int  # day of the year of receipt (0 = 1 January)
    answered_after: int | None = None  # calendar days from receipt to the answer


DEMO = (
    DemoRequest("2025年度部门预算执行情况", "disclosed", True, 40, 12),
    DemoRequest("行政许可办理统计数据", "partly", True, 70, 18),
    DemoRequest("某专项工作保密文件", "withheld:state_secret", True, 95, 10),
    DemoRequest("某案件调查材料", "withheld:prohibited_by_law", True, 120, 15),
    DemoRequest("企业经营信息", "withheld:third_party_rights", True, 150, 25),
    DemoRequest("十年前会议纪要", "unavailable:not_held", True, 180, 9),
    DemoRequest("对邻居违建的投诉处理", "not_processed:petition", True, 200, 6),
    DemoRequest("再次申请预算执行情况", "not_processed:repeated", True, 230, 5),
    DemoRequest("大量复印档案材料", "other:fee_unpaid", True, 260, 28),
    DemoRequest("年末专项资金拨付明细", "disclosed", True, 350, 20),  # answered in January
    DemoRequest("历年补贴发放汇总分析", "unavailable:needs_creation", True, 355, 22),  # answered in January
    DemoRequest("规划方案讨论稿", "withheld:process_information", True, 358, 25),  # answered in January
    DemoRequest("维稳工作部署", "withheld:security_stability", False, 20, 14),
    DemoRequest("机关内部人事管理规定", "withheld:internal_affairs", False, 45, 10),
    DemoRequest("行政处罚案卷", "withheld:enforcement_files", False, 70, 12),
    DemoRequest("个人社保缴费记录", "withheld:administrative_query", False, 90, 8),
    DemoRequest("某项目相关文件", "unavailable:still_unclear", False, 110, 30),
    DemoRequest("政府公报合订本", "not_processed:publication", False, 130, 5),
    DemoRequest("全部历史文件（批量）", "not_processed:excessive", False, 150, 7),
    DemoRequest("确认已获取复印件真实性", "not_processed:confirmation", False, 170, 9),
    DemoRequest("咨询办事流程", "other:other", False, 190, 4),
    DemoRequest("征地补偿安置方案", "partly", False, 210, 19),
    DemoRequest("2026年民生实事项目进展", "disclosed", False, 230, 11),
    DemoRequest("内容不明确的申请", f"other:{NO_CLARIFICATION}", False, 250, 30),
    DemoRequest("涉及第三方的合同文本", PAUSED, False, 300),
    DemoRequest("近期招标采购结果", OPEN, False, 318),
)
SUBJECT_PREFIX = "【演示】"


def _staff(code: str) -> tuple[User, User] | None:
    officer = db.session.scalar(sa.select(User).where(User.email == f"officer.{code.lower()}@consult.localhost"))
    reviewer = db.session.scalar(sa.select(User).where(User.email == f"reviewer.{code.lower()}@consult.localhost"))
    return (officer, reviewer) if officer and reviewer else None


def _applicant(i: int) -> Applicant:
    applicant_type = APPLICANT_TYPES[i % len(APPLICANT_TYPES)]
    if applicant_type == NATURAL_PERSON:
        return Applicant(applicant_type, f"演示申请人{i + 1}", RESIDENT_ID, DEMO_RESIDENT_ID,
                         phone="13800138000", email=f"applicant{i + 1}@example.org", postal_address="某县某街道2号")
    return Applicant(applicant_type, f"演示机构{i + 1}", CREDIT_CODE, DEMO_CREDIT_CODE, contact_person="联系人",
                     phone="0571-87654321", email=f"org{i + 1}@example.org", postal_address="某县某路1号",
                     postcode="310000")


def _moment(day: date, now: datetime) -> datetime:
    """10:00 local on ``day``, never later than an hour ago."""
    moment = datetime.combine(day, time(10), tzinfo=zone()).astimezone(UTC)
    return min(moment, now - timedelta(hours=1))


def _walk(found: DisclosureRequest, spec: DemoRequest, officer: User, reviewer: User, answered: datetime | None):
    submission = found.submission
    if spec.outcome == OPEN:
        return
    actions.assign_submission(submission, officer, actor=officer)
    received_on = submission.clock_start_on
    if spec.outcome == PAUSED:
        handling.pause_request(found, actor=officer, reason="征求合同相对方意见（条例第三十二条）。",
                               today=received_on + timedelta(days=2))
        return
    category, _sep, reason = spec.outcome.partition(":")
    if reason == NO_CLARIFICATION:
        actions.request_info(submission, actor=officer, message="请明确所需信息的名称、文号或其他特征描述。",
                             today=received_on + timedelta(days=1))
        handling.close_as_abandoned(found, received_on + timedelta(days=21))
    else:
        reply = record_outcome(found, actor=officer, category=category, reason=reason or None,
                               answer="您好，您的政府信息公开申请收悉。经审查，答复如下（演示数据）。")
        replies.approve_reply(reply, reviewer=reviewer)
        reply.reviewed_at = answered
    submission.answered_at = found.outcome_recorded_at = answered  # backdated to the demo date


def seed_disclosure_requests(departments: dict[str, Department]) -> None:
    """Create the demo information requests of the demo departments that do not have them yet."""
    today = local_today()
    now = datetime.now(UTC)
    for n, code in enumerate(DEPARTMENTS):
        department, staff = departments.get(code), _staff(code)
        if department is None or staff is None:
            continue
        for i, spec in enumerate(DEMO):
            token = f"demo-disclosure-{code.lower()}-{i:03d}"
            if submission_with_token(token):
                continue
            year = today.year - 1 if spec.last_year else today.year
            received_on = min(date(year, 1, 1) + timedelta(days=spec.received_day + n), today - timedelta(days=1))
            received = _moment(received_on, now)
            answered = None
            if spec.answered_after is not None:
                answered = _moment(received_on + timedelta(days=spec.answered_after), now)
            receipt = submit_request(
                department, _applicant(i + n), subject=SUBJECT_PREFIX + spec.subject,
                description=f"申请公开：{spec.subject}。请提供相关文件。", preferred_format=(PAPER, ELECTRONIC)[i % 2],
                delivery=(COLLECT, POST, EMAIL, ONLINE)[i % 4], form_token=token, received_at=received, locale="zh_CN",
            )
            _walk(receipt.request, spec, *staff, answered)
    db.session.flush()
