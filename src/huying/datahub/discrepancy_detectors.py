# ruff: noqa: S608  (SQL built from model table names and our own constants; values are bound)
"""The five detectors: what, in the hub's data today, is a conflict worth a visit.

Each returns `Found` items: a kind, a subject (what makes it one item while open), a plain
Chinese summary and the evidence, with the resident, the dwelling and the place. The big
joins run in DuckDB over the current records and `hub_links`; Python only sees the items.
Person data leaves here masked: ID numbers and phones never appear in full.
"""

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

import pyarrow as pa
from django.conf import settings
from django.db.models import F
from django.utils import timezone

from huying.core.masking import mask_id_number, mask_in_text
from huying.datahub import registry_io as rio
from huying.datahub.choices import DiscrepancyKind, Source
from huying.datahub.models import Dwelling, Occupancy, Resident

SOURCE_NAMES = {
    Source.PUBLIC_SECURITY_PERSONS: "平安白云",
    Source.MIGRANT_REGISTRATIONS: "来穗登记",
    Source.DOOR_ACCESS_CARDS: "门禁卡",
}
# Per person source: its key column and its name column (the ID column is id_number in all).
_PERSONS = {
    Source.PUBLIC_SECURITY_PERSONS: ("person_key", "name"),
    Source.MIGRANT_REGISTRATIONS: ("registration_no", "name"),
    Source.DOOR_ACCESS_CARDS: ("card_id", "holder_name"),
}
_FINDINGS = (
    'from_json(_findings, \'[{"field": "VARCHAR", "code": "VARCHAR", '
    '"severity": "VARCHAR", "message": "VARCHAR"}]\')'
)
# An ID error worth a visit: a missing number (old door cards) is not a wrong one.
_ID_ERRORS = (
    f"list_transform(list_filter(coalesce({_FINDINGS}, []), lambda f: f.field = 'id_number' "
    "AND f.severity = 'error' AND f.code <> 'missing'), lambda f: f.message)"
)
_MAX_LISTED = 50  # people or records listed in one item's evidence
_BATCH = 2000


@dataclass
class Found:
    kind: str
    subject: str
    summary: str
    evidence: dict
    resident_id: int | None = None
    dwelling_id: int | None = None
    town_id: int | None = None
    village_id: int | None = None
    basis: list = field(default_factory=list)  # what identifies the condition (fingerprint)

    def __post_init__(self):
        self.summary = self.summary[:300]
        digest = hashlib.sha256(json.dumps(self.basis, ensure_ascii=False).encode()).hexdigest()
        self.evidence = {"fingerprint": digest[:16], **self.evidence}

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.subject)


def find_all(snap: rio.Snapshot, window_days: int) -> list[Found]:
    people = _People()
    found = [
        *invalid_ids(snap, people),
        *id_name_conflicts(snap, people),
        *swipe_conflicts(snap, people, window_days),
        *over_occupancy(),
    ]
    people.place_all(found)
    return found


# --- the detectors --------------------------------------------------------------------------


def invalid_ids(snap: rio.Snapshot, people: "_People") -> list[Found]:
    """One item per resident with a record whose ID number has an error finding."""
    parts = [
        f"SELECT '{source.value}' AS source, {key} AS key, {name} AS name, id_number, "
        f"_norm_id_number AS norm, _load_id AS load_id, {_ID_ERRORS} AS messages "
        f"FROM cur_{source.value} WHERE _findings IS NOT NULL"
        for source, (key, name) in _PERSONS.items()
        if snap.has(source)
    ]
    if not parts:
        return []
    rows = snap.con.execute(
        f"SELECT l.resident_id, r.source, r.key, r.name, coalesce(r.norm, r.id_number), "
        f"r.messages, r.load_id FROM ({' UNION ALL '.join(parts)}) r "
        "JOIN hub_links l ON l.source = r.source AND l.source_key = r.key "
        "WHERE len(r.messages) > 0 ORDER BY l.resident_id, r.source, r.key"
    ).fetchall()
    by_resident: dict[int, list] = {}
    for resident_id, *record in rows:
        by_resident.setdefault(resident_id, []).append(record)
    people.want(by_resident)
    found = []
    for resident_id, records in by_resident.items():
        listed = [
            {"source": s, "source_name": SOURCE_NAMES[s], "key": k, "name": n,
             "id_number": mask_id_number(i), "messages": [mask_in_text(m) for m in msgs],
             "load": load}
            for s, k, n, i, msgs, load in records
        ]  # fmt: skip
        first = listed[0]
        summary = (
            f"{people.name(resident_id, first['name'])}的身份证号有误"
            f"（{first['source_name']} {first['id_number']}：{first['messages'][0]}）"
        )
        if len(listed) > 1:
            summary += f"，另有 {len(listed) - 1} 条记录"
        found.append(Found(
            DiscrepancyKind.INVALID_ID, f"resident:{resident_id}", summary,
            {"records": listed[:_MAX_LISTED]}, resident_id=resident_id,
            basis=[[s, k, load] for s, k, _n, _i, _m, load in records],
        ))  # fmt: skip
    return found


