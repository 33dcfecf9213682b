"""Each step of a call reaches the right people's inboxes, in the same transaction."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from huying.calls import services, sweeps
from huying.core import clock
from huying.core.errors import Conflict
from huying.notify.models import Notification

MONDAY_9 = datetime(2026, 11, 16, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def inbox(kind):
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def test_new_call_reaches_lead_and_co_department_staff(new_call):
    call = new_call()
    assert inbox("call.created") == {"chengguan", "chengguan-head", "zhujian"}
    note = Notification.objects.filter(kind="call.created").first()
    assert note.link == f"/calls/{call.pk}/" and call.number in note.body


def test_resolution_asks_the_caller_to_confirm(new_call, persona):
    call = services.respond(actor=persona("chengguan"), call=new_call())
    assert inbox("call.signed") == {"yuncheng"}
    services.resolve(actor=persona("chengguan"), call=call, result="已清理")
    assert inbox("call.resolved") == {"yuncheng"}


def test_return_goes_to_the_command_centre(new_call, persona):
    services.return_call(actor=persona("chengguan"), call=new_call(), reason="不属我局")
    assert inbox("call.returned") == {"command"}


def test_ladder_warns_the_department_then_copies_leaders_and_the_commission(new_call):
    with clock.frozen_at(MONDAY_9):
        new_call()
    sweeps.sweep(MONDAY_9 + timedelta(minutes=61))
    assert inbox("call.warned") == {"chengguan", "chengguan-head"}
    sweeps.sweep(MONDAY_9 + timedelta(days=30))
    assert inbox("call.urged") == {"chengguan", "chengguan-head", "leader"}
    assert inbox("call.case_opened") == {"supervisor"}


def test_a_refused_action_tells_nobody(new_call, persona):
    call = new_call()
    before = Notification.objects.count()
    with pytest.raises(Conflict):
        services.resolve(actor=persona("chengguan"), call=call, result="x")
    assert Notification.objects.count() == before


def test_a_role_refused_by_a_service_is_audited(api, new_call):
    from huying.core.models import AuditEntry

    call = services.respond(actor=persona_user("chengguan"), call=new_call())
    response = api("command").post(
        f"/api/v1/calls/{call.pk}/resolve", {"result": "越权办结"}, content_type="application/json"
    )
    assert response.status_code == 403
    denial = AuditEntry.objects.order_by("-seq").first()
    assert (denial.action, denial.actor.username) == ("core.permission_denied", "command")
    assert "承办部门" in denial.reason


def persona_user(username):
    from huying.orgs.models import User

    return User.objects.get(username=username)
