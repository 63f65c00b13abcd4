"""Shared set-up for the information-request tests: filing a request through the real service."""

import itertools
from datetime import UTC, datetime

import pytest

from consult.disclosure.models import CREDIT_CODE, ELECTRONIC, ONLINE, RESIDENT_ID
from consult.disclosure.services import Applicant, record_outcome, submit_request
from consult.extensions import db
from consult.tracking import actions, replies
from tests.tracking_support import local
from tests.world_support import World

RESIDENT_ID_NUMBER = "11010519491231002X"  # check character right (GB 11643)
CREDIT_CODE_NUMBER = "91350100M000100Y43"  # check character right (GB 32100)
_tokens = itertools.count(1)


def person(**fields) -> Applicant:
    values = dict(applicant_type="natural_person", name="张三", id_type=RESIDENT_ID, id_number=RESIDENT_ID_NUMBER,
                  phone="13800138000", email="zhang@example.org")
    values.update(fields)
    return Applicant(**values)


def organisation(applicant_type: str = "commercial", **fields) -> Applicant:
    values = dict(applicant_type=applicant_type, name="某某科技有限公司", id_type=CREDIT_CODE,
                  id_number=CREDIT_CODE_NUMBER, contact_person="李四", email="org@example.org")
    values.update(fields)
    return Applicant(**values)


def file_request(world: World, *, received_at: datetime | None = None, applicant: Applicant | None = None,
                 department=None, commit: bool = True, **fields):
    """Submit a request (default: a natural person, received 10 November 2025) and commit; returns the receipt."""
    fields.setdefault("subject", "2025年部门预算")
    fields.setdefault("description", "请公开贵局2025年部门预算及其说明。")
    fields.setdefault("preferred_format", ELECTRONIC)
    fields.setdefault("delivery", ONLINE)
    fields.setdefault("form_token", f"test-form-token-{next(_tokens):06d}")
    receipt = submit_request(
        department or world.dept, applicant or person(), received_at=received_at or local(2025, 11, 10),
        locale="en", **fields,
    )
    if commit:
        db.session.commit()
    return receipt


def answer_request(world, found, category, reason, at: datetime):
    """Record ``category`` as the outcome of request ``found`` and approve it, dated ``at``."""
    reply = record_outcome(found, actor=world.officer, category=category, reason=reason, answer="答复如下。")
    replies.approve_reply(reply, reviewer=world.reviewer)
    found.submission.answered_at = at  # the services stamp "now": place the answer on its test date


def dismiss_request(world, found, at: datetime):
    """Dismiss request ``found`` without an outcome, dated ``at``."""
    actions.dismiss_submission(found.submission, actor=world.officer, reason="重复提交。")
    found.submission.answered_at = at


@pytest.fixture
def requests_2024_to_2026(world):
    """Eight requests around 2025 (see each comment); returns them by letter."""
    made = {
        # A: received on New Year's Eve 2024, answered in January 2025.
        "A": file_request(world, received_at=local(2024, 12, 31, 23)).request,
        # B: 00:30 on 1 January 2025 in Shanghai is still 2024 in UTC: it is new in 2025.
        "B": file_request(world, received_at=datetime(2024, 12, 31, 16, 30, tzinfo=UTC),
                          applicant=organisation("commercial")).request,
        "C": file_request(world, received_at=local(2025, 6, 1), applicant=organisation("research")).request,
        # D: received in December 2025, answered at 00:30 on 1 January 2026 local time.
        "D": file_request(world, received_at=local(2025, 12, 20), applicant=organisation("legal_service")).request,
        "E": file_request(world, received_at=local(2025, 7, 1)).request,  # still open
        "F": file_request(world, received_at=local(2024, 5, 1)).request,  # finished in 2024
        "G": file_request(world, received_at=local(2025, 8, 1), applicant=organisation("social_welfare")).request,
        "H": file_request(world, received_at=local(2025, 2, 1), department=world.other_dept).request,
    }
    answer_request(world, made["A"], "disclosed", None, local(2025, 1, 5))
    answer_request(world, made["B"], "withheld", "state_secret", local(2025, 3, 1))
    answer_request(world, made["C"], "partly", None, local(2025, 6, 20))
    answer_request(world, made["D"], "unavailable", "not_held", datetime(2025, 12, 31, 16, 30, tzinfo=UTC))
    answer_request(world, made["F"], "not_processed", "repeated", local(2024, 6, 1))
    dismiss_request(world, made["G"], local(2025, 8, 5))  # dismissed without an outcome: counted under 其他
    db.session.commit()
    return made
