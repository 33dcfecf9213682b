# ruff: noqa: S608  (SQL built from file paths quoted by store.literal; values are bound)
"""Corrections back to the hub: what inspectors confirm or correct becomes the hub's source
`inspection` (巡查核实), loaded, linked and audited like the departments' extracts.

`record(visit)` is called by `visits.record_visit` inside the visit's transaction: it queues
the settling of the dwelling's discrepancies (settle.py) as a task whose row commits with the
visit, so it runs once the visit is stored, in the worker (the visit's request stays short).

The worker's sweep `patrol.corrections` (every `SWEEP_SECONDS`) sends the visits the hub has
not got yet as ONE inspection load, through the hub's normal load path (all or nothing; each
record's provenance: source inspection, its load, source key `<visit key>|<occupant no>`, load
time), then queues the incremental linkage that every changed load gets. It settles those
visits' discrepancies too, should their task have failed (settling twice changes nothing).

The queue needs no flag on the visit: the hub's own records are the manifest. A visit is sent
once its key is among the records of a succeeded patrol load; a load that fails leaves no
committed records, so its visits are simply still waiting at the next sweep. The sweep reads
the visits recorded since the newest record sent (less `MARGIN`, for a visit whose
transaction committed after a later one), so its work does not grow with the years. Two
workers sweeping at once may both send a visit: the records are the same (same key, same
digest), the later load finds them unchanged, and settling is a compare-and-swap.
"""

import csv
import logging
import shutil
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from django_tasks import task

from huying.core import clock
from huying.datahub import loading, store
from huying.datahub.choices import LoadOrigin, LoadStatus, Source
from huying.datahub.formats import FORMATS
from huying.datahub.models import Load
from huying.patrol import settle
from huying.patrol.choices import VisitOrigin
from huying.patrol.models import Visit

SWEEP_SECONDS = 600  # one load per sweep at most: each load is a Parquet partition per source
MARGIN = timedelta(minutes=10)
BATCH = 5000  # visits per load
SOURCE = Source.INSPECTION.value
COLUMNS = FORMATS[SOURCE].names
log = logging.getLogger(__name__)


def record(visit: Visit) -> None:
    """Queue the visit's settling of discrepancies (in the visit's transaction)."""
    if visit.checklist or visit.occupants.exists():  # a recognised stop says nothing yet
        settle_task.enqueue(visit.pk)


@task()
def settle_task(visit_id: int) -> int:
    visit = Visit.objects.select_related("inspector", "dwelling").filter(pk=visit_id).first()
    return settle.settle(visit) if visit is not None else 0


def sweep() -> dict:
    """Settle and send the visits the hub has not got yet; return what was done."""
    visits = pending()
    settled = sum(_settle(v) for v in visits)
    rows = [row for visit in visits for row in rows_of(visit)]
    result = {"visits": len(visits), "settled": settled, "records": len(rows), "load": None}
    if not rows:
        return result
    load = send(rows, len({r["visit_key"] for r in rows}))
    result["load"] = load.pk if load else None
    result["status"] = load.status if load else LoadStatus.FAILED
    return result


def _settle(visit: Visit) -> int:
    try:
        return settle.settle(visit)
    except Exception:  # one visit's trouble must not hold the others' records back
        log.exception("settling the discrepancies of visit %s failed", visit.pk)
        return 0


# --- what is waiting ---------------------------------------------------------------------------


def pending(limit: int = BATCH) -> list[Visit]:
    """The visits not yet among the hub's inspection records, oldest recorded first."""
    sent, newest = _sent()
    # A stop recognised on the track names no occupant and ticks no checklist.
    visits = Visit.objects.exclude(origin=VisitOrigin.STAY).order_by("recorded_at", "pk")
    if newest is not None:
        visits = visits.filter(recorded_at__gte=newest - MARGIN)
    waiting = [pk for pk, key in visits.values_list("pk", "key") if str(key) not in sent]
    chosen = waiting[:limit]
    found = (
        Visit.objects.filter(pk__in=chosen)
        .select_related("inspector", "dwelling")
        .prefetch_related("occupants__resident")
    )
    by_pk = {v.pk: v for v in found}
    return [by_pk[pk] for pk in chosen]


