"""Shared set-up for the mailbox tests: the tracking world (two departments with staff) plus mailboxes,
and helpers to write letters (through the page or the service) and answer them (through the tracking engine)."""

import io
import itertools
from dataclasses import dataclass
from datetime import datetime

import pytest
from flask import g
import sqlalchemy as sa
from tests.tracking_support import local
from tests.world_support import World

from consult.extensions import db
from consult.mailbox import services
from consult.mailbox.models import CATEGORIES, Letter, Mailbox
from consult.tracking import replies

_tokens = itertools.count(1)
WRITER_PHONE = "13800138000"
WRITER_EMAIL = "ouyang.nana@example.org"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%demo\n"


@dataclass
class Boxes:
    county: Mailbox  # world.dept, every category, publishes, attachments
    policy: Mailbox  # world.dept, enquiry + suggestion, 10 working days
    finance: Mailbox  # world.other_dept, every category
    private: Mailbox  # world.dept, never publishes


def _box(name, department, categories=CATEGORIES, **settings) -> Mailbox:
    options = dict(description="", window_workdays=15, allow_publication=True, allow_attachments=True, active=True)
    options.update(settings)
    return services.save_mailbox(None, name=name, department=department, categories=categories, **options)


@pytest.fixture
def boxes(world) -> Boxes:
    created = Boxes(
        county=_box("县长信箱", world.dept),
        policy=_box("政策咨询", world.dept, ("enquiry", "suggestion"), window_workdays=10),
        finance=_box("财政信箱", world.other_dept),
        private=_box("内部信箱", world.dept, allow_publication=False),
    )
    db.session.commit()
    return created


def token() -> str:
    return f"test-form-token-{next(_tokens):06d}"


def form_data(mailbox: Mailbox, **overrides) -> dict:
    """What a citizen types into the letter form."""
    data = {
        "mailbox_id": str(mailbox.id), "category": "complaint", "subject": "小区噪音扰民",
        "body": "小区旁边的工地每天晚上十点后仍在施工，严重影响休息。", "name": "欧阳娜娜",
        "phone": "+86 138 0013 8000", "email": WRITER_EMAIL, "form_token": token(),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def file_letter(mailbox: Mailbox, *, received_at: datetime | None = None, **fields) -> Letter:
    """Write a letter through the service (as the API would) and commit."""
    fields.setdefault("category", "complaint")
    fields.setdefault("subject", "小区噪音扰民")
    fields.setdefault("body", f"工地夜间施工，请尽快处理。我的电话是{WRITER_PHONE}，邮箱{WRITER_EMAIL}。")
    fields.setdefault("name", "欧阳娜娜")
    fields.setdefault("phone", WRITER_PHONE)
    fields.setdefault("email", WRITER_EMAIL)
    fields.setdefault("form_token", token())
    receipt = services.submit_letter(mailbox, received_at=received_at or local(2025, 11, 10), **fields)
    db.session.commit()
    return receipt.letter


def answer(letter: Letter, world: World, body: str = "您好，工地夜间施工问题已责令整改，今后22时后禁止施工。") -> None:
    """Answer through the tracking engine: the officer drafts, submits, the reviewer approves."""
    department_id = letter.submission.department_id
    officer, reviewer = (world.officer, world.reviewer) if department_id == world.dept.id else (
        world.other_officer, world.other_reviewer)
    reply = replies.create_reply(officer, [letter.submission], body)
    replies.submit_reply(reply, actor=officer)
    replies.approve_reply(reply, reviewer=reviewer)
    db.session.commit()


def upload(name: str, data: bytes):
    return (io.BytesIO(data), name)


def letters() -> list[Letter]:
    return list(db.session.scalars(sa.select(Letter).order_by(Letter.id)))


def login_as(auth, user) -> None:
    """Log the test client in as ``user`` (forgetting the user cached in the shared app context's ``g``)."""
    auth.login(user)
    g.pop("_login_user", None)
