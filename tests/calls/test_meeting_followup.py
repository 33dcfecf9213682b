"""After convening: cancelling a meeting, and agreed actions that pass their due date undone."""

from datetime import timedelta

import pytest

from huying.calls import meetings, sweeps
from huying.calls.choices import EventKind, MeetingStatus
from huying.calls.models import ActionItem
from huying.core import clock
from huying.core.errors import Conflict, Forbidden, Invalid
from huying.notify.models import Notification
from tests.calls.test_meetings import STARTS, _convene, _minutes
from tests.calls.test_workflow import assert_replay_matches


def test_the_convener_cancels_a_scheduled_meeting_and_the_departments_are_told(
    road_call, persona, org
):
    meeting = _convene(persona, org, road_call)
    with pytest.raises(Forbidden, match="只有召集方可以取消协调会"):
        meetings.cancel_meeting(actor=persona("zhujian"), meeting=meeting, reason="不开了")
    with pytest.raises(Invalid) as caught:
        meetings.cancel_meeting(actor=persona("yuncheng"), meeting=meeting, reason="  ")
    assert caught.value.field == "reason"
    meetings.cancel_meeting(actor=persona("yuncheng"), meeting=meeting, reason="规划意见已出")
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED and meeting.cancel_reason == "规划意见已出"
    event = road_call.events.get(kind=EventKind.MEETING_CANCELLED)
    assert event.data["meeting_id"] == meeting.pk
    told = Notification.objects.filter(kind="call.meeting_cancelled")
    assert set(told.values_list("recipient__org__code", flat=True)) >= {
        "440111-zjj",
        "440111-ghj",
        "440111-cgj",
    }
    with pytest.raises(Conflict, match="已取消"):
        meetings.record_minutes(actor=persona("yuncheng"), meeting=meeting, minutes="x")
    assert_replay_matches(road_call)


def test_a_held_meeting_cannot_be_cancelled(road_call, persona, org):
    meeting = _minutes(persona, org, _convene(persona, org, road_call))
    with pytest.raises(Conflict, match="已召开"):
        meetings.cancel_meeting(actor=persona("yuncheng"), meeting=meeting, reason="算了")


def test_an_overdue_action_is_flagged_once_to_its_owner_and_the_caller(road_call, persona, org):
    _minutes(persona, org, _convene(persona, org, road_call))
    plan = ActionItem.objects.get(owner_department__code="440111-ghj")
    with clock.frozen_at(plan.due_at - timedelta(minutes=1)):
        assert sweeps.sweep().overdue_actions == 0
    with clock.frozen_at(plan.due_at + timedelta(minutes=1)):
        assert sweeps.sweep().overdue_actions == 1
        assert sweeps.sweep().overdue_actions == 0  # idempotent
    plan.refresh_from_db()
    assert plan.overdue_notified_at is not None
    event = road_call.events.get(kind=EventKind.ACTION_OVERDUE)
    assert event.data["action_item_id"] == plan.pk and event.actor is None
    told = set(
        Notification.objects.filter(kind="call.action_overdue").values_list(
            "recipient__username", flat=True
        )
    )
    assert {"guihua", "yuncheng"} <= told and "zhujian" not in told


def test_a_done_action_is_never_flagged(road_call, persona, org):
    _minutes(persona, org, _convene(persona, org, road_call))
    plan = ActionItem.objects.get(owner_department__code="440111-ghj")
    with clock.frozen_at(STARTS + timedelta(days=1)):
        meetings.complete_action(actor=persona("guihua"), item=plan, note="已出具规划意见")
    with clock.frozen_at(plan.due_at + timedelta(days=30)):
        report = sweeps.sweep()
    assert report.overdue_actions == 1  # only 住建局's, still undone
    assert not road_call.events.filter(
        kind=EventKind.ACTION_OVERDUE, data__action_item_id=plan.pk
    ).exists()


def test_cancel_over_the_api(road_call, persona, org, api):
    meeting = _convene(persona, org, road_call)
    url = f"/api/v1/meetings/{meeting.pk}/cancel"
    empty = api("yuncheng").post(url, {"reason": ""}, content_type="application/json")
    assert empty.status_code == 422
    done = api("yuncheng").post(url, {"reason": "改期另议"}, content_type="application/json")
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "cancelled" and done.json()["cancel_reason"] == "改期另议"
    again = api("yuncheng").post(url, {"reason": "再取消"}, content_type="application/json")
    assert again.status_code == 409
