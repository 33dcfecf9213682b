# ruff: noqa: S608  (SQL built from model table names and our own constants; values are bound)
"""Writing the detectors' findings into the work list, set-based (a first detection over a
million residents opens tens of thousands of items; a repeat changes only what changed).

Per (kind, subject) at most one item is open (open or confirmed): a finding with one is
compared with it and updated if its summary, evidence or place differ; a finding without
one opens an item (unless a person closed one whose data is unchanged: the evidence's
fingerprint); an open item with no finding any more is closed as corrected, with an event
naming the load the data now comes from. Detection runs are serialised (PostgreSQL: an
advisory lock); a person's move locks its own row and is never overwritten by a close.
"""

import json
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Exists, OuterRef

from huying.core import audit
from huying.datahub import registry_io as rio
from huying.datahub.choices import OPEN_DISCREPANCY_STATES, DiscrepancyState, LoadStatus
from huying.datahub.discrepancy_detectors import Found
from huying.datahub.models import Discrepancy, DiscrepancyEvent, Load

CLOSED_BY_PEOPLE = (DiscrepancyState.CORRECTED, DiscrepancyState.DISMISSED)
_COMPARED = ("summary", "evidence", "town_id", "village_id", "resident_id", "dwelling_id")
_BATCH = 1000
_ROW = [
    ("id", "bigint"), ("kind", "varchar(32)"), ("subject", "varchar(120)"),
    ("summary", "varchar(300)"), ("evidence", "text"), ("town_id", "bigint"),
    ("village_id", "bigint"), ("resident_id", "bigint"), ("dwelling_id", "bigint"),
]  # fmt: skip
_LOCK_KEY = 0x48554459  # "HUDY": one detection at a time


@dataclass
class Detection:
    opened: int = 0
    updated: int = 0
    closed: int = 0
    unchanged: int = 0
    kept_closed: int = 0  # dismissed or corrected by a person, data unchanged
    by_kind: dict = field(default_factory=dict)  # open items per kind after the run

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def reconcile(found: list[Found], now) -> Detection:
    """Inside the caller's transaction."""
    rio.serialise(_LOCK_KEY)
    result = Detection()
    current = {
        (row[1], row[2]): row
        for row in Discrepancy.objects.filter(state__in=OPEN_DISCREPANCY_STATES).values_list(
            "pk", "kind", "subject", "state", *_COMPARED
        )
    }
    new, changed = [], []
    for item in found:
        existing = current.pop(item.key, None)
        if existing is None:
            new.append(item)
        elif tuple(existing[4:]) != tuple(getattr(item, name) for name in _COMPARED):
            changed.append((existing[0], item))
        else:
            result.unchanged += 1
    kept = _kept_closed(new)
    fresh = [f for f in new if (*f.key, f.evidence["fingerprint"]) not in kept]
    result.kept_closed = len(new) - len(fresh)
    result.opened = _open(fresh, now)
    result.updated = _update(changed, now)
    result.closed = _close([(row[0], row[3]) for row in current.values()], now)
    open_now = Discrepancy.objects.filter(state__in=OPEN_DISCREPANCY_STATES)
    result.by_kind = dict(open_now.values_list("kind").annotate(n=Count("pk")).order_by("kind"))
    if result.opened or result.updated or result.closed:
        audit.record(
            "datahub.discrepancies.detect",
            object_type="datahub.discrepancy",
            after={"opened": result.opened, "updated": result.updated, "closed": result.closed},
        )
    return result


def _kept_closed(new: list[Found]) -> set[tuple[str, str, str]]:
    """(kind, subject, fingerprint) of items a person closed whose data has not changed."""
    by_person = DiscrepancyEvent.objects.filter(
        discrepancy=OuterRef("pk"), to_state=OuterRef("state"), actor__isnull=False
    )
    subjects: dict[str, list[str]] = {}
    for f in new:
        subjects.setdefault(f.kind, []).append(f.subject)
    kept = set()
    for kind, names in subjects.items():
        for start in range(0, len(names), _BATCH):
            closed = Discrepancy.objects.filter(
                kind=kind, subject__in=names[start : start + _BATCH], state__in=CLOSED_BY_PEOPLE
            ).filter(Exists(by_person))
            for subject, evidence in closed.values_list("subject", "evidence"):
                kept.add((kind, subject, (evidence or {}).get("fingerprint")))
    return kept


