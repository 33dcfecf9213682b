# ruff: noqa: F811  (the `scene` fixture is imported from plan_fixtures and taken as an argument)
"""Day plans: the pure ordering, each reason's rule against the clock, idempotent creation."""

from datetime import timedelta

import pytest
from django.db import IntegrityError

from huying.core import clock
from huying.datahub.models import Discrepancy, Occupancy
from huying.patrol import plan_selectors, plans
from huying.patrol.choices import OccupantOutcome, PlanReason
from huying.patrol.models import DayPlan
from huying.patrol.plan_selectors import Candidate
from tests.datahub.factories import load_extract, resident
from tests.patrol.plan_fixtures import NOW, days_ago, scene, visit  # noqa: F401

TODAY = NOW.date()


def reasons(plan) -> dict[str, str]:
    return {i.dwelling.code: i.reason for i in plan.items.select_related("dwelling")}


def test_order_keeps_most_urgent_reason_then_walks_by_village_and_code():
    got = plans.order(
        [
            Candidate(1, PlanReason.ROUTINE, "V1", "A01"),
            Candidate(2, PlanReason.EXPIRING, "V2", "B02"),
            Candidate(3, PlanReason.EXPIRING, "V1", "A09"),
            Candidate(1, PlanReason.DISCREPANCY, "V1", "A01", discrepancy_id=7),
            Candidate(4, PlanReason.REVISIT, "V2", "B01"),
        ],
        cap=10,
    )
    assert [(c.dwelling_id, c.reason) for c in got] == [
        (1, PlanReason.DISCREPANCY),
        (4, PlanReason.REVISIT),
        (3, PlanReason.EXPIRING),
        (2, PlanReason.EXPIRING),
    ]
    assert got[0].discrepancy_id == 7


def test_order_cap_keeps_the_longest_unvisited_routine_households():
    got = plans.order(
        [
            Candidate(1, PlanReason.ROUTINE, "V1", "A01", last_visit=days_ago(1)),
            Candidate(2, PlanReason.ROUTINE, "V1", "A02", last_visit=None),
            Candidate(3, PlanReason.ROUTINE, "V1", "A03", last_visit=days_ago(9)),
            Candidate(4, PlanReason.DISCREPANCY, "V9", "Z01"),
        ],
        cap=3,
    )
    assert [c.dwelling_id for c in got] == [4, 2, 3]


def test_found_problem_rules():
    assert not plan_selectors.found_problem({"fire_exits": True}, ["confirmed"], 2)
    assert plan_selectors.found_problem({"fire_exits": False}, [], 2)
    assert plan_selectors.found_problem({"hazards": {"ok": False}}, [], 2)
    assert plan_selectors.found_problem({}, ["differs"], 2)
    assert plan_selectors.found_problem({}, ["confirmed", "new", "confirmed"], 2)
    assert not plan_selectors.found_problem({}, ["confirmed", "moved_out", "moved_out"], 1)


def test_area_is_its_villages_and_its_dwellings(scene):
    plan = plans.plan_for(scene["inspector"], TODAY, NOW)
    assert set(reasons(plan)) == {"A01", "A02", "A03", "B01"}  # not B02 (other village)


def test_plan_is_made_once_and_only_for_today(scene):
    first = plans.plan_for(scene["inspector"], TODAY, NOW)
    again = plans.plan_for(scene["inspector"], TODAY, NOW + timedelta(hours=3))
    assert again.pk == first.pk and again.made_at == NOW
    assert plans.plan_for(scene["inspector"], TODAY - timedelta(days=1), NOW) is None
    assert plans.plan_for(scene["inspector"], TODAY + timedelta(days=1), NOW) is None


def test_a_concurrent_second_plan_is_refused_by_the_constraint(scene):
    plans.plan_for(scene["inspector"], TODAY, NOW)
    with pytest.raises(IntegrityError):
        DayPlan.objects.create(inspector=scene["inspector"], day=TODAY, made_at=NOW)


def test_lost_race_returns_the_winners_plan(scene, monkeypatch):
    """Another request creates the plan between our look-up and our insert."""
    winner = {}
    real = plan_selectors.candidates

    def racing(inspector, day, now):
        winner["plan"] = DayPlan.objects.create(inspector=inspector, day=day, made_at=now)
        return real(inspector, day, now)

    monkeypatch.setattr(plan_selectors, "candidates", racing)
    assert plans.plan_for(scene["inspector"], TODAY, NOW).pk == winner["plan"].pk


