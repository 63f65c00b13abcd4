"""Open311 answers in JSON or XML, with the element names of GeoReport v2, and its error bodies."""

import json
from collections.abc import Sequence
from xml.etree import ElementTree

from flask import Response

FORMATS = ("json", "xml")
MIMETYPES = {"json": "application/json", "xml": "text/xml"}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _append(parent: ElementTree.Element, name: str, value) -> None:
    """``<name>value</name>``; a list becomes ``<name>`` holding one child per item (``attributes`` →
    ``attribute``, ``formats`` → ``format``, …); a dict becomes nested elements."""
    element = ElementTree.SubElement(parent, name)
    if isinstance(value, dict):
        for key, item in value.items():
            _append(element, key, item)
    elif isinstance(value, (list, tuple)):
        child = name[:-1] if name.endswith("s") else "item"
        for item in value:
            _append(element, child, item)
    else:
        element.text = _text(value)


def to_xml(root: str, item: str | None, data) -> bytes:
    """``data`` (a dict, or a list of dicts each wrapped in ``<item>``) as an XML document under ``<root>``."""
    element = ElementTree.Element(root)
    if item is None:
        for key, value in data.items():
            _append(element, key, value)
    else:
        for entry in data:
            _append(element, item, entry)
    return ElementTree.tostring(element, encoding="utf-8", xml_declaration=True)


def respond(fmt: str, data, *, root: str, item: str | None, status: int = 200) -> Response:
    """Answer ``data`` in ``fmt``: JSON as is, XML under ``<root>`` (each list entry in ``<item>``)."""
    if fmt == "xml":
        body = to_xml(root, item, data)
    else:
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    response = Response(body, status=status, mimetype=MIMETYPES.get(fmt, MIMETYPES["json"]))
    response.charset = "utf-8"
    return response


def error(fmt: str, status: int, descriptions: str | Sequence[str], headers=None) -> Response:
    """The spec's error body: a list of ``{code, description}`` (XML: ``<errors><error>…``)."""
    if isinstance(descriptions, str):
        descriptions = [descriptions]
    data = [{"code": status, "description": str(text)} for text in descriptions]
    response = respond(fmt if fmt in FORMATS else "json", data, root="errors", item="error", status=status)
    for key, value in headers or ():
        response.headers[key] = value
    return response
