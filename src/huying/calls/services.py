"""Every change to a call: one transaction, one call event, one audit row.

Each action locks the call row, checks who may act and whether the state allows it
(`workflow.check`, 409 naming the state), appends an event carrying every field it changes
(so `workflow.replay` can rebuild the call), and stores the new state. Creating calls, one
or a batch, lives in `creation.py` (re-exported here); the event and audit rows of a step are
built in `events.py`, for `append_event` and the batch writers alike.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from huying.calls import attachments, events, ladder, notices, workflow
from huying.calls.choices import AssignmentRole, CallStatus, EventKind
from huying.calls.creation import (  # creating calls has its own module; these are its API
    DEFAULT_RESOLUTION,
    URGENCY_RESPONSE,
    NewCall,
    create_call,
    create_calls,
    validate_new_call,
)
from huying.calls.events import iso as _iso
from huying.calls.models import Call, CallAssignment, CallEvent, Rating
from huying.core import clock
from huying.core.errors import Conflict, Forbidden, Invalid
from huying.orgs.choices import OrgKind, Role
from huying.orgs.models import Org, User

__all__ = [  # re-exported from creation: callers keep writing services.create_call
    "DEFAULT_RESOLUTION",
    "URGENCY_RESPONSE",
    "NewCall",
    "create_call",
    "create_calls",
    "validate_new_call",
]
DEPARTMENT_ROLES = (Role.RESPONDER, Role.DEPARTMENT_HEAD)
DISPATCH_ROLES = (Role.OPERATOR, Role.ADMIN)


# --- who may act -----------------------------------------------------------------------------


def _require_caller(actor: User, call: Call) -> None:
    if actor.org_id != call.caller_org_id:
        raise Forbidden("只有发起呼叫的单位可以这样做", field="actor")


def _require_department(actor: User, call: Call, *, lead: bool) -> CallAssignment:
    if actor.role not in DEPARTMENT_ROLES:
        raise Forbidden("只有承办部门的工作人员可以这样做", field="actor")
    assignment = call.assignments.filter(department_id=actor.org_id, is_active=True).first()
    if assignment is None or (lead and assignment.role != AssignmentRole.LEAD):
        raise Forbidden(
            "只有牵头部门可以这样做" if lead else "贵单位不是此呼叫的承办部门", field="actor"
        )
    return assignment


def required_text(value: str, field: str, message: str) -> str:
    """A reason, note or result the action cannot go without; stored stripped."""
    if not (value or "").strip():
        raise Invalid(message, field=field)
    return value.strip()


def _require_dispatcher(actor: User) -> None:
    if actor.role not in DISPATCH_ROLES:
        raise Forbidden("只有指挥中心可以这样做", field="actor")


# --- the event log -----------------------------------------------------------------------------


def append_event(
    call: Call,
    kind: str,
    actor: User | None,
    *,
    to_status: str | None = None,
    note: str = "",
    data: dict | None = None,
    now: datetime,
    restarted: bool = False,
    attachment_ids: Sequence[int] = (),
) -> CallEvent:
    """Record one step: the event (with the files it carries), the stored state (with its
    alert ladder), an audit row."""
    from_status = call.status if kind != EventKind.CREATED else ""
    attachments.check(actor, attachment_ids)
    data = dict(data or {})
    if attachment_ids:
        data["attachment_ids"] = sorted(set(int(i) for i in attachment_ids))
    if to_status:
        call.status = to_status
    call.event_count += 1
    event = events.event_row(
        call,
        kind,
        actor,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data,
        now=now,
    )
    event.save(force_insert=True)
    attachments.bind_to_event(actor, attachment_ids, call=call, event=event)
    ladder.sync(call, restarted=restarted)
    call.save()
    notices.announce(call, event)
    # Last, so the audit head stays locked briefly; no savepoint inside the action's transaction.
    events.record([events.audit_entry(call, event)])
    return event


def _locked(call: Call) -> Call:
    return Call.objects.select_for_update().get(pk=call.pk)


# --- department actions ------------------------------------------------------------------------


@transaction.atomic
def respond(*, actor: User, call: Call, note: str = "") -> Call:
    """A department signs for the call; the lead's signature makes it responded."""
    call = _locked(call)
    workflow.check("respond", call.status)
    assignment = _require_department(actor, call, lead=False)
    if assignment.signed_at:
        raise Conflict("贵单位已签收此呼叫", field="status")
    now = clock.now()
    assignment.signed_at = now
    assignment.save(update_fields=["signed_at"])
    data = {"department_id": assignment.department_id}
    to_status = None
    if assignment.role == AssignmentRole.LEAD:
        if call.status != CallStatus.CALLED:
            raise Conflict("此呼叫已签收", field="status")
        call.responded_at = now
        call.resolution_due_at = call.resolution_limit.due_from(now)
        to_status = CallStatus.RESPONDED
        data |= {"responded_at": _iso(now), "resolution_due_at": _iso(call.resolution_due_at)}
    append_event(
        call,
        EventKind.SIGNED,
        actor,
        to_status=to_status,
        note=note,
        data=data,
        now=now,
        restarted=to_status is not None,
    )  # the lead signed: the resolution clock starts
    return call


