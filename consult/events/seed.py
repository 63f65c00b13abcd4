"""Demo open days for ``seed-demo``: a past event with attendance, and upcoming first-come, approval
and lottery events (idempotent: events are recognised by their title)."""

from datetime import timedelta

import sqlalchemy as sa

from consult.accounts.models import Department, User
from consult.database import utcnow
from consult.events import allocation, checkin
from consult.events.models import APPROVAL, FIRST_COME, LOTTERY, Event
from consult.extensions import db

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