def _push(table: str, rows: list[tuple[int | None, Found]]) -> None:
    rio.push_rows(
        table,
        _ROW,
        [
            (pk, f.kind, f.subject, f.summary, json.dumps(f.evidence, ensure_ascii=False),
             f.town_id, f.village_id, f.resident_id, f.dwelling_id)
            for pk, f in rows
        ],
    )  # fmt: skip


def _evidence_sql() -> str:
    return "CAST(t.evidence AS jsonb)" if rio.is_postgres() else "t.evidence"


def _time(now):
    return connection.ops.adapt_datetimefield_value(now)


def _open(items: list[Found], now) -> int:
    if not items:
        return 0
    table, events = Discrepancy._meta.db_table, DiscrepancyEvent._meta.db_table
    _push("hub_disc", [(None, f) for f in items])
    opened = rio.execute(
        f"INSERT INTO {table} (kind, state, subject, summary, evidence, town_id, village_id, "
        f"resident_id, dwelling_id, opened_at, updated_at) "
        f"SELECT t.kind, %s, t.subject, t.summary, {_evidence_sql()}, t.town_id, t.village_id, "
        f"t.resident_id, t.dwelling_id, %s, %s FROM hub_disc t",
        [DiscrepancyState.OPEN, _time(now), _time(now)],
    )
    # The new rows are the open ones with these subjects (one per subject while open).
    rio.execute(
        f"INSERT INTO {events} (discrepancy_id, at, from_state, to_state, note) "
        f"SELECT d.id, %s, '', %s, %s FROM {table} d "
        f"JOIN hub_disc t ON t.kind = d.kind AND t.subject = d.subject WHERE d.state = %s",
        [_time(now), DiscrepancyState.OPEN, "系统发现", DiscrepancyState.OPEN],
    )
    rio.drop("hub_disc")
    return opened


def _update(changed: list[tuple[int, Found]], now) -> int:
    if not changed:
        return 0
    table = Discrepancy._meta.db_table
    _push("hub_disc", changed)
    updated = rio.execute(
        f"UPDATE {table} SET summary = t.summary, evidence = {_evidence_sql()}, "
        f"town_id = t.town_id, village_id = t.village_id, resident_id = t.resident_id, "
        f"dwelling_id = t.dwelling_id, updated_at = %s FROM hub_disc t WHERE {table}.id = t.id",
        [_time(now)],
    )
    rio.drop("hub_disc")
    return updated


def _close(items: list[tuple[int, str]], now) -> int:
    """Conditions that are gone: corrected in the sources, as the newest load shows."""
    if not items:
        return 0
    table, events = Discrepancy._meta.db_table, DiscrepancyEvent._meta.db_table
    latest = Load.objects.filter(status=LoadStatus.SUCCEEDED).order_by("-pk").first()
    source = f"第 {latest.pk} 批导入" if latest else "最新数据"
    note = f"按{source}后的数据，该问题已不存在，系统自动关闭"
    rio.push_rows("hub_gone", [("id", "bigint"), ("from_state", "varchar(16)")], items)
    # The event first, while the item still has the state it is closed from (a person's
    # move that got in between leaves the item, and no event, alone).
    rio.execute(
        f"INSERT INTO {events} (discrepancy_id, at, from_state, to_state, note) "
        f"SELECT t.id, %s, t.from_state, %s, %s FROM hub_gone t "
        f"JOIN {table} d ON d.id = t.id AND d.state = t.from_state",
        [_time(now), DiscrepancyState.CORRECTED, note],
    )
    closed = rio.execute(
        f"UPDATE {table} SET state = %s, closed_at = %s, updated_at = %s FROM hub_gone t "
        f"WHERE {table}.id = t.id AND {table}.state = t.from_state",
        [DiscrepancyState.CORRECTED, _time(now), _time(now)],
    )
    rio.drop("hub_gone")
    return closed
