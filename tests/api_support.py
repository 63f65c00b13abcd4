"""Shared set-up for the API tests: the tracking world (two departments with staff), mailboxes, an open
draft, an open day, and helpers to call the API with JSON and bearer tokens."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa
from tests.mailbox_support import Boxes
from tests.world_support import World

from consult.accounts.models import User
from consult.api import tokens
from consult.database import utcnow
from consult.events.models import Event
from consult.extensions import db
from consult.notify.models import OutboxMessage
from tests.drafts_support import make_draft

API = "/api/v1"


@dataclass
class ApiWorld:
    world: World
    boxes: Boxes
    draft_id: int
    event_id: int


def letter_json(mailbox_id: int, **overrides) -> dict:
    data = {
        "mailbox_id": mailbox_id, "category": "complaint", "subject": "小区噪音扰民",
        "body": "小区旁边的工地每天晚上十点后仍在施工，严重影响休息。", "name": "欧阳娜娜",
        "phone": "+86 138 0013 8000", "email": "ouyang.nana@example.org", "public": False,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def make_event(department_id: int, **fields) -> int:
    now = utcnow()
    values = dict(
        title="县司法局政务开放日", description="欢迎参加。", department_id=department_id, venue="县公共法律服务中心",
        address="人民路 88 号", starts_at=now + timedelta(days=5), ends_at=now + timedelta(days=5, hours=2),
        registration_opens_at=now - timedelta(days=1), registration_closes_at=now + timedelta(days=4),
        capacity=1, mode="first_come", require_phone=True, require_email=True,
    )
    values.update(fields)
    event = Event(**values)
    db.session.add(event)
    db.session.commit()
    return event.id


@pytest.fixture
def api_world(world, boxes) -> ApiWorld:
    draft_id = make_draft(world)
    return ApiWorld(world, boxes, draft_id, make_event(world.dept.id))


def token_for(user: User, **options) -> str:
    """A committed API token for ``user``; returns the secret."""
    _token, secret = tokens.create_token(db.session.get(User, user.id), "test", **options)
    db.session.commit()
    return secret


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def outbox(template: str | None = None) -> list[OutboxMessage]:
    stmt = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    if template:
        stmt = stmt.where(OutboxMessage.template == template)
    return list(db.session.scalars(stmt))


def is_problem(response, status: int) -> bool:
    body = response.get_json(force=True, silent=True) or {}
    return (response.status_code == status and response.mimetype == "application/problem+json"
            and body.get("status") == status and "title" in body)
