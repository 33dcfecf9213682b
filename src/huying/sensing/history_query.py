"""History reads over every day, wherever the day lives: the Parquet partition of a rolled-up
day (DuckDB in process, reading only that range's files), the database for the days not rolled
up yet. A day is read from exactly one of the two, so the boundary day is never counted twice
(a rolled-up day's rows stay in the database until SENSING_KEEP_DAYS, and are ignored here).

Both sources give partial sums (sum, count, min, max) per group, merged here, so a trend over
months costs what DuckDB's aggregation costs, and the database part stays a few days at most.
Only valid readings count: normal (N) and manual (S) values; faults, calibration, maintenance
and comms failures are not the water (the boards use the same rule).
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db.models import Count, Max, Q

from huying.sensing import history_parts as parts
from huying.sensing.choices import SampleKind
from huying.sensing.models import Device, Sample, Station, StationDay
from huying.sensing.store import decode_values

VALID_FLAGS = ("N", "S")
BUCKETS = ("hour", "day", None)
COARSEST_FIRST = (SampleKind.HOUR, SampleKind.MINUTE, SampleKind.RTD)


@dataclass(frozen=True)
class Point:
    time: datetime  # the bucket's start (local time), or the reading's time without a bucket
    value: float  # the mean
    min: float
    max: float
    count: int


@dataclass(frozen=True, order=True)
class DayMean:
    station_id: int
    day: date
    parameter: str
    mean: float
    min: float
    max: float
    count: int


class _Sums(dict):
    """Partial aggregates by key: [sum, count, min, max]."""

    def add(self, key, total: float, count: int, low: float, high: float) -> None:
        found = self.get(key)
        if found is None:
            self[key] = [total, count, low, high]
        else:
            found[0] += total
            found[1] += count
            found[2] = min(found[2], low)
            found[3] = max(found[3], high)


def trend(
    devices: Station | Iterable[int],
    parameter: str,
    since: datetime,
    until: datetime,
    bucket: str | None = "hour",
    *,
    kind: int | None = SampleKind.RTD,
) -> list[Point]:
    """One parameter of a station's devices (or of the given devices) in [since, until), per
    local hour or day or reading by reading. kind=None: the coarsest data kind that has any
    readings in the range (hourly data where the station sends it, else minute, else real-time).
    """
    if bucket not in BUCKETS:
        raise ValueError(f"bucket must be one of {BUCKETS}")
    ids = _device_ids(devices)
    if kind is None:
        for coarse in COARSEST_FIRST:
            if found := trend(ids, parameter, since, until, bucket, kind=coarse):
                return found
        return []
    sums = _Sums()
    rolled, live = _split(since, until)
    if rolled and ids:
        _parquet_sums(sums, rolled, _bucket_sql(bucket), f"device_id IN ({_sql_ints(ids)})",
                      kind, [parameter], since, until)  # fmt: skip
    to_bucket = _bucketer(bucket)
    for _, _, moment, value in _database_readings({i: None for i in ids}, kind, {parameter}, live):
        sums.add(to_bucket(moment), value, 1, value, value)
    zone = parts.local_zone()
    return [
        Point(t.astimezone(zone), total / count, low, high, count)
        for t, (total, count, low, high) in sorted(sums.items())
    ]


def daily_means(
    stations: Station | Iterable[Station | int] | None,
    since: date,
    until: date,
    *,
    parameters: Iterable[str] | None = None,
    kind: int = SampleKind.RTD,
) -> list[DayMean]:
    """Each station's daily mean of each parameter for the local days since..until (both
    included); stations=None: every station of the district."""
    start, end = parts.day_bounds(since)[0], parts.day_bounds(until)[1]
    ids = None if stations is None else _station_ids(stations)
    wanted = set(parameters) if parameters is not None else None
    sums = _Sums()
    rolled, live = _split(start, end)
    if rolled and ids != []:
        where = "station_id IS NOT NULL" if ids is None else f"station_id IN ({_sql_ints(ids)})"
        _parquet_sums(sums, rolled, BY_FILE, where, kind, wanted, start, end,
                      group="station_id, parameter")  # fmt: skip
    if live:  # the registry is asked only for the days still in the database
        devices = Device.objects.filter(station__isnull=False)
        if ids is not None:
            devices = devices.filter(station_id__in=ids)
        by_device = dict(devices.values_list("id", "station_id"))
        for station_id, code, moment, value in _database_readings(by_device, kind, wanted, live):
            sums.add((station_id, code, _day_start(moment)), value, 1, value, value)
    return sorted(
        DayMean(station, parts.local_day(t), code, total / count, low, high, count)
        for (station, code, t), (total, count, low, high) in sums.items()
    )


def _station_ids(stations) -> list[int]:
    items = [stations] if isinstance(stations, Station) else stations
    return sorted(s.pk if isinstance(s, Station) else int(s) for s in items)


def _sql_ints(ids: Iterable[int]) -> str:
    return ", ".join(str(int(i)) for i in ids)


def exceedance_report(since: date, until: date, stations=None) -> list[dict]:
    """Days per station worse than its target class, from StationDay: one row per station and
    day, small enough for the database (250 stations x 365 days is 91,000 rows a year), so no
    Parquet here. `stations`: a queryset to narrow to (the caller's scope)."""
    days = StationDay.objects.filter(day__gte=since, day__lte=until)
    if stations is not None:
        days = days.filter(station__in=stations)
    rows = (
        days.values("station_id", "station__code", "station__name", "station__target_class")
        .annotate(
            days=Count("id"),
            classed=Count("id", filter=Q(water_class__isnull=False)),
            exceed_days=Count("id", filter=Q(exceeds_target=True)),
            worst_class=Max("water_class"),
        )
        .order_by("-exceed_days", "station__code")
    )
    return [
        {"station": r["station__code"], "name": r["station__name"],
         "target_class": r["station__target_class"], "days": r["days"],
         "classed_days": r["classed"], "exceed_days": r["exceed_days"],
         "worst_class": r["worst_class"]}
        for r in rows
    ]  # fmt: skip


def _device_ids(devices) -> list[int]:
    if isinstance(devices, Station):
        return sorted(devices.devices.values_list("pk", flat=True))
    return sorted(int(i) for i in devices)


def _split(since: datetime, until: datetime) -> tuple[list, list[tuple[datetime, datetime]]]:
    """The partitions of the rolled-up days in [since, until), and the spans of the others."""
    if until <= since:
        return [], []
    rolled, live = [], []
    for day in parts.days_between(parts.local_day(since), parts.local_day(until - MICRO)):
        part = parts.partition(day)
        if part is not None:
            rolled.append(part)
            continue
        start, end = parts.day_bounds(day)
        span = (max(start, since), min(end, until))
        if live and live[-1][1] == span[0]:
            live[-1] = (live[-1][0], span[1])
        else:
            live.append(span)
    return rolled, live


MICRO = timedelta(microseconds=1)


# A partition is one local day: grouping by its file gives the day without converting each
# row's time to the local zone (that conversion is most of a month-long report's cost).
BY_FILE = "filename"


def _bucket_sql(bucket: str | None) -> str:
    if bucket == "day":
        return BY_FILE
    return f"date_trunc('{bucket}', time)" if bucket else "time"


def _parquet_sums(sums, rolled, bucket_sql, where, kind, codes, since, until, group="") -> None:
    codes = sorted(codes) if codes is not None else None
    if codes is None:
        code_filter, code_params = "", []
    elif len(codes) == 1:  # a plain comparison lets DuckDB skip row groups by their statistics
        code_filter, code_params = "AND parameter = ?", codes
    else:
        code_filter, code_params = "AND parameter IN (SELECT unnest(?))", [codes]
    flags = ", ".join(parts.literal(f) for f in VALID_FLAGS)
    keys = f"{group}, " if group else ""
    # Our column names; the file paths are quoted literals; values travel as parameters.
    sql = (
        f"SELECT {keys}{bucket_sql} AS t, sum(value), count(value), min(value), max(value) "  # noqa: S608
        f"FROM read_parquet({parts.files_sql(rolled)}, filename = true) "
        f"WHERE {where} AND kind = ? AND flag IN ({flags}) AND value IS NOT NULL "
        f"AND time >= ? AND time < ? {code_filter} GROUP BY ALL"
    )
    params = [int(kind), since, until, *code_params]
    day_starts = {str(p.path): parts.day_bounds(p.day)[0] for p in rolled}
    with parts.connect() as con:
        for row in con.execute(sql, params).fetchall():
            *group_values, t, total, count, low, high = row
            t = day_starts[t] if bucket_sql == BY_FILE else t.astimezone(UTC)
            sums.add((*group_values, t) if group else t, total, count, low, high)


def _database_readings(
    devices: dict[int, int | None], kind: int, codes: set[str] | None, spans
) -> Iterator[tuple[int | None, str, datetime, float]]:
    """(station, parameter, time, value) of valid readings, one device and span at a time by
    primary-key range."""
    for since, until in spans:
        for device_id, station_id in devices.items():
            rows = Sample.objects.filter(
                device_id=device_id, kind=kind, time__gte=since, time__lt=until
            ).values_list("time", "readings")
            for moment, text in rows.iterator(chunk_size=4000):
                for code, (value, flag) in decode_values(text).items():
                    wanted = codes is None or code in codes
                    if wanted and value is not None and flag in VALID_FLAGS:
                        yield station_id, code, moment, value


def _bucketer(bucket: str | None) -> Callable[[datetime], datetime]:
    if bucket == "hour":
        zone = parts.local_zone()
        return lambda m: m.astimezone(zone).replace(minute=0, second=0, microsecond=0)
    if bucket == "day":
        return _day_start
    return lambda m: m.astimezone(UTC)


def _day_start(moment: datetime) -> datetime:
    return parts.day_bounds(parts.local_day(moment))[0]