def id_name_conflicts(snap: rio.Snapshot, people: "_People") -> list[Found]:
    """One item per sound ID number that the records give different names."""
    parts = [
        f"SELECT '{source.value}' AS source, {key} AS key, trim({name}) AS name, "
        f"_norm_id_number AS id, _load_id AS load_id FROM cur_{source.value} "
        f"WHERE _norm_id_number IS NOT NULL AND nullif(trim({name}), '') IS NOT NULL "
        f"AND NOT list_contains(list_transform(coalesce({_FINDINGS}, []), "
        "lambda f: f.field = 'id_number' AND f.severity = 'error'), true)"
        for source, (key, name) in _PERSONS.items()
        if snap.has(source)
    ]
    if not parts:
        return []
    rows = snap.con.execute(
        f"WITH recs AS ({' UNION ALL '.join(parts)}), "
        "ids AS (SELECT id FROM recs GROUP BY id HAVING count(DISTINCT name) > 1) "
        "SELECT r.id, r.source, r.key, r.name, l.resident_id FROM recs r JOIN ids USING (id) "
        "LEFT JOIN hub_links l ON l.source = r.source AND l.source_key = r.key "
        "ORDER BY r.id, r.source, r.key"
    ).fetchall()
    by_id: dict[str, list] = {}
    for number, *record in rows:
        by_id.setdefault(number, []).append(record)
    found = []
    for number, records in by_id.items():
        masked = mask_id_number(number)
        names = sorted({n for _s, _k, n, _r in records})
        seen = {}
        for source, _key, name, _resident in records:
            seen.setdefault(name, []).append(SOURCE_NAMES[source])
        said = "、".join(f"{n}（{'、'.join(dict.fromkeys(seen[n]))}）" for n in names)
        residents = [r for _s, _k, _n, r in records if r is not None]
        # The resident most of the records belong to (linkage may have kept them apart).
        resident_id = max(set(residents), key=lambda r: (residents.count(r), -r), default=None)
        found.append(Found(
            DiscrepancyKind.ID_NAME_CONFLICT,
            "id:" + _keyed(number),
            f"身份证号 {masked} 在各系统中的姓名不一致：{said}",
            {"id_number": masked, "names": names, "records": [
                {"source": s, "source_name": SOURCE_NAMES[s], "key": k, "name": n, "resident": r}
                for s, k, n, r in records[:_MAX_LISTED]]},
            resident_id=resident_id, basis=names,
        ))  # fmt: skip
    people.want({f.resident_id for f in found if f.resident_id})
    return found


