"""Thin API handlers for coordination meetings (协调会) and their action items.

Convening is a call action (`POST /calls/{id}/convene`, in `calls/api.py`, which also lists a
call's meetings); confirming, the minutes and completing an action live here, on the meeting
and the action item. Rules live in `calls.meetings`; reads and scoping in `meeting_selectors`.
"""

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Path, Router, Schema
from pydantic import Field

from huying.calls import meeting_selectors, meetings, selectors
from huying.calls.api_schemas import (
    ERRORS,
    MAX_ID,
    CallUnit,
    Code,
    LocalDateTime,
    Text,
    _choice,
    _examples,
)
from huying.calls.choices import MeetingStatus
from huying.calls.models import ActionItem, CoordinationMeeting
from huying.core import audit, clock
from huying.core.errors import Invalid
from huying.orgs.models import Org

meetings_router = Router(tags=["协调会"])
action_items_router = Router(tags=["协调会"])

MeetingStatusChoice = _choice(MeetingStatus)
ObjectId = Annotated[int, Field(ge=1, le=MAX_ID, description="ID", examples=[12])]


# --- request bodies ----------------------------------------------------------------------------


class ConveneIn(Schema):
    model_config = _examples(
        {
            "starts_at": "2026-11-18T15:00:00+08:00",
            "place": "云城街道办事处三楼会议室",
            "departments": ["440111-zjj", "440111-ghj", "440111-cgj"],
            "note": "研究云城北二路未建成路段的推进办法",
        }
    )

    starts_at: LocalDateTime = Field(description="会议时间（ISO 8601；无时区按北京时间）")
    place: Text = Field(min_length=1, max_length=200, description="会议地点")
    departments: list[Code] = Field(description="参会部门编码，至少两个")
    note: Text = Field("", description="说明（议题）")


ACTION_EXAMPLE = {
    "description": "核定云城北二路道路红线并出具意见",
    "owner_department": "440111-ghj",
    "due_at": "2026-11-23T18:00:00+08:00",
}


class ActionIn(Schema):
    model_config = _examples(ACTION_EXAMPLE)

    description: Text = Field(min_length=1, description="议定事项")
    owner_department: Code = Field(description="责任部门编码（须为参会部门）")
    due_at: LocalDateTime = Field(description="完成期限（ISO 8601；无时区按北京时间）")


class MinutesIn(Schema):
    model_config = _examples(
        {
            "minutes": "会议议定：规划分局核定道路红线，住建局牵头组织施工，城管局清理沿线占道。",
            "actions": [
                ACTION_EXAMPLE,
                {
                    "description": "完成施工单位进场",
                    "owner_department": "440111-zjj",
                    "due_at": "2026-11-28T18:00:00+08:00",
                },
            ],
        }
    )

    minutes: Text = Field(min_length=1, description="会议纪要")
    actions: list[ActionIn] = Field([], description="议定事项：各自的责任部门和完成期限")


class CompleteIn(Schema):
    model_config = _examples({"note": "已出具规划意见（云规函〔2026〕12 号）"})

    note: Text = Field(min_length=1, description="完成情况")


# --- responses ---------------------------------------------------------------------------------

GHJ_UNIT = {"code": "440111-ghj", "name": "市规划和自然资源局白云区分局"}
INVITATION_EXAMPLE = {"department": GHJ_UNIT, "confirmed_at": "2026-11-16T10:30:00+08:00"}
ACTION_ITEM_EXAMPLE = {
    "id": 31,
    "meeting_id": 12,
    "call_id": 1024,
    "description": "核定云城北二路道路红线并出具意见",
    "owner_department": GHJ_UNIT,
    "due_at": "2026-11-23T18:00:00+08:00",
    "done_at": None,
    "done_note": "",
    "overdue": False,
}


class InvitationOut(Schema):
    model_config = _examples(INVITATION_EXAMPLE)

    department: CallUnit
    confirmed_at: datetime | None = Field(description="确认参会时间；未确认为空")


class ActionItemOut(Schema):
    model_config = _examples(ACTION_ITEM_EXAMPLE)

    id: int
    meeting_id: int
    call_id: int
    description: str
    owner_department: CallUnit = Field(description="责任部门")
    due_at: datetime = Field(description="完成期限")
    done_at: datetime | None = Field(description="完成时间；未完成为空")
    done_note: str
    overdue: bool = Field(description="未完成且已过期限")

    @staticmethod
    def resolve_overdue(item: ActionItem) -> bool:
        return item.done_at is None and item.due_at < clock.now()


