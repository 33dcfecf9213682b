"""The demo's patrol (`huying demo`): the `inspector` has today's plan, yesterday's round on
the track with every stop at a building recognised as a visit (and no visit where they only
paused), and open discrepancies of the hub in the area to visit. On a small extract of the
demo's own generator, so the test stays quick."""

from datetime import timedelta

import pytest
from django.db.models import Q
from django.utils import timezone

from huying.core import clock
from huying.datahub.choices import DiscrepancyState
from huying.datahub.models import Discrepancy
from huying.demo import patrol_round
from huying.demo.hub import load_demo_hub
from huying.demo.patrol import load_demo_patrol
from huying.patrol import areas
from huying.patrol.choices import PlanReason, VisitOrigin
from huying.patrol.models import DayPlan, StayPoint, TrackPoint

RESIDENTS = 2500


@pytest.fixture
def demo(db, settings, tmp_path, persona):
    settings.DATAHUB_DIR = tmp_path / "hub"
    load_demo_hub(residents=RESIDENTS)
    text = load_demo_patrol()
    inspector = persona("inspector")
    return inspector, areas.area_dwellings(areas.area_of(inspector)), text


def yesterday_bounds():
    start = timezone.make_aware(
        timezone.datetime.combine(timezone.localdate(clock.now()), timezone.datetime.min.time())
    )
    return start - timedelta(days=1), start


def test_the_inspector_has_todays_plan_and_yesterdays_round_with_its_stops_as_visits(demo):
    """One test, two checks: loading the hub extract is most of the time."""
    inspector, dwellings, text = demo
    plan_led_by_open_discrepancies(inspector, dwellings)
    stops_recognised_as_visits_and_pauses_not(inspector, dwellings, text)


def plan_led_by_open_discrepancies(inspector, dwellings):
    plan = DayPlan.objects.get(inspector=inspector, day=timezone.localdate(clock.now()))
    items = plan.items.all()
    assert items.count() == min(200, dwellings.count()) > 0
    assert not items.exclude(dwelling__in=dwellings).exists()
    open_here = Discrepancy.objects.filter(state=DiscrepancyState.OPEN).filter(
        Q(dwelling__in=dwellings) | Q(dwelling__isnull=True, resident__dwelling__in=dwellings)
    )
    assert open_here.count() >= 3
    first = items.order_by("rank").first()
    assert first.reason == PlanReason.DISCREPANCY and first.discrepancy.state == "open"


def stops_recognised_as_visits_and_pauses_not(inspector, dwellings, text):
    start, end = yesterday_bounds()
    doors = patrol_round.buildings(dwellings, patrol_round.STOPS)
    stays = StayPoint.objects.filter(inspector=inspector, started_at__gte=start, started_at__lt=end)
    assert len(doors) >= 10
    assert stays.count() == len(doors)  # one per door: the short pauses made none
    for stay in stays.select_related("dwelling", "visit"):
        assert (stay.dwelling.lat, stay.dwelling.lon) in doors and stay.distance_m < 10
        assert stay.visit.origin == VisitOrigin.STAY and stay.dwelling in dwellings
        assert (
            3 <= (stay.ended_at - stay.started_at).total_seconds() / 60 <= 9
        )  # with the steps in and out
    assert f"识别停留 {len(doors)} 处、入户 {len(doors)} 户" in text
    points = TrackPoint.objects.filter(inspector=inspector, at__gte=start, at__lt=end)
    assert points.count() > 10 * len(doors)
    assert "昨日轨迹" not in load_demo_patrol()  # run again: nothing is sent twice
    assert TrackPoint.objects.filter(inspector=inspector).count() == points.count()