def swipe_conflicts(snap: rio.Snapshot, people: "_People", window_days: int) -> list[Found]:
    """Registered in one dwelling but swiping in others; or no valid registration any more
    (expired or cancelled) yet still swiping. Swipes: the last `window_days` days."""
    needed = (Source.MIGRANT_REGISTRATIONS, Source.DOOR_ACCESS_EVENTS)
    if not all(snap.has(s) for s in needed):
        return []
    now, since = snap.now, snap.now - timedelta(days=window_days)
    con = snap.con
    snap.events_between("hub_events", since, now)
    # Swipes per (resident, dwelling): the cards' holders as linkage knows them.
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE hub_swipes AS
        SELECT l.resident_id, e.dwelling_code, sum(e.n) AS n, max(e.last) AS last
        FROM (SELECT card_id, dwelling_code, count(*) AS n, max(event_time) AS last
              FROM hub_events GROUP BY ALL) e
        JOIN hub_links l ON l.source = '{Source.DOOR_ACCESS_CARDS.value}'
                        AND l.source_key = e.card_id
        GROUP BY ALL
        """
    )  # fmt: skip
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE hub_regs AS
        SELECT l.resident_id, g.registration_no, g.dwelling_code, g.status, g.expires_at,
               g.registered_at, coalesce(g.status = '有效' AND g.expires_at > $now, false) AS valid
        FROM cur_migrant_registrations g
        JOIN hub_links l ON l.source = '{Source.MIGRANT_REGISTRATIONS.value}'
                        AND l.source_key = g.registration_no
        """,
        {"now": now},
    )
    # Registered (validly) somewhere, swiping, but never where registered.
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE hub_elsewhere AS
        SELECT resident_id, list(DISTINCT dwelling_code ORDER BY dwelling_code) AS codes,
               list(DISTINCT registration_no ORDER BY registration_no) AS regs
        FROM hub_regs v
        WHERE valid AND dwelling_code IS NOT NULL
          AND resident_id IN (SELECT resident_id FROM hub_swipes)
          AND NOT EXISTS (SELECT 1 FROM hub_swipes s JOIN hub_regs r
                          ON r.resident_id = s.resident_id AND r.dwelling_code = s.dwelling_code
                          WHERE s.resident_id = v.resident_id AND r.valid)
        GROUP BY resident_id
        """
    )
    # No valid registration any more (the latest expired or cancelled), still swiping.
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE hub_lapsed AS
        SELECT resident_id, registration_no, dwelling_code, status, expires_at FROM (
            SELECT *, row_number() OVER (
                PARTITION BY resident_id
                ORDER BY coalesce(expires_at, registered_at) DESC NULLS LAST,
                         registration_no DESC) AS rank,
                bool_or(valid) OVER (PARTITION BY resident_id) AS any_valid
            FROM hub_regs WHERE resident_id IN (SELECT resident_id FROM hub_swipes)
        ) WHERE rank = 1 AND NOT any_valid
          AND (status IN ('已过期', '已注销') OR (status = '有效' AND expires_at <= $now))
        """,
        {"now": now},
    )
    # The swipes, most first, of the people flagged (not of everyone who swipes).
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE hub_swipe_lists AS
        SELECT resident_id, list({'dwelling': dwelling_code, 'count': n, 'last': last}
                                 ORDER BY n DESC, last DESC, dwelling_code) AS swipes
        FROM hub_swipes WHERE resident_id IN (SELECT resident_id FROM hub_elsewhere
                                              UNION ALL SELECT resident_id FROM hub_lapsed)
        GROUP BY resident_id
        """
    )
    elsewhere = con.execute(
        "SELECT x.resident_id, x.codes, x.regs, s.swipes FROM hub_elsewhere x "
        "JOIN hub_swipe_lists s USING (resident_id) ORDER BY 1"
    ).fetchall()
    lapsed = con.execute(
        "SELECT x.resident_id, x.registration_no, x.dwelling_code, x.status, x.expires_at, "
        "s.swipes FROM hub_lapsed x JOIN hub_swipe_lists s USING (resident_id) ORDER BY 1"
    ).fetchall()
    people.want({r[0] for r in elsewhere} | {r[0] for r in lapsed})
    codes = {s["dwelling"] for row in (*elsewhere, *lapsed) for s in row[-1]}
    homes = _dwellings_by_code(snap, codes)
    return [
        *(_elsewhere(row, people, homes, window_days) for row in elsewhere),
        *(_lapsed(row, people, homes, window_days) for row in lapsed),
    ]


def _swipe_evidence(swipes: list[dict]) -> list[dict]:
    return [
        {"dwelling": s["dwelling"], "count": s["count"], "last": s["last"].isoformat()}
        for s in swipes[:_MAX_LISTED]
    ]


def _elsewhere(row, people: "_People", homes: dict, window_days: int) -> Found:
    resident_id, registered, registrations, swipes = row
    top = swipes[0]
    summary = (
        f"{people.name(resident_id)}的来穗登记在 {'、'.join(registered)}，"
        f"近 {window_days} 天却在 {top['dwelling']} 刷卡 {top['count']} 次"
    )
    return Found(
        DiscrepancyKind.DWELLING_MISMATCH, f"resident:{resident_id}", summary,
        {"window_days": window_days, "registered": registered, "registrations": registrations,
         "swipes": _swipe_evidence(swipes)},
        resident_id=resident_id, dwelling_id=homes.get(top["dwelling"]),
        basis=[registered, top["dwelling"]],
    )  # fmt: skip


def _lapsed(row, people: "_People", homes: dict, window_days: int) -> Found:
    resident_id, number, registered, status, expires_at, swipes = row
    top = swipes[0]
    if status == "已注销":
        what = "已注销"
    elif expires_at is not None:
        what = f"已于 {timezone.localtime(expires_at):%Y-%m-%d} 过期"
    else:
        what = "已过期"
    summary = (
        f"{people.name(resident_id)}的来穗登记{what}，"
        f"近 {window_days} 天仍在 {top['dwelling']} 刷卡 {top['count']} 次"
    )
    expires = expires_at.isoformat() if expires_at else None
    return Found(
        DiscrepancyKind.EXPIRED_STILL_SWIPING, f"resident:{resident_id}", summary,
        {"window_days": window_days, "registration": {
            "registration_no": number, "dwelling": registered, "status": status,
            "expires_at": expires}, "swipes": _swipe_evidence(swipes)},
        resident_id=resident_id, dwelling_id=homes.get(top["dwelling"]),
        basis=[number, status, expires],
    )  # fmt: skip


def over_occupancy() -> list[Found]:
    """Dwellings with more current occupants than the rental system allows (群租 risk)."""
    crowded = list(
        Dwelling.objects.filter(max_occupants__gt=0, occupants__gt=F("max_occupants"))
        .order_by("code")
        .values_list("id", "code", "address", "max_occupants", "occupants")
    )
    living: dict[int, dict] = {}
    for chunk in _chunks([c[0] for c in crowded]):
        rows = (
            Occupancy.objects.filter(dwelling_id__in=chunk)
            .order_by("dwelling_id", "resident__name", "resident_id", "basis", "source_key")
            .values_list("dwelling_id", "resident_id", "resident__name", "basis", "source_key")
        )
        for dwelling_id, resident_id, name, basis, key in rows:
            person = living.setdefault(dwelling_id, {}).setdefault(
                resident_id, {"resident": resident_id, "name": name, "basis": []}
            )
            person["basis"].append({"basis": basis, "key": key})
    found = []
    for dwelling_id, code, address, allowed, occupants in crowded:
        found.append(Found(
            DiscrepancyKind.OVER_OCCUPANCY, f"dwelling:{code}",
            f"{code}（{address}）核定居住 {allowed} 人，现有 {occupants} 人（群租风险）",
            {"max_occupants": allowed, "occupants": occupants,
             "residents": list(living.get(dwelling_id, {}).values())[:_MAX_LISTED]},
            dwelling_id=dwelling_id, basis=[code, allowed],
        ))  # fmt: skip
    return found


# --- residents, dwellings and places --------------------------------------------------------


class _People:
    """The residents the items name, read from the database once, in batches."""

    def __init__(self):
        self._wanted: set[int] = set()
        self._known: dict[int, tuple] = {}

    def want(self, ids: Iterable[int]) -> None:
        self._wanted.update(ids)
        missing = sorted(self._wanted - set(self._known))
        for chunk in _chunks(missing):
            for pk, *rest in Resident.objects.filter(pk__in=chunk).values_list(
                "pk", "name", "town_id", "village_id"
            ):
                self._known[pk] = tuple(rest)

    def name(self, resident_id: int, fallback: str = "") -> str:
        known = self._known.get(resident_id)
        return (known[0] if known else "") or fallback or f"人员 {resident_id}"

    def place_all(self, found: list[Found]) -> None:
        """Each item's town and village: its dwelling's, else its resident's."""
        dwellings = {f.dwelling_id for f in found if f.dwelling_id}
        places = {}
        for chunk in _chunks(sorted(dwellings)):
            for pk, town, village in Dwelling.objects.filter(pk__in=chunk).values_list(
                "pk", "town_id", "village_id"
            ):
                places[pk] = (town, village)
        for item in found:
            town, village = places.get(item.dwelling_id, (None, None))
            if town is None and item.resident_id in self._known:
                _name, town, village = self._known[item.resident_id]
            item.town_id, item.village_id = town, village


def _dwellings_by_code(snap: rio.Snapshot, codes: set[str]) -> dict[str, int]:
    if not codes:
        return {}
    snap.con.register("hub_wanted_codes", pa.table({"code": sorted(codes)}))
    try:
        return dict(
            snap.con.execute(
                "SELECT d.code, d.id FROM hub_dwellings d JOIN hub_wanted_codes USING (code)"
            ).fetchall()
        )
    finally:
        snap.con.unregister("hub_wanted_codes")


def _keyed(number: str) -> str:
    """A stable subject for an ID number that does not give it away: a plain hash of an ID
    number can be reversed by trying every date and sequence, a keyed one cannot."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, number.encode(), hashlib.sha256).hexdigest()[:24]


def _chunks(values: list, size: int = _BATCH):
    for start in range(0, len(values), size):
        yield values[start : start + size]
