"""Demo events for ``seed-demo``: a past open day with attendance, upcoming first-come, approval and lottery
open days, a held hearing with its speakers chosen and its record published (with the hearing report as a
public Word file), and an upcoming public meeting (with its agenda as a Word file for attendees). Idempotent:
events are recognised by their title. The Word files are made here by the document renderer, not stored."""

import io
from datetime import timedelta

import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from consult.accounts.models import Department, User
from consult.database import utcnow
from consult.documents.markdown import blocks_from_markdown
from consult.documents.model import Document
from consult.documents.word import to_docx
from consult.events import allocation, checkin, hearings, materials
from consult.events.models import (
    APPROVAL, ATTENDEES, FIRST_COME, HEARING, LOTTERY, MEETING, RECORD, CategorySeats, Event, HearingSpeaker,
)  # fmt: skip
from consult.extensions import db
from consult.localtime import local_date

PEOPLE = ("李明", "王芳", "张伟", "刘洋", "陈静", "杨磊", "赵敏", "黄勇", "周婷", "吴强", "徐丽", "孙涛")

EVENTS = (
    # (title, department, venue, address, days from now, mode, capacity, description)
    ("县司法局政务开放日——走进公共法律服务中心", "SFJ", "县公共法律服务中心", "人民路88号", -20, FIRST_COME, 10,
     "参观公共法律服务中心窗口、了解法律援助申请流程，现场与律师面对面交流。\n\n"
     "**活动安排**\n\n1. 参观服务大厅\n2. 法律援助政策讲解\n3. 互动问答"),
    ("县财政局政务开放日——“阳光财政”预算公开面对面", "CZJ", "县财政局三楼会议室", "建设路12号", 10, FIRST_COME, 30,
     "介绍本县年度预算编制和公开情况，解读惠民补贴资金发放流程，欢迎市民代表参加。"),
    ("县民政局开放日——养老服务设施观摩", "MZJ", "县社会福利中心", "康宁路5号", 14, APPROVAL, 15,
     "观摩养老服务设施，座谈养老服务补贴政策。因场地为养老机构，报名需经审核，请如实填写联系方式。"),
    ("县自然资源和规划局——国土空间总体规划公众开放日", "ZRZYJ", "县规划展示馆", "滨江大道1号", 12, LOTTERY, 20,
     "现场讲解县国土空间总体规划（草案），名额有限，报名截止后公开摇号，摇号种子在本页公布。"),
)


def seed_events(departments: dict[str, Department]) -> None:
    """Create the demo events and registrations that do not exist yet."""
    now = utcnow()
    officer = db.session.scalar(sa.select(User).where(User.email == "officer.sfj@consult.localhost"))
    for title, code, venue, address, days, mode, capacity, description in EVENTS:
        if db.session.scalar(sa.select(Event.id).where(Event.title == title)) is not None:
            continue
        starts = (now + timedelta(days=days)).replace(hour=1, minute=30, second=0, microsecond=0)  # 09:30 Beijing
        closes = starts - timedelta(days=7 if mode == LOTTERY else 1)
        event = Event(
            title=title, description=description, department_id=departments[code].id, venue=venue,
            address=address, map_url="", starts_at=starts, ends_at=starts + timedelta(hours=2, minutes=30),
            registration_opens_at=starts - timedelta(days=30), registration_closes_at=closes,
            capacity=capacity, mode=mode, require_phone=True, require_email=False,
        )
        db.session.add(event)
        db.session.flush()
        _register_people(event, officer, past=days < 0)
    _seed_hearing(departments, now)
    _seed_meeting(departments, now)


def _register_people(event: Event, officer: User | None, *, past: bool) -> None:
    count = {FIRST_COME: 12 if past else 6, APPROVAL: 4, LOTTERY: 8}[event.mode]
    when = event.registration_opens_at + timedelta(days=1)
    registrations = []
    for n, name in enumerate(PEOPLE[:count]):
        registrations.append(allocation.register(
            event.id, name=name, phone=f"139{event.id:04d}{n:04d}", now=when + timedelta(minutes=n),
        ))
    if past and officer is not None:
        # Attendance: most confirmed people came.
        door = event.starts_at - timedelta(minutes=20)
        for n, registration in enumerate(r for r in registrations if r.status == "confirmed"):
            if n % 4 != 3:
                checkin.check_in(event, registration.checkin_code, officer, now=door + timedelta(minutes=n))


