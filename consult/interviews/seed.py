"""Demo online interviews for ``seed-demo``: one archived, with its transcript (an answer with a chart), the
questions put and answered, one set aside and one not reached (both now tracked submissions); and one
announced for next week with questions waiting. Made through the services; recognised by their topic."""

import io
import struct
import zlib
from datetime import timedelta

import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from consult.accounts.models import Department, User
from consult.database import utcnow
from consult.extensions import db
from consult.interviews import services
from consult.interviews.models import Interview

ARCHIVED_TOPIC = "养老服务补贴政策解读在线访谈"
SCHEDULED_TOPIC = "2027年县级预算编制与惠民资金公开在线访谈"


def _bar_chart_png(values: tuple[int, ...], width: int = 240, height: int = 120) -> bytes:
    """A small bar chart as a PNG (one colour on white), built without an imaging library."""
    bar = width // len(values)
    top = max(values)
    rows = []
    for y in range(height):
        row = bytearray([0])  # filter: none
        for x in range(width):
            filled = (x % bar) < bar - 6 and height - y <= values[x // bar] * (height - 10) // top
            row.extend((31, 95, 153) if filled else (255, 255, 255))
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows)))
            + chunk(b"IEND", b""))


def _user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email))


def seed_interviews(departments: dict[str, Department]) -> None:
    """Create the two demo interviews if they do not exist yet."""
    editor, officer = _user("editor@consult.localhost"), _user("officer.mzj@consult.localhost")
    if editor is None or officer is None:
        return
    existing = set(db.session.scalars(sa.select(Interview.title).where(
        Interview.title.in_((ARCHIVED_TOPIC, SCHEDULED_TOPIC)))))
    now = utcnow()
    if ARCHIVED_TOPIC not in existing:
        _archived(departments["MZJ"], editor, officer, now)
    if SCHEDULED_TOPIC not in existing:
        _scheduled(departments["CZJ"], editor, now)


def _archived(department: Department, editor: User, officer: User, now) -> None:
    starts = (now - timedelta(days=9)).replace(hour=7, minute=0, second=0, microsecond=0)  # 15:00 Beijing
    interview = services.save_interview(None, {
        "title": ARCHIVED_TOPIC, "department_id": department.id, "starts_at": starts,
        "ends_at": starts + timedelta(hours=1, minutes=30),
        "description": "县民政局负责同志做客在线访谈，解读高龄津贴、养老服务补贴的申领条件和办理流程，"
                       "并回答网友提问。",
    }, services.parse_officials("周建国，县民政局局长\n何丽，县民政局养老服务股股长"), actor=editor)
    asked = [
        ("王秀英", "13900000101", "我母亲今年82岁，高龄津贴需要每年重新认证吗？在哪里办理？"),
        ("李建华", "13900000102", "养老服务补贴能不能用在居家上门服务上？"),
        ("陈志强", "13900000103", "村里的老年食堂什么时候能开到我们镇？"),
        ("赵桂兰", "13900000104", "外地户籍的老人在本县居住，能否享受补贴？"),
    ]
    questions = [services.ask_question(interview, body=body, name=name, phone=phone,
                                       form_token=f"demo-interview-{interview.id}-{n}",
                                       now=starts - timedelta(days=2, minutes=-n * 7)).question
                 for n, (name, phone, body) in enumerate(asked)]
    services.start_interview(interview, actor=officer, now=starts)
    director, chief = interview.officials
    services.record_answer(interview, question=None, official_id=director.id, actor=officer,
                           now=starts + timedelta(minutes=2),
                           body="各位网友大家好！今天和大家交流养老服务补贴政策，欢迎大家踊跃提问。")
    services.select_question(questions[0], actor=officer, now=starts + timedelta(minutes=5))
    services.record_answer(
        interview, question=questions[0], official_id=chief.id, actor=officer, now=starts + timedelta(minutes=9),
        body="高龄津贴实行**年度认证**，可通过以下方式办理：\n\n1. 到户籍所在地村（社区）便民服务站现场认证；\n"
             "2. 通过“民政通”手机端刷脸认证。\n\n下图是近四年全县高龄津贴发放人数。",
        files=[FileStorage(io.BytesIO(_bar_chart_png((61, 68, 74, 83))), filename="高龄津贴发放人数.png",
                           content_type="image/png")])
    services.select_question(questions[1], actor=officer, now=starts + timedelta(minutes=15))
    services.record_answer(
        interview, question=questions[1], official_id=director.id, actor=officer, now=starts + timedelta(minutes=20),
        body="可以。养老服务补贴可用于助餐、助洁、助浴等居家上门服务，由定点服务机构提供。")
    services.set_aside_question(questions[2], note="属乡镇助餐点建设，会后书面答复", actor=officer,
                                now=starts + timedelta(minutes=25))
    ended = starts + timedelta(hours=1, minutes=30)
    services.end_interview(interview, actor=officer, now=ended)  # questions 3 and 4 become tracked submissions
    services.archive_interview(interview, actor=officer, now=ended + timedelta(hours=2), summary=(
        "本期访谈围绕高龄津贴和养老服务补贴回答网友问题 3 个。访谈中未及答复的问题已转为县民政局的"
        "办理件，将在规定期限内书面答复。"))


def _scheduled(department: Department, editor: User, now) -> None:
    starts = (now + timedelta(days=6)).replace(hour=2, minute=0, second=0, microsecond=0)  # 10:00 Beijing
    interview = services.save_interview(None, {
        "title": SCHEDULED_TOPIC, "department_id": department.id, "starts_at": starts,
        "ends_at": starts + timedelta(hours=1),
        "description": "介绍2027年县级预算编制思路和惠民惠农补贴资金“一卡通”公开情况，欢迎提前留言提问。",
    }, services.parse_officials("孙明，县财政局局长\n郑晓燕，县财政局预算股股长"), actor=editor)
    for n, (name, body) in enumerate((("黄勇", "惠民补贴发放情况在哪里可以查询到本人的明细？"),
                                      ("周婷", "明年教育经费预算会增加吗？"))):
        services.ask_question(interview, body=body, name=name, phone=f"1390000020{n}",
                              form_token=f"demo-interview-{interview.id}-{n}", now=now - timedelta(hours=3 - n))