def test_open_discrepancy_comes_first_linked_and_closed_one_does_not(scene):
    a02, a03 = scene["places"][1], scene["places"][2]
    opened = Discrepancy.objects.create(
        kind="over_occupancy", subject="dwelling:A03", summary="超员", dwelling=a03,
        village=scene["v1"], opened_at=NOW, updated_at=NOW,
    )  # fmt: skip
    Discrepancy.objects.create(
        kind="over_occupancy", subject="dwelling:A02", summary="超员", dwelling=a02,
        state="dismissed", village=scene["v1"], opened_at=NOW, updated_at=NOW,
    )  # fmt: skip
    person = resident("王五", dwelling=scene["places"][3], village=scene["v2"])
    Discrepancy.objects.create(
        kind="invalid_id", subject="resident:x", summary="身份证号有误", resident=person,
        opened_at=NOW, updated_at=NOW,
    )  # fmt: skip
    plan = plans.plan_for(scene["inspector"], TODAY, NOW)
    items = list(plan.items.select_related("dwelling"))
    assert [(i.dwelling.code, i.reason) for i in items[:2]] == [
        ("A03", PlanReason.DISCREPANCY),
        ("B01", PlanReason.DISCREPANCY),
    ]
    assert items[0].discrepancy_id == opened.pk
    assert reasons(plan)["A02"] == PlanReason.ROUTINE


@pytest.mark.parametrize(
    ("visited_days_ago", "checklist", "outcomes", "expected"),
    [
        (3, {"fire_exits": False}, (), PlanReason.REVISIT),  # due today
        (2, {"fire_exits": False}, (), PlanReason.ROUTINE),  # not yet due
        (5, {}, (OccupantOutcome.DIFFERS,), PlanReason.REVISIT),
        (5, {}, ("confirmed",) * 5, PlanReason.REVISIT),  # over the 4 allowed
        (5, {"fire_exits": True}, ("confirmed",), PlanReason.ROUTINE),  # nothing wrong
    ],
)
def test_problem_rental_comes_back_after_the_revisit_days(
    scene, visited_days_ago, checklist, outcomes, expected
):
    a01 = scene["places"][0]
    visit(scene["other"], a01, days_ago(visited_days_ago), checklist, outcomes)
    assert reasons(plans.plan_for(scene["inspector"], TODAY, NOW))["A01"] == expected


def test_a_visit_that_finds_it_fixed_ends_the_revisits(scene):
    a01 = scene["places"][0]
    visit(scene["inspector"], a01, days_ago(6), {"fire_exits": False})
    visit(scene["inspector"], a01, days_ago(3), {"fire_exits": True})
    assert reasons(plans.plan_for(scene["inspector"], TODAY, NOW))["A01"] == PlanReason.ROUTINE


def test_registrations_new_and_expiring(scene, settings, tmp_path):
    settings.DATAHUB_DIR = tmp_path / "hub"
    a01, a02, a03, b01 = scene["places"][:4]
    load_extract(
        tmp_path / "extract",
        migrant_registrations=[
            {"registration_no": "R1", "name": "甲", "dwelling_code": "A01",
             "registered_at": "2026-11-20T10:00:00+08:00", "status": "有效"},
            {"registration_no": "R2", "name": "乙", "dwelling_code": "A02",
             "registered_at": "2026-10-01T10:00:00+08:00", "status": "有效"},
            {"registration_no": "R3", "name": "丙", "dwelling_code": "A03",
             "registered_at": "2026-11-21T10:00:00+08:00", "status": "有效"},
        ],
    )  # fmt: skip
    for key, place in (("R1", a01), ("R2", a02), ("R3", a03)):
        Occupancy.objects.create(
            dwelling=place, resident=resident(key), basis="registration", source_key=key,
            valid_until=NOW + timedelta(days=300),
        )  # fmt: skip
    visit(scene["inspector"], a03, days_ago(1))  # R3 confirmed since it was made
    Occupancy.objects.create(
        dwelling=b01, resident=resident("丁"), basis="registration", source_key="R4",
        valid_until=NOW + timedelta(days=6),
    )  # fmt: skip
    got = reasons(plans.plan_for(scene["inspector"], TODAY, NOW))
    assert got == {
        "A01": PlanReason.NEW_REGISTRATION,
        "A02": PlanReason.ROUTINE,
        "A03": PlanReason.ROUTINE,
        "B01": PlanReason.EXPIRING,
    }


def test_daily_cap_limits_the_routine_round(scene, settings):
    settings.PATROL_DAILY_CAP = 2
    visit(scene["inspector"], scene["places"][0], days_ago(20))
    visit(scene["inspector"], scene["places"][1], days_ago(10))
    got = reasons(plans.plan_for(scene["inspector"], TODAY, NOW))
    assert set(got) == {"A03", "B01"}  # never visited before the longest-unvisited


def test_no_area_no_plan(persona):
    with clock.frozen_at(NOW):
        assert plans.plan_for(persona("inspector"), TODAY, NOW) is None
