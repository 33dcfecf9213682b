"""Thin API handlers for calls (有呼必应): create, list, read with the timeline, and each action.

A handler validates input (the schemas in `api_schemas`), resolves what the request names (the
call in the user's scope, a matter or a department by code), calls one service, and renders
the call. Rules live in `services` and `workflow`; reads and scoping in `selectors`.
Out of scope is 404 (audited by `selectors.call_detail`), before anything else is looked at.
"""

from django.http import HttpRequest
from ninja import Path, Query, Router, Status

from huying.calls import api_reads, meeting_selectors, meetings, selectors, services
from huying.calls.api_meetings import ConveneIn, MeetingOut, convene_departments
from huying.calls.api_schemas import (
    DEFAULT_URGE,
    ERRORS,
    NO_NOTE,
    NO_REASON,
    NOT_RATED,
    ArbitrateIn,
    CallBatchIn,
    CallBatchOut,
    CallDetailOut,
    CalledAfter,
    CalledBefore,
    CallError,
    CallId,
    CallIn,
    CallOut,
    ConfirmIn,
    DepartmentFilter,
    DomainFilter,
    NoteIn,
    OptionalReasonIn,
    OverdueFilter,
    ReasonIn,
    RequiredNoteIn,
    ResultIn,
    StatusFilter,
    TownFilter,
    TransferIn,
    UrgeIn,
)
from huying.calls.models import Call, Matter
from huying.core.errors import Invalid
from huying.core.pagination import CappedCountLimitOffset, paged

router = Router(tags=["呼叫"])
PagedCallOut = paged(CallOut, CappedCountLimitOffset)
ACTION = {200: CallDetailOut, **ERRORS}  # every action answers with the updated call


@router.post("", response={201: CallDetailOut, **ERRORS}, summary="发起呼叫（镇街、重点村）")
def create_call(request: HttpRequest, payload: CallIn):
    matter = selectors.matter_for_call(payload.matter) if payload.matter else None
    new = services.NewCall(**payload.model_dump(exclude={"matter"}), matter=matter)
    call = services.create_call(actor=request.auth, new=new)
    return Status(201, selectors.call_with_timeline(call))


@router.post(
    "/batch",
    response={201: CallBatchOut, **ERRORS},
    summary="批量发起呼叫（对接系统：感知告警派单、热线导入；全部发起或全部不发起）",
    description=(
        "每条同“发起呼叫”的请求体，一次最多 500 条，同一令牌、同一权限。先逐条检查，"
        "任何一条有误则一条也不发起，并指明第几条的哪个字段（如 items.3.title）。"
        "每条呼叫的编号、期限、承办部门、通知和审计与逐条发起相同。"
    ),
)
def create_calls(request: HttpRequest, payload: CallBatchIn):
    matters = _matters_of(payload.items)
    items = [
        services.NewCall(**item.model_dump(exclude={"matter"}), matter=matter)
        for item, matter in zip(payload.items, matters, strict=True)
    ]
    calls = services.create_calls(actor=request.auth, items=items)
    return Status(201, {"count": len(calls), "calls": calls})


def _matters_of(items: list[CallIn]) -> list[Matter | None]:
    """Each item's matter, all in one query (422 naming `items.N.matter` for an unknown code,
    with the message `selectors.matter_for_call` gives)."""
    codes = {item.matter for item in items if item.matter}
    found = {
        m.code: m for m in Matter.objects.select_related("lead_department").filter(code__in=codes)
    }
    for i, item in enumerate(items):
        if item.matter and item.matter not in found:
            try:
                selectors.matter_for_call(item.matter)
            except Invalid as error:
                raise Invalid(error.message, field=f"items.{i}.matter") from error
    return [found[item.matter] if item.matter else None for item in items]


# The list and the detail render their JSON from rows (`api_render`, equal to what these
# schemas give, which still document them) and are cached until the next write of calls
# (`api_reads`, `read_cache`): they are what workbenches poll.
@router.get(
    "", response=PagedCallOut, summary="呼叫列表（按可见范围，可筛选，分页；计数到 1000 为止）"
)
def list_calls(
    request: HttpRequest,
    status: StatusFilter = None,
    overdue: OverdueFilter = None,
    department: DepartmentFilter = None,
    town: TownFilter = None,
    domain: DomainFilter = None,
    called_after: CalledAfter = None,
    called_before: CalledBefore = None,
    *,
    page: Query[CappedCountLimitOffset.Input],  # limit, offset: as `@paginate` would take them
):
    filters = selectors.CallFilter(
        statuses=status or (),
        overdue=overdue,
        department=department,
        town=town,
        domain=domain,
        called_after=called_after,
        called_before=called_before,
    )
    return api_reads.call_list(request, filters, page)


@router.get(
    "/{call_id}",
    response={200: CallDetailOut, 404: CallError, 422: CallError},
    summary="呼叫详情：承办部门、期限和时间线",
)
def get_call(request: HttpRequest, call_id: Path[CallId]):
    return api_reads.call_detail(request, call_id)


def _updated(call: Call) -> Call:
    return selectors.call_with_timeline(call)


