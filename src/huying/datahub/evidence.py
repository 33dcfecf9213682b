"""A discrepancy's evidence as people read it: each key in Chinese (label: value), a list of
records as one short line per record, ID numbers and phones masked.

The detectors (discrepancy_detectors.py) write evidence as JSON with English keys; this is
the one table that names those keys. A key it does not know is shown as itself (masked all
the same), so a new detector never breaks the page; a test holds the table complete. The
values are masked again here whatever the detector did: evidence is never shown unmasked
(a full number is revealed on the resident's page, with a reason, and logged).
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from huying.core.masking import mask_id_number, mask_in_text, mask_phone
from huying.datahub.choices import OccupancyBasis, Source

HIDDEN = {"fingerprint"}  # the item's identity for the detectors, not evidence
# Every key the detectors write, at any depth.
EVIDENCE_LABELS = {
    "records": gettext_lazy("相关记录"),
    "source": gettext_lazy("数据源"),
    "source_name": gettext_lazy("数据源"),
    "key": gettext_lazy("记录编号"),
    "name": gettext_lazy("姓名"),
    "id_number": gettext_lazy("身份证号"),
    "phone": gettext_lazy("电话"),
    "messages": gettext_lazy("问题"),
    "load": gettext_lazy("导入批次"),
    "resident": gettext_lazy("人员"),
    "names": gettext_lazy("各系统中的姓名"),
    "window_days": gettext_lazy("统计期"),
    "registered": gettext_lazy("登记的出租屋"),
    "registrations": gettext_lazy("来穗登记编号"),
    "registration": gettext_lazy("来穗登记"),
    "registration_no": gettext_lazy("登记编号"),
    "status": gettext_lazy("登记状态"),
    "expires_at": gettext_lazy("有效期至"),
    "swipes": gettext_lazy("刷卡记录"),
    "dwelling": gettext_lazy("出租屋编码"),
    "count": gettext_lazy("刷卡次数"),
    "last": gettext_lazy("最近刷卡"),
    "max_occupants": gettext_lazy("核定人数"),
    "occupants": gettext_lazy("当前居住人数"),
    "residents": gettext_lazy("住户"),
    "basis": gettext_lazy("居住依据"),
}
# Shown once: a record's source by its label, a person by their name (linked).
_SAID_BY = {"source_name": "source", "resident": "name"}


@dataclass
class Field:
    """One `label value` inside a listed record."""

    label: str
    text: str
    href: str = ""


@dataclass
class Line:
    """One entry of the evidence: a value, or a list of records."""

    label: str
    text: str = ""
    items: list[list[Field]] = field(default_factory=list)


def evidence_lines(evidence: dict) -> list[Line]:
    lines = []
    for key, value in (evidence or {}).items():
        if key in HIDDEN:
            continue
        if isinstance(value, dict):
            lines.append(Line(label(key), items=[_fields(value)]))
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            lines.append(Line(label(key), items=[_fields(v) for v in value]))
        else:
            lines.append(Line(label(key), text=_text(key, value)))
    return lines


def label(key: str) -> str:
    return str(EVIDENCE_LABELS.get(key, key))


def _fields(record: dict) -> list[Field]:
    out = []
    for key, value in record.items():
        if key in HIDDEN or (key in _SAID_BY and _SAID_BY[key] in record):
            continue
        href = ""
        person = record.get("resident") if key in ("name", "resident") else None
        if isinstance(person, int):
            href = reverse("datahub:resident", args=[person])
        out.append(Field(label(key), _text(key, value), href))
    return out


def _text(key: str, value) -> str:
    """The value as a person reads it, masked."""
    return mask_in_text(_plain(key, value))


def _plain(key: str, value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if key == "basis" and isinstance(value, list):
        return "、".join(f"{_basis(b.get('basis'))} {b.get('key', '')}".strip() for b in value)
    if isinstance(value, list):
        return ("；" if key == "messages" else "、").join(_plain(key, v) for v in value)
    if isinstance(value, dict):
        return "，".join(f"{label(k)} {_plain(k, v)}" for k, v in value.items() if k not in HIDDEN)
    return _scalar(key, str(value))


def _scalar(key: str, text: str) -> str:
    if key == "id_number":
        return mask_id_number(text)
    if key == "phone":
        return mask_phone(text)
    if key == "source":
        return str(Source(text).label) if text in Source.values else text
    if key == "basis":
        return _basis(text)
    if key == "resident":
        return f"#{text}"
    if key in ("last", "expires_at"):
        return _when(text, with_time=key == "last")
    return _with_unit(key, text)


def _with_unit(key: str, text: str) -> str:
    if key == "load":
        return _("第 %(n)s 批") % {"n": text}
    if key == "window_days":
        return _("近 %(n)s 天") % {"n": text}
    if key == "count":
        return _("%(n)s 次") % {"n": text}
    if key in ("max_occupants", "occupants"):
        return _("%(n)s 人") % {"n": text}
    return text


def _basis(value) -> str:
    return str(OccupancyBasis(value).label) if value in OccupancyBasis.values else str(value)


def _when(text: str, *, with_time: bool) -> str:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")
