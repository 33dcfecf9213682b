# ruff: noqa: F811  (the `scene` fixture is imported from plan_fixtures and taken as an argument)
"""Supervisors and the command centre add and reassign; inspectors skip; all audited."""

from datetime import timedelta

import pytest

from huying.core.errors import Conflict, Forbidden, Invalid
from huying.core.models import AuditEntry
from huying.patrol import plans
from huying.patrol.choices import ItemStatus, PlanReason
from tests.patrol.plan_fixtures import NOW, scene  # noqa: F401

TODAY = NOW.date()


def item_of(plan, code):
    return plan.items.select_related("plan", "dwelling").get(dwelling__code=code)


def test_supervisor_adds_a_household_at_the_end_audited(scene, persona):
    plan = plans.plan_for(scene["inspector"], TODAY, NOW)
    item = plans.add_item(persona("yuncheng"), scene["inspector"], TODAY, "B02", "群众反映", NOW)
    assert (item.reason, item.rank, item.note) == (PlanReason.ADDED, plan.items.count(), "群众反映")
    entry = AuditEntry.objects.get(action="patrol.plan_item_added", object_id=str(item.pk))
    assert entry.actor.username == "yuncheng" and entry.after["dwelling"] == "B02"
    with pytest.raises(Conflict):
        plans.add_item(persona("yuncheng"), scene["inspector"], TODAY, "B02", "", NOW)


def test_other_people_may_not_add(scene, persona):
    for who in ("inspector2", "yuncheng-community", "chengguan"):
        with pytest.raises(Forbidden):
            plans.add_item(persona(who), scene["inspector"], TODAY, "B02", "", NOW)
    with pytest.raises(Invalid):
        plans.add_item(persona("command"), scene["inspector"], TODAY, "NOPE", "", NOW)


def test_command_reassigns_to_the_other_inspectors_plan(scene, persona):
    plan = plans.plan_for(scene["inspector"], TODAY, NOW)
    item = item_of(plan, "A02")
    moved = plans.reassign_item(persona("command"), item, scene["other"], "就近", NOW)
    assert moved.plan.inspector == scene["other"] and moved.plan.day == TODAY
    assert not plan.items.filter(dwelling__code="A02").exists()
    entry = AuditEntry.objects.get(action="patrol.plan_item_reassigned")
    assert (entry.before["inspector"], entry.after["inspector"]) == ("inspector", "inspector2")


def test_supervisor_cannot_reassign_to_an_inspector_they_do_not_supervise(scene, persona):
    item = item_of(plans.plan_for(scene["inspector"], TODAY, NOW), "A02")
    with pytest.raises(Forbidden):
        plans.reassign_item(persona("yuncheng"), item, scene["other"], "", NOW)


def test_reassign_refuses_a_household_already_on_the_target_plan(scene, persona):
    item = item_of(plans.plan_for(scene["inspector"], TODAY, NOW), "B01")
    plans.plan_for(scene["other"], TODAY, NOW)  # B01 is in inspector2's village too
    with pytest.raises(Conflict):
        plans.reassign_item(persona("command"), item, scene["other"], "", NOW)


def test_inspector_skips_own_item_with_a_reason_audited(scene, persona):
    item = item_of(plans.plan_for(scene["inspector"], TODAY, NOW), "A01")
    with pytest.raises(Invalid):
        plans.skip_item(scene["inspector"], item, "  ", NOW)
    with pytest.raises(Forbidden):
        plans.skip_item(scene["other"], item, "无人", NOW)
    skipped = plans.skip_item(scene["inspector"], item, "屋内无人", NOW)
    assert (skipped.status, skipped.note) == (ItemStatus.SKIPPED, "屋内无人")
    assert AuditEntry.objects.filter(action="patrol.plan_item_skipped", reason="屋内无人").exists()
    with pytest.raises(Conflict):
        plans.skip_item(scene["inspector"], item, "再次", NOW)


def test_yesterdays_plan_is_read_only(scene):
    item = item_of(plans.plan_for(scene["inspector"], TODAY, NOW), "A01")
    with pytest.raises(Conflict):
        plans.skip_item(scene["inspector"], item, "无人", NOW + timedelta(days=1))