@router.post(
    "/{call_id}/respond",
    response=ACTION,
    summary="签收响应（牵头或协办部门）",
)
def respond(request: HttpRequest, call_id: Path[CallId], payload: NoteIn = NO_NOTE):
    call = selectors.call_detail(request.auth, call_id)
    return _updated(services.respond(actor=request.auth, call=call, note=payload.note))


@router.post(
    "/{call_id}/return",
    response=ACTION,
    summary="退回（牵头部门，须说明理由）",
)
def return_call(request: HttpRequest, call_id: Path[CallId], payload: ReasonIn):
    call = selectors.call_detail(request.auth, call_id)
    return _updated(
        services.return_call(
            actor=request.auth,
            call=call,
            reason=payload.reason,
            attachment_ids=payload.attachment_ids,
        )
    )


@router.post(
    "/{call_id}/arbitrate",
    response=ACTION,
    summary="裁决退回：维持或改派（指挥中心）",
)
def arbitrate(request: HttpRequest, call_id: Path[CallId], payload: ArbitrateIn):
    call = selectors.call_detail(request.auth, call_id)
    department = selectors.department_by_code(payload.department) if payload.department else None
    return _updated(
        services.arbitrate(
            actor=request.auth,
            call=call,
            uphold=payload.uphold,
            department=department,
            note=payload.note,
        )
    )


@router.post(
    "/{call_id}/transfer",
    response=ACTION,
    summary="转办或分派给部门（指挥中心）",
)
def transfer(request: HttpRequest, call_id: Path[CallId], payload: TransferIn):
    call = selectors.call_detail(request.auth, call_id)
    department = selectors.department_by_code(payload.department)
    return _updated(
        services.transfer(actor=request.auth, call=call, department=department, note=payload.note)
    )


@router.post("/{call_id}/progress", response=ACTION, summary="反馈进展（承办部门）")
def report_progress(request: HttpRequest, call_id: Path[CallId], payload: RequiredNoteIn):
    call = selectors.call_detail(request.auth, call_id)
    return _updated(
        services.report_progress(
            actor=request.auth, call=call, note=payload.note, attachment_ids=payload.attachment_ids
        )
    )


@router.post("/{call_id}/resolve", response=ACTION, summary="办结（牵头部门）")
def resolve(request: HttpRequest, call_id: Path[CallId], payload: ResultIn):
    call = selectors.call_detail(request.auth, call_id)
    return _updated(
        services.resolve(
            actor=request.auth,
            call=call,
            result=payload.result,
            attachment_ids=payload.attachment_ids,
        )
    )


@router.post("/{call_id}/confirm", response=ACTION, summary="确认办结并评价（呼叫单位）")
def confirm(request: HttpRequest, call_id: Path[CallId], payload: ConfirmIn = NOT_RATED):
    call = selectors.call_detail(request.auth, call_id)
    return _updated(
        services.confirm(actor=request.auth, call=call, note=payload.note, rating=payload.rating())
    )


@router.post(
    "/{call_id}/reject",
    response=ACTION,
    summary="不满意，退回重办（呼叫单位）",
)
def reject(request: HttpRequest, call_id: Path[CallId], payload: ReasonIn):
    call = selectors.call_detail(request.auth, call_id)
    return _updated(
        services.reject(
            actor=request.auth,
            call=call,
            reason=payload.reason,
            attachment_ids=payload.attachment_ids,
        )
    )


@router.post(
    "/{call_id}/withdraw",
    response=ACTION,
    summary="撤回（呼叫单位，响应前）",
)
def withdraw(request: HttpRequest, call_id: Path[CallId], payload: OptionalReasonIn = NO_REASON):
    call = selectors.call_detail(request.auth, call_id)
    return _updated(services.withdraw(actor=request.auth, call=call, reason=payload.reason))


@router.post("/{call_id}/urge", response=ACTION, summary="督办（指挥中心、纪委监委）")
def urge(request: HttpRequest, call_id: Path[CallId], payload: UrgeIn = DEFAULT_URGE):
    call = selectors.call_detail(request.auth, call_id)
    return _updated(
        services.urge(actor=request.auth, call=call, level=payload.level, note=payload.note)
    )


@router.post("/{call_id}/convene", response=ACTION, summary="召集协调会（呼叫单位、指挥中心）")
def convene(request: HttpRequest, call_id: Path[CallId], payload: ConveneIn):
    call = selectors.call_detail(request.auth, call_id)
    meetings.convene(
        actor=request.auth,
        call=call,
        starts_at=payload.starts_at,
        place=payload.place,
        departments=convene_departments(payload.departments),
        note=payload.note,
    )
    return _updated(selectors.call_detail(request.auth, call_id))


@router.get(
    "/{call_id}/meetings",
    response={200: list[MeetingOut], 404: CallError, 422: CallError},
    summary="呼叫的协调会：参会部门和议定事项",
)
def list_meetings(request: HttpRequest, call_id: Path[CallId]):
    return meeting_selectors.call_meetings(selectors.call_detail(request.auth, call_id))
