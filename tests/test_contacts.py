"""Contact details: phone numbers and addresses normalised, names and identity numbers masked the one way
each, and personal data redacted from public text — exactly the personal data, never the Chinese text around it."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consult.contacts import (
    REDACTED, mask_id_number, mask_name, normalize_email, normalize_phone, phone_key, redact_html, redact_text,
)  # fmt: skip


@pytest.mark.parametrize("raw, normalised", [
    ("13800138000", "13800138000"), ("+86 138 0013 8000", "13800138000"), ("0086-138-0013-8000", "13800138000"),
    ("138-0013-8000", "13800138000"), ("(0571) 8765 4321", "0571-87654321"), ("010-12345678", "010-12345678"),
    ("１３８００１３８０００", "13800138000"), ("", ""), ("12800138000", None), ("1380013800", None),
    ("+1 415 555 0100", None), ("abc", None),
])
def test_chinese_phone_numbers_are_accepted_and_normalised(raw, normalised):
    assert normalize_phone(raw) == normalised


@pytest.mark.parametrize("raw, key", [
    ("+86 138-0013-8000", "13800138000"), ("0086 13800138000", "13800138000"), ("(0571) 8765 4321", "057187654321"),
    ("+1 415 555 0100", "14155550100"), ("", None), ("none", None),
])
def test_a_phone_key_matches_the_same_number_however_it_was_typed(raw, key):
    assert phone_key(raw) == key


@pytest.mark.parametrize("raw, normalised", [
    ("  Li.Wei@Example.ORG ", "li.wei@example.org"), ("", ""), ("not-an-address", None), ("a@b", None),
])
def test_email_addresses_are_checked_and_lower_cased(raw, normalised):
    assert normalize_email(raw) == normalised


@pytest.mark.parametrize("name, masked", [
    ("张三", "张*"), ("张三丰", "张**"), ("欧阳娜娜", "欧阳**"), ("欧阳修", "欧阳*"), ("李", "李*"),
    ("Li Wei", "L***"), ("", ""), ("a@b.cn", ""),
])
def test_names_are_masked(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize("number, masked", [
    ("11010519491231002X", "**************002X"), ("110105 19491231 002x", "**************002X"),
    ("110105-1949-1231-002X", "**************002X"), ("91110000600037341L", "**************341L"),
    ("E12345678", "*****5678"), ("12345", "*2345"), ("1234", "****"), ("", ""), (None, ""),
])
def test_identity_numbers_keep_the_last_four_characters_and_never_show_a_whole_number(number, masked):
    """The one rule for open days and information requests: what staff compare at the door, nothing more."""
    assert mask_id_number(number) == masked


def test_personal_data_is_redacted_from_text():
    text = "我是张三，电话 138 0013 8000，座机0571-87654321，邮箱zs@example.org，身份证110101199003074518。"
    redacted = redact_text(text, name="张三", phone="13800138000", email="zs@example.org")
    assert redacted == "我是张*，电话 ***，座机***，邮箱***，身份证***。"


def test_an_address_next_to_chinese_text_takes_nothing_with_it():
    subject = "请联系我13912345678或a@b.org 身份证110101199003074518，谢谢"
    assert redact_text(subject) == "请联系我***或*** 身份证***，谢谢"
    assert redact_text("邮箱是li.wei+box@mail.example.gov.cn。欢迎来信") == "邮箱是***。欢迎来信"


def test_numbers_typed_with_a_chinese_input_method_are_redacted_too():
    assert redact_text("手机＋86 １３９１２３４５６７８，座机（0571）87654321转123。") == "手机***，座机***。"


def test_the_writers_own_number_is_found_however_it_was_spaced():
    text = "打 138 . 0013 . 8000 找我"
    assert redact_text(text) == text  # not a form the general patterns know
    assert redact_text(text, phone="13800138000") == "打 *** 找我"


def test_numbers_that_are_not_personal_data_stay():
    text = "第3条第2款：2026年11月29日前，补贴由1,000元提高到12000元，热线12345，文号〔2026〕15号。"
    assert redact_text(text) == text


def test_reply_html_is_redacted_and_stays_safe():
    html = "<p>张三先生：您的来信（zs@example.org，13800138000）已收悉。</p><p>&lt;b&gt;</p>"
    redacted = redact_html(html, name="张三", phone="13800138000", email="zs@example.org")
    assert str(redacted) == "<p>张*先生：您的来信（***，***）已收悉。</p><p>&lt;b&gt;</p>"


# --- properties: whatever surrounds personal data is left exactly as written -----------------------------

CHINESE_CHARACTERS = st.one_of(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
                               st.sampled_from("，。、；：？！“”（）《》"))
CHINESE = st.text(alphabet=st.one_of(CHINESE_CHARACTERS, st.just(" ")), max_size=20)
# Between two numbers at least one Chinese character: digits that touch are one number.
WORDS = st.text(alphabet=CHINESE_CHARACTERS, min_size=1, max_size=20)
DIGITS = "0123456789"


def _digits(n: int, first: str = DIGITS):
    return st.tuples(st.sampled_from(first), st.text(alphabet=DIGITS, min_size=n - 1, max_size=n - 1)).map("".join)


@st.composite
def mobiles(draw) -> str:
    number = "1" + draw(st.sampled_from("3456789")) + draw(_digits(9))
    spacing = draw(st.sampled_from(["", " ", "-"]))
    prefix = draw(st.sampled_from(["", "+86 ", "0086-", "86"]))
    return prefix + spacing.join((number[:3], number[3:7], number[7:]))


@st.composite
def landlines(draw) -> str:
    area = draw(st.sampled_from(["010", "021", "0571", "0755", "0898"]))
    number = draw(st.one_of(_digits(7, "123456789"), _digits(8, "123456789")))
    extension = draw(st.sampled_from(["", "转123", "#8"]))
    return area + draw(st.sampled_from(["", "-", " "])) + number + extension


@st.composite
def emails(draw) -> str:
    word = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8)
    local = draw(word) + draw(st.sampled_from(["", ".", "_", "+", "-"])) + draw(word)
    domain = ".".join(draw(st.lists(word, min_size=1, max_size=3)))
    return f"{local}@{domain}.{draw(st.sampled_from(['cn', 'org', 'gov.cn', 'com']))}"


@st.composite
def id_cards(draw) -> str:
    return draw(_digits(6, "123456789")) + "19900307" + draw(_digits(3)) + draw(st.sampled_from("0123456789X"))


PERSONAL_DATA = st.one_of(mobiles(), landlines(), emails(), id_cards())


@settings(max_examples=300, deadline=None)
@given(before=CHINESE, secret=PERSONAL_DATA, after=CHINESE)
def test_redaction_replaces_exactly_the_personal_data(before, secret, after):
    assert redact_text(before + secret + after) == before + REDACTED + after


@settings(max_examples=200, deadline=None)
@given(parts=st.lists(st.tuples(WORDS, PERSONAL_DATA), min_size=1, max_size=4), tail=CHINESE)
def test_several_pieces_of_personal_data_leave_every_word_between_them(parts, tail):
    text = "".join(words + secret for words, secret in parts) + tail
    expected = "".join(words + REDACTED for words, _secret in parts) + tail
    assert redact_text(text) == expected


@settings(max_examples=200, deadline=None)
@given(text=st.lists(st.tuples(WORDS, st.integers(0, 999_999).map(str)), max_size=6).map(
    lambda parts: "".join(words + number for words, number in parts)))
def test_chinese_text_with_ordinary_numbers_is_never_changed(text):
    assert redact_text(text) == text


NAME_CHARACTERS = "张王李赵欧阳娜明华伟芳"


@settings(max_examples=200, deadline=None)
@given(before=CHINESE.filter(lambda t: not set(t) & set(NAME_CHARACTERS)),
       name=st.text(alphabet=NAME_CHARACTERS, min_size=2, max_size=4),
       after=CHINESE.filter(lambda t: not set(t) & set(NAME_CHARACTERS)))
def test_the_writers_name_is_masked_and_nothing_around_it_changes(before, name, after):
    assert redact_text(before + name + after, name=name) == before + mask_name(name) + after
