"""数据源概况's search: one source's current records by source key, full ID number or name.

| query looks like                  | matches                                                  |
| --------------------------------- | -------------------------------------------------------- |
| 18 (or 15) digits / X: a full ID  | the normalised ID columns (roles that may reveal only)   |
| anything else                     | the record's key, or any one column of a composite key   |
| ... and no key matched            | the name column: exactly, else names that start with it  |

At most LIMIT records, each with its provenance (source, load, load time, key); ID numbers
and phones masked. A search that returns records of a source with people in it (every
source but the swipe events) writes the lookup log: who, why, which fields, and the
residents those records are linked to. The query itself is never logged, since it may be a
full ID number.
"""

import json
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from huying.core import idnumbers
from huying.core.errors import Forbidden, Invalid
from huying.core.masking import mask_id_number, mask_phone
from huying.datahub import formats, privacy, profiles, store
from huying.datahub.models import AccessKind, ResidentRecord

LIMIT = 50
MAX_QUERY = 64
# What the resident search also reads as a full ID number (hub_selectors.py).
_FULL_ID = re.compile(r"^(\d{17}[\dX]|\d{15})$")
# The column that names the person a record is about (formats.py has no such notion).
NAME_COLUMN = {
    "dwellings": "owner_name",
    "door_access_cards": "holder_name",
    "public_security_persons": "name",
    "migrant_registrations": "name",
}


@dataclass
class SourceRecord:
    source: str
    source_key: str
    load_id: int
    loaded_at: str
    values: dict[str, str | None]  # format columns, ID numbers and phones masked
    findings: list[str]

    @property
    def cells(self) -> list[str | None]:
        return list(self.values.values())  # in the format's column order


@dataclass
class SourceFound:
    key: str  # how the query was read: id_number, source_key, name or name_prefix
    records: list[SourceRecord]
    more: bool  # LIMIT reached: narrow the search


def key_labels() -> dict[str, str]:
    return {
        "id_number": _("身份证号"),
        "source_key": _("源记录编号"),
        "name": _("姓名"),
        "name_prefix": _("姓名开头"),
    }


def search(user, fmt: formats.SourceFormat, q: str) -> SourceFound:
    raw = (q or "").strip()
    if not raw:
        raise Invalid(_("请输入源记录编号、身份证号或姓名"), field="q")
    if len(raw) > MAX_QUERY:
        raise Invalid(_("查询内容过长"), field="q")
    attempts = _attempts(user, fmt, raw)
    con = profiles.connect()
    try:
        if not store.current_relation(con, fmt.source.value, "cur"):
            return SourceFound(attempts[-1][0], [], False)
        for kind, where, params in attempts:
            rows = _fetch(con, fmt, where, params)
            if rows or kind == "id_number":  # an ID-shaped query is an ID query, found or not
                return SourceFound(kind, rows[:LIMIT], len(rows) > LIMIT)
    finally:
        con.close()
    return SourceFound(attempts[-1][0], [], False)


def _attempts(user, fmt: formats.SourceFormat, raw: str) -> list[tuple[str, str, list]]:
    norm = idnumbers.normalise(raw)
    if fmt.id_columns and _FULL_ID.match(norm):
        if not privacy.may_reveal(user):
            raise Forbidden(_("您的角色不能按完整身份证号查询"))
        # The stored number is the 18-digit form of a 15-digit one (validation.py).
        norm = idnumbers.upgrade_15(norm) if len(norm) == 15 else norm
        where = " OR ".join(f'"_norm_{c}" = ?' for c, _b, _g in fmt.id_columns)
        return [("id_number", where, [norm] * len(fmt.id_columns))]
    # A swipe's key is card|door|time: its card or its door alone find its swipes too.
    parts = [k for k in fmt.key if len(fmt.key) > 1 and fmt.column(k).kind == formats.TEXT]
    keys = ["_key", *parts]
    attempts = [("source_key", " OR ".join(f'"{k}" = ?' for k in keys), [raw] * len(keys))]
    if name := NAME_COLUMN.get(fmt.source.value):
        attempts += [
            ("name", f'"{name}" = ?', [raw]),
            ("name_prefix", f'starts_with("{name}", ?)', [raw]),
        ]
    return attempts


def _fetch(con, fmt: formats.SourceFormat, where: str, params: list) -> list[SourceRecord]:
    shown = [profiles.shown(f'"{c.name}"', c.kind) for c in fmt.columns]
    norms = [f'"_norm_{c}"' for c, _b, _g in fmt.id_columns]
    norms += [f'"_norm_{c}"' for c in fmt.phone_columns]
    name = NAME_COLUMN.get(fmt.source.value)
    order = f'"{name}", _key' if name else "_key"
    rows = con.execute(
        f"SELECT _key, _load_id, strftime(_loaded_at, '%Y-%m-%d %H:%M'), _findings, "  # noqa: S608
        f"{', '.join(shown + norms)} FROM cur WHERE {where} ORDER BY {order} LIMIT {LIMIT + 1}",
        params,
    ).fetchall()
    return [_record(fmt, row) for row in rows]


def _record(fmt: formats.SourceFormat, row: tuple) -> SourceRecord:
    key, load_id, loaded_at, findings = row[:4]
    values = dict(zip(fmt.names, row[4 : 4 + len(fmt.columns)], strict=True))
    norm = dict(
        zip(
            [c for c, _b, _g in fmt.id_columns] + list(fmt.phone_columns),
            row[4 + len(fmt.columns) :],
            strict=True,
        )
    )
    for column, _b, _g in fmt.id_columns:
        values[column] = mask_id_number(norm[column] or values[column] or "") or None
    for column in fmt.phone_columns:
        values[column] = mask_phone(norm[column] or values[column] or "") or None
    messages = [f.get("message", "") for f in json.loads(findings)] if findings else []
    return SourceRecord(fmt.source.value, key, load_id, loaded_at, values, messages)


def log_search(user, fmt: formats.SourceFormat, found: SourceFound, *, via: str) -> None:
    """The lookup log of a search that returned people's records (none for swipe events)."""
    if not found.records or fmt.source.value not in NAME_COLUMN:
        return
    keys = [r.source_key for r in found.records]
    linked = ResidentRecord.objects.filter(source=fmt.source.value, source_key__in=keys)
    privacy.log_access(
        user,
        sorted(set(linked.values_list("resident_id", flat=True))),
        kind=AccessKind.SEARCH,
        purpose=_("数据源查询：%(source)s，按%(key)s")
        % {"source": fmt.source.label, "key": key_labels()[found.key]},
        fields=fmt.names,
        via=via,
    )