HEARING_TITLE = "县民政局——养老机构服务收费标准调整听证会"
HEARING_SEATS = {"stakeholder": 2, "resident": 2, "expert": 1, "other": 1}
STATEMENTS = (
    # (name, category, statement, disposition, reason)
    ("周桂兰", "stakeholder", "我母亲住在县福利中心，护理费一次上调20%负担太重，建议分两年调整。", "adopted",
     "调整方案改为分两年执行，每年调整幅度不超过10%。"),
    ("郑建国", "stakeholder", "民办养老机构成本上涨较快，希望收费标准与护理等级挂钩。", "partly_adopted",
     "护理费按护理等级分档，床位费维持统一标准。"),
    ("冯秀英", "stakeholder", "建议对失能老人设置收费上限。", "adopted", "已在方案中增加失能老人护理费上限。"),
    ("蒋志强", "resident", "调价前应公开机构成本监审报告。", "adopted", "成本监审报告已在县民政局网站公开。"),
    ("韩梅", "resident", "希望增加低保、特困老人的补贴。", "noted", "补贴标准由县财政另行研究，已转县财政局参考。"),
    ("杨立新", "resident", "收费调整后服务质量也要有明确标准。", "partly_adopted",
     "服务质量标准将在配套的服务规范中明确，本次调价方案增加质量考核条款。"),
    ("朱教授", "expert", "建议参照周边县市的收费水平，建立动态调整机制。", "adopted", "方案增加每三年评估一次的动态调整机制。"),
    ("秦律师", "other", "建议明确入住合同中收费调整的告知期限。", "not_adopted",
     "告知期限已由《养老机构管理办法》规定，不在本方案中重复规定。"),
)
TRANSCRIPT = """**时间**：{day} 上午9:30—11:30
**地点**：县民政局三楼会议室
**主持人**：县民政局分管负责同志

一、主持人宣布听证纪律，介绍听证事项：县社会福利中心等养老机构服务收费标准调整方案。

二、县民政局说明调整方案及依据。

三、陈述人依次发表意见（见听证报告所附采纳情况）。

四、旁听人员书面意见已收集。

五、主持人宣布听证会结束。"""
REPORT = """县民政局于{day}召开养老机构服务收费标准调整听证会。共收到陈述报名{count}件，按类别确定陈述人，报名人数超过名额的类别公开摇号。

**主要意见**：调整幅度过大、应与护理等级挂钩、保障失能和困难老人。

**采纳情况**：调整方案改为分两年执行，护理费按等级分档，增加失能老人护理费上限和动态调整机制。各陈述意见的采纳情况及理由见下表。"""


def _seed_hearing(departments: dict[str, Department], now) -> None:
    """A hearing held five days ago: applications in every category, speakers chosen (residents drawn by
    lottery), attendees, and the record published, which answered every statement."""
    if db.session.scalar(sa.select(Event.id).where(Event.title == HEARING_TITLE)) is not None:
        return
    officer = db.session.scalar(sa.select(User).where(User.email == "officer.mzj@consult.localhost"))
    if officer is None:
        return
    starts = (now - timedelta(days=5)).replace(hour=1, minute=30, second=0, microsecond=0)
    opens, closes, ends = starts - timedelta(days=25), starts - timedelta(days=7), starts + timedelta(hours=2)
    event = Event(
        title=HEARING_TITLE, department_id=departments["MZJ"].id, venue="县民政局三楼会议室", address="康宁路5号",
        map_url="", description="听证事项：县社会福利中心等养老机构床位费、护理费收费标准调整方案。\n\n"
        "欢迎报名担任陈述人或旁听。陈述人按利益相关方、群众代表、专家和其他人员分类确定。",
        starts_at=starts, ends_at=ends, registration_opens_at=opens, registration_closes_at=closes, capacity=20,
        mode=FIRST_COME, event_type=HEARING,
        require_phone=True, require_email=False,
    )
    db.session.add(event)
    db.session.flush()
    db.session.add_all(CategorySeats(event_id=event.id, category=c, seats=n) for c, n in HEARING_SEATS.items())
    when = opens + timedelta(days=1)
    for n, (name, category, statement, *_answer) in enumerate(STATEMENTS):
        hearings.apply_to_speak(event.id, name=name, category=category, statement=statement,
                                form_token=f"demo-hearing-{event.id}-{n}", phone=f"1370{event.id:03d}{n:04d}",
                                now=when + timedelta(hours=n))
    for n, name in enumerate(PEOPLE[:5]):
        allocation.register(event.id, name=name, phone=f"1361{event.id:03d}{n:04d}", now=when + timedelta(days=1, minutes=n))
    hearings.select_speakers(event.id, officer=officer, seed="20261120", now=closes + timedelta(hours=1))
    speakers = db.session.scalars(sa.select(HearingSpeaker).where(HearingSpeaker.event_id == event.id)
                                  .order_by(HearingSpeaker.submission_id)).all()
    for speaker, (*_application, disposition, reason) in zip(speakers, STATEMENTS):
        hearings.set_disposition(speaker, disposition=disposition, reason=reason, officer=officer)
    day = f"{starts.year}年{starts.month}月{starts.day}日"
    report, published = REPORT.format(day=day, count=len(STATEMENTS)), ends + timedelta(days=2)
    _attach_document(event, officer, audience=RECORD, filename="养老机构服务收费标准调整听证报告.docx",
                     title="养老机构服务收费标准调整听证报告", text=report, day=published)
    hearings.publish_record(event.id, transcript=TRANSCRIPT.format(day=day), report=report, officer=officer,
                            now=published)


