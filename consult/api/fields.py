"""Field types of the API's pydantic models, each carrying the JSON Schema the OpenAPI document shows.

Request text is checked as it was sent, exactly as the document describes it: at most ``max_length``
characters and a pattern that refuses control characters (a database cannot store NUL; tab, newline and
carriage return are fine) and, for required text, a value that is only white space. Text a database
cannot store at all (lone surrogates) is refused too. After the check the value is stripped for the
services. Patterns avoid ``\\d``, ``\\s`` and ``\\w``, whose meaning differs between regex engines.
"""

from datetime import date, datetime
from typing import Annotated

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BeforeValidator, Field, PlainSerializer, StringConstraints, WithJsonSchema
from pydantic_core import PydanticCustomError

from consult.localtime import as_utc

MAX_ID = 2**31 - 1  # the largest id a 32-bit INTEGER column holds (PostgreSQL refuses bigger values)

_CONTROL = "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f"
# What str.strip() removes, less the control characters already refused.
_SPACE = " \\t\\n\\r\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
TEXT_PATTERN = f"^[^{_CONTROL}]*$"
REQUIRED_TEXT_PATTERN = f"^[^{_CONTROL}]*[^{_CONTROL}{_SPACE}][^{_CONTROL}]*$"

# Mainland China numbers, as the mailbox's phone normaliser reads them: a mobile (optionally +86/0086/86)
# or a landline with its area code (optionally in brackets) and an extension; spaces or hyphens between.
_AREA = "(?:010|02[0-9]|0[3-9][0-9]{2})"
PHONE_PATTERN = (
    "^(?:(?:\\+|00)?86[ -]?)?1[3-9][0-9](?:[ -]?[0-9]){8}$"
    f"|^(?:\\({_AREA}\\) ?|{_AREA}[ -]?)[0-9](?:[ -]?[0-9]){{6,7}}(?:(?:ext|EXT|x|X|#|转)[0-9]{{1,6}})?$"
)
# Plain ASCII addresses (local part ≤ 64 characters, labels ≤ 62) that the e-mail check always accepts.
_LABEL = "[A-Za-z0-9]{1,20}(?:-[A-Za-z0-9]{1,20}){0,2}"
EMAIL_PATTERN = (
    f"^[A-Za-z0-9_%+-]{{1,30}}(?:\\.[A-Za-z0-9_%+-]{{1,16}}){{0,2}}@{_LABEL}(?:\\.{_LABEL}){{0,3}}\\.[A-Za-z]{{2,24}}$"
)
EMAIL_MAX = 254
PHONE_OR_NONE, EMAIL_OR_NONE = f"^$|{PHONE_PATTERN}", f"^$|{EMAIL_PATTERN}"  # contact details are optional


def _whole_number(value):
    """JSON Schema counts 3.0 as an integer: accept it as 3 (and nothing else that is not an int)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _deliverable_email(value: str) -> str:
    """The address, if the e-mail check the services use accepts it (special-use domains such as .test do not)."""
    if not value:
        return value
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        raise PydanticCustomError("email", "not a valid e-mail address") from None
    return value


def text(max_length: int, *, required: bool = False):
    """A string of at most ``max_length`` characters; ``required`` text must hold more than white space."""
    pattern = REQUIRED_TEXT_PATTERN if required else TEXT_PATTERN
    return Annotated[str, StringConstraints(max_length=max_length, pattern=pattern), AfterValidator(str.strip)]


def whole_number(minimum: int = 1, maximum: int = MAX_ID):
    """An integer from ``minimum`` to ``maximum`` (3.0 counts, as in JSON Schema; true and "3" do not)."""
    return Annotated[int, Field(ge=minimum, le=maximum), BeforeValidator(_whole_number)]


Id = whole_number()
# Contact details are optional one by one: empty (or null) means "none".
Phone = Annotated[str, StringConstraints(max_length=32, pattern=PHONE_OR_NONE), AfterValidator(str.strip),
                  Field(description="A mainland China mobile or landline number, e.g. 13800138000 or 0571-87654321.")]
Email = Annotated[str, StringConstraints(max_length=EMAIL_MAX, pattern=EMAIL_OR_NONE),
                  AfterValidator(_deliverable_email),
                  Field(description="An e-mail address (addresses in special-use domains such as .test are refused).")]

# --- responses ------------------------------------------------------------------------------------------

Moment = Annotated[datetime, PlainSerializer(lambda moment: as_utc(moment).isoformat(), return_type=str),
                   WithJsonSchema({"type": "string", "format": "date-time"})]
Day = Annotated[date, WithJsonSchema({"type": "string", "format": "date"})]
Url = Annotated[str, WithJsonSchema({"type": "string", "format": "uri"})]
