"""Property-based fuzzing (hypothesis) of the validators behind the API and the forms, the zip inspector,
the export writer and the id helpers: whatever arrives, the answer is cleaned values that respect every rule,
a field-level error in the user's language (never one of pydantic's own English messages), or a refusal of the
kind the caller handles — never a crash. None of these touches the database, so each runs once, not once per
backend."""

import csv
import io
import re
import zipfile

import pytest
from email_validator import validate_email
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from pydantic import ValidationError
from werkzeug.exceptions import NotFound

from consult import create_app, exports
from consult.api import fields
from consult.api.drafts import CommentCreate
from consult.api.events import RegistrationCreate
from consult.api.letters import LetterCreate
from consult.api.office import ReplyCreate, TransferCreate
from consult.api.validation import MAX_DEPTH, field_errors, nesting_depth
from consult.archives import ArchiveRefused, SafeArchive
from consult.domain import DomainError
from consult.contacts import normalize_phone
from consult.mailbox.models import CATEGORIES, Mailbox
from consult.pagination import InvalidCursor, decode_cursor, encode_cursor
from consult.urls import MAX_ID, int_arg
from tests.hostile_payloads import DEEP_JSON, FORMULAS, FORMULA_PREFIXES, TEXT_PAYLOADS, ZIP_BOMBS, zip_bomb

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
BODIES = [LetterCreate, CommentCreate, RegistrationCreate, ReplyCreate, TransferCreate]
PYDANTIC_WORDS = re.compile(r"Input should|String should|Value error|Field required|Extra inputs")
CJK = re.compile(r"[\u4e00-\u9fff]")

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


def _body_data(model):
    names = list(model.model_fields) + ["unexpected"]
    return st.one_of(st.dictionaries(st.sampled_from(names), json_values, max_size=len(names)), json_values)


@pytest.mark.parametrize("model", BODIES, ids=lambda m: m.__name__)
def test_api_bodies_clean_or_refuse_by_field_in_the_users_language(plain_app, model):
    @FUZZ
    @given(data=_body_data(model), language=st.sampled_from(["zh-CN", "en"]))
    def check(data, language):
        with plain_app.test_request_context("/api/v1/", headers={"Accept-Language": language}):
            try:
                values = model.model_validate(data)
            except ValidationError as failure:
                errors = field_errors(failure, model)
                sent = set(data) if isinstance(data, dict) else set()
                assert errors and set(errors) <= set(model.model_fields) | sent | {""}
                messages = [m for ms in errors.values() for m in ms]
                assert all(isinstance(m, str) and m and not PYDANTIC_WORDS.search(m) for m in messages)
                assert language == "en" or all(CJK.search(m) for m in messages), messages
                return
        for name, value in values.model_dump().items():
            if isinstance(value, str):
                assert value == value.strip() and not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", value)
                value.encode("utf-8")  # storable: no lone surrogates

    check()


@FUZZ
@given(phone=st.from_regex(fields.PHONE_PATTERN, fullmatch=True))
def test_every_phone_the_api_describes_is_one_the_mailbox_accepts(phone):
    assert normalize_phone(phone)


@FUZZ
@given(email=st.from_regex(fields.EMAIL_PATTERN, fullmatch=True).filter(lambda e: len(e) <= fields.EMAIL_MAX))
def test_every_email_the_api_describes_is_one_the_services_accept(email):
    try:
        validate_email(email, check_deliverability=False)
    except ValueError:
        assert email.rsplit(".", 1)[1].lower() in ("arpa", "invalid", "local", "localhost", "onion", "test")


@pytest.mark.parametrize("raw", DEEP_JSON, ids=lambda raw: f"{len(raw)}-bytes")
def test_deep_json_is_measured_without_parsing(raw):
    assert nesting_depth(raw) > MAX_DEPTH


@FUZZ
@given(value=json_values)
def test_nesting_depth_is_the_depth_of_the_parsed_value(value):
    import json

    def depth(item):
        if isinstance(item, dict):
            return 1 + max(map(depth, item.values()), default=0)
        if isinstance(item, list):
            return 1 + max(map(depth, item), default=0)
        return 0

    assert nesting_depth(json.dumps(value).encode()) == depth(value)


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


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types>wordprocessingml.document.main+xml</Types>")
        archive.writestr("word/document.xml", "<w:body>" + "第一条 政务公开。" * 200 + "</w:body>")
    return buffer.getvalue()


DOCX = _docx()
ARCHIVES = st.one_of(
    st.binary(max_size=400).map(lambda tail: b"PK\x03\x04" + tail),
    st.lists(st.tuples(st.integers(0, len(DOCX) - 1), st.integers(0, 255)), min_size=1, max_size=6).map(
        lambda flips: bytes(b if i not in dict(flips) else dict(flips)[i] for i, b in enumerate(DOCX))),
    st.tuples(st.sampled_from(ZIP_BOMBS[:5]), st.integers(0, 2000), st.integers(0, 255)).map(
        lambda bomb: (lambda data: data[:bomb[1]] + bytes([bomb[2]]) + data[bomb[1] + 1:])(zip_bomb(bomb[0]))),
)


@FUZZ
@given(data=ARCHIVES)
def test_any_zip_opens_within_its_budget_or_is_refused(data):
    """Damaged, truncated or hostile archives: read within the limits, or ArchiveRefused — nothing else."""
    try:
        with SafeArchive(data) as archive:
            archive.verify()
            for name in archive.names():
                assert len(archive.read(name)) <= archive.limits.max_member_bytes
    except ArchiveRefused:
        pass


cells = st.one_of(st.text(max_size=40), st.sampled_from(FORMULAS + TEXT_PAYLOADS), st.integers(), st.none(),
                  st.floats(allow_nan=False, allow_infinity=False))


@FUZZ
@given(rows=st.lists(st.lists(cells, min_size=1, max_size=4), max_size=5))
def test_no_csv_cell_can_run_and_each_keeps_what_was_typed(rows):
    text = exports.csv_text(rows)
    parsed = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    assert len(parsed) == len(rows)
    for row, back in zip(rows, parsed):
        for value, cell in zip(row, back):
            if isinstance(value, (int, float)):  # a number, negative ones too, is a number, not a formula
                assert cell == str(value) and type(value)(cell) == value  # an int past 2**53 is no float
                continue
            assert not cell.startswith(FORMULA_PREFIXES)
            typed = "" if value is None else value
            assert cell == typed or (cell == "'" + typed and typed.startswith(FORMULA_PREFIXES))


@settings(max_examples=40, deadline=None)
@given(values=st.lists(cells, min_size=1, max_size=6))
def test_no_xlsx_cell_is_a_formula_and_text_stays_text(values):
    book = exports.workbook()
    exports.append_row(book.active, values)
    sheet = load_workbook(io.BytesIO(exports.workbook_bytes(book))).active
    for value, cell in zip(values, next(sheet.iter_rows(max_col=len(values)))):
        assert cell.data_type != "f"
        if isinstance(value, str) and exports.xlsx_cell(value):
            assert cell.data_type == "s"


@FUZZ
@given(raw=st.one_of(st.text(max_size=30), st.integers().map(str), st.sampled_from(["", " 7 ", "-0", "١٢", "9" * 5000])))
def test_query_string_ids_are_a_number_in_range_nothing_or_404(plain_app, raw):
    with plain_app.test_request_context("/", query_string={"id": raw}):
        try:
            value = int_arg("id")
        except NotFound:
            assert raw.strip().lstrip("-").isdigit()
            return
    assert value is None or 0 <= value <= MAX_ID
