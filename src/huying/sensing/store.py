"""The one writer of readings: a batch of samples in one statement, resends ignored.

Every door (HJ 212 over TCP, MQTT, HTTP) ends here, so they all store the same thing: one
`Sample` row per (device, data kind, time) holding that time's readings as compact JSON
({"w01018": [231.0, "N"]}). A door acknowledges a reading only after `write` has committed the
batch that holds it; a resend of an acknowledged packet hits the primary key and is skipped.

The hot path uses the database driver directly (no model instances): on PostgreSQL one
`INSERT … SELECT FROM unnest(arrays)`, on SQLite one `executemany` of `INSERT OR IGNORE`.
"""

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection, transaction

from huying.sensing.models import Sample

TABLE = Sample._meta.db_table
COLUMNS = "device_id, kind, time, readings, door, received_at"

# A reading as every door hands it over: value and data flag (N normal, D fault, ... HJ 212).
Values = dict[str, tuple[float, str]]


@dataclass(slots=True)
class NewSample:
    device_id: int
    kind: int  # choices.SampleKind
    time: datetime  # timezone-aware
    values: Values
    door: str  # choices.Door
    received_at: datetime  # when the packet arrived (the latency clock starts here)

    @property
    def reading_count(self) -> int:
        return len(self.values)


def encode_values(values: Values) -> str:
    """Compact, key-sorted JSON: the same readings always give the same text.

    The hot path writes the text itself (a third of json.dumps' cost) when every code and flag
    is a plain token and every value a finite float: then the text is exactly json.dumps'."""
    parts = []
    for code, (value, flag) in sorted(values.items()):
        if (
            type(value) is not float
            or value - value != 0
            or (code not in _PLAIN and not _plain(code))
            or (flag not in _PLAIN and not _plain(flag))
        ):
            return _json_values(values)
        parts.append(f'"{code}":[{_float_text(value)},"{flag}"]')
    return "{" + ",".join(parts) + "}"


def _json_values(values: Values) -> str:
    return json.dumps(
        {code: [value, flag] for code, (value, flag) in sorted(values.items())},
        separators=(",", ":"),
        ensure_ascii=False,
    )


_float_text = float.__repr__  # what json.dumps writes for a finite float
_PLAIN: set[str] = set()  # codes and flags seen to need no JSON escaping
_PLAIN_TOKEN = re.compile(r"[A-Za-z0-9_.\-]{0,40}")


def _plain(text: str) -> bool:
    if type(text) is not str or not _PLAIN_TOKEN.fullmatch(text):
        return False
    if len(_PLAIN) < 10_000:
        _PLAIN.add(text)
    return True


def decode_values(text: str) -> Values:
    return {code: (pair[0], pair[1]) for code, pair in json.loads(text).items()}


def write(samples: Sequence[NewSample]) -> int:
    """Store the samples in one transaction; returns how many were new (resends are not)."""
    if not samples:
        return 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            return _write_postgresql(samples)
        return _write_sqlite(samples)


def _write_postgresql(samples: Sequence[NewSample]) -> int:
    # Epoch seconds travel as one float array: adapting thousands of datetimes costs more.
    sql = (
        f"INSERT INTO {TABLE} ({COLUMNS}) "  # noqa: S608 (our table and column names)
        "SELECT d, k, to_timestamp(t), r, o, to_timestamp(a) "
        "FROM unnest(%s::bigint[], %s::smallint[], %s::float8[], %s::text[], %s::text[], "
        "%s::float8[]) AS s(d, k, t, r, o, a) "
        "ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                [s.device_id for s in samples],
                [s.kind for s in samples],
                [s.time.timestamp() for s in samples],
                [encode_values(s.values) for s in samples],
                [s.door for s in samples],
                [s.received_at.timestamp() for s in samples],
            ],
        )
        return cursor.rowcount


def _write_sqlite(samples: Sequence[NewSample]) -> int:
    texts: dict[datetime, str] = {}  # samples share times (a read's arrival, report times)

    def text(moment: datetime) -> str:
        found = texts.get(moment)
        if found is None:
            found = texts[moment] = sqlite_time(moment)
        return found

    rows = [
        (s.device_id, s.kind, text(s.time), encode_values(s.values), s.door, text(s.received_at))
        for s in samples
    ]
    raw = connection.connection  # the sqlite3 connection: no per-row wrapper work
    before = raw.total_changes
    raw.executemany(
        f"INSERT OR IGNORE INTO {TABLE} ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",  # noqa: S608
        rows,
    )
    return raw.total_changes - before


def sqlite_time(moment: datetime) -> str:
    """The text Django's SQLite backend stores for an aware datetime (naive UTC, `str`), so the
    primary key sees a resend as the same time and the ORM reads the rows back."""
    return str(moment.astimezone(UTC).replace(tzinfo=None))


def readings_of(samples: Iterable[Sample]) -> list[tuple[int, str, datetime, float, str]]:
    """The logical readings (device, parameter, time, value, flag) of stored samples."""
    return [
        (s.device_id, code, s.time, value, flag)
        for s in samples
        for code, (value, flag) in decode_values(s.readings).items()
    ]
