"""Readings history: each finished day rolled from the database into a Parquet partition, and
the database kept to the recent SENSING_KEEP_DAYS (issue 6, point 7).

`roll_up(day)` writes every reading of the day (all data kinds) in long format. It reads the
database one device at a time by primary-key range (Sample has no time index, on purpose) and
writes a row group whenever enough rows have gathered, so memory stays bounded at millions of
rows. A day rolled again merges what its partition already holds with what the database holds
now: readings the retention sweep already deleted are kept, late ones are added, so rolling up
is idempotent and never drops a reading.

`sweep()` (hourly) rolls up every finished day not rolled up yet, then deletes database rows of
days older than SENSING_KEEP_DAYS, one device-day per transaction, and only where every deleted
row is in the partition (checked on the rows the DELETE returns; otherwise that device-day is
put back, the day rolled again, and deleted on the next try).
"""

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from django.conf import settings
from django.db import connection, transaction

from huying.core import clock
from huying.sensing import history_parts as parts
from huying.sensing.choices import SampleKind
from huying.sensing.models import Device, Sample
from huying.sensing.store import TABLE, decode_values, sqlite_time

log = logging.getLogger("huying.sensing.history")

KINDS = tuple(SampleKind.values)
ROW_GROUP_ROWS = 122_880  # DuckDB's own row-group size: a one-station query reads few
MAX_DAYS_PER_SWEEP = 7  # a worker that was down for weeks catches up over several sweeps
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class RollUp:
    day: date
    rows: int  # readings written
    samples: int  # (device, kind, time) samples they came from
    devices: int
    path: str


@dataclass(frozen=True)
class DeviceFacts:
    id: int
    code: str
    station_id: int | None
    enterprise_id: int | None


class _Columns:
    """Rows gathered for the next row group."""

    def __init__(self):
        self.data = {name: [] for name in parts.SCHEMA.names}

    def __len__(self) -> int:
        return len(self.data["device_id"])

    def add(self, device: DeviceFacts, readings: dict) -> None:
        keys = sorted(readings)
        n = len(keys)
        data = self.data
        for name, same in (("device_id", device.id), ("device_code", device.code),
                           ("station_id", device.station_id),
                           ("enterprise_id", device.enterprise_id)):  # fmt: skip
            data[name].extend([same] * n)
        data["parameter"].extend([k[0] for k in keys])
        data["time"].extend([k[1] for k in keys])
        data["kind"].extend([k[2] for k in keys])
        pairs = [readings[k] for k in keys]
        data["value"].extend([p[0] for p in pairs])
        data["flag"].extend([p[1] for p in pairs])

    def flush(self, writer: pq.ParquetWriter) -> int:
        count = len(self)
        if count:
            writer.write_table(pa.table(self.data, schema=parts.SCHEMA))
            self.data = {name: [] for name in parts.SCHEMA.names}
        return count


def roll_up(day: date) -> RollUp:
    """Write the day's partition (merging what it already holds) and commit its manifest."""
    start, end = parts.day_bounds(day)
    existing = parts.day_dir(day) / parts.FILE
    existing = existing if existing.exists() else None
    before = parts.DeviceStream(existing)
    staged = parts.staging_path(day)
    pending, samples, devices = _Columns(), 0, 0
    rows = 0
    try:
        with pq.ParquetWriter(staged, parts.SCHEMA, compression="zstd") as writer:
            for device in _devices(parts.device_ids_in(existing)):
                readings = _previous_readings(before.take(device.id))
                readings.update(_database_readings(device.id, start, end))
                if readings:
                    devices += 1
                    samples += len({(kind, moment) for _, moment, kind in readings})
                    pending.add(device, readings)
                if len(pending) >= ROW_GROUP_ROWS:
                    rows += pending.flush(writer)
            rows += pending.flush(writer)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    part = parts.commit(day, staged, rows=rows, samples=samples, rolled_at=clock.now())
    log.info("rolled up %s: %s readings of %s devices", day, rows, devices)
    return RollUp(day, rows, samples, devices, str(part.path))


def _devices(also: set[int]) -> list[DeviceFacts]:
    """Every device in id order (the partition's sort order), and any device the partition
    already holds that is gone from the registry."""
    known = {
        row[0]: DeviceFacts(*row)
        for row in Device.objects.values_list("id", "code", "station_id", "enterprise_id")
    }
    for missing in also - known.keys():
        known[missing] = DeviceFacts(missing, "", None, None)
    return [known[i] for i in sorted(known)]


