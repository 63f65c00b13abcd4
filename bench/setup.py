"""A fresh benchmark database with the few rows made through Consult's own services.

Every table the bulk step fills gets one *template* row written by the real code (a comment through
``submit_comment``, a letter through ``submit_letter``, a registration through ``allocation.register``),
so the millions of cloned rows carry every column exactly as the application writes it.
"""

import base64
import hashlib
import os
from dataclasses import asdict, dataclass, field
from datetime import timedelta

import sqlalchemy as sa

BENCH_SECRET = "bench-secret-not-for-production"
# Derived from the secret above, so every benchmark process encrypts and decrypts alike (synthetic data only).
BENCH_ENCRYPTION_KEY = base64.urlsafe_b64encode(hashlib.sha256(BENCH_SECRET.encode()).digest()).decode()
PASSWORD = "bench-password-2026"
DEPARTMENTS = 30
DRAFT_BODY = "\n\n".join(
    f"第{n}条 本条规定第{n}项工作要求：各单位应当依法公开政府信息，听取公众意见，按期答复。" for n in
    ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十")
)


@dataclass
class Fixture:
    """What the load generator needs to know about the generated data."""

    draft_id: int = 0
    draft_department_id: int = 0
    article_ids: list[int] = field(default_factory=list)
    article_anchors: list[str] = field(default_factory=list)
    version_id: int = 0
    mailbox_ids: list[int] = field(default_factory=list)
    event_id: int = 0
    officer_email: str = ""
    editor_email: str = ""
    password: str = PASSWORD
    query_code: str = ""  # every cloned comment shares the template comment's query code
    letter_query_code: str = ""  # every cloned letter shares the template letter's query code
    template_comment_id: int = 0
    template_letter_id: int = 0
    template_registration_id: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


def app_config(url: str) -> dict:
    """Settings of the benchmark app (servers and generator alike): no rate limits, mail only queued."""
    return {
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": BENCH_SECRET,
        "CONSULT_ENCRYPTION_KEYS": BENCH_ENCRYPTION_KEY,
        "RATELIMIT_ENABLED": False,
        "MAIL_SUPPRESS_SEND": True,
        "CONSULT_DEFAULT_LOCALE": "zh_CN",
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        # Public pages: nginx in front (bench.nginx) keeps them 10 s, so its freshness check is quick.
        "CONSULT_CACHE_MAX_AGE": 10,
        "CONSULT_CACHE_S_MAXAGE": 10,
    }


def fresh_database(url: str) -> None:
    """Delete the SQLite file, or drop and recreate the PostgreSQL database (its name must say 'bench')."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            path = parsed.database + suffix
            if os.path.exists(path):
                os.remove(path)
        return
    if "bench" not in (parsed.database or ""):
        raise SystemExit(f"refusing to drop {parsed.database!r}: a benchmark database name must contain 'bench'")
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{parsed.database}"')
    admin.dispose()


def build_templates(app) -> Fixture:
    """Create the schema and the template rows through the services; commit; return the fixture."""
    from consult.accounts.models import ADMIN, EDITOR, OFFICER, REVIEWER, Department
    from consult.accounts.services import create_staff_user
    from consult.database import utcnow
    from consult.drafts import comments, services as drafts
    from consult.events import allocation
    from consult.events.models import FIRST_COME, Event
    from consult.extensions import db
    from consult.mailbox import services as mailboxes
    from consult.mailbox.models import CATEGORIES

    fixture = Fixture()
    with app.app_context():
        db.create_all()
    with app.test_request_context("/"):
        app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:1000"  # only the generator: staff logins stay fast
        departments = []
        for n in range(1, DEPARTMENTS + 1):
            department = Department(code=f"D{n:02d}", name=f"县第{n}局", name_en=f"Department {n}",
                                    contact_email=f"d{n}@bench.example.org")
            db.session.add(department)
            departments.append(department)
        db.session.flush()
        for department in departments:
            n = department.id
            create_staff_user(f"officer{n}@bench.example.org", f"经办{n}", PASSWORD, OFFICER, department)
            create_staff_user(f"reviewer{n}@bench.example.org", f"审核{n}", PASSWORD, REVIEWER, department)
        editor = create_staff_user("editor@bench.example.org", "编辑", PASSWORD, EDITOR, None)
        admin = create_staff_user("admin@bench.example.org", "管理员", PASSWORD, ADMIN, None)

        now = utcnow()
        start = now - timedelta(days=60)
        draft = drafts.create_draft(
            editor, body=DRAFT_BODY, title="基准测试征求意见稿：县政务公开实施办法", summary="用于性能基准测试。",
            department_id=departments[0].id, domain="government_affairs", legal_basis="《政府信息公开条例》",
            opens_at=start, closes_at=start + timedelta(days=120), short_window_reason="", premoderate=False,
            interpretation="本办法的解读材料。",
        )
        drafts.submit_for_review(draft, editor)
        drafts.approve_draft(draft, admin, now=start + timedelta(minutes=1))
        drafts.advance_drafts(now)
        receipt = comments.submit_comment(
            draft, body="模板意见：建议细化第一条。", form_token="bench-template-comment", name="张三",
            email="template@bench.example.org", article_anchor=None, now=now - timedelta(days=59),
        )
        boxes = [
            mailboxes.save_mailbox(
                None, name=f"县第{d.id}局信箱", department=d, categories=CATEGORIES, window_workdays=15,
                allow_publication=True, allow_attachments=True, active=True,
            )
            for d in departments
        ]
        letter = mailboxes.submit_letter(
            boxes[0], category="enquiry", subject="模板来信", body="模板来信的正文。", form_token="bench-template-letter-0001",
            name="李四", phone="13800000000", email="letter@bench.example.org",
        )
        event = Event(
            title="基准测试政务开放日", description="开放日", department_id=departments[0].id, venue="县政府大楼",
            starts_at=now + timedelta(days=30), ends_at=now + timedelta(days=30, hours=3),
            registration_opens_at=now - timedelta(days=10), registration_closes_at=now + timedelta(days=20),
            capacity=0, mode=FIRST_COME, require_phone=True, require_email=True, created_by_id=editor.id,
        )
        db.session.add(event)
        db.session.flush()
        event.capacity = 1
        db.session.flush()
        registration = allocation.register(event.id, name="王五", phone="13900000000", email="reg@bench.example.org")
        db.session.commit()

        version = draft.current_version
        fixture.draft_id, fixture.draft_department_id = draft.id, draft.department_id
        fixture.version_id = version.id
        fixture.article_ids = [a.id for a in version.articles]
        fixture.article_anchors = [a.anchor for a in version.articles]
        fixture.mailbox_ids = [b.id for b in boxes]
        fixture.event_id = event.id
        fixture.officer_email = f"officer{draft.department_id}@bench.example.org"
        fixture.editor_email = editor.email
        fixture.query_code = receipt.query_code
        fixture.letter_query_code = letter.query_code
        fixture.template_comment_id = receipt.comment.id
        fixture.template_letter_id = letter.letter.id
        fixture.template_registration_id = registration.id
    return fixture
