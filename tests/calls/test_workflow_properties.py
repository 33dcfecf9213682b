"""Random action sequences never reach an illegal state, and the events rebuild the state."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huying.calls import services, workflow
from huying.calls.choices import CallStatus
from huying.core.errors import BusinessError
from huying.orgs.models import Org, User
from tests.calls.test_workflow import assert_replay_matches

ACTIONS = [
    "respond",
    "respond_co",
    "return",
    "uphold",
    "reroute",
    "transfer",
    "progress",
    "resolve",
    "confirm",
    "reject",
    "withdraw",
    "urge",
]


def perform(action, call):
    user = User.objects.get
    lead_user = {"440111-cgj": "chengguan", "440111-ghj": "guihua", "440111-swj": "shuiwu"}
    lead = user(username=lead_user.get(call.lead_department.code, "chengguan"))
    if action == "respond":
        return services.respond(actor=lead, call=call)
    if action == "respond_co":
        return services.respond(actor=user(username="zhujian"), call=call)
    if action == "return":
        return services.return_call(actor=lead, call=call, reason="不属本部门")
    if action in ("uphold", "reroute"):
        other = "440111-ghj" if call.lead_department.code != "440111-ghj" else "440111-cgj"
        return services.arbitrate(
            actor=user(username="command"),
            call=call,
            uphold=action == "uphold",
            department=Org.objects.get(code=other),
        )
    if action == "transfer":
        target = "440111-swj" if call.lead_department.code != "440111-swj" else "440111-cgj"
        return services.transfer(
            actor=user(username="command"), call=call, department=Org.objects.get(code=target)
        )
    if action == "progress":
        return services.report_progress(actor=lead, call=call, note="进展")
    if action == "resolve":
        return services.resolve(actor=lead, call=call, result="完成")
    caller = user(username="yuncheng")
    if action == "confirm":
        return services.confirm(actor=caller, call=call)
    if action == "reject":
        return services.reject(actor=caller, call=call, reason="不满意")
    if action == "withdraw":
        return services.withdraw(actor=caller, call=call)
    return services.urge(actor=user(username="command"), call=call)


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(actions=st.lists(st.sampled_from(ACTIONS), max_size=12))
def test_random_sequences_stay_legal_and_replayable(new_call, actions):
    call = new_call()
    for action in actions:
        before = call.status
        try:
            call = perform(action, call)
        except BusinessError:
            call.refresh_from_db()
            assert call.status == before  # a refused action changes nothing
        assert call.status in CallStatus.values
        if call.status == CallStatus.RESPONDED:
            assert call.responded_at is not None and call.resolution_due_at is not None
        if call.status == CallStatus.CLOSED:
            assert call.closed_at is not None and call.resolved_at is not None
    assert_replay_matches(call)
    assert [e.seq for e in call.events.order_by("seq")] == list(range(1, call.event_count + 1))
    assert workflow.replay(call.events.order_by("seq"))["status"] == call.status
