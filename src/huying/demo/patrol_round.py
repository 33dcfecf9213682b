"""Yesterday's round of the demo inspector, as a phone would have sent it: a position every
10 s with a few metres of GPS noise, 3–8 minute stops at about 20 of the area's buildings,
walks between them and a few short pauses (a crossing, a phone call) under the stay
threshold. It goes in through `tracks.receive` in hourly batches, so the stays and the
visits they make are found by the same code as a real patrol's (nothing is written here
that the platform would not have worked out by itself).

Reproducible (seeded); idempotent: a round already sent for that day is not sent again.
"""

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from huying.datahub.models import Dwelling
from huying.patrol import areas, stays, tracks
from huying.patrol.models import StayPoint, TrackPoint
from huying.patrol.stays import METRES_PER_DEGREE, haversine_m
from huying.patrol.tracks import Position

STOPS = 20
STEP_S = 10
WALK_MPS = 1.2
NOISE_M = 4.0  # standard deviation per axis: a phone outdoors between low buildings
STOP_MINUTES = (3.0, 8.0)
PAUSE_SECONDS = 50  # under the threshold even with the approach and the leaving steps
PAUSE_EVERY = 5  # a pause on every fifth walk
START = time(9, 0)
BATCH = 360  # an hour of positions, as a phone sends them when it has signal
SEED = 20261124


@dataclass(frozen=True)
class Round:
    day: date
    positions: int
    stays: int
    visits: int
    skipped: bool = False


def load_yesterdays_round(inspector, today: date) -> Round:
    """Send the inspector's round of the day before `today` (see the module docstring)."""
    day = today - timedelta(days=1)
    start = timezone.make_aware(datetime.combine(day, START))
    end = start + timedelta(days=1)
    if TrackPoint.objects.filter(inspector=inspector, at__gte=start, at__lt=end).exists():
        return Round(day, 0, 0, 0, skipped=True)
    doors = buildings(areas.area_dwellings(areas.area_of(inspector)), STOPS)
    positions = walk(doors, start, random.Random(SEED))  # noqa: S311 (reproducible demo noise)
    if not positions:  # an area with no buildings located: no round to show
        return Round(day, 0, 0, 0, skipped=True)
    for i in range(0, len(positions), BATCH):
        tracks.receive(inspector, positions[i : i + BATCH])
    # receive() finds the stays after commit; inside a transaction (a test, a wrapped
    # loader) that is not yet, so find them now: re-detection is idempotent.
    stays.process(inspector, start)
    found = StayPoint.objects.filter(inspector=inspector, started_at__gte=start, started_at__lt=end)
    return Round(day, len(positions), found.count(), found.filter(visit__isnull=False).count())


def buildings(dwellings, count: int) -> list[tuple[float, float]]:
    """`count` distinct building positions of the area, in a nearest-neighbour walking order.
    Only buildings with no other one within the stay radius: stops at two such neighbours
    would merge into one, and the stop's mean might sit nearer the other door (flats of one
    building share its position, so a building is one door here)."""
    points = sorted(set(dwellings.filter(lat__isnull=False, lon__isnull=False)
                        .values_list("lat", "lon")))  # fmt: skip
    clear = settings.PATROL_STAY_RADIUS_M
    lone = [p for p in points if not any(q != p and _metres(p, q) < clear for q in _near(p))]
    if not lone:
        return []
    route, left = [lone[0]], set(lone[1:])
    while left and len(route) < count:
        here = route[-1]
        route.append(min(left, key=lambda p: (_metres(here, p), p)))
        left.discard(route[-1])
    return route


def _near(p: tuple[float, float]) -> list[tuple[float, float]]:
    box = 2 * settings.PATROL_STAY_RADIUS_M / METRES_PER_DEGREE  # generous in longitude here
    return list(
        Dwelling.objects.filter(lat__range=(p[0] - box, p[0] + box),
                                lon__range=(p[1] - box, p[1] + box))
        .values_list("lat", "lon").distinct()
    )  # fmt: skip


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    return haversine_m(a[0], a[1], b[0], b[1])


def walk(doors: list[tuple[float, float]], start: datetime, rng: random.Random) -> list[Position]:
    """Positions every STEP_S from door to door, stopping at each for 3–8 minutes."""
    out: list[Position] = []
    t = start

    def emit(lat: float, lon: float) -> None:
        nonlocal t
        d_lat = rng.gauss(0, NOISE_M) / METRES_PER_DEGREE
        d_lon = rng.gauss(0, NOISE_M) / (METRES_PER_DEGREE * math.cos(math.radians(lat)))
        out.append(Position(t, round(lat + d_lat, 7), round(lon + d_lon, 7), NOISE_M * 2))
        t += timedelta(seconds=STEP_S)

    for n, door in enumerate(doors):
        if n:
            _walk_between(doors[n - 1], door, emit, pause=n % PAUSE_EVERY == 0)
        for _ in range(int(rng.uniform(*STOP_MINUTES) * 60 / STEP_S) + 1):
            emit(*door)
    return out


def _walk_between(a, b, emit, *, pause: bool) -> None:
    steps = max(1, round(_metres(a, b) / (WALK_MPS * STEP_S)))
    for k in range(steps):
        f = k / steps
        emit(a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]))
        if pause and k == steps // 2:  # halfway: a short pause that is not a visit
            for _ in range(PAUSE_SECONDS // STEP_S):
                emit(a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]))
