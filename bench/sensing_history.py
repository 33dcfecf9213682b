"""Readings history at scale (issue 6, point 7): daily Parquet partitions queried with DuckDB.

    .venv/bin/python -m bench.sensing_history                    # 30 days x 500 stations
    .venv/bin/python -m bench.sensing_history --stations 100 --days 7 --rollup-devices 100

1. Writes `--days` days of synthetic partitions directly with pyarrow (stations x 10 parameters,
   a real-time reading every 5 minutes: 30 x 500 x 10 x 288 = 43.2 M readings), committed with
   their manifests as the roll-up commits them, into a scratch SENSING_DIR.
2. Times `history_query.trend` of one station and one parameter over the month (hourly buckets)
   and `history_query.daily_means` of every station for the month (the district report),
   each a few rounds (the median and the worst are printed).
3. Stores one earlier day of real-time samples in a scratch database through sensing.store
   (`--rollup-devices` devices x `--rollup-samples` samples of 10 parameters) and times
   `history.roll_up` of that day from the database, then its retention (`purge_day`).

The database is a fresh SQLite file in the scratch folder unless HUYING_DATABASE_URL names one
(it must be a scratch database: the bench migrates it and adds its own registry rows).
Prints the machine, the load average and the figures.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.calls import loadavg

PARAMETERS = ["w01001", "w01009", "w01010", "w01014", "w01018", "w01019", "w21001", "w21003",
              "w21011", "w00000"]  # fmt: skip


def setup(scratch: Path) -> None:
    os.environ.setdefault("HUYING_DATA_DIR", str(scratch))
    os.environ["HUYING_SENSING_DIR"] = str(scratch / "sensing")
    os.environ.setdefault("HUYING_SECRET_KEY", "bench-" + "x" * 50)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huying.settings")
    import django

    django.setup()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate: {time.perf_counter() - started:.1f} s")


def registry(count: int) -> list[tuple[int, int]]:
    """`count` stations with one analyser each: [(device id, station id)]."""
    from decimal import Decimal

    from huying.orgs.models import Org
    from huying.sensing.models import Device, River, Station

    town, _ = Org.objects.get_or_create(
        code="BENCH-T", defaults={"name": "基准测试镇", "kind": "town", "path": "BENCH-T/"}
    )
    river, _ = River.objects.get_or_create(code="BENCH-R", defaults={"name": "基准测试涌"})
    have = Station.objects.filter(code__startswith="BENCH-S").count()
    Station.objects.bulk_create(
        Station(code=f"BENCH-S{n:05d}", name=f"基准站{n}", kind="point", river=river, town=town,
                department=town, lat=Decimal("23.1"), lon=Decimal("113.2"))
        for n in range(have, count)
    )  # fmt: skip
    stations = list(Station.objects.filter(code__startswith="BENCH-S").order_by("code")[:count])
    with_device = set(Device.objects.filter(station__in=stations).values_list("station", flat=True))
    Device.objects.bulk_create(
        Device(code=f"BENCH-W{s.code[7:]}", name=s.name, kind="water", station=s, town=town,
               department=town)
        for s in stations if s.pk not in with_device
    )  # fmt: skip
    return list(
        Device.objects.filter(station__in=stations).order_by("id").values_list("id", "station_id")
    )


def write_partitions(devices, days: list, per_day: int) -> int:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    from huying.core import clock
    from huying.sensing import history, history_parts

    rng = np.random.default_rng(6)
    n, p = len(devices), len(PARAMETERS)
    ids = np.array([d for d, _ in devices], dtype=np.int64)
    stations = np.array([s for _, s in devices], dtype=np.int64)
    step = 86_400 // per_day * 1_000_000
    total = 0
    for day in days:
        start = history_parts.day_bounds(day)[0]
        times = int(start.timestamp()) * 1_000_000 + np.arange(per_day, dtype=np.int64) * step
        rows = n * p * per_day
        codes = pa.DictionaryArray.from_arrays(
            np.tile(np.repeat(np.arange(p, dtype=np.int32), per_day), n), pa.array(PARAMETERS)
        )
        table = pa.table(
            {"device_id": np.repeat(ids, p * per_day),
             "device_code": pa.array(np.repeat(ids, p * per_day).astype(str)),
             "station_id": np.repeat(stations, p * per_day),
             "enterprise_id": pa.nulls(rows, pa.int64()),
             "parameter": codes.cast(pa.string()),
             "kind": pa.array(np.ones(rows, dtype=np.int8)),
             "time": pa.array(np.tile(times, n * p), pa.timestamp("us", tz="UTC")),
             "value": rng.gamma(2.0, 1.5, rows),
             "flag": pa.array(np.full(rows, "N"))}
        ).cast(history_parts.SCHEMA)  # fmt: skip
        staged = history_parts.staging_path(day)
        pq.write_table(table, staged, compression="zstd", row_group_size=history.ROW_GROUP_ROWS)
        history_parts.commit(day, staged, rows=rows, samples=n * per_day, rolled_at=clock.now())
        total += rows
    return total


def timed(label: str, rounds: int, run) -> float:
    seconds = []
    for _ in range(rounds):
        started = time.perf_counter()
        result = run()
        seconds.append(time.perf_counter() - started)
    print(f"{label}: median {statistics.median(seconds):.3f} s, worst {max(seconds):.3f} s "
          f"({rounds} rounds; {result}; load {loadavg()})")  # fmt: skip
    return statistics.median(seconds)


def store_day(devices, day, samples: int) -> int:
    import random

    from huying.sensing import history_parts, store

    rnd = random.Random(6)
    start = history_parts.day_bounds(day)[0]
    step = timedelta(seconds=86_400 / samples)
    stored, batch = 0, []
    for device_id, _ in devices:
        for i in range(samples):
            moment = start + i * step
            values = {code: (round(rnd.uniform(0, 10), 3), "N") for code in PARAMETERS}
            batch.append(store.NewSample(device_id, 1, moment, values, "hj212", moment))
            if len(batch) >= 5000:
                stored, batch = stored + store.write(batch), []
    return stored + store.write(batch)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=500)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--per-day", type=int, default=288, help="readings per parameter a day")
    parser.add_argument("--rollup-devices", type=int, default=500)
    parser.add_argument("--rollup-samples", type=int, default=2880)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="huying-bench-history-"))
    print(f"machine: {os.cpu_count()} cores; load {loadavg()}; python {sys.version.split()[0]}")
    setup(scratch)
    from django.conf import settings
    from django.db import connection

    from huying.sensing import history, history_parts, history_query

    print(f"database: {connection.vendor}; DuckDB threads {settings.DATAHUB_DUCKDB_THREADS}, "
          f"memory {settings.DATAHUB_DUCKDB_MEMORY}; scratch {scratch}")  # fmt: skip
    devices = registry(max(args.stations, args.rollup_devices))
    today = history_parts.local_day(datetime.now(UTC))
    days = [today - timedelta(days=n) for n in range(args.days, 0, -1)]
    started = time.perf_counter()
    rows = write_partitions(devices[: args.stations], days, args.per_day)
    size = sum(p.bytes for p in history_parts.partitions())
    print(f"partitions: {args.days} days x {args.stations} stations x {len(PARAMETERS)} parameters"
          f" x {args.per_day} a day = {rows:,} readings, {size / 1e6:.0f} MB, written in "
          f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    since = history_parts.day_bounds(days[0])[0]
    until = history_parts.day_bounds(days[-1])[1]
    device = devices[args.stations // 2][0]
    timed(
        "one station, one parameter, month, hourly buckets",
        args.rounds,
        lambda: f"{len(history_query.trend([device], 'w21003', since, until, 'hour'))} points",
    )
    timed(
        "district daily means, month, all parameters",
        max(1, args.rounds // 2),
        lambda: f"{len(history_query.daily_means(None, days[0], days[-1]))} station-days",
    )
    one = ["w21003"]
    timed("district daily means, month, one parameter", args.rounds,
          lambda: f"{len(history_query.daily_means(None, days[0], days[-1], parameters=one))} "
                  "station-days")  # fmt: skip
    rollup_day = today - timedelta(days=args.days + 1)
    started = time.perf_counter()
    stored = store_day(devices[: args.rollup_devices], rollup_day, args.rollup_samples)
    print(f"stored {stored:,} samples ({stored * len(PARAMETERS):,} readings) of {rollup_day} in "
          f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    timed(
        "roll-up of that day from the database",
        1,
        lambda: f"{history.roll_up(rollup_day).rows:,} readings",
    )
    timed(
        "retention of that day (delete, checked against the partition)",
        1,
        lambda: f"{history.purge_day(rollup_day)} (deleted, kept)",
    )
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"load average at the end: {loadavg()}; peak memory of the process {peak:.0f} MB")
    if not args.keep:
        import shutil

        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
