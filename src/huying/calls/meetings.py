"""Coordination meetings (协调会) on a call: convene, confirm attendance, minutes, actions.

The caller unit or the command centre convenes the departments a call needs; each invited
department confirms; the convener's side records the minutes, and each agreed action becomes
an `ActionItem`, a sub-task of the call with its own owner and deadline. Convening, the minutes
and each completed action are call events (`services.append_event`: timeline, notices, audit).
"""

from collections.abc import Iterable, Mapping
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from huying.calls import workflow
from huying.calls.choices import EventKind, MeetingStatus
from huying.calls.models import ActionItem, Call, CoordinationMeeting, MeetingInvitation
from huying.calls.services import (
    DEPARTMENT_ROLES,
    DISPATCH_ROLES,
    _iso,
    _locked,
    append_event,
    required_text,
)
from huying.core import audit, clock
from huying.core.errors import Conflict, Forbidden, Invalid
from huying.orgs.choices import OrgKind
from huying.orgs.models import Org, User

MIN_DEPARTMENTS = 2


# --- who may act -----------------------------------------------------------------------------


def _require_convener(actor: User, call: Call) -> None:
    """The calling unit or the command centre."""
    if actor.role not in DISPATCH_ROLES and actor.org_id != call.caller_org_id:
        raise Forbidden("只有呼叫单位或指挥中心可以召集协调会", field="actor")


def _require_convener_side(actor: User, meeting: CoordinationMeeting, what: str) -> None:
    """The side that convened: the command centre, or else the calling unit."""
    if meeting.convened_by.role in DISPATCH_ROLES:
        allowed = actor.role in DISPATCH_ROLES
    else:
        allowed = actor.org_id == meeting.call.caller_org_id
    if not allowed:
        raise Forbidden(f"只有召集方可以{what}", field="actor")


def _require_staff_of(actor: User, department_id: int, message: str) -> None:
    if actor.role not in DEPARTMENT_ROLES or actor.org_id != department_id:
        raise Forbidden(message, field="actor")


def _require_scheduled(meeting: CoordinationMeeting, action: str) -> None:
    if meeting.status != MeetingStatus.SCHEDULED:
        label = MeetingStatus(meeting.status).label
        raise Conflict(f"协调会当前状态为「{label}」，不能{action}", field="status")


# --- validation --------------------------------------------------------------------------------


