"""A small declarative validator for JSON bodies that also describes itself as JSON Schema.

One declaration serves both the check and the OpenAPI document, so they cannot drift::

    LETTER = Body("LetterCreate", {
        "mailbox_id": Integer(required=True, minimum=1),
        "subject": String(required=True, max_length=100),
    })
    values = LETTER.validate(request_json)  # raises ValidationFailed({"subject": ["…"]})

Strings are stripped; text that a database cannot store (NUL and other control characters, lone
surrogates) is refused with a field error rather than failing later. Unknown members are ignored.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l

MAX_ID = 2**31 - 1  # the largest id a 32-bit INTEGER column holds (PostgreSQL refuses bigger values)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ValidationFailed(Exception):
    """The body broke one or more field rules; ``errors`` maps each field to its messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


def storable_text(value: str) -> bool:
    """Whether ``value`` is text a database can store (UTF-8 encodable, no control characters but tab/newline)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return _CONTROL.search(value) is None


@dataclass(frozen=True)
class Field:
    """Base of the field declarations: ``required`` and a description for the document."""

    required: bool = False
    description: str = ""

    def schema(self) -> dict:
        raise NotImplementedError

    def clean(self, value: Any) -> Any:
        """The cleaned value, or raise ``ValueError`` with a user-facing message."""
        raise NotImplementedError

    def empty(self) -> Any:
        """The value used when an optional member is missing."""
        return None

    def _described(self, schema: dict) -> dict:
        return {**schema, "description": self.description} if self.description else schema


@dataclass(frozen=True)
class String(Field):
    max_length: int | None = None
    min_length: int = 0
    enum: tuple[str, ...] | None = None
    format: str | None = None  # "email" is checked

    def schema(self) -> dict:
        schema: dict = {"type": "string"}
        if self.enum is not None:
            schema["enum"] = list(self.enum)
        if self.max_length is not None:
            schema["maxLength"] = self.max_length
        if self.min_length:
            schema["minLength"] = self.min_length
        if self.format:
            schema["format"] = self.format
        return self._described(schema)

    def empty(self) -> str:
        return ""

    def clean(self, value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError(_l("Must be a string."))
        if not storable_text(value):
            raise ValueError(_l("Contains characters that are not allowed."))
        value = value.strip()
        if self.required and not value:
            raise ValueError(_l("This field is required."))
        if self.max_length is not None and len(value) > self.max_length:
            raise ValueError(_l("At most %(n)s characters.", n=self.max_length))
        if value and len(value) < self.min_length:
            raise ValueError(_l("At least %(n)s characters.", n=self.min_length))
        if self.enum is not None and value not in self.enum:
            raise ValueError(_l("Must be one of: %(values)s.", values=", ".join(self.enum)))
        if self.format == "email" and value:
            try:
                value = validate_email(value, check_deliverability=False).normalized
            except EmailNotValidError:
                raise ValueError(_l("Please enter a valid e-mail address.")) from None
        return value


@dataclass(frozen=True)
class Integer(Field):
    minimum: int | None = None
    maximum: int | None = MAX_ID

    def schema(self) -> dict:
        schema: dict = {"type": "integer"}
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        if self.maximum is not None:
            schema["maximum"] = self.maximum
        return self._described(schema)

    def clean(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                raise ValueError(_l("Must be a whole number."))
        if self.minimum is not None and value < self.minimum:
            raise ValueError(_l("Must be at least %(n)s.", n=self.minimum))
        if self.maximum is not None and value > self.maximum:
            raise ValueError(_l("Must be at most %(n)s.", n=self.maximum))
        return value


@dataclass(frozen=True)
class Boolean(Field):
    def schema(self) -> dict:
        return self._described({"type": "boolean"})

    def empty(self) -> bool:
        return False

    def clean(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise ValueError(_l("Must be true or false."))
        return value


@dataclass(frozen=True)
class Body:
    """A JSON object body: its name in the document and its fields."""

    name: str
    fields: dict[str, Field] = field(default_factory=dict)
    description: str = ""

    def schema(self) -> dict:
        schema: dict = {
            "type": "object",
            "properties": {name: f.schema() for name, f in self.fields.items()},
        }
        required = [name for name, f in self.fields.items() if f.required]
        if required:
            schema["required"] = required
        if self.description:
            schema["description"] = self.description
        return schema

    def validate(self, data: Any) -> dict[str, Any]:
        """Every declared field, cleaned (missing optional ones get their empty value); raises ValidationFailed."""
        if not isinstance(data, dict):
            raise ValidationFailed({"": [str(_l("The body must be a JSON object."))]})
        errors: dict[str, list[str]] = {}
        values: dict[str, Any] = {}
        for name, declared in self.fields.items():
            if name not in data or data[name] is None:
                if declared.required:
                    errors[name] = [str(_l("This field is required."))]
                else:
                    values[name] = declared.empty()
                continue
            try:
                values[name] = declared.clean(data[name])
            except ValueError as error:
                errors[name] = [str(error)]
        if errors:
            raise ValidationFailed(errors)
        return values
