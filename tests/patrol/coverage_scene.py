"""A coverage scenario on top of plan_fixtures' scene (now: Tuesday 2026-11-24 08:00, Beijing).

inspector (area v1 = A01–A05, plus B01) and inspector2 (area v2 = B01, B02), both of 云城街道.

| plan (day plans) | households |
| --- | --- |
| inspector, today (Tue 24th) | A01 A02 A03 |
| inspector, Mon 23rd | B01 |
| inspector, Tue 10th | A01 |
| inspector2, today | B02 |

| visit | when (Beijing) | note |
| --- | --- | --- |
| inspector A01, A02, B02 | today 07:00–07:30 | B02 is on inspector2's plan, not theirs |
| inspector B01, A01 | Mon 23rd | |
| inspector A02 | Sun 22nd 23:59 | last week |
| inspector A04 | Sat 21st, fire exit blocked | revisit due today: not overdue |
| inspector A03 | Fri 20th, fire exit blocked | revisit due 23rd: overdue 1 day |
| inspector2 B02 | Sun 1st 00:05 | this month (still October in UTC) |
| inspector2 B01 | Sat Oct 31st 23:59 | last month |
| inspector A05 | Fri Oct 30th, over-occupied | revisit due Nov 2nd: overdue 22 days |
"""

from datetime import datetime

import pytest

from huying.patrol.models import DayPlan, PlanItem
from tests.patrol.plan_fixtures import BEIJING, NOW, dwelling, scene, visit  # noqa: F401

BLOCKED = {"fire_exits": False}


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BEIJING)


def plan(inspector, day: int, places) -> DayPlan:
    made = DayPlan.objects.create(inspector=inspector, day=at(day, 0).date(), made_at=NOW)
    for rank, place in enumerate(places, start=1):
        PlanItem.objects.create(plan=made, dwelling=place, reason="routine", rank=rank)
    return made


@pytest.fixture
def coverage_scene(scene):  # noqa: F811
    me, other, v1 = scene["inspector"], scene["other"], scene["v1"]
    a01, a02, a03, b01, b02 = scene["places"]
    a04, a05 = dwelling("A04", v1), dwelling("A05", v1, max_occupants=1)
    plan(me, 24, [a01, a02, a03])
    plan(me, 23, [b01])
    plan(me, 10, [a01])
    plan(other, 24, [b02])
    for place, minute in ((a01, 0), (a02, 10), (b02, 30)):
        visit(me, place, at(24, 7, minute))
    visit(me, b01, at(23, 10))
    visit(me, a01, at(23, 11))
    visit(me, a02, at(22, 23, 59))
    visit(me, a04, at(21, 9), BLOCKED)
    visit(me, a03, at(20, 9), BLOCKED)
    visit(other, b02, at(1, 0, 5))
    visit(other, b01, at(31, 23, 59, month=10))
    visit(me, a05, at(30, 15, month=10), outcomes=("confirmed", "new"))
    return {**scene, "places": [a01, a02, a03, b01, b02, a04, a05]}