def _local(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def _future(moment: datetime | None, now: datetime, field: str, what: str) -> datetime:
    if moment is None:
        raise Invalid(f"请填写{what}", field=field)
    if timezone.is_naive(moment):
        raise Invalid(f"{what}须带时区", field=field)
    if moment <= now:
        raise Invalid(f"{what}须晚于现在（{_local(now)}）", field=field)
    return moment


def _departments(departments: Iterable[Org]) -> list[Org]:
    unique = list({d.pk: d for d in departments}.values())
    for department in unique:
        if department.kind != OrgKind.DEPARTMENT or not department.is_active:
            raise Invalid(f"“{department.name}”不是启用的区直部门", field="departments")
    if len(unique) < MIN_DEPARTMENTS:
        raise Invalid("协调会至少要邀请两个区直部门", field="departments")
    return unique


# --- actions -----------------------------------------------------------------------------------


@transaction.atomic
def convene(
    *,
    actor: User,
    call: Call,
    starts_at: datetime,
    place: str,
    departments: Iterable[Org],
    note: str = "",
) -> CoordinationMeeting:
    """Call the departments of a multi-department call to a meeting (time, place, who)."""
    call = _locked(call)
    workflow.check("convene", call.status)
    _require_convener(actor, call)
    now = clock.now()
    starts_at = _future(starts_at, now, "starts_at", "会议时间")
    if not place.strip():
        raise Invalid("请填写会议地点", field="place")
    invited = _departments(departments)
    meeting = CoordinationMeeting.objects.create(
        call=call,
        convened_by=actor,
        convened_at=now,
        starts_at=starts_at,
        place=place.strip(),
        note=note.strip(),
    )
    MeetingInvitation.objects.bulk_create(
        MeetingInvitation(meeting=meeting, department=d) for d in invited
    )
    names = "、".join(d.short_name or d.name for d in invited)
    summary = f"{_local(starts_at)} 在{meeting.place}召开协调会，参会部门：{names}"
    append_event(
        call,
        EventKind.CONVENED,
        actor,
        note=f"{summary}。{meeting.note}" if meeting.note else summary,
        data={
            "meeting_id": meeting.pk,
            "starts_at": _iso(starts_at),
            "place": meeting.place,
            "departments": [d.pk for d in invited],
        },
        now=now,
    )
    return meeting


@transaction.atomic
def confirm_attendance(*, actor: User, meeting: CoordinationMeeting) -> CoordinationMeeting:
    """An invited department confirms it will attend."""
    meeting = CoordinationMeeting.objects.select_for_update().get(pk=meeting.pk)
    _require_scheduled(meeting, "确认参会")
    invitation = meeting.invitations.filter(department_id=actor.org_id).first()
    if actor.role not in DEPARTMENT_ROLES or invitation is None:
        raise Forbidden("贵单位未受邀参加此协调会", field="actor")
    if invitation.confirmed_at:
        raise Conflict("贵单位已确认参会", field="status")
    invitation.confirmed_at = clock.now()
    invitation.save(update_fields=["confirmed_at"])
    audit.record(
        "calls.meeting_confirmed",
        actor=actor,
        obj=meeting,
        before={"confirmed_at": None},
        after={"department_id": actor.org_id, "confirmed_at": _iso(invitation.confirmed_at)},
    )
    return meeting


def _action_items(
    meeting: CoordinationMeeting, actions: Iterable[Mapping], now: datetime
) -> list[ActionItem]:
    invited = set(meeting.invitations.values_list("department_id", flat=True))
    items = []
    for i, action in enumerate(actions):
        description = (action.get("description") or "").strip()
        if not description:
            raise Invalid("请填写议定事项", field=f"actions.{i}.description")
        owner = action.get("owner_department")
        if owner is None or owner.pk not in invited:
            raise Invalid("责任部门须为参会部门", field=f"actions.{i}.owner_department")
        due_at = _future(action.get("due_at"), now, f"actions.{i}.due_at", "完成期限")
        items.append(
            ActionItem(
                meeting=meeting,
                call=meeting.call,
                description=description,
                owner_department=owner,
                due_at=due_at,
            )
        )
    return items


@transaction.atomic
def record_minutes(
    *,
    actor: User,
    meeting: CoordinationMeeting,
    minutes: str,
    actions: Iterable[Mapping] = (),
) -> CoordinationMeeting:
    """The convener's side records what was agreed: the meeting is held, each action tracked."""
    call = _locked(meeting.call)
    meeting = CoordinationMeeting.objects.select_for_update().get(pk=meeting.pk)
    meeting.call = call
    workflow.check("minutes", call.status)
    _require_scheduled(meeting, "记录纪要")
    _require_convener_side(actor, meeting, "记录协调会纪要")
    if not minutes.strip():
        raise Invalid("请填写会议纪要", field="minutes")
    now = clock.now()
    items = ActionItem.objects.bulk_create(_action_items(meeting, actions, now))
    meeting.minutes, meeting.status, meeting.held_at = minutes.strip(), MeetingStatus.HELD, now
    meeting.save(update_fields=["minutes", "status", "held_at"])
    append_event(
        call,
        EventKind.MEETING_HELD,
        actor,
        note=meeting.minutes,
        data={
            "meeting_id": meeting.pk,
            "actions": [
                {"id": i.pk, "owner_department_id": i.owner_department_id, "due_at": _iso(i.due_at)}
                for i in items
            ],
        },
        now=now,
    )
    return meeting


@transaction.atomic
def complete_action(*, actor: User, item: ActionItem, note: str) -> ActionItem:
    """The owner department reports an agreed action done."""
    call = _locked(item.call)
    item = ActionItem.objects.select_for_update().get(pk=item.pk)
    workflow.check("complete_action", call.status)
    _require_staff_of(actor, item.owner_department_id, "只有责任部门可以完成此事项")
    if item.done_at:
        raise Conflict("该事项已完成", field="status")
    if not note.strip():
        raise Invalid("请填写完成情况", field="note")
    now = clock.now()
    item.done_at, item.done_note = now, note.strip()
    item.save(update_fields=["done_at", "done_note"])
    append_event(
        call,
        EventKind.ACTION_DONE,
        actor,
        note=f"{item.description}：{item.done_note}",
        data={
            "action_item_id": item.pk,
            "owner_department_id": item.owner_department_id,
            "done_at": _iso(now),
            "on_time": now <= item.due_at,
        },
        now=now,
    )
    return item


@transaction.atomic
def cancel_meeting(
    *, actor: User, meeting: CoordinationMeeting, reason: str
) -> CoordinationMeeting:
    """The convener's side calls a scheduled meeting off; the invited departments are told."""
    call = _locked(meeting.call)
    meeting = CoordinationMeeting.objects.select_for_update().get(pk=meeting.pk)
    meeting.call = call
    workflow.check("cancel_meeting", call.status)
    _require_scheduled(meeting, "取消")
    _require_convener_side(actor, meeting, "取消协调会")
    reason = required_text(reason, "reason", "取消协调会须说明原因")
    now = clock.now()
    meeting.status, meeting.cancelled_at, meeting.cancel_reason = (
        MeetingStatus.CANCELLED,
        now,
        reason,
    )
    meeting.save(update_fields=["status", "cancelled_at", "cancel_reason"])
    append_event(
        call,
        EventKind.MEETING_CANCELLED,
        actor,
        note=reason,
        data={
            "meeting_id": meeting.pk,
            "departments": list(meeting.invitations.values_list("department_id", flat=True)),
        },
        now=now,
    )
    return meeting