def _previous_readings(table: pa.Table | None) -> dict:
    if table is None or table.num_rows == 0:
        return {}
    return {
        (r["parameter"], r["time"], r["kind"]): (r["value"], r["flag"]) for r in table.to_pylist()
    }


def _database_readings(device_id: int, start: datetime, end: datetime) -> dict:
    found = {}
    rows = Sample.objects.filter(
        device_id=device_id, kind__in=KINDS, time__gte=start, time__lt=end
    ).values_list("kind", "time", "readings")
    for kind, moment, text in rows.iterator(chunk_size=4000):
        for parameter, pair in decode_values(text).items():
            found[(parameter, moment, kind)] = pair
    return found


def sweep() -> dict[str, int]:
    """Roll up finished days not rolled up yet; delete database rows past the kept days."""
    today = parts.local_day(clock.now())
    earliest = earliest_day()
    if earliest is None:
        return {"rolled": 0, "deleted": 0, "kept_mismatched": 0}
    missing = [
        d
        for d in parts.days_between(earliest, today - timedelta(days=1))
        if parts.partition(d) is None
    ]
    for day in missing[:MAX_DAYS_PER_SWEEP]:
        roll_up(day)
    deleted = mismatched = 0
    for day in parts.days_between(earliest, today - timedelta(days=settings.SENSING_KEEP_DAYS + 1)):
        gone, kept = purge_day(day)
        if kept:  # rows arrived after the roll-up: roll them in and try once more
            roll_up(day)
            gone2, kept = purge_day(day)
            gone += gone2
        deleted, mismatched = deleted + gone, mismatched + kept
    return {"rolled": min(len(missing), MAX_DAYS_PER_SWEEP), "deleted": deleted,
            "kept_mismatched": mismatched}  # fmt: skip


def earliest_day() -> date | None:
    """The local day of the oldest sample: one primary-key seek per device and kind."""
    firsts = []
    for device_id in Device.objects.order_by("id").values_list("id", flat=True):
        for kind in KINDS:
            first = (
                Sample.objects.filter(device_id=device_id, kind=kind)
                .order_by("time")
                .values_list("time", flat=True)
                .first()
            )
            if first is not None:
                firsts.append(first)
    return parts.local_day(min(firsts)) if firsts else None


def purge_day(day: date) -> tuple[int, int]:
    """Delete the day's database rows that its partition holds, device by device. Returns
    (rows deleted, device-days kept because they hold readings the partition does not)."""
    part = parts.partition(day)
    if part is None or pq.ParquetFile(part.path).metadata.num_rows != part.rows:
        return 0, 0
    start, end = parts.day_bounds(day)
    stream = parts.DeviceStream(part.path, columns=["device_id", "kind", "time"])
    deleted = kept = 0
    for device_id in Device.objects.order_by("id").values_list("id", flat=True):
        in_file = _keys(stream.take(device_id))
        try:
            with transaction.atomic():
                gone = _delete_returning(device_id, start, end)
                if not gone <= in_file:
                    raise _NotInPartition
        except _NotInPartition:
            kept += 1
            continue
        deleted += len(gone)
    return deleted, kept


class _NotInPartition(Exception):
    pass


def _keys(table: pa.Table | None) -> set[tuple[int, int]]:
    if table is None:
        return set()
    micros = pc.cast(table["time"], pa.int64()).to_pylist()
    return set(zip(table["kind"].to_pylist(), micros, strict=True))


def _delete_returning(device_id: int, start: datetime, end: datetime) -> set[tuple[int, int]]:
    sqlite = connection.vendor == "sqlite"
    bounds = [sqlite_time(start), sqlite_time(end)] if sqlite else [start, end]
    kinds = ", ".join(str(k) for k in KINDS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {TABLE} WHERE device_id = %s AND kind IN ({kinds}) "  # noqa: S608
            "AND time >= %s AND time < %s RETURNING kind, time",
            [device_id, *bounds],
        )
        return {(kind, _micros(moment)) for kind, moment in cursor.fetchall()}


def _micros(moment: datetime | str) -> int:
    if isinstance(moment, str):  # SQLite hands back the stored text (naive UTC)...
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:  # ...or, through Django's converters, a naive UTC datetime
        moment = moment.replace(tzinfo=UTC)
    return (moment - EPOCH) // MICROSECOND
