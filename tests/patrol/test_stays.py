# ruff: noqa: F811  (the `scene` fixture is imported from track_scene and taken as an argument)
"""Stay-point detection: the pure function on table cases and generated walks with known
stops (precision and recall), and the service that stores stays and recognises visits."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from huying.patrol import stays
from huying.patrol.choices import VisitOrigin
from huying.patrol.models import StayPoint, TrackPoint, Visit
from huying.patrol.stays import Point, detect, haversine_m
from tests.patrol.track_scene import DOORS, at_metres, beijing, scene, walk  # noqa: F401

T0 = beijing("2026-11-10T09:00:00")


def still(start, minutes, east=0.0, north=0.0, step_s=10):
    lat, lon = at_metres(east, north)
    n = int(minutes * 60 / step_s) + 1
    return [Point(start + timedelta(seconds=k * step_s), lat, lon) for k in range(n)]


def test_haversine_matches_a_known_distance():
    # One degree of latitude is about 111.2 km.
    assert haversine_m(23.0, 113.0, 24.0, 113.0) == pytest.approx(111_195, rel=1e-3)


@pytest.mark.parametrize(
    ("points", "expected"),
    [
        pytest.param([], 0, id="no-data"),
        pytest.param(still(T0, 1.5), 0, id="shorter-than-threshold"),
        pytest.param(still(T0, 2), 1, id="exactly-the-threshold"),
        pytest.param(still(T0, 3) + still(T0 + timedelta(minutes=3, seconds=10), 3, 200), 2,
                     id="two-stays-back-to-back"),
        pytest.param(still(T0, 1) + still(T0 + timedelta(minutes=20), 1), 0,
                     id="a-gap-is-not-a-stay"),
    ],
)  # fmt: skip
def test_table(points, expected):
    assert len(detect(points, 30, 2)) == expected


def test_a_walk_that_never_stops_has_no_stay():
    points = walk(T0, [("YC-T1", 0), ("YC-T2", 0), ("YC-T3", 0), ("YC-T4", 0)], noise_m=4)
    assert detect(points, 30, 2) == []


def test_a_stay_at_the_end_of_the_data_is_found_with_its_mean_position():
    points = walk(T0, [("YC-T1", 0), ("YC-T4", 5)], noise_m=3)
    found = detect(points, 30, 2)
    assert len(found) == 1
    lat, lon = at_metres(*DOORS["YC-T4"])
    assert haversine_m(found[0].lat, found[0].lon, lat, lon) < 5
    assert found[0].ended_at == points[-1].at


def test_a_lone_spike_does_not_split_a_stay():
    points = still(T0, 4)
    lat, lon = at_metres(400, 400)
    points[10] = Point(points[10].at, lat, lon)
    found = detect(points, 30, 2)
    assert len(found) == 1 and found[0].points == len(points) - 1


@pytest.mark.parametrize("seed", range(8))
def test_generated_walks_recall_and_precision(seed):
    """Stops of 3–6 min are found, a 1-minute pause is not, with 6 m GPS noise per axis."""
    plan = [("YC-T1", 4), ("YC-T2", 1), ("YC-T3", 3), ("YC-T4", 6)]
    points = walk(T0, plan, noise_m=6, seed=seed)
    found = detect(points, 30, 2)
    matched = {_door_of(s) for s in found}
    true_stops = {"YC-T1", "YC-T3", "YC-T4"}
    recall = len(matched & true_stops) / len(true_stops)
    precision = len(matched & true_stops) / max(1, len(found))
    assert recall == 1.0 and precision == 1.0, (seed, [(_door_of(s), s.points) for s in found])


def _door_of(stay) -> str:
    return min(DOORS, key=lambda c: haversine_m(stay.lat, stay.lon, *at_metres(*DOORS[c])))


def test_eight_hours_of_points_are_processed_in_under_a_second():
    import time

    plan = [(code, 3) for code in ("YC-T1", "YC-T2", "YC-T3", "YC-T4")] * 60
    points = walk(T0, plan, noise_m=5)[:2880]
    begun = time.perf_counter()
    found = detect(points, 30, 2)
    assert time.perf_counter() - begun < 1.0 and found


def _store(inspector, points):
    TrackPoint.objects.bulk_create(
        TrackPoint(inspector=inspector, at=p.at, lat=p.lat, lon=p.lon, received_at=p.at)
        for p in points
    )


def test_process_is_idempotent_and_recognises_visits(scene):
    inspector = scene["inspector"]
    points = walk(T0, [("YC-T1", 3), ("YC-T3", 4), ("YC-T4", 1)], noise_m=3)
    _store(inspector, points)
    first = stays.process(inspector, points[0].at)
    again = stays.process(inspector, points[0].at)
    assert [s.pk for s in first] == [s.pk for s in again]
    assert StayPoint.objects.filter(inspector=inspector).count() == 2
    visits = Visit.objects.filter(inspector=inspector, origin=VisitOrigin.STAY)
    assert sorted(v.dwelling.code for v in visits) == ["YC-T1", "YC-T3"]
    assert all(s.visit_id and s.distance_m < 15 for s in again)


def test_an_open_stay_grows_with_the_next_batch(scene):
    inspector = scene["inspector"]
    points = walk(T0, [("YC-T1", 0), ("YC-T2", 8)], noise_m=2)
    half = len(points) - 24
    _store(inspector, points[:half])
    [stay] = stays.process(inspector, points[0].at)
    _store(inspector, points[half:])
    [grown] = stays.process(inspector, points[half].at)
    assert grown.pk == stay.pk and grown.ended_at == points[-1].at
    assert grown.points > stay.points
    assert Visit.objects.filter(inspector=inspector).count() == 1


def test_a_stay_where_the_inspector_entered_a_visit_links_to_it(scene):
    from huying.patrol.visits import record_visit

    inspector, door = scene["inspector"], scene["dwellings"]["YC-T3"]
    entered = record_visit(inspector, door, T0 + timedelta(hours=2), VisitOrigin.PAGE)
    points = walk(T0, [("YC-T1", 0), ("YC-T3", 3)])
    _store(inspector, points)
    [stay] = stays.process(inspector, points[0].at)
    assert stay.visit == entered
    assert Visit.objects.filter(inspector=inspector).count() == 1


def test_a_stay_far_from_any_dwelling_is_no_visit(scene):
    inspector = scene["inspector"]
    points = still(T0, 5, east=500, north=-400)
    _store(inspector, points)
    [stay] = stays.process(inspector, points[0].at)
    assert stay.dwelling is None and stay.visit is None


def test_matching_a_stay_costs_a_bounded_number_of_queries(scene):
    inspector = scene["inspector"]
    points = walk(T0, [("YC-T1", 3), ("YC-T2", 3), ("YC-T3", 3), ("YC-T4", 3)])
    _store(inspector, points)
    stays.process(inspector, points[0].at)
    with CaptureQueriesContext(connection) as ctx:
        stays.process(inspector, points[0].at)
    # Re-running: the window, the points, the delete; per stay the dwelling lookup and an
    # upsert (select, update, savepoint): constant per stay, whatever the number of points.
    assert len(ctx.captured_queries) <= 6 + 5 * 4
