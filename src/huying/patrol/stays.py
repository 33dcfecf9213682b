"""Stay points: where an inspector stopped, found on the track and matched to a dwelling.

`detect` is the classic stay-point detection (Li et al., 2008), pure: from an anchor point,
take the following points while they stay within `radius_m` of it; if they span at least
`min_minutes`, that run is a stay at their mean position and the next anchor is the point
after it, otherwise the next anchor is the next point. Three field realities are handled:
once a run is a stay, later points are measured from its mean, not from the anchor (which
may be a step of the approach); a lone GPS spike does not end the stay (phones jump); and
a hole in the data longer than `max_gap_minutes` does (we cannot know where they went).

`process` is the service run after each batch of positions: it re-detects from the earliest
stay the batch may touch, so a re-run changes nothing and an open stay at the end grows.
"""

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from huying.datahub.models import Dwelling
from huying.patrol.choices import VisitOrigin
from huying.patrol.models import StayPoint, TrackPoint, Visit

EARTH_RADIUS_M = 6_371_008.8
METRES_PER_DEGREE = 111_320.0
MAX_GAP_MINUTES = 10
# A stay counts as at a dwelling only this close (times the stay radius): GPS error in lanes
# between tall buildings is easily 20–40 m, so the radius alone would miss many doors.
MATCH_FACTOR = 2
STAY_VISIT_NAMESPACE = uuid.UUID("5f0c3c8e-54a1-4f55-9d8e-7a0f7e1c2b61")


@dataclass(frozen=True)
class Point:
    at: datetime
    lat: float
    lon: float


@dataclass(frozen=True)
class Stay:
    started_at: datetime
    ended_at: datetime
    lat: float
    lon: float
    points: int


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, a)))


def detect(
    points: Sequence[Point],
    radius_m: float,
    min_minutes: float,
    *,
    max_gap_minutes: float = MAX_GAP_MINUTES,
) -> list[Stay]:
    """The stays in time-ordered `points` (see the module docstring)."""
    min_span, max_gap = timedelta(minutes=min_minutes), timedelta(minutes=max_gap_minutes)
    stays, i, n = [], 0, len(points)
    while i < n:
        run, last = _run_from(points, i, radius_m, min_span, max_gap)
        if run[-1].at - points[i].at >= min_span:
            stays.append(_stay_of(run))
            i = last + 1
        else:
            i += 1
    return stays


def _run_from(points: Sequence[Point], i: int, radius_m: float, min_span, max_gap):
    """The points near anchor `i`, from it on, skipping a lone spike between two near ones;
    and the index of the last one taken. Once the run is long enough to be a stay, points
    are measured from its mean instead: the anchor may be a step of the approach, and
    noise around the door would otherwise cut a long stay in two."""
    centre, run, j, last = points[i], [points[i]], i + 1, i
    sum_lat, sum_lon = centre.lat, centre.lon
    while j < len(points) and points[j].at - run[-1].at <= max_gap:
        if _near(centre, points[j], radius_m):
            run.append(points[j])
            sum_lat, sum_lon, last = sum_lat + points[j].lat, sum_lon + points[j].lon, j
            if run[-1].at - run[0].at >= min_span:
                centre = Point(run[-1].at, sum_lat / len(run), sum_lon / len(run))
        elif j + 1 < len(points) and _near(centre, points[j + 1], radius_m):
            pass  # a spike: the next point is back near the centre
        else:
            break
        j += 1
    return run, last


def _near(a: Point, b: Point, radius_m: float) -> bool:
    return haversine_m(a.lat, a.lon, b.lat, b.lon) <= radius_m


def _stay_of(run: list[Point]) -> Stay:
    return Stay(
        started_at=run[0].at,
        ended_at=run[-1].at,
        lat=sum(p.lat for p in run) / len(run),
        lon=sum(p.lon for p in run) / len(run),
        points=len(run),
    )


def nearest_dwelling(lat: float, lon: float, within_m: float) -> tuple[Dwelling | None, float]:
    """The closest dwelling within `within_m`: a lat/lon box first (cheap), then haversine."""
    dlat = within_m / METRES_PER_DEGREE
    dlon = within_m / (METRES_PER_DEGREE * max(0.01, math.cos(math.radians(lat))))
    candidates = Dwelling.objects.filter(
        lat__range=(lat - dlat, lat + dlat), lon__range=(lon - dlon, lon + dlon)
    ).only("id", "code", "lat", "lon")
    best, best_m = None, None
    for dwelling in candidates:
        metres = haversine_m(lat, lon, dwelling.lat, dwelling.lon)
        if metres <= within_m and (best_m is None or metres < best_m):
            best, best_m = dwelling, metres
    return best, best_m


def process(inspector, since: datetime) -> list[StayPoint]:
    """Re-detect the inspector's stays from `since` (the earliest position just received) and
    store them: idempotent, an open stay grows, a stay at a dwelling becomes a visit."""
    start = _window_start(inspector, since)
    rows = TrackPoint.objects.filter(inspector=inspector, at__gte=start).order_by("at")
    points = [Point(at, lat, lon) for at, lat, lon in rows.values_list("at", "lat", "lon")]
    found = detect(points, settings.PATROL_STAY_RADIUS_M, settings.PATROL_STAY_MINUTES)
    with transaction.atomic():
        # Within the window detection is the truth: a stay that re-detection no longer
        # finds (it started earlier now that a late batch filled a hole) goes.
        StayPoint.objects.filter(inspector=inspector, started_at__gte=start).exclude(
            started_at__in=[s.started_at for s in found]
        ).delete()
        return [_store(inspector, stay) for stay in found]


def _window_start(inspector, since: datetime) -> datetime:
    """From the last stay on (it may still be growing), or from a stay containing `since`."""
    last = StayPoint.objects.filter(inspector=inspector).order_by("-started_at").first()
    start = min(since, last.started_at) if last else since
    containing = (
        StayPoint.objects.filter(inspector=inspector, started_at__lte=start, ended_at__gte=start)
        .order_by("started_at")
        .first()
    )
    return containing.started_at if containing else start


def _store(inspector, stay: Stay) -> StayPoint:
    dwelling, metres = nearest_dwelling(
        stay.lat, stay.lon, MATCH_FACTOR * settings.PATROL_STAY_RADIUS_M
    )
    row, _ = StayPoint.objects.update_or_create(
        inspector=inspector,
        started_at=stay.started_at,
        defaults={"ended_at": stay.ended_at, "lat": stay.lat, "lon": stay.lon,
                  "points": stay.points, "dwelling": dwelling, "distance_m": metres},
    )  # fmt: skip
    if dwelling is not None and row.visit_id is None:
        row.visit = _visit_for(inspector, dwelling, stay.started_at)
        row.save(update_fields=["visit"])
    return row


def _visit_for(inspector, dwelling, at: datetime) -> Visit:
    """The day's visit to the dwelling: the one the inspector entered, or one recognised."""
    from huying.patrol.visits import record_visit

    day = timezone.localdate(at)
    existing = (
        Visit.objects.filter(inspector=inspector, dwelling=dwelling, visited_at__date=day)
        .order_by("visited_at")
        .first()
    )
    if existing is not None:
        return existing
    key = uuid.uuid5(STAY_VISIT_NAMESPACE, f"{inspector.pk}:{dwelling.pk}:{day.isoformat()}")
    return record_visit(inspector, dwelling, at, VisitOrigin.STAY, key=key)
