"""The call workflow: who may do what from which state, and the deadlines it keeps."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from huying.calls import services, workflow
from huying.calls.choices import CallStatus, EventKind, Urgency
from huying.calls.models import Call
from huying.core import clock
from huying.core.errors import Conflict, Forbidden, Invalid
from huying.orgs.models import Org

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY_9 = datetime(2026, 11, 16, 9, 0, tzinfo=SHANGHAI)


def test_matter_routes_the_call_and_sets_the_response_deadline(new_call):
    with clock.frozen_at(MONDAY_9):
        call = new_call()
    assert call.status == CallStatus.CALLED
    assert call.lead_department.code == "440111-cgj"
    assert {a.department.code for a in call.assignments.all()} == {"440111-cgj", "440111-zjj"}
    assert call.response_due_at == MONDAY_9 + timedelta(hours=2)
    assert call.number == f"HY2026{call.pk:07d}"
    assert list(call.events.values_list("kind", flat=True)) == [EventKind.CREATED]


@pytest.mark.parametrize(
    ("urgency", "due"),
    [
        (Urgency.EMERGENCY, MONDAY_9 + timedelta(minutes=30)),
        (Urgency.URGENT, MONDAY_9 + timedelta(hours=2)),
        (Urgency.NORMAL, datetime(2026, 11, 18, 0, 0, tzinfo=SHANGHAI)),  # end of Tuesday
    ],
)
def test_free_form_call_takes_its_limit_from_the_urgency(free_form, urgency, due):
    with clock.frozen_at(MONDAY_9):
        call = free_form(urgency)
    assert call.lead_department is None
    assert call.response_due_at == due


def test_village_without_calling_right_cannot_call(persona, matter, org):
    from huying.orgs import services as org_services

    plain = org("云城街道").children.filter(is_key_village=False).first()
    user = org_services.create_user(
        actor=None, username="cun", password=None, role="caller", org=plain
    )
    with pytest.raises(Forbidden, match="没有呼叫权"):
        services.create_call(actor=user, new=services.NewCall("t", "d", matter=matter))
    assert not Call.objects.filter(caller_org=plain).exists()


def test_key_village_may_call(persona, new_call):
    call = new_call("renhe-village")
    assert call.caller_org == persona("renhe-village").org


def test_departments_cannot_call(new_call):
    with pytest.raises(Forbidden):
        new_call("chengguan")


def test_full_journey_to_closed(new_call, persona):
    with clock.frozen_at(MONDAY_9):
        call = new_call()
    with clock.frozen_at(MONDAY_9 + timedelta(minutes=20)):
        call = services.respond(actor=persona("chengguan"), call=call)
    assert call.status == CallStatus.RESPONDED
    # 3 working days from Monday 09:20: end of Thursday.
    assert call.resolution_due_at == datetime(2026, 11, 20, 0, 0, tzinfo=SHANGHAI)
    call = services.respond(actor=persona("zhujian"), call=call)  # the co-department signs
    assert call.status == CallStatus.RESPONDED
    call = services.report_progress(actor=persona("zhujian"), call=call, note="已排查")
    assert call.status == CallStatus.IN_PROGRESS
    call = services.resolve(actor=persona("chengguan"), call=call, result="已清理")
    call = services.reject(actor=persona("yuncheng"), call=call, reason="仍有两家")
    assert (call.status, call.redo_count) == (CallStatus.IN_PROGRESS, 1)
    call = services.resolve(actor=persona("chengguan"), call=call, result="全部清理")
    call = services.confirm(actor=persona("yuncheng"), call=call)
    assert call.status == CallStatus.CLOSED and call.closed_at is not None


def test_resolving_an_unanswered_call_is_409_naming_the_state(new_call, persona):
    call = new_call()
    with pytest.raises(Conflict, match="当前状态为「待响应」，不能办结"):
        services.resolve(actor=persona("chengguan"), call=call, result="x")
    assert Call.objects.get(pk=call.pk).status == CallStatus.CALLED


def test_only_the_lead_resolves_and_only_the_caller_confirms(new_call, persona):
    call = services.respond(actor=persona("chengguan"), call=new_call())
    with pytest.raises(Forbidden):
        services.resolve(actor=persona("zhujian"), call=call, result="x")
    call = services.resolve(actor=persona("chengguan"), call=call, result="done")
    with pytest.raises(Forbidden):
        services.confirm(actor=persona("helong"), call=call)


def test_return_dispute_time_does_not_count_against_the_new_department(new_call, persona):
    with clock.frozen_at(MONDAY_9):
        call = new_call()
    with clock.frozen_at(MONDAY_9 + timedelta(hours=1)):
        call = services.return_call(actor=persona("chengguan"), call=call, reason="不属我局")
    assert (call.status, call.return_count) == (CallStatus.RETURNED, 1)
    later = MONDAY_9 + timedelta(hours=5)
    with clock.frozen_at(later):
        call = services.arbitrate(
            actor=persona("command"),
            call=call,
            uphold=False,
            department=Org.objects.get(code="440111-ghj"),
        )
    assert call.lead_department.code == "440111-ghj"
    assert call.response_due_at == later + timedelta(hours=2)  # a fresh clock
    with pytest.raises(Forbidden):  # 城管局 is no longer the lead
        services.respond(actor=persona("chengguan"), call=call)
    call = services.return_call(actor=persona("guihua"), call=call, reason="也不属我局")
    call = services.arbitrate(actor=persona("command"), call=call, uphold=True)
    assert (call.return_count, call.lead_department.code) == (2, "440111-ghj")  # ping-pong


def test_return_needs_a_reason_and_only_the_command_centre_arbitrates(new_call, persona):
    call = new_call()
    with pytest.raises(Invalid) as refused:
        services.return_call(actor=persona("chengguan"), call=call, reason="  ")
    assert refused.value.field == "reason"
    call = services.return_call(actor=persona("chengguan"), call=call, reason="不属我局")
    with pytest.raises(Forbidden):
        services.arbitrate(actor=persona("yuncheng"), call=call, uphold=True)


def test_command_centre_routes_a_free_form_call(free_form, persona):
    call = free_form()
    call = services.transfer(
        actor=persona("command"), call=call, department=Org.objects.get(code="440111-swj")
    )
    call = services.respond(actor=persona("shuiwu"), call=call)
    assert call.status == CallStatus.RESPONDED


def test_caller_withdraws_only_before_a_response(new_call, persona):
    call = new_call()
    services.withdraw(actor=persona("yuncheng"), call=call)
    call = services.respond(actor=persona("chengguan"), call=new_call())
    with pytest.raises(Conflict, match="已响应"):
        services.withdraw(actor=persona("yuncheng"), call=call)


def test_urging_by_hand(new_call, persona):
    call = services.urge(actor=persona("supervisor"), call=new_call(), level=2, note="请加快")
    assert call.urge_level == 2
    with pytest.raises(Forbidden):
        services.urge(actor=persona("helong"), call=call)


def test_every_action_is_audited_and_the_chain_holds(new_call, persona):
    from huying.core import audit
    from huying.core.models import AuditEntry

    call = services.respond(actor=persona("chengguan"), call=new_call())
    actions = list(
        AuditEntry.objects.filter(object_type="calls.call", object_id=str(call.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["calls.created", "calls.signed"]
    assert audit.verify().ok


def test_replaying_the_events_rebuilds_the_stored_state(new_call, persona):
    call = new_call()
    call = services.return_call(actor=persona("chengguan"), call=call, reason="x")
    call = services.arbitrate(actor=persona("command"), call=call, uphold=True)
    call = services.respond(actor=persona("chengguan"), call=call)
    call = services.resolve(actor=persona("chengguan"), call=call, result="ok")
    assert_replay_matches(call)


def assert_replay_matches(call: Call) -> None:
    call.refresh_from_db()
    rebuilt = workflow.replay(call.events.order_by("seq"))
    for name in workflow.REPLAYED_FIELDS:
        assert rebuilt.get(name) == getattr(call, name), name
