"""A synthetic patrol for the track tests: dwellings laid out in metres around a point in
云城街, a walk past them with stops of known length, GPS noise from a seeded generator."""

import math
import random
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from huying.core import clock
from huying.datahub.models import Dwelling
from huying.orgs.choices import Role
from huying.orgs.models import User
from huying.patrol.models import PatrolArea
from huying.patrol.stays import METRES_PER_DEGREE, Point

BASE_LAT, BASE_LON = 23.1830, 113.2650
# code -> (east m, north m): a lane of doors 60–80 m apart, and one far off.
DOORS = {"YC-T1": (0, 0), "YC-T2": (70, 10), "YC-T3": (140, 60), "YC-T4": (200, 140),
         "YC-T5": (900, 900)}  # fmt: skip
STEP_S = 10
WALK_MPS = 1.2


def at_metres(east: float, north: float) -> tuple[float, float]:
    lat = BASE_LAT + north / METRES_PER_DEGREE
    lon = BASE_LON + east / (METRES_PER_DEGREE * math.cos(math.radians(BASE_LAT)))
    return lat, lon


def beijing(text: str) -> datetime:
    return timezone.make_aware(datetime.fromisoformat(text))


def walk(start: datetime, plan: list[tuple[str, float]], *, noise_m=0.0, seed=1) -> list[Point]:
    """Points every 10 s: walk from door to door of `plan` [(code, minutes stopped)], stopping
    at each for its minutes; `noise_m` is the GPS error's standard deviation per axis."""
    rng, t, points = random.Random(seed), start, []  # noqa: S311 (reproducible noise)
    here = DOORS[plan[0][0]]

    def emit(east, north):
        nonlocal t
        e, n = east + rng.gauss(0, noise_m), north + rng.gauss(0, noise_m)
        points.append(Point(t, *at_metres(e, n)))
        t += timedelta(seconds=STEP_S)

    for code, minutes in plan:
        there = DOORS[code]
        steps = max(1, int(math.dist(here, there) / (WALK_MPS * STEP_S)))
        for k in range(steps):
            f = k / steps
            emit(here[0] + f * (there[0] - here[0]), here[1] + f * (there[1] - here[1]))
        for _ in range(int(minutes * 60 / STEP_S) + 1):
            emit(*there)
        here = there
    return points


@pytest.fixture
def scene(db, persona, org):
    """The demo inspector with an area of the dwellings above, a colleague, a supervisor."""
    inspector = persona("inspector")
    yuncheng = org("云城街道")
    colleague = User.objects.create_user(
        "inspector-2", password="x", role=Role.INSPECTOR, org=yuncheng, full_name="王巡查"
    )
    boss = User.objects.create_user(
        "patrol-boss", password="x", role=Role.CALLER, org=yuncheng, full_name="带班长"
    )
    dwellings = {}
    for code, (east, north) in DOORS.items():
        lat, lon = at_metres(east, north)
        dwellings[code] = Dwelling.objects.create(
            code=code, address=f"云城街测试巷 {code}", town=yuncheng, lat=lat, lon=lon,
            load_id=1, updated_at=clock.now(),
        )  # fmt: skip
    area = PatrolArea.objects.create(inspector=inspector, supervisor=boss)
    area.dwellings.set(dwellings.values())
    PatrolArea.objects.create(inspector=colleague)
    return {"inspector": inspector, "colleague": colleague, "boss": boss,
            "dwellings": dwellings, "area": area}  # fmt: skip