class MeetingOut(Schema):
    model_config = _examples(
        {
            "id": 12,
            "call_id": 1024,
            "call_number": "HY20260001024",
            "call_title": "云城北二路断头路长期未建成",
            "call_description": "云城北二路约 300 米路段多年未建成，涉及规划红线、施工和沿线占道。",
            "call_address": "云城北二路",
            "status": "held",
            "status_label": "已召开",
            "starts_at": "2026-11-18T15:00:00+08:00",
            "place": "云城街道办事处三楼会议室",
            "note": "研究云城北二路未建成路段的推进办法",
            "convened_by": "云城街道呼叫人",
            "convened_at": "2026-11-16T10:00:00+08:00",
            "minutes": "规划分局核定红线，住建局组织施工，城管局清理沿线占道。",
            "held_at": "2026-11-18T17:00:00+08:00",
            "invitations": [INVITATION_EXAMPLE],
            "action_items": [ACTION_ITEM_EXAMPLE],
        }
    )

    id: int
    call_id: int
    call_number: str
    # An invited department need not be assigned to the call, so it cannot open the call;
    # the meeting carries what it needs to prepare (no caller's personal data).
    call_title: str
    call_description: str
    call_address: str
    status: MeetingStatusChoice
    status_label: str = Field(alias="get_status_display")
    starts_at: datetime
    place: str
    note: str
    convened_by: str = Field(description="召集人")
    convened_at: datetime
    minutes: str = Field(description="会议纪要；召开前为空")
    held_at: datetime | None
    cancelled_at: datetime | None = Field(description="取消时间；未取消为空")
    cancel_reason: str
    invitations: list[InvitationOut] = Field(description="参会部门及确认情况")
    action_items: list[ActionItemOut] = Field(description="议定事项")

    @staticmethod
    def resolve_call_number(meeting: CoordinationMeeting) -> str:
        return meeting.call.number

    @staticmethod
    def resolve_call_title(meeting: CoordinationMeeting) -> str:
        return meeting.call.title

    @staticmethod
    def resolve_call_description(meeting: CoordinationMeeting) -> str:
        return meeting.call.description

    @staticmethod
    def resolve_call_address(meeting: CoordinationMeeting) -> str:
        return meeting.call.address

    @staticmethod
    def resolve_convened_by(meeting: CoordinationMeeting) -> str:
        return audit.actor_display_name(meeting.convened_by)

    @staticmethod
    def resolve_invitations(meeting: CoordinationMeeting) -> Any:
        return meeting.invitations.all()

    @staticmethod
    def resolve_action_items(meeting: CoordinationMeeting) -> Any:
        return meeting.action_items.all()


# --- lookups -----------------------------------------------------------------------------------


def department(code: str, field: str) -> Org:
    """A department by code, the error naming the request's own field."""
    try:
        return selectors.department_by_code(code)
    except Invalid as error:
        raise Invalid(error.message, field=field) from None


def convene_departments(codes: list[str]) -> list[Org]:
    return [department(code, f"departments.{i}") for i, code in enumerate(codes)]


def _actions(payload: MinutesIn) -> list[dict]:
    return [
        action.model_dump()
        | {"owner_department": department(action.owner_department, f"actions.{i}.owner_department")}
        for i, action in enumerate(payload.actions)
    ]


# --- handlers ----------------------------------------------------------------------------------


@meetings_router.get("", response=list[MeetingOut], summary="我可见的协调会（含受邀的）")
def list_meetings(request: HttpRequest):
    return meeting_selectors.my_meetings(request.auth)[:200]


@meetings_router.get("/{meeting_id}", response={200: MeetingOut, **ERRORS}, summary="协调会详情")
def get_meeting(request: HttpRequest, meeting_id: Path[ObjectId]):
    return meeting_selectors.meeting_detail(request.auth, meeting_id)


@meetings_router.post(
    "/{meeting_id}/confirm", response={200: MeetingOut, **ERRORS}, summary="确认参会（受邀部门）"
)
def confirm_attendance(request: HttpRequest, meeting_id: Path[ObjectId]):
    meeting = meeting_selectors.meeting_detail(request.auth, meeting_id)
    meetings.confirm_attendance(actor=request.auth, meeting=meeting)
    return meeting_selectors.meeting_detail(request.auth, meeting_id)


@meetings_router.post(
    "/{meeting_id}/minutes",
    response={200: MeetingOut, **ERRORS},
    summary="记录会议纪要和议定事项（召集方）",
)
def record_minutes(request: HttpRequest, meeting_id: Path[ObjectId], payload: MinutesIn):
    meeting = meeting_selectors.meeting_detail(request.auth, meeting_id)
    meetings.record_minutes(
        actor=request.auth, meeting=meeting, minutes=payload.minutes, actions=_actions(payload)
    )
    return meeting_selectors.meeting_detail(request.auth, meeting_id)


class CancelIn(Schema):
    model_config = _examples({"reason": "规划分局已出具意见，无需再开会"})

    reason: Text = Field(description="取消原因")


@meetings_router.post(
    "/{meeting_id}/cancel",
    response={200: MeetingOut, **ERRORS},
    summary="取消协调会（召集方，须说明原因）",
)
def cancel_meeting(request: HttpRequest, meeting_id: Path[ObjectId], payload: CancelIn):
    meeting = meeting_selectors.meeting_detail(request.auth, meeting_id)
    meetings.cancel_meeting(actor=request.auth, meeting=meeting, reason=payload.reason)
    return meeting_selectors.meeting_detail(request.auth, meeting_id)


@action_items_router.post(
    "/{item_id}/complete",
    response={200: ActionItemOut, **ERRORS},
    summary="议定事项完成（责任部门）",
)
def complete_action(request: HttpRequest, item_id: Path[ObjectId], payload: CompleteIn):
    item = meeting_selectors.action_item_detail(request.auth, item_id)
    return meetings.complete_action(actor=request.auth, item=item, note=payload.note)