@transaction.atomic
def return_call(
    *, actor: User, call: Call, reason: str, attachment_ids: Sequence[int] = ()
) -> Call:
    """The lead department sends the call back; the command centre will arbitrate."""
    call = _locked(call)
    workflow.check("return", call.status)
    _require_department(actor, call, lead=True)
    reason = required_text(reason, "reason", "退回必须说明理由")
    call.return_count += 1
    append_event(
        call,
        EventKind.RETURNED,
        actor,
        to_status=CallStatus.RETURNED,
        note=reason.strip(),
        data={"department_id": actor.org_id},
        now=clock.now(),
        attachment_ids=attachment_ids,
    )
    return call


@transaction.atomic
def report_progress(
    *, actor: User, call: Call, note: str, attachment_ids: Sequence[int] = ()
) -> Call:
    """A department reports progress, with photos if it has them."""
    call = _locked(call)
    workflow.check("progress", call.status)
    _require_department(actor, call, lead=False)
    note = required_text(note, "note", "请填写进展情况")
    append_event(
        call,
        EventKind.PROGRESS,
        actor,
        to_status=CallStatus.IN_PROGRESS,
        note=note.strip(),
        now=clock.now(),
        attachment_ids=attachment_ids,
    )
    return call


@transaction.atomic
def resolve(*, actor: User, call: Call, result: str, attachment_ids: Sequence[int] = ()) -> Call:
    """The lead department reports the matter done, with its evidence."""
    call = _locked(call)
    workflow.check("resolve", call.status)
    _require_department(actor, call, lead=True)
    result = required_text(result, "result", "请填写办理结果")
    now = clock.now()
    call.resolved_at = now
    append_event(
        call,
        EventKind.RESOLVED,
        actor,
        to_status=CallStatus.RESOLVED,
        note=result.strip(),
        data={"resolved_at": _iso(now)},
        now=now,
        attachment_ids=attachment_ids,
    )
    return call


# --- caller actions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RatingInput:
    satisfaction: int
    timeliness: int
    attitude: int
    perfunctory: bool = False
    perfunctory_reason: str = ""


def _validate_rating(rating: RatingInput) -> None:
    for field in ("satisfaction", "timeliness", "attitude"):
        if getattr(rating, field) not in range(1, 6):
            raise Invalid("评分为 1 到 5 分", field=field)
    if rating.perfunctory and not rating.perfunctory_reason.strip():
        raise Invalid("标记应付式响应时请说明理由", field="perfunctory_reason")


@transaction.atomic
def confirm(*, actor: User, call: Call, note: str = "", rating: RatingInput | None = None) -> Call:
    """The caller confirms the result and rates the lead department (two-way evaluation)."""
    call = _locked(call)
    workflow.check("confirm", call.status)
    _require_caller(actor, call)
    now = clock.now()
    if rating is not None:
        _validate_rating(rating)
        Rating.objects.create(
            call=call, department=call.lead_department, rated_by=actor, rated_at=now, **vars(rating)
        )
    call.closed_at = now
    append_event(
        call,
        EventKind.CONFIRMED,
        actor,
        to_status=CallStatus.CLOSED,
        note=note,
        data={"closed_at": _iso(now), "rating": vars(rating) if rating else None},
        now=now,
    )
    return call


