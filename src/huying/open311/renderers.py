"""GeoReport v2 in its two formats: JSON, and XML with the element names the spec uses."""

import json
import re
from xml.etree import ElementTree as ET

from django.http import HttpResponse

CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# The element that wraps each list and the name of its items.
WRAPPERS = {"services": "service", "service_requests": "request", "errors": "error"}
# Characters XML 1.0 cannot carry; a cadre's pasted text may hold them.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_value(element: ET.Element, value) -> None:
    if isinstance(value, list):  # e.g. a service definition's attributes
        for item in value:
            child = ET.SubElement(element, "attribute")
            for key, inner in item.items():
                _xml_value(ET.SubElement(child, key), inner)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = NOT_XML.sub("", str(value))


def to_xml(root: str, body) -> bytes:
    top = ET.Element(root)
    items = body if isinstance(body, list) else [body]
    item_name = WRAPPERS.get(root)
    for item in items:
        parent = ET.SubElement(top, item_name) if item_name else top
        for key, value in item.items():
            _xml_value(ET.SubElement(parent, key), value)
    return ET.tostring(top, encoding="utf-8", xml_declaration=True)


def _encode(fmt: str, root: str, body) -> bytes:
    if fmt == "xml":
        return to_xml(root, body)
    return json.dumps(body, ensure_ascii=False).encode()


def render(fmt: str, root: str, body, status: int = 200) -> HttpResponse:
    response = HttpResponse(
        _encode(fmt, root, body), status=status, content_type=CONTENT_TYPES[fmt]
    )
    response["Access-Control-Allow-Origin"] = "*"  # public, read-only: 311 dashboards may fetch
    return response


def error(fmt: str, status: int, description: str) -> HttpResponse:
    return render(fmt, "errors", [{"code": status, "description": description}], status=status)
