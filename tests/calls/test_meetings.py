"""Coordination meetings (协调会): convening, confirming, minutes and tracked action items.

The 云城北二路 story: a road left unbuilt involves 规划, 住建 and 城管; 云城街 calls, the
command centre routes the call to 住建局, 云城街 convenes the three departments, the meeting
agrees two actions with their own deadlines, and the owners complete them.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from huying.calls import meetings, services
from huying.calls.choices import CallStatus, EventKind, MeetingStatus
from huying.calls.models import ActionItem
from huying.core import clock
from huying.core.errors import Conflict, Forbidden, Invalid
from huying.notify.models import Notification
from tests.calls.api_client import CallsApi, error_fields
from tests.calls.test_workflow import assert_replay_matches

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY_9 = datetime(2026, 11, 16, 9, 0, tzinfo=SHANGHAI)
STARTS = MONDAY_9 + timedelta(days=2, hours=6)  # Wednesday 15:00
ZJJ, GHJ, CGJ = "440111-zjj", "440111-ghj", "440111-cgj"


def _convene(persona, org, call, who="yuncheng", codes=(ZJJ, GHJ, CGJ), **overrides):
    fields = {
        "starts_at": STARTS,
        "place": "云城街道办事处三楼会议室",
        "departments": [org(code) for code in codes],
        "note": "研究推进办法",
    } | overrides
    with clock.frozen_at(MONDAY_9 + timedelta(hours=1)):
        return meetings.convene(actor=persona(who), call=call, **fields)


def _minutes(persona, org, meeting, who="yuncheng"):
    held = STARTS + timedelta(hours=2)
    with clock.frozen_at(held):
        return meetings.record_minutes(
            actor=persona(who),
            meeting=meeting,
            minutes="规划分局核定红线，住建局组织施工，城管局清理沿线占道。",
            actions=[
                {
                    "description": "核定道路红线并出具规划意见",
                    "owner_department": org(GHJ),
                    "due_at": held + timedelta(days=5),
                },
                {
                    "description": "组织施工单位进场",
                    "owner_department": org(ZJJ),
                    "due_at": held + timedelta(days=10),
                },
            ],
        )


def test_the_yuncheng_north_second_road_story(road_call, persona, org):
    meeting = _convene(persona, org, road_call)
    assert meeting.status == MeetingStatus.SCHEDULED
    invited = {i.department.code for i in meeting.invitations.all()}
    assert invited == {ZJJ, GHJ, CGJ}
    assert Notification.objects.filter(recipient=persona("guihua"), kind="call.convened").exists()

    for who in ("zhujian", "guihua", "chengguan"):
        meetings.confirm_attendance(actor=persona(who), meeting=meeting)
    assert all(i.confirmed_at for i in meeting.invitations.all())

    meeting = _minutes(persona, org, meeting)
    assert meeting.status == MeetingStatus.HELD
    plan, build = ActionItem.objects.filter(call=road_call).order_by("due_at")
    assert (plan.owner_department.code, build.owner_department.code) == (GHJ, ZJJ)
    assert build.due_at - plan.due_at == timedelta(days=5)

    with clock.frozen_at(STARTS + timedelta(days=3)):
        meetings.complete_action(actor=persona("guihua"), item=plan, note="已出具规划意见")
    with clock.frozen_at(STARTS + timedelta(days=12)):  # two days late
        item = meetings.complete_action(actor=persona("zhujian"), item=build, note="已进场施工")
    assert item.done_at and item.done_note == "已进场施工"

    kinds = list(road_call.events.order_by("seq").values_list("kind", flat=True))
    assert kinds[-4:] == [
        EventKind.CONVENED,
        EventKind.MEETING_HELD,
        EventKind.ACTION_DONE,
        EventKind.ACTION_DONE,
    ]
    done = road_call.events.filter(kind=EventKind.ACTION_DONE).order_by("seq")
    assert [e.data["on_time"] for e in done] == [True, False]
    road_call.refresh_from_db()
    assert road_call.status == CallStatus.RESPONDED  # the meeting does not move the call
    assert_replay_matches(road_call)


def test_command_centre_may_convene_and_records_the_minutes(road_call, persona, org):
    meeting = _convene(persona, org, road_call, who="command")
    with pytest.raises(Forbidden) as refused:
        _minutes(persona, org, meeting, who="yuncheng")  # not the convener's side
    assert refused.value.field == "actor"
    assert _minutes(persona, org, meeting, who="command").status == MeetingStatus.HELD


@pytest.mark.parametrize("who", ["chengguan", "helong", "supervisor"])
def test_only_the_caller_or_the_command_centre_convenes(road_call, persona, org, who):
    with pytest.raises(Forbidden) as refused:
        _convene(persona, org, road_call, who=who)
    assert refused.value.field == "actor"
    assert not road_call.meetings.exists()


def test_a_meeting_needs_at_least_two_departments(road_call, persona, org):
    with pytest.raises(Invalid, match="至少") as refused:
        _convene(persona, org, road_call, codes=(ZJJ, ZJJ))
    assert refused.value.field == "departments"


def test_only_departments_are_invited(road_call, persona, org):
    with pytest.raises(Invalid, match="不是启用的区直部门") as refused:
        _convene(persona, org, road_call, codes=(ZJJ, "云城街道"))
    assert refused.value.field == "departments"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [({"place": " "}, "place"), ({"starts_at": MONDAY_9 - timedelta(hours=1)}, "starts_at")],
)
def test_time_and_place_are_checked(road_call, persona, org, overrides, field):
    with pytest.raises(Invalid) as refused:
        _convene(persona, org, road_call, **overrides)
    assert refused.value.field == field


def test_a_closed_call_cannot_be_convened(new_call, persona, org):
    call = new_call()
    call = services.respond(actor=persona("chengguan"), call=call)
    call = services.resolve(actor=persona("chengguan"), call=call, result="已清理")
    call = services.confirm(actor=persona("yuncheng"), call=call)
    with pytest.raises(Conflict, match="已确认办结") as refused:
        _convene(persona, org, call)
    assert refused.value.field == "status"


def test_only_invited_department_staff_confirm_once(road_call, persona, org):
    meeting = _convene(persona, org, road_call, codes=(ZJJ, CGJ))
    for who in ("guihua", "yuncheng"):
        with pytest.raises(Forbidden, match="未受邀") as refused:
            meetings.confirm_attendance(actor=persona(who), meeting=meeting)
        assert refused.value.field == "actor"
    meetings.confirm_attendance(actor=persona("chengguan"), meeting=meeting)
    with pytest.raises(Conflict, match="已确认") as refused:
        meetings.confirm_attendance(actor=persona("chengguan"), meeting=meeting)
    assert refused.value.field == "status"


def test_minutes_are_recorded_once_by_the_convener(road_call, persona, org):
    meeting = _convene(persona, org, road_call)
    with pytest.raises(Forbidden):
        _minutes(persona, org, meeting, who="zhujian")
    _minutes(persona, org, meeting)
    with pytest.raises(Conflict, match="已召开") as refused:
        _minutes(persona, org, meeting)
    assert refused.value.field == "status"
    with pytest.raises(Conflict, match="已召开"):
        meetings.confirm_attendance(actor=persona("guihua"), meeting=meeting)
    assert ActionItem.objects.filter(meeting=meeting).count() == 2


def test_an_action_is_owned_by_an_invited_department(road_call, persona, org):
    meeting = _convene(persona, org, road_call, codes=(ZJJ, CGJ))
    with pytest.raises(Invalid, match="参会部门") as refused:
        _minutes(persona, org, meeting)  # the first action is owned by 规划分局
    assert refused.value.field == "actions.0.owner_department"
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED
    assert not ActionItem.objects.exists()


def test_only_the_owner_completes_an_action_once(road_call, persona, org):
    meeting = _minutes(persona, org, _convene(persona, org, road_call))
    plan = meeting.action_items.get(owner_department__code=GHJ)
    for who in ("zhujian", "yuncheng"):
        with pytest.raises(Forbidden) as refused:
            meetings.complete_action(actor=persona(who), item=plan, note="完成")
        assert refused.value.field == "actor"
    with pytest.raises(Invalid) as refused:
        meetings.complete_action(actor=persona("guihua"), item=plan, note=" ")
    assert refused.value.field == "note"
    meetings.complete_action(actor=persona("guihua"), item=plan, note="已出具意见")
    with pytest.raises(Conflict, match="已完成") as refused:
        meetings.complete_action(actor=persona("guihua"), item=plan, note="再次")
    assert refused.value.field == "status"


# --- the API -----------------------------------------------------------------------------------


@pytest.fixture
def calls(api, matter) -> CallsApi:
    return CallsApi(api)


def _post(calls: CallsApi, who: str, url: str, **body):
    return calls.client(who).post(url, body, content_type="application/json")


def test_api_round_trip(calls):
    with clock.frozen_at(MONDAY_9):
        call = calls.create_ok(
            matter=None, title="云城北二路未建成", description="断头路", domain="key_work"
        )
        calls.act_ok("command", call["id"], "transfer", department=ZJJ)
        calls.act_ok("zhujian", call["id"], "respond")
        body = calls.act_ok(
            "yuncheng",
            call["id"],
            "convene",
            starts_at="2026-11-18T15:00:00",  # Beijing time
            place="云城街道办事处",
            departments=[ZJJ, GHJ, CGJ],
        )
        assert body["events"][-1]["kind"] == "convened"
        assert body["events"][-1]["kind_label"] == "召开协调会"

        listed = calls.client("yuncheng").get(f"/api/v1/calls/{call['id']}/meetings")
        assert listed.status_code == 200, listed.content.decode()
        (meeting,) = listed.json()
        assert datetime.fromisoformat(meeting["starts_at"]) == STARTS
        assert [i["confirmed_at"] for i in meeting["invitations"]] == [None] * 3
        url = f"/api/v1/meetings/{meeting['id']}"
        for who in ("zhujian", "guihua", "chengguan"):
            response = _post(calls, who, f"{url}/confirm")
            assert response.status_code == 200, response.content.decode()
        assert all(i["confirmed_at"] for i in response.json()["invitations"])

    with clock.frozen_at(MONDAY_9 + timedelta(days=2, hours=8)):
        response = _post(
            calls,
            "yuncheng",
            f"{url}/minutes",
            minutes="议定两项",
            actions=[
                {"description": "核定红线", "owner_department": GHJ, "due_at": "2026-11-23T18:00"},
                {"description": "施工进场", "owner_department": ZJJ, "due_at": "2026-11-28T18:00"},
            ],
        )
        assert response.status_code == 200, response.content.decode()
        held = response.json()
        assert held["status"] == "held"
        assert [a["owner_department"]["code"] for a in held["action_items"]] == [GHJ, ZJJ]
        for item, who in zip(held["action_items"], ("guihua", "zhujian"), strict=True):
            response = _post(
                calls, who, f"/api/v1/action-items/{item['id']}/complete", note="已完成"
            )
            assert response.status_code == 200, response.content.decode()
            assert response.json()["done_at"]
            assert response.json()["overdue"] is False

    timeline = calls.get("yuncheng", call["id"]).json()["events"]
    assert [e["kind"] for e in timeline][-4:] == [
        "convened",
        "meeting_held",
        "action_done",
        "action_done",
    ]


def test_api_refusals_name_the_field_or_state(calls):
    with clock.frozen_at(MONDAY_9):
        call = calls.create_ok()
        convene = {"starts_at": "2026-11-18T15:00:00+08:00", "place": "会议室"}
        one = calls.act("yuncheng", call["id"], "convene", **convene, departments=[ZJJ])
        assert one.status_code == 422 and error_fields(one) == ["departments"]
        unknown = calls.act("yuncheng", call["id"], "convene", **convene, departments=[ZJJ, "x"])
        assert unknown.status_code == 422 and error_fields(unknown) == ["departments.1"]
        role = calls.act("chengguan", call["id"], "convene", **convene, departments=[ZJJ, CGJ])
        assert role.status_code == 403 and error_fields(role) == ["actor"]
        missing = calls.act("yuncheng", call["id"], "convene", departments=[ZJJ, CGJ])
        assert missing.status_code == 422
        assert set(error_fields(missing)) == {"starts_at", "place"}
        calls.act_ok("yuncheng", call["id"], "withdraw")
        closed = calls.act("yuncheng", call["id"], "convene", **convene, departments=[ZJJ, CGJ])
        assert closed.status_code == 409 and error_fields(closed) == ["status"]
        assert "已撤回" in closed.json()["detail"]


def test_outsiders_get_404_and_invited_departments_see_the_meeting(calls):
    with clock.frozen_at(MONDAY_9):
        call = calls.create_ok()  # 城管局 leads, 住建局 co
        calls.act_ok(
            "yuncheng",
            call["id"],
            "convene",
            starts_at="2026-11-18T15:00:00+08:00",
            place="会议室",
            departments=[CGJ, GHJ],
        )
        meeting_id = calls.client("yuncheng").get(f"/api/v1/calls/{call['id']}/meetings").json()
        meeting_url = f"/api/v1/meetings/{meeting_id[0]['id']}"
        # 规划分局 is invited but not on the call: it sees the meeting, not the call.
        seen = calls.client("guihua").get(meeting_url)
        assert seen.status_code == 200
        # …with what it needs to prepare: the call's title, description and address.
        assert seen.json()["call_title"] == call["title"]
        assert seen.json()["call_description"] and "caller" not in seen.json()
        assert calls.client("guihua").get(f"/api/v1/calls/{call['id']}/meetings").status_code == 404
        for who in ("helong", "shuiwu"):
            assert calls.client(who).get(f"/api/v1/calls/{call['id']}/meetings").status_code == 404
            assert calls.client(who).get(meeting_url).status_code == 404
            assert _post(calls, who, f"{meeting_url}/confirm").status_code == 404
            again = calls.act(
                who,
                call["id"],
                "convene",
                starts_at="2026-11-18T15:00:00+08:00",
                place="会议室",
                departments=[CGJ, GHJ],
            )
            assert again.status_code == 404
        assert [m["id"] for m in calls.client("guihua").get("/api/v1/meetings").json()] == [
            meeting_id[0]["id"]
        ]
