"""Shared set-up for the information-request tests: filing a request through the real service."""

import itertools
from datetime import datetime

from consult.disclosure.models import CREDIT_CODE, ELECTRONIC, ONLINE, RESIDENT_ID
from consult.disclosure.services import Applicant, submit_request
from consult.extensions import db
from tests.tracking_support import World, local

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
