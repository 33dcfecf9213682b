"""Alarms of dispatching rules become calls (through calls.creation), and a closed call comes
back to its alarm."""

from huying.calls import services
from huying.calls.choices import AssignmentRole, CallStatus, Source
from huying.calls.models import Call
from huying.core import clock
from huying.orgs.choices import Role
from huying.sensing import dispatch
from huying.sensing.choices import AlarmEventKind, AlarmStatus
from huying.sensing.models import Alarm
from tests.sensing.alarm_world import (
    NH3N,
    at,
    feed,
    sample,
    threshold_rule,
    water_matter,
    world_fixture,  # noqa: F401 (the `world` fixture)
)


def _dispatched(world, **fields):
    rule = threshold_rule(world, dispatch=True, **fields)
    feed(sample(world.analyser, at(0), **{NH3N: 3.2}))
    feed(sample(world.analyser, at(1), **{NH3N: 3.4}))  # a repeat makes no second call
    return Alarm.objects.select_related("call").get(rule=rule)


def test_a_dispatching_rule_makes_one_call_to_the_matters_departments(world):
    matter = water_matter(world)
    alarm = _dispatched(world, dispatch_matter=matter)
    assert Call.objects.filter(source=Source.ALARM).count() == 1
    call = alarm.call
    assert (call.caller_org, call.matter, call.lead_department) == (
        world.town,
        matter,
        world.water_dept,
    )
    roles = dict(call.assignments.values_list("department_id", "role"))
    assert roles == {world.water_dept.pk: AssignmentRole.LEAD, world.env_dept.pk: AssignmentRole.CO}
    assert call.caller.role == Role.CALLER and call.caller.org == world.town
    assert not call.caller.is_active  # a system account: it never signs in
    for text in ("测试断面水质仪", "T-W1", "测试涌云城段", "云城街道", NH3N, "3.2"):
        assert text in call.description
    assert alarm.events.filter(kind=AlarmEventKind.DISPATCHED).get().note == call.number
    assert dispatch.sweep_pending() == 0  # nothing left to retry


def test_without_a_matter_the_call_is_free_form_for_the_command_centre(world):
    alarm = _dispatched(world)
    assert alarm.call.lead_department is None and alarm.call.matter is None
    assert "区水务局" in alarm.call.description


def test_the_same_caller_serves_every_alarm_of_a_town(world):
    assert dispatch.caller_for(world.town) == dispatch.caller_for(world.town)


def test_a_failed_dispatch_is_retried_by_the_sweep(world, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("calls app down")

    monkeypatch.setattr(dispatch, "create_calls", broken)
    rule = threshold_rule(world, dispatch=True)
    feed(sample(world.analyser, at(0), **{NH3N: 3.2}))
    alarm = Alarm.objects.get(rule=rule)
    assert alarm.call is None  # the alarm stands even though the call failed
    monkeypatch.undo()
    with clock.frozen_at(at(5)):
        assert dispatch.sweep_pending() == 1
        assert dispatch.sweep_pending() == 0
    alarm.refresh_from_db()
    assert alarm.call is not None


def test_closing_the_call_links_back_and_clears_the_alarm(world, persona):
    alarm = _dispatched(world, dispatch_matter=water_matter(world))
    call = alarm.call
    services.respond(actor=persona("shuiwu"), call=call)
    services.resolve(
        actor=persona("shuiwu"), call=Call.objects.get(pk=call.pk), result="已清淤截污"
    )
    assert dispatch.sweep_closed_calls() == 0  # resolved is not closed yet
    services.confirm(actor=persona("yuncheng"), call=Call.objects.get(pk=call.pk))
    assert Call.objects.get(pk=call.pk).status == CallStatus.CLOSED
    assert dispatch.sweep_closed_calls() == 1
    assert dispatch.sweep_closed_calls() == 0
    alarm.refresh_from_db()
    assert alarm.status == AlarmStatus.CLEARED
    kinds = list(alarm.events.values_list("kind", flat=True))
    assert kinds[-2:] == [AlarmEventKind.CALL_CLOSED, AlarmEventKind.CLEARED]
