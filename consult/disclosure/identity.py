"""Identity numbers of applicants checked: resident ID cards and unified social credit codes carry a check
character. Normalising and masking them is consult.contacts' (``normalize_id_number``, ``mask_id_number``)."""

import re

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, S, V, Z
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def valid_resident_id(number: str) -> bool:
    """An 18-character PRC resident ID number whose check character (GB 11643) is right."""
    if not re.fullmatch(r"\d{17}[\dX]", number):
        return False
    total = sum(int(digit) * weight for digit, weight in zip(number[:17], _ID_WEIGHTS))
    return _ID_CHECK[total % 11] == number[17]


def valid_credit_code(code: str) -> bool:
    """An 18-character unified social credit code whose check character (GB 32100) is right."""
    if len(code) != 18 or any(char not in _CREDIT_ALPHABET for char in code):
        return False
    total = sum(_CREDIT_ALPHABET.index(char) * weight for char, weight in zip(code[:17], _CREDIT_WEIGHTS))
    return _CREDIT_ALPHABET[(31 - total % 31) % 31] == code[17]

