"""A dwelling's history (历次变化): what each load changed about the dwelling and about the
records that place people in it, and when a registration or a card ran out.

Read from the Parquet partitions, where every version a load wrote is kept (store.py), not
from the registry, which holds only today:

- the dwelling's own record, version by version: added, then each field that changed (the
  owner's ID number and phone masked);
- every migrant registration and door card that has ever named the dwelling, version by
  version: added, each change (status, expiry, moved in or out);
- a registration still 有效 in its latest version, or a card, whose expiry has passed:
  到期 at that moment, with no load (time did it, and the occupancy follows).

Each read is one scan of a source's partitions filtered by the dwelling's code; the page
shows the newest LIMIT entries.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from huying.core.masking import mask_id_number, mask_phone
from huying.datahub import store
from huying.datahub.choices import Source
from huying.datahub.formats import REGISTRATION_STATUSES
from huying.datahub.models import Dwelling, ResidentRecord

LIMIT = 100
VALID = REGISTRATION_STATUSES[0]  # 有效
# (column, label, how to show it); the owner's number and phone come from the normalised
# columns when there are, and are masked either way.
_DWELLING = (
    ("address", gettext_lazy("地址"), str),
    ("town", gettext_lazy("所属镇街"), str),
    ("village", gettext_lazy("所属村社"), str),
    ("owner_name", gettext_lazy("房东姓名"), str),
    ("coalesce(_norm_owner_id_number, owner_id_number)", gettext_lazy("房东身份证号"),
     mask_id_number),
    ("coalesce(_norm_owner_phone, owner_phone)", gettext_lazy("房东电话"), mask_phone),
    ("rooms", gettext_lazy("房间数"), str),
    ("max_occupants", gettext_lazy("核定人数"), str),
    ("lat", gettext_lazy("纬度"), str),
    ("lon", gettext_lazy("经度"), str),
)  # fmt: skip
_PEOPLE = {
    Source.MIGRANT_REGISTRATIONS: (
        gettext_lazy("来穗登记"),
        "name",
        (("status", gettext_lazy("登记状态"), str),
         ("registered_at", gettext_lazy("登记时间"), None),
         ("expires_at", gettext_lazy("有效期至"), None)),
    ),
    Source.DOOR_ACCESS_CARDS: (
        gettext_lazy("门禁卡"),
        "holder_name",
        (("issued_at", gettext_lazy("发卡时间"), None),
         ("expires_at", gettext_lazy("有效期至"), None)),
    ),
}  # fmt: skip
_CODE_LABEL, _NAME_LABEL = gettext_lazy("出租屋编码"), gettext_lazy("姓名")


@dataclass
class Change:
    label: str
    before: str  # "" for a value that arrived with the record
    after: str


@dataclass
class Entry:
    at: datetime
    load_id: int | None  # None: no load; the passing of time (an expiry)
    what: str  # 出租屋, 来穗登记, 门禁卡
    source: str = ""  # the record's source; "" for the dwelling itself
    key: str = ""  # the record's number (R3, C1)
    who: str = ""  # the person the record names
    resident_id: int | None = None
    note: str = ""  # 新增, 变更, 迁入, 迁出, 到期
    changes: list[Change] = field(default_factory=list)


def history(dwelling: Dwelling, now: datetime) -> list[Entry]:
    """Newest first, at most LIMIT entries."""
    con = store.connect()
    try:
        entries = _dwelling_entries(con, dwelling.code)
        for source in _PEOPLE:
            entries += _people_entries(con, source, dwelling.code, now)
    finally:
        con.close()
    _link_residents(entries)
    return _newest_first(entries)[:LIMIT]


def _newest_first(entries: list[Entry]) -> list[Entry]:
    """By time; a load's entries together at the load's time (each source's file is written
    a moment apart), the dwelling's own first, then its records in order."""
    load_at: dict[int, datetime] = {}
    for e in entries:
        if e.load_id is not None:
            load_at[e.load_id] = min(load_at.get(e.load_id, e.at), e.at)
    ranked = sorted(
        enumerate(entries),
        key=lambda pair: (load_at.get(pair[1].load_id, pair[1].at), pair[1].load_id or 0, -pair[0]),
        reverse=True,
    )
    return [e for _i, e in ranked]


def _files(source: str) -> str | None:
    paths = store.committed_partitions(source)
    return ", ".join(store.literal(p) for p in paths) if paths else None


