"""Where the readings history lives: one Parquet partition per local day.

`<SENSING_DIR>/readings/day=YYYY-MM-DD/readings.parquet` holds that day's readings in long format
(one row per device, parameter, data kind and time), sorted by (device_id, parameter, time) so
that DuckDB skips the row groups of other devices. `_manifest.json` beside it is the commit
point: a day counts as rolled up only while the manifest exists and names the file's size, so a
crash between writing the file and the manifest leaves a day that the next sweep rolls again.
Days are local days (settings.TIME_ZONE), the days StationDay and the boards speak of.
"""

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from django.conf import settings

FILE = "readings.parquet"
MANIFEST = "_manifest.json"
SCHEMA = pa.schema(
    [
        ("device_id", pa.int64()),
        ("device_code", pa.string()),
        ("station_id", pa.int64()),
        ("enterprise_id", pa.int64()),
        ("parameter", pa.string()),
        ("kind", pa.int8()),
        ("time", pa.timestamp("us", tz="UTC")),
        ("value", pa.float64()),
        ("flag", pa.string()),
    ]
)


@dataclass(frozen=True)
class Partition:
    day: date
    path: Path
    rows: int
    samples: int
    bytes: int
    sha256: str
    rolled_at: datetime


def root() -> Path:
    return Path(settings.SENSING_DIR) / "readings"


def day_dir(day: date) -> Path:
    return root() / f"day={day.isoformat()}"


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants a local day starts and ends at (half-open)."""
    zone = local_zone()
    start = datetime.combine(day, time(), zone)
    end = datetime.combine(day + timedelta(days=1), time(), zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def local_day(moment: datetime) -> date:
    return moment.astimezone(local_zone()).date()


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def partition(day: date) -> Partition | None:
    """The committed partition of a day, or None (never rolled up, or a roll-up cut short)."""
    folder = day_dir(day)
    try:
        found = json.loads((folder / MANIFEST).read_text())
        size = (folder / FILE).stat().st_size
    except (OSError, ValueError):
        return None
    if found.get("bytes") != size:
        return None
    return Partition(
        day=day,
        path=folder / FILE,
        rows=found["rows"],
        samples=found["samples"],
        bytes=size,
        sha256=found["sha256"],
        rolled_at=datetime.fromisoformat(found["rolled_at"]),
    )


def partitions(first: date | None = None, last: date | None = None) -> list[Partition]:
    """Committed partitions, oldest first, from the day folders (no file is opened but the
    manifests)."""
    found = []
    for folder in sorted(root().glob("day=*")):
        try:
            day = date.fromisoformat(folder.name.removeprefix("day="))
        except ValueError:
            continue
        if (first and day < first) or (last and day > last):
            continue
        if (part := partition(day)) is not None:
            found.append(part)
    return found


def commit(day: date, staged: Path, *, rows: int, samples: int, rolled_at: datetime) -> Partition:
    """Put a staged file in place and write its manifest. The manifest goes first and comes
    back last, so a reader never takes a half-replaced file for a committed one."""
    folder = day_dir(day)
    (folder / MANIFEST).unlink(missing_ok=True)
    staged.replace(folder / FILE)
    facts = {
        "day": day.isoformat(),
        "file": FILE,
        "rows": rows,
        "samples": samples,
        "bytes": (folder / FILE).stat().st_size,
        "sha256": file_sha256(folder / FILE),
        "rolled_at": rolled_at.isoformat(),
    }
    temp = folder / f".{MANIFEST}.{os.getpid()}.tmp"
    temp.write_text(json.dumps(facts, indent=1))
    temp.replace(folder / MANIFEST)
    return partition(day)


def staging_path(day: date) -> Path:
    folder = day_dir(day)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f".{FILE}.{os.getpid()}.tmp"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def verify(day: date) -> bool:
    """The file is the one the manifest describes (rows and checksum): for operators and the
    retention sweep, which reads the rows it compares with anyway."""
    part = partition(day)
    if part is None:
        return False
    return (
        pq.ParquetFile(part.path).metadata.num_rows == part.rows
        and file_sha256(part.path) == part.sha256
    )


class DeviceStream:
    """A partition's rows handed out device by device, in device order, one batch in memory
    at a time (the file is sorted by device)."""

    def __init__(self, path: Path | None, columns: list[str] | None = None):
        self._batches = (
            pq.ParquetFile(path).iter_batches(batch_size=65_536, columns=columns)
            if path is not None and path.exists()
            else iter(())
        )
        self._buffer: pa.Table | None = None
        self._done = False

    def take(self, device_id: int) -> pa.Table | None:
        while not self._done and (self._buffer is None or self._last() <= device_id):
            batch = next(self._batches, None)
            if batch is None:
                self._done = True
                break
            table = pa.Table.from_batches([batch])
            self._buffer = (
                table if self._buffer is None else pa.concat_tables([self._buffer, table])
            )
        if self._buffer is None or self._buffer.num_rows == 0:
            return None
        ids = self._buffer["device_id"]
        mine = self._buffer.filter(pc.equal(ids, device_id))
        self._buffer = self._buffer.filter(pc.greater(ids, device_id))
        return mine

    def _last(self) -> int:
        column = self._buffer["device_id"]
        return column[len(column) - 1].as_py() if len(column) else -1


def connect() -> duckdb.DuckDBPyConnection:
    """An in-process DuckDB bounded like the data hub's (the web and the worker share the box),
    speaking the local time zone so that hours and days are the district's."""
    con = duckdb.connect(config={"threads": settings.DATAHUB_DUCKDB_THREADS})
    con.execute(f"SET memory_limit = '{settings.DATAHUB_DUCKDB_MEMORY}'")
    con.execute(f"SET TimeZone = '{settings.TIME_ZONE}'")
    return con


def literal(value) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def files_sql(parts: list[Partition]) -> str:
    return "[" + ", ".join(literal(p.path) for p in parts) + "]"


def device_ids_in(path: Path | None) -> set[int]:
    if path is None or not path.exists():
        return set()
    return set(pq.read_table(path, columns=["device_id"])["device_id"].unique().to_pylist())
