"""Demo mailboxes and letters in every status for ``flask seed-demo`` (idempotent).

Letters go through the real services: submit_letter, then the tracking engine's transfer, assignment,
request for information, replies with review, ratings and dismissal — so every timeline is real.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

import sqlalchemy as sa

from consult.accounts.models import Department, User
from consult.extensions import db
from consult.localtime import local_today, zone
from consult.mailbox.models import CATEGORIES, FaqEntry, Letter, Mailbox
from consult.mailbox.services import save_mailbox, submit_letter
from consult.tracking import actions, citizen, replies
from consult.tracking.intake import submission_with_token
from consult.tracking.models import (
    ANSWERED, ASSIGNED, CLOSED, DISMISSED, NEEDS_INFO, RECEIVED, REOPENED, SATISFIED, UNSATISFIED,
)  # fmt: skip

# (name, owner department, categories, window, publishes, attachments, description)
MAILBOXES = (
    ("县长信箱", "XZFB", CATEGORIES, 15, True, True,
     "给县长写信：反映问题、提出建议。来信由县政府办公室登记后转相关部门办理，办理结果经审核后答复。"),
    ("投诉举报信箱", "SFJ", ("complaint", "report"), 15, True, True,
     "受理对司法行政工作、法律服务机构及其工作人员的投诉和举报。举报信件一律保密，不予公开。"),
    ("财政政策咨询", "CZJ", ("enquiry", "suggestion", "topic"), 10, True, False,
     "咨询财政补贴、惠民资金发放、政府采购等政策，也可申请公开您关心的财政信息（点题公开）。"),
    ("民政服务信箱", "MZJ", ("enquiry", "complaint", "suggestion"), 15, True, True,
     "低保、特困供养、养老服务、婚姻登记、殡葬服务等民政事项的咨询、投诉和建议。"),
    ("规划建设意见箱", "ZRZYJ", ("suggestion", "enquiry", "topic"), 15, False, True,
     "对国土空间规划、建设项目规划许可的意见建议。本信箱的来信只答复来信人，不对外公开。"),
)


@dataclass(frozen=True)
class DemoLetter:
    mailbox: str
    category: str
    subject: str
    body: str
    name: str
    phone: str
    email: str
    public: bool
    days_ago: int
    status: str
    answer: str = ""
    handled_by: str = ""  # for the 县长信箱: the department it is transferred to


L = DemoLetter
LETTERS = (
    L("县长信箱", "suggestion", "建议对老旧小区加装电梯给予财政补贴",
      "我家住在建于上世纪九十年代的六层楼，楼里老人多，上下楼很困难。居民愿意出资加装电梯，但费用较高，建议政府给予补贴。",
      "王建国", "13912345678", "", True, 26, CLOSED,
      "王先生您好：县财政局已会同县住建局制定《老旧小区既有住宅加装电梯财政补助办法》，每台电梯补助15万元，"
      "由业主委员会或居民代表向所在街道提出申请，经审核后分两期拨付。感谢您对老旧小区改造工作的关心。", "CZJ"),
    L("县长信箱", "complaint", "老旧小区改造后路面再次破损",
      "幸福里小区去年刚完成改造，今年雨季过后多处路面塌陷，存在安全隐患，请有关部门督促施工单位返修。",
      "李秀英", "", "lixiuying@example.org", True, 20, ANSWERED,
      "李女士您好：经核查，幸福里小区改造工程仍在保修期内。我局已约谈施工单位，要求其在15日内完成破损路面返修，"
      "并由社区和业主代表共同验收。", "ZRZYJ"),
    L("县长信箱", "enquiry", "独生子女父母奖励金如何申领",
      "我和爱人都已年满60周岁，听说可以申领独生子女父母奖励金，请问需要准备哪些材料，到哪里办理？",
      "张淑芬", "13623456789", "", False, 9, ASSIGNED, "", "MZJ"),
    L("县长信箱", "topic", "申请公开县城停车收费标准及收入去向",
      "希望公开县城路内停车收费标准的依据，以及停车费收入的去向。", "陈志强", "13712349876", "", True, 3, RECEIVED,
      "", "CZJ"),
    L("投诉举报信箱", "complaint", "法律援助中心电话长期无人接听",
      "本月多次在工作时间拨打县法律援助中心电话，均无人接听，耽误了咨询。", "刘海燕", "13587654321", "", True, 24, ANSWERED,
      "刘女士您好：经核实，法律援助中心因线路改造导致部分来电未能接通，现已修复，并增设12348热线转接。"
      "对给您带来的不便深表歉意，如需法律援助可直接到中心窗口或拨打12348。"),
    L("投诉举报信箱", "report", "举报某律师事务所违规收费", "某律师事务所代理案件时在合同外另行收取费用且不开具发票。",
      "赵明", "13698765432", "", False, 18, ANSWERED,
      "赵先生您好：您举报的问题已立案调查，调查结果将依法处理。感谢您的监督。"),
    L("投诉举报信箱", "complaint", "调解员调解时态度偏向一方",
      "在村人民调解委员会调解邻里纠纷时，调解员明显偏向对方，希望更换调解员。", "孙丽", "", "sunli@example.org",
      True, 30, REOPENED,
      "孙女士您好：经了解，调解过程符合规定程序。如对调解结果不满意，可依法向人民法院起诉。"),
    L("投诉举报信箱", "complaint", "优惠贷款广告", "低息贷款，当天放款，详情加微信。", "推广员", "13000000000", "",
      False, 6, DISMISSED),
    L("财政政策咨询", "enquiry", "耕地地力保护补贴何时发放",
      "请问今年的耕地地力保护补贴什么时候发放到一卡通？标准是每亩多少钱？", "周德福", "13598761234", "", True, 14, CLOSED,
      "周先生您好：今年耕地地力保护补贴标准为每亩105元，已于本月20日前通过惠民惠农财政补贴资金“一卡通”发放到位。"
      "如未到账，请携带身份证和一卡通到所在乡镇财政所查询。"),
    L("财政政策咨询", "topic", "申请公开2025年度县级“三公”经费决算",
      "希望公开2025年度县级部门“三公”经费决算情况，包括公务接待和公车运行维护费。", "吴磊", "", "wulei@example.org",
      True, 12, ANSWERED,
      "吴先生您好：2025年度县级部门“三公”经费决算将随部门决算于明年8月底前在县政府门户网站“财政预决算”专栏公开，"
      "届时可查阅各部门明细。"),
    L("财政政策咨询", "suggestion", "建议简化小额政府采购流程",
      "小额采购流程环节多、周期长，建议推行网上商城直购。", "郑华", "13811112222", "", False, 5, NEEDS_INFO),
    L("民政服务信箱", "enquiry", "高龄津贴申请条件",
      "我父亲今年满80周岁，请问高龄津贴的申请条件和发放标准是什么？", "黄晓明", "13522223333", "", True, 21, ANSWERED,
      "黄先生您好：年满80周岁的本县户籍老人均可申领高龄津贴，80至89周岁每人每月100元。"
      "请携带老人身份证、户口簿和银行卡到户籍所在地村（社区）申请，按月发放。"),
    L("民政服务信箱", "complaint", "养老院伙食质量差", "城南养老院近期伙食明显变差，荤菜很少，希望加强监管。",
      "林芳", "13633334444", "", True, 2, RECEIVED),
    L("民政服务信箱", "suggestion", "建议增加社区老年食堂", "建议在人口较多的社区设立老年食堂，解决独居老人吃饭难。",
      "何志远", "", "hezhiyuan@example.org", True, 11, ASSIGNED),
    L("规划建设意见箱", "suggestion", "对滨河公园规划方案的意见",
      "建议滨河公园规划增加无障碍步道和公共厕所，方便老人和残障人士。", "马丽娟", "13744445555", "", True, 16, ANSWERED,
      "马女士您好：您的建议已纳入滨河公园规划方案修改稿，新增无障碍步道1.2公里和公共厕所2座。"),
)


def _staff(code: str) -> tuple[User, User] | None:
    officer = db.session.scalar(sa.select(User).where(User.email == f"officer.{code.lower()}@consult.localhost"))
    reviewer = db.session.scalar(sa.select(User).where(User.email == f"reviewer.{code.lower()}@consult.localhost"))
    return (officer, reviewer) if officer and reviewer else None


def _mailboxes(departments: dict[str, Department]) -> dict[str, Mailbox]:
    existing = {m.name: m for m in db.session.scalars(sa.select(Mailbox))}
    for name, code, categories, window, publishes, attachments, description in MAILBOXES:
        if name not in existing and code in departments:
            existing[name] = save_mailbox(
                None, name=name, department=departments[code], description=description, categories=categories,
                window_workdays=window, allow_publication=publishes, allow_attachments=attachments, active=True,
            )
    return existing


# Frequently asked questions (常见问题) of some demo mailboxes: (mailbox, question, answer).
FAQS = (
    ("民政服务信箱", "高龄津贴每月发多少？",
     "年满80周岁的本县户籍老人可申领高龄津贴：80至89周岁每人每月100元，90至99周岁每人每月300元，"
     "100周岁及以上每人每月600元，按月发放到本人银行卡。"),
    ("民政服务信箱", "独居老人可以申请哪些上门服务？",
     "经评估符合条件的独居、失能老人，可向所在村（社区）申请居家养老上门服务，包括助餐、助洁和定期探访。"),
    ("财政政策咨询", "惠民惠农补贴没有到账怎么办？",
     "请携带身份证和“一卡通”到所在乡镇财政所查询发放记录；确有错发、漏发的，财政所将核实后补发。"),
)


def _seed_faqs(mailboxes: dict[str, Mailbox]) -> None:
    """The demo FAQ entries of mailboxes that have none yet."""
    has_faq = set(db.session.scalars(sa.select(FaqEntry.mailbox_id).distinct()))
    for position, (name, question, answer) in enumerate(FAQS):
        mailbox = mailboxes.get(name)
        if mailbox is not None and mailbox.id not in has_faq:
            db.session.add(FaqEntry(mailbox_id=mailbox.id, question=question, answer=answer, position=position))


def _advance(letter: Letter, spec: DemoLetter, departments: dict[str, Department]) -> None:
    """Walk the letter to its demo status through the tracking engine."""
    submission = letter.submission
    if spec.handled_by:
        admin = db.session.scalar(sa.select(User).where(User.email == "admin@consult.localhost"))
        if admin is None or spec.handled_by not in departments:
            return
        actions.transfer_submission(submission, departments[spec.handled_by], actor=admin,
                                    reason="按职责转办。")
    staff = _staff(_department_code(submission.department, departments))
    if staff is None or spec.status == RECEIVED:
        return
    officer, reviewer = staff
    if spec.status == DISMISSED:
        actions.dismiss_submission(submission, actor=officer, reason="来信内容为商业广告，与本信箱受理范围无关。")
        return
    actions.assign_submission(submission, officer, actor=officer)
    if spec.status == NEEDS_INFO:
        actions.request_info(submission, actor=officer, message="请补充您所说的采购项目名称及所在单位，以便核实。")
    elif spec.status in (ANSWERED, CLOSED, REOPENED):
        reply = replies.create_reply(officer, [submission], spec.answer)
        replies.submit_reply(reply, actor=officer)
        replies.approve_reply(reply, reviewer=reviewer)
        if spec.status == CLOSED:
            citizen.rate(submission, resolved=True, satisfaction=SATISFIED)
        elif spec.status == REOPENED:
            citizen.rate(submission, resolved=False, satisfaction=UNSATISFIED, comment="问题没有解决。")
    elif spec.status != ASSIGNED:
        raise ValueError(spec.status)


def _department_code(department: Department, departments: dict[str, Department]) -> str:
    return next((code for code, d in departments.items() if d.id == department.id), "")


def seed_mailboxes(departments: dict[str, Department]) -> None:
    """Create the demo mailboxes and their letters where they do not exist yet."""
    mailboxes = _mailboxes(departments)
    today = local_today()
    for n, spec in enumerate(LETTERS):
        mailbox = mailboxes.get(spec.mailbox)
        token = f"demo-letter-{n:04d}-{spec.mailbox}"[:64]
        if mailbox is None or submission_with_token(token):
            continue
        received = datetime.combine(today - timedelta(days=spec.days_ago), time(9 + n % 8, 15), tzinfo=zone())
        receipt = submit_letter(
            mailbox, category=spec.category, subject=spec.subject, body=spec.body, form_token=token, name=spec.name,
            phone=spec.phone, email=spec.email, public=spec.public, received_at=received,
        )
        _advance(receipt.letter, spec, departments)
    db.session.flush()
    _seed_faqs(mailboxes)
    db.session.flush()
