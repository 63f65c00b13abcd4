"""information requests' stored ID-number masks follow the one rule (the last 4 characters, every other one
``*``), re-masked from the encrypted full number wherever this app's keys open it

Open days already kept the last 4 characters; information requests kept the first 3 and the last 2. The mask
is derived from the full number, which is stored encrypted (``disclosure_requests.id_number_encrypted``,
consult/encryption.py), so the new mask can only be computed by decrypting it: migrations run under
``flask db upgrade`` inside the app (migrations/env.py), with the keys of ``CONSULT_ENCRYPTION_KEYS`` the app
itself needs to start. A row no configured key opens is left as it is (its old mask still hides the number)
and counted in a warning; so is every row when the SQL is only written out (``--sql``), which cannot decrypt.
Downgrading re-masks the same way with the old rule.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-03 08:30:00

"""
import logging
import re

from alembic import context, op
import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app


# revision identifiers, used by Alembic.
revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None

logger = logging.getLogger("alembic.runtime.migration")
BATCH = 500
requests = sa.table(
    'disclosure_requests',
    sa.column('submission_id', sa.Integer),
    sa.column('id_number_encrypted', sa.Text),
    sa.column('id_number_masked', sa.String),
)


def _normalized(number):
    return re.sub(r"[\s\-]", "", number or "").upper()


# The two rules as they are at this revision (a migration never follows later code).
def last_four(number):
    """From 0031 on (consult.contacts.mask_id_number): the last 4 characters, ``*`` for the others."""
    number = _normalized(number)
    return "*" * len(number) if len(number) <= 4 else "*" * (len(number) - 4) + number[-4:]


def first_three_last_two(number):
    """Before 0031 (information requests): the first 3 and the last 2 characters, ``*`` between."""
    number = _normalized(number)
    return "*" * len(number) if len(number) <= 5 else number[:3] + "*" * (len(number) - 5) + number[-2:]


def remask(rule):
    """Set every request's mask to ``rule(full number)`` where a configured key decrypts the number."""
    if context.is_offline_mode():
        logger.warning("0031: SQL written out cannot decrypt ID numbers: the stored masks are left as they are")
        return
    fernet = MultiFernet([Fernet(key) for key in current_app.config['CONSULT_ENCRYPTION_KEYS']])
    connection = op.get_bind()
    key, last, unreadable = requests.c.submission_id, None, 0
    while True:
        query = sa.select(key, requests.c.id_number_encrypted, requests.c.id_number_masked).order_by(key).limit(BATCH)
        rows = connection.execute(query if last is None else query.where(key > last)).all()
        if not rows:
            break
        for submission_id, token, masked in rows:
            try:
                number = fernet.decrypt(token.encode("ascii")).decode()
            except (InvalidToken, AttributeError, ValueError):  # no key opens it (or nothing stored)
                unreadable += 1
                continue
            if rule(number) != masked:
                connection.execute(requests.update().where(key == submission_id)
                                   .values(id_number_masked=rule(number)))
        last = rows[-1][0]
    if unreadable:
        logger.warning("0031: %d ID-number masks left as they were: no configured key decrypts their number",
                       unreadable)


def upgrade():
    remask(last_four)


def downgrade():
    remask(first_three_last_two)
