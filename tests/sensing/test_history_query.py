"""Trends and daily means over days in Parquet and days still in the database: the same answer
as computing them from every stored reading, whichever side of the roll-up a day is on."""

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from huying.sensing import history, history_query
from huying.sensing.choices import SampleKind
from huying.sensing.models import StationDay
from tests.sensing.history_scene import (
    DO,
    FIRST,
    NH3N,
    NOW,
    START,
    TODAY,
    db_readings,
    make_scene,
    readings_for,
    store_all,
)

ZONE = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def scene(db, settings, tmp_path):
    settings.SENSING_DIR = tmp_path
    found = make_scene()
    store_all(readings_for(found))
    found.all = db_readings(found.a1, found.a2)  # every reading, before anything is deleted
    return found


def expected(readings, devices, parameter, since, until, bucket, kind=SampleKind.RTD):
    """The trend computed by hand from every reading."""
    groups = defaultdict(list)
    for device, code, k, moment, value, flag in readings:
        chosen = device in devices and code == parameter and k == kind and flag in ("N", "S")
        if chosen and since <= moment < until:
            local = moment.astimezone(ZONE)
            if bucket == "hour":
                local = local.replace(minute=0, second=0, microsecond=0)
            elif bucket == "day":
                local = local.replace(hour=0, minute=0, second=0, microsecond=0)
            groups[local].append(value)
    return [
        (t, pytest.approx(sum(v) / len(v)), min(v), max(v), len(v))
        for t, v in sorted(groups.items())
    ]


def as_tuples(points):
    return [(p.time, p.value, p.min, p.max, p.count) for p in points]


@pytest.mark.parametrize("bucket", ["hour", "day", None])
def test_a_trend_over_rolled_and_live_days_equals_the_trend_of_all_readings(scene, bucket):
    history.roll_up(FIRST)
    history.roll_up(FIRST + timedelta(days=1))  # 23 and 24 stay in the database only
    since = START + timedelta(hours=5, minutes=10)  # mid-morning, the first day
    until = NOW - timedelta(minutes=30)
    found = history_query.trend(scene.yuncheng, NH3N, since, until, bucket)
    assert found, "no points"
    assert as_tuples(found) == expected(scene.all, {scene.a1.id}, NH3N, since, until, bucket)
    # The same after the retention deleted the rolled days from the database.
    history.purge_day(FIRST)
    history.purge_day(FIRST + timedelta(days=1))
    again = history_query.trend([scene.a1.id], NH3N, since, until, bucket)
    assert as_tuples(again) == as_tuples(found)


def test_a_rolled_day_still_in_the_database_is_not_counted_twice(scene):
    since, until = START, START + timedelta(days=2)
    before = history_query.trend(scene.yuncheng, DO, since, until, "day")
    history.roll_up(FIRST)  # its rows stay in the database until the kept days are past
    after = history_query.trend(scene.yuncheng, DO, since, until, "day")
    assert [p.count for p in after] == [p.count for p in before] == [72, 72]
    assert as_tuples(after) == expected(scene.all, {scene.a1.id}, DO, since, until, "day")


def test_hour_buckets_start_on_the_local_hour(scene):
    history.roll_up(FIRST)
    since = START + timedelta(hours=1)
    found = history_query.trend(scene.yuncheng, DO, since, since + timedelta(hours=3), "hour")
    assert [p.time for p in found] == [datetime(2026, 11, 21, h, tzinfo=ZONE) for h in (1, 2, 3)]
    assert [p.count for p in found] == [3, 3, 3]  # a reading every 20 minutes
    assert all(p.min <= p.value <= p.max for p in found)


def test_faulty_readings_are_left_out(scene):
    since, until = START, NOW
    with_faults = [r for r in scene.all if r[0] == scene.a1.id and r[1] == NH3N and r[2] == 1]
    faults = sum(1 for r in with_faults if r[5] == "D")
    assert faults, "the scene should hold faulty readings"
    history.roll_up(FIRST)
    found = history_query.trend(scene.yuncheng, NH3N, since, until, "day")
    assert sum(p.count for p in found) == len(with_faults) - faults


def test_auto_kind_takes_the_coarsest_data_the_station_sends(scene):
    history.roll_up(FIRST)
    found = history_query.trend(scene.yuncheng, NH3N, START, NOW, "day", kind=None)
    assert [p.count for p in found] == [24, 24, 24, 12]  # hourly data, 12 hours of today
    assert {p.value for p in found} == {1.0}


def test_daily_means_of_every_station(scene):
    history.roll_up(FIRST)
    found = history_query.daily_means(None, FIRST, TODAY, parameters=[DO])
    mine = [m for m in found if m.station_id in (scene.yuncheng.id, scene.helong.id)]
    assert [(m.day, m.count) for m in mine if m.station_id == scene.helong.id] == [
        (FIRST + timedelta(days=n), 72) for n in range(3)
    ] + [(TODAY, 36)]
    by_hand = defaultdict(list)
    for device, code, kind, moment, value, _ in scene.all:
        if code == DO and kind == SampleKind.RTD and device == scene.a1.id:
            by_hand[moment.astimezone(ZONE).date()].append(value)
    assert {m.day: m.mean for m in mine if m.station_id == scene.yuncheng.id} == {
        day: pytest.approx(sum(v) / len(v)) for day, v in by_hand.items()
    }


def test_exceedance_report_counts_days_worse_than_the_target(scene):
    for n, (water_class, exceeds) in enumerate([(3, False), (5, True), (6, True), (None, False)]):
        StationDay.objects.create(
            station=scene.yuncheng, day=date(2026, 11, 20) + timedelta(days=n),
            water_class=water_class, exceeds_target=exceeds, computed_at=NOW,
        )  # fmt: skip
    rows = history_query.exceedance_report(date(2026, 11, 21), date(2026, 11, 30))
    row = next(r for r in rows if r["station"] == scene.yuncheng.code)
    assert (row["days"], row["classed_days"], row["exceed_days"], row["worst_class"]) == (
        3, 2, 2, 6,
    )  # fmt: skip


def test_an_empty_range_has_no_points(scene):
    assert history_query.trend(scene.yuncheng, DO, NOW, NOW, "hour") == []
    assert history_query.trend([], DO, START, NOW, "hour") == []
    assert history_query.trend(scene.yuncheng, "w99999", START, NOW, "hour") == []


def test_times_are_utc_aware_inside(scene):
    history.roll_up(FIRST)
    found = history_query.trend(scene.yuncheng, DO, START, START + timedelta(hours=1), None)
    assert found[0].time.astimezone(UTC) == START
