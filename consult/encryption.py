"""Personal numbers encrypted at rest: a database file or a backup alone never shows them.

* ``CONSULT_ENCRYPTION_KEYS`` holds Fernet keys (``cryptography``: AES-128-CBC with an HMAC-SHA256), comma-
  separated, newest first. New values are encrypted under the first; every key listed still decrypts.
* A column declared ``EncryptedText()`` stores the token; the ORM encrypts on write and decrypts on read,
  so code and templates use the plain value as before. Such a column cannot be searched or compared in
  SQL (each token is randomised); a lookup would need a keyed hash beside it. None needs one yet.
* Rotation: put a new key first, run ``flask --app consult rotate-keys`` (every value of every encrypted
  column is re-encrypted under it, batch by batch), then drop the old key.
* Without the setting Consult refuses to start, unless it runs for development: in debug mode, under test,
  or with the development ``SECRET_KEY``. Then it uses a key generated once into ``instance/encryption.key``
  (never committed), so a fresh checkout runs with one command.
"""

import os
import secrets
from collections.abc import Iterator

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import Flask, current_app

from consult.config import DEVELOPMENT_SECRET_KEY

SETTING = "CONSULT_ENCRYPTION_KEYS"
INSTANCE_KEY_FILE = "encryption.key"
_EXTENSION = "consult.encryption"


class EncryptionKeyError(RuntimeError):
    """The keys are missing or unusable: Consult must not start."""


def init_app(app: Flask) -> None:
    """Read the keys (or, for development, the instance key) and keep the cipher on the app."""
    keys = parse_keys(app.config.get(SETTING))
    if not keys:
        if not for_development(app):
            raise EncryptionKeyError(
                f"{SETTING} is not set. Consult encrypts personal numbers at rest and needs a key in production: "
                "generate one with python -c \"from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())\" and keep it safe (without it the data cannot be read).")
        keys = [instance_key(app.instance_path)]
    try:
        cipher = MultiFernet([Fernet(key) for key in keys])
    except ValueError as error:
        raise EncryptionKeyError(f"{SETTING}: each key must be a Fernet key (32 url-safe base64 bytes).") from error
    app.config[SETTING] = keys
    app.extensions[_EXTENSION] = cipher


def parse_keys(value) -> list[str]:
    """The keys of the setting, newest first: a comma-separated string or a list."""
    parts = value.split(",") if isinstance(value, str) else list(value or [])
    return [part.strip() for part in parts if part and part.strip()]


def for_development(app: Flask) -> bool:
    """Debug mode, tests, or the development secret key: a generated local key is acceptable."""
    return app.debug or app.testing or app.config.get("SECRET_KEY") == DEVELOPMENT_SECRET_KEY


def instance_key(instance_path: str) -> str:
    """The development key in ``instance/encryption.key``, made (readable by its owner only) on first use."""
    path = os.path.join(instance_path, INSTANCE_KEY_FILE)
    if not os.path.exists(path):
        os.makedirs(instance_path, exist_ok=True)
        draft = f"{path}.{secrets.token_hex(8)}"
        with open(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
            out.write(Fernet.generate_key().decode() + "\n")
        try:
            os.link(draft, path)  # atomic: when two workers start at once, the first key wins
        except FileExistsError:
            pass
        finally:
            os.remove(draft)
    with open(path) as key_file:
        return key_file.read().strip()


def cipher() -> MultiFernet:
    return current_app.extensions[_EXTENSION]


def encrypt(text: str) -> str:
    """The Fernet token of ``text`` under the newest key."""
    return cipher().encrypt(text.encode()).decode("ascii")


def decrypt(token: str) -> str:
    """The text of a token made under any configured key; EncryptionKeyError when none of them opens it."""
    try:
        return cipher().decrypt(token.encode("ascii")).decode()
    except InvalidToken as error:
        raise EncryptionKeyError(f"a stored value cannot be decrypted with the keys in {SETTING}") from error


class EncryptedText(sa.types.TypeDecorator):
    """Text stored as a Fernet token: encrypted on the way in, decrypted on the way out."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else encrypt(value)

    def process_result_value(self, value, dialect):
        return None if value is None else decrypt(value)


def encrypted_columns(metadata: sa.MetaData) -> list[sa.Column]:
    """Every column of the schema declared ``EncryptedText``."""
    return [column for table in metadata.sorted_tables for column in table.columns
            if isinstance(column.type, EncryptedText)]


def rotate(session, metadata: sa.MetaData, batch_size: int = 500) -> Iterator[int]:
    """Re-encrypt every stored token under the newest key, one batch at a time (yields each batch's size,
    after flushing it, so the caller can commit between batches)."""
    for column in encrypted_columns(metadata):
        table = column.table
        [key] = table.primary_key.columns
        raw = sa.type_coerce(column, sa.Text)
        last = None
        while True:
            stmt = sa.select(key, raw).where(column.isnot(None)).order_by(key).limit(batch_size)
            if last is not None:
                stmt = stmt.where(key > last)
            rows = session.execute(stmt).all()
            if not rows:
                break
            for row_key, token in rows:
                try:
                    fresh = cipher().rotate(token.encode("ascii")).decode("ascii")
                except InvalidToken as error:
                    raise EncryptionKeyError(f"{table.name} {row_key}: no key in {SETTING} opens it") from error
                session.execute(table.update().where(key == row_key).values({column: sa.literal(fresh, sa.Text)}))
            session.flush()
            last = rows[-1][0]
            yield len(rows)
