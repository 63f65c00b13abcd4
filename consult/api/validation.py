"""Reading a request against the API's pydantic models: its JSON body and its query string.

A body is parsed only when it is JSON, not too large and not too deeply nested (the depth is measured
on the raw bytes before parsing, so a hostile body never reaches the recursive parser). The models then
check it exactly as the OpenAPI document describes it. Each failure answers a problem whose ``errors`` map
every field to messages in the user's language: pydantic's own (English) messages are never shown.
"""

import json
import re
from typing import Any, TypeVar

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import RequestEntityTooLarge

from consult.api import fields
from consult.api.errors import ApiError

Model = TypeVar("Model", bound=BaseModel)

# The largest body a valid request can need: a 20,000-character reply sent as \uXXXX surrogate pairs.
MAX_BODY_BYTES = 256 * 1024
MAX_DEPTH = 16  # bodies are flat objects; a little nesting is refused by the models, more by the parser
_TOKENS = re.compile(rb'"(?:[^"\\]++|\\.)*+"?|[\[\]{}]', re.S)  # strings (skipped) and brackets, in one pass

MESSAGES = {
    "missing": _l("This field is required."),
    "extra_forbidden": _l("Not a field of this request."),
    "model_type": _l("The body must be a JSON object."),
    "string_type": _l("Must be a string."),
    "string_unicode": _l("Contains characters that are not allowed."),
    "int_type": _l("Must be a whole number."),
    "int_parsing": _l("Must be a whole number."),
    "int_from_float": _l("Must be a whole number."),
    "bool_type": _l("Must be true or false."),
    "bool_parsing": _l("Must be true or false."),
    "literal_error": _l("Must be one of: %(values)s."),
    "email": _l("Please enter a valid e-mail address."),
    # the models' own rules across fields (PydanticCustomError types)
    "contact_required": _l("Please give an e-mail address or a phone number."),
    "report_public": _l("Reports (举报) are never published. Please untick “may be published”."),
    "one_article": _l("Name the article either by article_id or by article, not both."),
    "note_required": _l("Please say why the appeal is rejected."),
}
LIMITS = {  # error type → (message, the context value it shows)
    "string_too_long": (_l("At most %(n)s characters."), "max_length"),
    "greater_than_equal": (_l("Must be at least %(n)s."), "ge"),
    "less_than_equal": (_l("Must be at most %(n)s."), "le"),
}
PATTERN_MESSAGES = {
    fields.TEXT_PATTERN: _l("Contains characters that are not allowed."),
    fields.REQUIRED_TEXT_PATTERN: _l("Contains characters that are not allowed."),
    fields.PHONE_OR_NONE: _l("Please enter a mainland China mobile or landline number, e.g. 13800138000."),
    fields.EMAIL_OR_NONE: _l("Please enter a valid e-mail address."),
}


def json_body(model: type[Model]) -> Model:
    """The request's JSON body checked by ``model``: 415 unless JSON, 413 if too large, 400 if malformed or
    nested too deeply, 422 (with ``errors``) if it does not match the model."""
    if not request.is_json:
        raise ApiError(415, _("Send the body as JSON with the header Content-Type: application/json."))
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise RequestEntityTooLarge()
    raw = request.get_data(cache=True)
    if nesting_depth(raw) > MAX_DEPTH:
        raise ApiError(400, _("The body is nested too deeply (at most %(n)s levels).", n=MAX_DEPTH))
    try:
        data = json.loads(raw)
    except ValueError:
        raise ApiError(400, _("The body is not valid JSON.")) from None
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise ApiError(422, _("Some fields of the request are not valid; see errors."),
                       errors=field_errors(error, model)) from None


def query_args(model: type[Model]) -> Model:
    """The query string checked by ``model`` (unknown parameters are ignored): 400 with ``errors`` if invalid."""
    try:
        return model.model_validate(request.args.to_dict())
    except ValidationError as error:
        raise ApiError(400, _("Some query parameters are not valid; see errors."),
                       errors=field_errors(error, model)) from None


def nesting_depth(raw: bytes) -> int:
    """How deeply arrays and objects nest in the JSON text ``raw`` (brackets inside strings do not count)."""
    depth = deepest = 0
    for token in _TOKENS.finditer(raw):
        bracket = token.group()
        if bracket in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        elif bracket in (b"]", b"}"):
            depth -= 1
    return deepest


def field_errors(error: ValidationError, model: type[BaseModel]) -> dict[str, list[str]]:
    """Our translated message for each field at fault (the first failure per field; "" for the whole body)."""
    errors: dict[str, list[str]] = {}
    for item in error.errors(include_url=False):
        location = item["loc"]
        name = (item.get("ctx") or {}).get("field", str(location[0]) if location else "")
        errors.setdefault(name, [message(item, model)])
    return errors


def message(item: dict[str, Any], model: type[BaseModel]) -> str:
    """One pydantic error as a sentence in the user's language."""
    kind, context = item["type"], item.get("ctx") or {}
    if kind == "string_pattern_mismatch":
        if context.get("pattern") == fields.REQUIRED_TEXT_PATTERN and not str(item["input"]).strip():
            return _("This field is required.")
        return str(PATTERN_MESSAGES.get(context.get("pattern"), _("Not in the expected format.")))
    if kind == "literal_error":
        return str(MESSAGES[kind]) % {"values": ", ".join(choices(model, str(item["loc"][0])))}
    if kind in LIMITS:
        template, key = LIMITS[kind]
        return str(template) % {"n": context[key]}
    return str(MESSAGES.get(kind, _l("This value is not valid.")))


def choices(model: type[BaseModel], name: str) -> list[str]:
    """The allowed values of an enumerated field, from the model's JSON Schema."""
    schema = model.model_json_schema()["properties"].get(name, {})
    for option in [schema, *schema.get("anyOf", [])]:
        if "enum" in option:
            return [str(value) for value in option["enum"]]
    return []