def _dwelling_entries(con, code: str) -> list[Entry]:
    files = _files(Source.DWELLINGS)
    if not files:
        return []
    columns = ", ".join(f"{c}::VARCHAR" for c, _l, _f in _DWELLING)
    rows = con.execute(
        f"SELECT _load_id, _loaded_at, {columns} FROM read_parquet([{files}], "  # noqa: S608
        "union_by_name = true) WHERE _key = ? ORDER BY _load_id",
        [code],
    ).fetchall()
    labels = [str(label) for _c, label, _s in _DWELLING]
    entries, before = [], None
    for load_id, loaded_at, *values in rows:
        shown = [show(v) if v not in (None, "") else "" for (_c, _l, show), v in
                 zip(_DWELLING, values, strict=True)]  # fmt: skip
        if before is None:  # the first version: what it arrived with
            changes = [Change(lb, "", new) for lb, new in zip(labels, shown, strict=True) if new]
        else:
            changes = [Change(lb, old or "—", new or "—") for lb, old, new in
                       zip(labels, before, shown, strict=True) if old != new]  # fmt: skip
        if changes:
            note = _("新增") if before is None else _("变更")
            entries.append(Entry(loaded_at, load_id, _("出租屋"), note=note, changes=changes))
        before = shown
    return entries


def _people_entries(con, source: Source, code: str, now: datetime) -> list[Entry]:
    files = _files(source)
    if not files:
        return []
    what, name, tracked = _PEOPLE[source]
    columns = ", ".join(f'"{c}"' for c, _l, _s in tracked)
    every = f"read_parquet([{files}], union_by_name = true)"
    rows = con.execute(
        f'SELECT _key, _load_id, _loaded_at, "{name}", dwelling_code, {columns} '  # noqa: S608
        f"FROM {every} WHERE _key IN (SELECT _key FROM {every} WHERE dwelling_code = ?) "
        "ORDER BY _key, _load_id",
        [code],
    ).fetchall()
    entries = []
    for i, row in enumerate(rows):
        previous = rows[i - 1] if i and rows[i - 1][0] == row[0] else None
        if entry := _record_change(tracked, code, previous, row):
            entries.append(entry)
        latest = i + 1 == len(rows) or rows[i + 1][0] != row[0]
        if latest and (expiry := _expiry(source, code, row, now)):
            entries.append(expiry)
    for entry in entries:
        entry.what, entry.source = str(what), source.value
    return entries


def _record_change(tracked, code: str, previous, row) -> Entry | None:
    """One version of a record against the one before it (None: the first)."""
    key, load_id, loaded_at, who, dwelling_code, *values = row
    here, was_here = dwelling_code == code, previous is not None and previous[4] == code
    if not here and not was_here:
        return None  # a version about another dwelling
    if previous is None:
        note = _("新增")
    elif here and not was_here:
        note = _("迁入")
    elif was_here and not here:
        note = _("迁出")
    else:
        note = _("变更")
    entry = Entry(loaded_at, load_id, "", key=key, who=who or "", note=note)
    old_values = previous[5:] if previous is not None else [None] * len(values)
    if previous is not None and previous[4] != dwelling_code:
        entry.changes.append(Change(str(_CODE_LABEL), previous[4] or "—", dwelling_code or "—"))
    if previous is not None and (previous[3] or "") != entry.who:
        entry.changes.append(Change(str(_NAME_LABEL), previous[3] or "—", entry.who or "—"))
    for (_c, label, _s), old, new in zip(tracked, old_values, values, strict=True):
        if previous is None and new is not None:
            entry.changes.append(Change(str(label), "", _value(new)))
        elif previous is not None and old != new:
            entry.changes.append(Change(str(label), _value(old), _value(new)))
    if previous is not None and not entry.changes:
        return None  # a version that changed nothing shown here (a phone, an address)
    return entry


def _expiry(source: Source, code: str, row, now: datetime) -> Entry | None:
    """The latest version of a record naming this dwelling, valid until a time now past."""
    key, _load, _at, who, dwelling_code, *values = row
    status = values[0] if source == Source.MIGRANT_REGISTRATIONS else VALID
    expires_at = values[-1]
    if dwelling_code != code or status != VALID or expires_at is None or expires_at > now:
        return None
    return Entry(expires_at, None, "", key=key, who=who or "", note=_("到期，不再计为住户"))


def _value(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _link_residents(entries: list[Entry]) -> None:
    """Each person's resident, where linkage knows them (one query)."""
    keys = {(e.source, e.key) for e in entries if e.key}
    if not keys:
        return
    match = Q()
    for source, key_list in _by_source(keys).items():
        match |= Q(source=source, source_key__in=key_list)
    links = dict(
        ((s, k), r)
        for s, k, r in ResidentRecord.objects.filter(match).values_list(
            "source", "source_key", "resident_id"
        )
    )
    for entry in entries:
        if entry.key:
            entry.resident_id = links.get((entry.source, entry.key))


def _by_source(keys: set[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for source, key in sorted(keys):
        out.setdefault(source, []).append(key)
    return out