def _attach_document(event: Event, officer: User, *, audience: str, filename: str, title: str, text: str,
                     day) -> None:
    """Render ``text`` (Markdown) as a Word document in the official layout and attach it to the event, through
    the same checks as a file staff upload."""
    document = Document(title=title, department=event.department.name, issued_on=local_date(day), byline=True,
                        language="zh-CN", subject=title, blocks=blocks_from_markdown(text))
    upload = FileStorage(stream=io.BytesIO(to_docx(document)), filename=filename)
    materials.add_file(event, upload, audience=audience, actor=officer)


MEETING_TITLE = "县政府常务会议——城区停车收费调整方案（公众列席）"


def _seed_meeting(departments: dict[str, Department], now) -> None:
    """An upcoming public meeting by approval, with seats by category and applications waiting for a decision."""
    if db.session.scalar(sa.select(Event.id).where(Event.title == MEETING_TITLE)) is not None:
        return
    starts = (now + timedelta(days=16)).replace(hour=6, minute=30, second=0, microsecond=0)  # 14:30 Beijing
    event = Event(
        title=MEETING_TITLE, department_id=departments["XZFB"].id, venue="县政府第一会议室", address="人民路1号",
        map_url="", description="县政府常务会议审议《城区停车收费调整方案》，邀请利益相关方、群众代表、专家和媒体列席。"
        "列席人员可在会上按程序发表意见，会后可提交书面意见。",
        agenda="1. 县发展改革局汇报《城区停车收费调整方案》\n2. 列席代表发表意见\n3. 会议审议",
        materials="- [城区停车收费调整方案（送审稿）](https://www.example.gov.cn/tcsf/fangan.pdf)\n"
                  "- [起草说明](https://www.example.gov.cn/tcsf/shuoming.pdf)",
        starts_at=starts, ends_at=starts + timedelta(hours=2), registration_opens_at=now - timedelta(days=3),
        registration_closes_at=starts - timedelta(days=3), capacity=8, mode=APPROVAL, event_type=MEETING,
        require_phone=True, require_email=False,
    )
    db.session.add(event)
    db.session.flush()
    db.session.add_all(CategorySeats(event_id=event.id, category=c, seats=n)
                       for c, n in {"stakeholder": 3, "resident": 2, "expert": 1, "media": 2}.items())
    db.session.flush()
    officer = db.session.scalar(sa.select(User).where(User.email == "officer.xzfb@consult.localhost"))
    if officer is not None:
        _attach_document(event, officer, audience=ATTENDEES, filename="县政府常务会议议程.docx",
                         title="县政府常务会议议程", text=event.agenda, day=now)
    for n, (name, category) in enumerate((("沈车主", "stakeholder"), ("许商户", "stakeholder"), ("何居民", "resident"),
                                          ("吕记者", "media"))):
        allocation.register(event.id, name=name, phone=f"1362{event.id:03d}{n:04d}", category=category,
                            now=now - timedelta(days=2, minutes=-n))
