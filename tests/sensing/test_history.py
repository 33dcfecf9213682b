"""Rolling readings into daily Parquet partitions and the retention that follows it: on the real
database, real files in tmp_path, compared reading by reading with what the database held."""

from datetime import UTC, timedelta

import pyarrow.parquet as pq
import pytest

from huying.core import clock
from huying.sensing import history
from huying.sensing import history_parts as parts
from huying.sensing.choices import SampleKind
from huying.sensing.models import Sample
from tests.sensing.history_scene import (
    FIRST,
    NH3N,
    NOW,
    TODAY,
    db_readings,
    make_scene,
    readings_for,
    sample,
    store_all,
)


@pytest.fixture
def scene(db, settings, tmp_path):
    settings.SENSING_DIR = tmp_path
    settings.SENSING_KEEP_DAYS = 1
    found = make_scene()
    store_all(readings_for(found))
    return found


def parquet_readings(day) -> set[tuple]:
    rows = pq.read_table(parts.day_dir(day) / parts.FILE).to_pylist()
    return {
        (r["device_id"], r["parameter"], r["kind"], r["time"], r["value"], r["flag"]) for r in rows
    }


def in_day(readings: set[tuple], day) -> set[tuple]:
    start, end = parts.day_bounds(day)
    return {r for r in readings if start <= r[3] < end}


def test_a_rolled_up_day_holds_every_reading_of_the_day_once(scene):
    before = db_readings(scene.a1, scene.a2)
    day = FIRST + timedelta(days=1)
    rolled = history.roll_up(day)
    expected = in_day(before, day)
    assert len(expected) == 2 * 72 * 2 + 2 * 24  # 72 real-time samples of two codes, 24 hourly
    table = pq.read_table(rolled.path)
    assert table.num_rows == rolled.rows == len(expected)
    assert parquet_readings(day) == expected
    assert rolled.samples == 2 * (72 + 24) and rolled.devices == 2
    assert {r["station_id"] for r in table.to_pylist()} == {scene.yuncheng.id, scene.helong.id}
    assert table.schema.field("time").type.tz == "UTC"


def test_rows_are_sorted_by_device_parameter_and_time(scene):
    table = pq.read_table(history.roll_up(FIRST).path)
    keys = list(
        zip(*(table[c].to_pylist() for c in ("device_id", "parameter", "time")), strict=True)
    )
    assert keys == sorted(keys)


def test_rolling_up_again_rewrites_the_same_partition(scene):
    first = history.roll_up(FIRST)
    part = parts.partition(FIRST)
    again = history.roll_up(FIRST)
    assert (again.rows, again.samples) == (first.rows, first.samples)
    assert parts.partition(FIRST).sha256 == part.sha256
    assert parts.verify(FIRST)
    # No staged file is left behind.
    assert sorted(p.name for p in parts.day_dir(FIRST).iterdir()) == [parts.MANIFEST, parts.FILE]


def test_a_day_without_a_manifest_is_not_rolled_up(scene):
    history.roll_up(FIRST)
    (parts.day_dir(FIRST) / parts.MANIFEST).unlink()
    assert parts.partition(FIRST) is None
    (parts.day_dir(FIRST) / parts.FILE).write_bytes(b"half")  # a crash mid-write
    assert parts.partition(FIRST) is None and not parts.verify(FIRST)


def test_the_sweep_rolls_finished_days_and_deletes_only_rolled_days_past_the_kept_days(scene):
    before = db_readings(scene.a1, scene.a2)
    with clock.frozen_at(NOW):
        result = history.sweep()
    days = [FIRST + timedelta(days=n) for n in range(3)]  # 21, 22, 23; today (24) is not over
    assert [p.day for p in parts.partitions()] == days
    assert parts.partition(TODAY) is None
    # Kept: yesterday (KEEP_DAYS = 1) and today. Deleted: 21 and 22, each in its partition.
    left = db_readings(scene.a1, scene.a2)
    assert left == in_day(before, days[2]) | in_day(before, TODAY)
    gone = in_day(before, days[0]) | in_day(before, days[1])
    assert result == {"rolled": 3, "deleted": len({(r[0], r[2], r[3]) for r in gone}),
                      "kept_mismatched": 0}  # fmt: skip
    for day in days:
        assert parquet_readings(day) == in_day(before, day)
    with clock.frozen_at(NOW):
        assert history.sweep() == {"rolled": 0, "deleted": 0, "kept_mismatched": 0}


def test_retention_keeps_a_day_that_is_not_rolled_up(scene):
    before = db_readings(scene.a1, scene.a2)
    assert history.purge_day(FIRST) == (0, 0)
    assert db_readings(scene.a1, scene.a2) == before


def test_a_late_reading_is_never_deleted_before_it_is_in_the_partition(scene):
    history.roll_up(FIRST)
    start, _ = parts.day_bounds(FIRST)
    late = sample(scene.a1, SampleKind.RTD, start + timedelta(minutes=7), {NH3N: (9.9, "N")})
    store_all([late])
    deleted, kept = history.purge_day(FIRST)
    assert (
        deleted == 72 + 24 and kept == 1
    )  # a1's day stays whole in the database; a2's day is deleted
    assert Sample.objects.filter(device=scene.a1, time=late.time).exists()
    assert not Sample.objects.filter(device=scene.a2, time__lt=start + timedelta(days=1)).exists()
    history.roll_up(FIRST)  # merges: a2's deleted readings stay, the late one comes in
    assert (scene.a1.id, NH3N, 1, late.time.astimezone(UTC), 9.9, "N") in parquet_readings(FIRST)
    assert any(r[0] == scene.a2.id for r in parquet_readings(FIRST))
    rows = pq.read_table(parts.day_dir(FIRST) / parts.FILE).num_rows
    assert rows == len(parquet_readings(FIRST)) == 2 * (72 * 2 + 24) + 1  # each reading once
    assert history.purge_day(FIRST)[1] == 0
    assert not Sample.objects.filter(time__lt=start + timedelta(days=1)).exists()


def test_the_sweep_on_an_empty_database_does_nothing(db, settings, tmp_path):
    settings.SENSING_DIR = tmp_path
    Sample.objects.all().delete()
    with clock.frozen_at(NOW):
        assert history.sweep() == {"rolled": 0, "deleted": 0, "kept_mismatched": 0}