@transaction.atomic
def reject(*, actor: User, call: Call, reason: str, attachment_ids: Sequence[int] = ()) -> Call:
    """The caller is not satisfied: back to work, counted as a redo."""
    call = _locked(call)
    workflow.check("reject", call.status)
    _require_caller(actor, call)
    reason = required_text(reason, "reason", "请说明不满意的原因")
    call.redo_count += 1
    call.resolved_at = None
    append_event(
        call,
        EventKind.REJECTED,
        actor,
        to_status=CallStatus.IN_PROGRESS,
        note=reason.strip(),
        data={"resolved_at": None},
        now=clock.now(),
        attachment_ids=attachment_ids,
    )
    return call


@transaction.atomic
def withdraw(*, actor: User, call: Call, reason: str = "") -> Call:
    call = _locked(call)
    workflow.check("withdraw", call.status)
    _require_caller(actor, call)
    now = clock.now()
    call.withdrawn_at = now
    append_event(
        call,
        EventKind.WITHDRAWN,
        actor,
        to_status=CallStatus.WITHDRAWN,
        note=reason,
        data={"withdrawn_at": _iso(now)},
        now=now,
    )
    return call


# --- command-centre actions --------------------------------------------------------------------


def _route_to(call: Call, department: Org, now: datetime) -> dict:
    """Make `department` the lead and restart the response clock: the time spent before
    (a return dispute, a wrong department) does not count against the one that takes it."""
    if department.kind != OrgKind.DEPARTMENT or not department.is_active:
        raise Invalid("只能派给启用的区直部门", field="department")
    call.assignments.filter(role=AssignmentRole.LEAD, is_active=True).update(is_active=False)
    call.assignments.filter(department=department, is_active=True).update(is_active=False)
    CallAssignment.objects.create(call=call, department=department, role=AssignmentRole.LEAD)
    call.lead_department = department
    call.response_clock_from = now
    call.response_due_at = call.response_limit.due_from(now)
    call.responded_at = call.resolution_due_at = None
    return {
        "lead_department_id": department.pk,
        "response_clock_from": _iso(now),
        "response_due_at": _iso(call.response_due_at),
        "responded_at": None,
        "resolution_due_at": None,
    }


@transaction.atomic
def arbitrate(
    *, actor: User, call: Call, uphold: bool, department: Org | None = None, note: str = ""
) -> Call:
    """Settle a return: keep the department (uphold) or re-route to another one."""
    call = _locked(call)
    workflow.check("uphold" if uphold else "reroute", call.status)
    _require_dispatcher(actor)
    now = clock.now()
    if uphold:
        target, kind = call.lead_department, EventKind.UPHELD
    else:
        if department is None:
            raise Invalid("请选择改派的部门", field="department")
        if department.pk == call.lead_department_id:
            raise Invalid("改派的部门与原部门相同；如维持原部门请选择“维持”", field="department")
        target, kind = department, EventKind.REROUTED
    data = _route_to(call, target, now)
    append_event(
        call,
        kind,
        actor,
        to_status=CallStatus.CALLED,
        note=note,
        data=data,
        now=now,
        restarted=True,
    )
    return call


@transaction.atomic
def transfer(*, actor: User, call: Call, department: Org, note: str = "") -> Call:
    """The command centre routes a free-form call, or moves a call to another department."""
    call = _locked(call)
    workflow.check("transfer", call.status)
    _require_dispatcher(actor)
    if department.pk == call.lead_department_id:
        raise Invalid("已由该部门牵头", field="department")
    now = clock.now()
    data = _route_to(call, department, now)
    append_event(
        call,
        EventKind.TRANSFERRED,
        actor,
        to_status=CallStatus.CALLED,
        note=note,
        data=data,
        now=now,
        restarted=True,
    )
    return call


@transaction.atomic
def urge(*, actor: User | None, call: Call, level: int = 1, note: str = "") -> Call:
    """A formal reminder (督办). By hand from the command centre or the commission."""
    call = _locked(call)
    workflow.check("urge", call.status)
    if actor is not None and actor.role not in (*DISPATCH_ROLES, Role.SUPERVISOR):
        raise Forbidden("只有指挥中心和纪委监委可以督办", field="actor")
    if level not in (1, 2):
        raise Invalid("督办级别为 1 或 2", field="level")
    call.urge_level = max(call.urge_level, level)
    append_event(call, EventKind.URGED, actor, note=note, data={"level": level}, now=clock.now())
    return call