def _patrol_partitions() -> list[Path]:
    """The inspection partitions of the patrol's own loads (an uploaded inspection file is
    not the patrol's manifest)."""
    ids = Load.objects.filter(
        status=LoadStatus.SUCCEEDED, origin=LoadOrigin.PATROL, files__source=SOURCE
    ).values_list("pk", flat=True)
    paths = (store.partition_path(SOURCE, pk) for pk in sorted(ids))
    return [p for p in paths if p.exists()]


def _sent() -> tuple[set[str], datetime | None]:
    """The visit keys sent since the newest recorded visit sent (less MARGIN), and that time."""
    paths = _patrol_partitions()
    if not paths:
        return set(), None
    files = "[" + ", ".join(store.literal(p) for p in paths) + "]"
    con = store.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        newest = con.execute(f"SELECT max(recorded_at) FROM read_parquet({files})").fetchone()[0]
        if newest is None:
            return set(), None
        keys = con.execute(
            f"SELECT DISTINCT visit_key FROM read_parquet({files}) WHERE recorded_at >= ?",
            [newest - MARGIN],
        ).fetchall()
    finally:
        con.close()
    return {k for (k,) in keys}, newest


# --- the records -------------------------------------------------------------------------------


def rows_of(visit: Visit) -> list[dict]:
    """One record per occupant the visit says something about, numbered in entry order.

    A confirmed, moved-out or corrected occupant keeps the hub's values for what the inspector
    did not type; the hub's ID number only when it is sound (the page shows it masked, so a
    wrong one was not confirmed by anyone). An occupant with neither name nor number says
    nothing about a person and is left out (its number is kept, so keys stay stable)."""
    rows = []
    for no, occupant in enumerate(visit.occupants.all(), start=1):
        person = occupant.resident
        known_id = person.id_number if person is not None and person.id_number_valid else ""
        values = {
            "name": occupant.name or (person.name if person else ""),
            "id_number": occupant.id_number or known_id,
            "phone": occupant.phone or (person.phone if person else ""),
        }
        if not values["name"] and not values["id_number"]:
            continue
        rows.append({
            "visit_key": str(visit.key), "occupant_no": no, "dwelling_code": visit.dwelling.code,
            "outcome": occupant.outcome, **values,
            "resident_id": occupant.resident_id or "",
            "inspector": visit.inspector.get_username(),
            "visited_at": visit.visited_at.isoformat(),
            "recorded_at": visit.recorded_at.isoformat(),
        })  # fmt: skip
    return rows


def send(rows: list[dict], visits: int) -> Load | None:
    """Load the rows as one inspection extract; None when the load failed inside (logged).
    A succeeded load that changed something is linked next, as every load from the pages is."""
    folder = store.root() / "incoming" / f"inspection-{uuid.uuid4().hex}"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        _write(folder / f"{SOURCE}.csv", rows)
        load = Load.objects.create(
            origin=LoadOrigin.PATROL, folder=str(folder), created_at=clock.now(),
            label=f"巡查核实：{visits} 次巡查，{len(rows)} 名住户",
        )  # fmt: skip
        try:
            load = loading.run_load(load)
        except Exception:
            log.exception("inspection load %s failed; its visits wait for the next sweep", load.pk)
            return None
    finally:
        # The partition holds the records now; no second copy of ID numbers stays on disk.
        shutil.rmtree(folder, ignore_errors=True)
    if load.status != LoadStatus.SUCCEEDED:
        log.error("inspection load %s refused: %s", load.pk, load.problems[:3])
    elif load.changed:
        from huying.datahub.linkage import link_task

        link_task.enqueue()
    return load


def _write(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
