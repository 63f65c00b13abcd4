"""Property-based fuzzing (hypothesis) of the validators behind the API and the forms: whatever arrives,
the answer is cleaned values that respect every rule, or a field-level error — never a crash."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consult import create_app
from consult.api.drafts import COMMENT_BODY
from consult.api.events import REGISTRATION_BODY
from consult.api.letters import LETTER_BODY
from consult.api.office import REPLY_BODY, TRANSFER_BODY
from consult.api.validation import Integer, String, ValidationFailed, storable_text
from consult.domain import DomainError
from consult.mailbox.models import CATEGORIES, Mailbox
from consult.pagination import InvalidCursor, decode_cursor, encode_cursor
from hostile_payloads import TEXT_PAYLOADS

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
BODIES = [LETTER_BODY, COMMENT_BODY, REGISTRATION_BODY, REPLY_BODY, TRANSFER_BODY]

text = st.one_of(st.text(max_size=300), st.sampled_from(TEXT_PAYLOADS), st.text(alphabet=st.characters(
    min_codepoint=0, max_codepoint=0x10FFFF), max_size=50))
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), text),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=6,
)


@pytest.fixture(scope="module")
def plain_app():
    """An app for translated messages only (these validators never touch the database)."""
    return create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def _body_data(body):
    names = list(body.fields) + ["unexpected"]
    return st.one_of(st.dictionaries(st.sampled_from(names), json_values, max_size=len(names)), json_values)


@pytest.mark.parametrize("body", BODIES, ids=lambda b: b.name)
def test_api_bodies_clean_or_refuse_by_field(plain_app, body):
    @FUZZ
    @given(data=_body_data(body))
    def check(data):
        with plain_app.test_request_context("/"):
            try:
                values = body.validate(data)
            except ValidationFailed as failure:
                assert failure.errors and set(failure.errors) <= set(body.fields) | {""}
                assert all(isinstance(m, str) and m for ms in failure.errors.values() for m in ms)
                return
        assert set(values) == set(body.fields)
        for name, declared in body.fields.items():
            value = values[name]
            if isinstance(declared, String):
                assert isinstance(value, str) and storable_text(value)
                assert declared.max_length is None or len(value) <= declared.max_length
                assert declared.enum is None or value in declared.enum or value == ""
            if isinstance(declared, Integer) and value is not None:
                assert isinstance(value, int) and not isinstance(value, bool)

    check()


def test_letter_rules_clean_or_refuse_with_a_field(plain_app):
    mailbox = Mailbox(name="县长信箱", categories=list(CATEGORIES), active=True, allow_publication=True)
    from consult.mailbox.services import BODY_MAX, NAME_MAX, SUBJECT_MAX, check_letter

    @FUZZ
    @given(category=st.one_of(st.sampled_from(CATEGORIES), text), subject=text, body=text, name=text,
           phone=st.one_of(text, st.from_regex(r"\+?(86)?1[3-9]\d{9}", fullmatch=True)), email=text,
           public=st.booleans())
    def check(category, subject, body, name, phone, email, public):
        with plain_app.test_request_context("/"):
            try:
                letter = check_letter(mailbox, category=category, subject=subject, body=body, name=name, phone=phone,
                                      email=email, public=public)
            except DomainError as error:
                assert set(error.errors) <= {"category", "subject", "body", "name", "phone", "email", "public"}
                assert error.field in error.errors
                return
        s, b, n, p, e = letter.subject, letter.body, letter.name, letter.phone, letter.email
        assert 0 < len(s) <= SUBJECT_MAX and 0 < len(b) <= BODY_MAX and 0 < len(n) <= NAME_MAX
        assert p or e
        assert not (public and category == "report")

    check()


@FUZZ
@given(raw=st.one_of(st.text(max_size=80), st.binary(max_size=60).map(lambda b: b.decode("latin-1"))))
def test_cursors_decode_or_are_refused(raw):
    try:
        values = decode_cursor(raw, 1)
    except InvalidCursor:
        return
    assert len(values) == 1 and not isinstance(values[0], (dict, list))


@FUZZ
@given(values=st.lists(st.one_of(st.integers(), st.text(max_size=20), st.dates(), st.datetimes()), min_size=1,
                       max_size=3))
def test_cursors_round_trip(values):
    assert decode_cursor(encode_cursor(values), len(values)) == values
