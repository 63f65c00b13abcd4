"""Applicants' ID numbers are encrypted at rest: the database (and so every backup) holds only tokens, the
handling department still reads the number, keys rotate, and a production start without a key fails."""

import os
import stat
import uuid

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from tests.disclosure_support import RESIDENT_ID_NUMBER, file_request, person
from flask import Flask
from flask_migrate import downgrade, upgrade

from consult import create_app, encryption
from consult.accounts.models import Department
from consult.disclosure.models import DisclosureRequest
from consult.extensions import db
from tests.conftest import PG_URL, _pg_url


def _stored_rows() -> list[tuple]:
    """disclosure_requests as the database holds it (what a backup or a stolen copy shows)."""
    return [tuple(row) for row in db.session.execute(sa.text("SELECT * FROM disclosure_requests")).all()]


def test_the_database_holds_only_a_token_and_the_department_reads_the_number(world):
    found = file_request(world, applicant=person(id_number="110105 19491231 002x")).request
    db.session.expire_all()
    assert db.session.get(DisclosureRequest, found.submission_id).id_number == RESIDENT_ID_NUMBER
    [row] = _stored_rows()
    assert not any(RESIDENT_ID_NUMBER in str(value) or "194912" in str(value) for value in row)
    token = db.session.scalar(sa.text("SELECT id_number_encrypted FROM disclosure_requests"))
    assert encryption.decrypt(token) == RESIDENT_ID_NUMBER
    assert db.session.get(DisclosureRequest, found.submission_id).id_number_masked == "**************002X"


def test_rotating_keys_re_encrypts_every_number_under_the_new_key(app, world, runner):
    old_key = app.config["CONSULT_ENCRYPTION_KEYS"][0]
    ids = [file_request(world, applicant=person(name=f"申请人{n}")).request.submission_id for n in range(3)]
    new_key = Fernet.generate_key().decode()
    app.config["CONSULT_ENCRYPTION_KEYS"] = f"{new_key}, {old_key}"
    encryption.init_app(app)
    db.session.expire_all()
    assert db.session.get(DisclosureRequest, ids[0]).id_number == RESIDENT_ID_NUMBER  # the old key still reads

    result = runner.invoke(args=["rotate-keys"])
    assert result.exit_code == 0 and "Re-encrypted 3 values" in result.output
    tokens = db.session.scalars(sa.text("SELECT id_number_encrypted FROM disclosure_requests")).all()
    assert {Fernet(new_key).decrypt(token.encode()).decode() for token in tokens} == {RESIDENT_ID_NUMBER}
    app.config["CONSULT_ENCRYPTION_KEYS"] = new_key  # the old key can now go
    encryption.init_app(app)
    db.session.expire_all()
    assert [db.session.get(DisclosureRequest, i).id_number for i in ids] == [RESIDENT_ID_NUMBER] * 3


def test_a_number_no_configured_key_opens_is_a_clear_error_not_garbage(app, world):
    found = file_request(world).request
    app.config["CONSULT_ENCRYPTION_KEYS"] = Fernet.generate_key().decode()
    encryption.init_app(app)
    db.session.expire_all()
    with pytest.raises(encryption.EncryptionKeyError):
        db.session.get(DisclosureRequest, found.submission_id)


def _bare_app(tmp_path, **config) -> Flask:
    app = Flask("consult_keys_test", instance_path=str(tmp_path / "instance"))
    app.config.update(config)
    return app


def test_production_without_a_key_refuses_to_start(tmp_path, monkeypatch):
    monkeypatch.delenv("CONSULT_ENCRYPTION_KEYS", raising=False)
    with pytest.raises(encryption.EncryptionKeyError, match="CONSULT_ENCRYPTION_KEYS is not set"):
        create_app({"SECRET_KEY": "a-real-production-secret", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with pytest.raises(encryption.EncryptionKeyError, match="Fernet key"):
        encryption.init_app(_bare_app(tmp_path, SECRET_KEY="x", CONSULT_ENCRYPTION_KEYS="not-a-key"))
    assert not (tmp_path / "instance").exists()


def test_development_gets_one_private_key_kept_in_the_instance_folder(tmp_path):
    first = _bare_app(tmp_path, SECRET_KEY="dev-only-change-me")
    encryption.init_app(first)
    key_file = tmp_path / "instance" / encryption.INSTANCE_KEY_FILE
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    second = _bare_app(tmp_path, SECRET_KEY="dev-only-change-me")
    encryption.init_app(second)
    assert first.config["CONSULT_ENCRYPTION_KEYS"] == second.config["CONSULT_ENCRYPTION_KEYS"] == [
        key_file.read_text().strip()]
    assert os.listdir(tmp_path / "instance") == [encryption.INSTANCE_KEY_FILE]  # no draft left behind


@pytest.fixture
def migrated_url(backend, tmp_path):
    if backend.name == "sqlite":
        yield f"sqlite:///{tmp_path}/keys.sqlite3"
        return
    schema = f"k_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    yield _pg_url(schema)
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


def test_the_migration_encrypts_existing_numbers_and_its_downgrade_restores_them(migrated_url, backend):
    app = create_app(backend.config(SQLALCHEMY_DATABASE_URI=migrated_url))
    with app.test_request_context("/"):
        upgrade()
        department = Department(code="SFJ", name="县司法局", name_en="Justice", contact_email="sfj@example.org")
        db.session.add(department)
        db.session.commit()
        file_request(None, department=department, applicant=person())
        db.session.remove()  # hold no lock while the schema changes
        downgrade(revision="0003")
        clear = db.session.execute(sa.text("SELECT id_number FROM disclosure_requests")).scalar_one()
        assert clear == RESIDENT_ID_NUMBER
        db.session.remove()
        upgrade()
        assert RESIDENT_ID_NUMBER not in str(_stored_rows())
        db.session.expire_all()
        assert db.session.scalars(sa.select(DisclosureRequest)).one().id_number == RESIDENT_ID_NUMBER
        db.session.remove()
        db.engine.dispose()
