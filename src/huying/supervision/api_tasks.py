"""Reporting tasks through the API (/api/v1/supervision/tasks): the register (scoped, filtered,
paged), a department's drafts, the burden checks, justifications and registration.

Example: POST /api/v1/supervision/tasks with
  {"title": "农村危房排查月报", "basis": "区住建局〔2026〕12号", "frequency": "weekly",
   "starts_on": "2026-03-01", "recipients": [5, 17],
   "fields": [{"name": "户主身份证号", "meaning": "户主的居民身份证号码",
               "field_type": "id_number"}]}
then POST /{id}/check (the flags, with their evidence), POST /flags/{flag_id}/justify
{"text": "..."} for each flag kept, and POST /{id}/register.

Errors: 403 not this role's (only the issuing department's staff change a task), 404 not
found or out of view (audited), 409 the task's state does not allow it, or registration with
flags not yet justified (the flags listed), 422 a field is wrong (named).
"""

from datetime import date, datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Path, Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from huying.core.pagination import BoundedLimitOffset, paged
from huying.supervision import task_selectors, tasks
from huying.supervision.choices import FieldType, Frequency, TaskStatus
from huying.supervision.models import ReportingTask, TaskFlag

router = Router(tags=["填表报数"])
Id = Annotated[int, Field(ge=1, le=2**63 - 1, json_schema_extra={"example": 12})]
FrequencyCode = Literal[tuple(Frequency.values)]
FieldTypeCode = Literal[tuple(FieldType.values)]


class TaskError(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"detail": "有 1 项问题尚未说明，不能登记：频次过高：填报频次为“每周”，高于政策上限“每月”",
         "errors": [{"field": "flags", "message": "有 1 项问题尚未说明，不能登记：…"}]},
    ]})  # fmt: skip
    detail: str = Field(description="给用户看的说明（中文）")
    errors: list[dict] = Field(default=[], description="出错的字段")


ERRORS = {code: TaskError for code in (403, 404, 409, 422)}


class TaskFieldIn(Schema):
    name: str = Field(max_length=64, description="字段名")
    meaning: str = Field(default="", max_length=300, description="含义")
    field_type: FieldTypeCode = "text"


class TaskIn(Schema):
    title: str = Field(max_length=120)
    basis: str = Field(max_length=300, description="依据（必填：未登记依据的任务没有效力）")
    frequency: FrequencyCode
    due_day: int | None = Field(default=None, ge=1, le=31, description="每期截止日")
    due_date: date | None = Field(default=None, description="一次性任务的截止日期")
    starts_on: date
    ends_on: date | None = None
    guidance: str = Field(default="", max_length=5000, description="填报指导")
    recipients: list[int] = Field(description="填报的镇街、村社（组织编号）")
    fields: list[TaskFieldIn] = Field(description="字段，按顺序")


class TaskPatchIn(Schema):
    title: str | None = Field(default=None, max_length=120)
    basis: str | None = Field(default=None, max_length=300)
    frequency: FrequencyCode | None = None
    due_day: int | None = Field(default=None, ge=1, le=31)
    due_date: date | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    guidance: str | None = Field(default=None, max_length=5000)
    recipients: list[int] | None = None
    fields: list[TaskFieldIn] | None = Field(default=None, description="给出时整体替换")


class TaskOrgOut(Schema):
    id: int
    name: str


class TaskOut(Schema):
    id: int
    code: str
    title: str
    issuer: TaskOrgOut
    basis: str
    frequency: str
    frequency_label: str
    due_day: int | None
    due_date: date | None
    starts_on: date
    ends_on: date | None
    status: str
    status_label: str
    recipients: list[TaskOrgOut]
    created_at: datetime
    checked_at: datetime | None
    registered_at: datetime | None


PagedTaskOut = paged(TaskOut, BoundedLimitOffset)


class TaskFieldOut(Schema):
    id: int
    order: int
    name: str
    meaning: str
    field_type: str
    shared_field: int | None = Field(description="已共享的数据项编号")
    match_score: float | None
    justification: str


class TaskFlagOut(Schema):
    id: int
    kind: str
    kind_label: str
    field: int | None
    field_name: str | None
    other_task: int | None
    message: str
    evidence: dict = Field(description="依据：匹配到的数据项、重复字段、超限镇街等")
    justification: str
    justified_at: datetime | None


class TaskDetailOut(TaskOut):
    guidance: str
    fields: list[TaskFieldOut]
    flags: list[TaskFlagOut]
    open_flags: int = Field(description="尚未说明的问题数")


class TaskJustifyIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"text": "需核对户主身份证号与房屋对应关系，共享数据无房屋编号"}]})  # fmt: skip
    text: str = Field(max_length=300, description="保留的理由")


class TaskReasonIn(Schema):
    reason: str = Field(default="", max_length=300)


def _org(org) -> dict:
    return {"id": org.pk, "name": org.name}


def task_out(task: ReportingTask) -> dict:
    simple = {n: getattr(task, n) for n in ("id", "code", "title", "basis", "frequency",
              "due_day", "due_date", "starts_on", "ends_on", "status", "created_at",
              "checked_at", "registered_at")}  # fmt: skip
    return simple | {
        "issuer": _org(task.issuer),
        "frequency_label": str(task.get_frequency_display()),
        "status_label": str(task.get_status_display()),
        "recipients": [_org(o) for o in task.recipients.all()],
    }


def flag_out(flag: TaskFlag) -> dict:
    return {
        "id": flag.pk, "kind": flag.kind, "kind_label": str(flag.get_kind_display()),
        "field": flag.field_id, "field_name": flag.field.name if flag.field_id else None,
        "other_task": flag.other_task_id, "message": flag.message, "evidence": flag.evidence,
        "justification": flag.justification, "justified_at": flag.justified_at,
    }  # fmt: skip


def detail_out(request: HttpRequest, task_id: int) -> dict:
    task = task_selectors.task_detail(request.auth, task_id)
    fields = [
        {n: getattr(f, n) for n in ("id", "order", "name", "meaning", "field_type",
                                    "match_score", "justification")}
        | {"shared_field": f.shared_field_id}
        for f in task.fields.all()
    ]  # fmt: skip
    flags = [flag_out(f) for f in task.flags.all()]
    return task_out(task) | {
        "guidance": task.guidance, "fields": fields, "flags": flags,
        "open_flags": sum(1 for f in flags if f["justified_at"] is None),
    }  # fmt: skip


@router.get("", response=PagedTaskOut, summary="填表报数任务列表（按可见范围，可筛选，分页）")
def list_tasks(
    request: HttpRequest,
    status: Literal[tuple(TaskStatus.values)] | None = None,
    frequency: FrequencyCode | None = None,
    issuer: Id | None = None,
    recipient: Id | None = None,
    q: Annotated[str | None, Field(max_length=60)] = None,
    *,
    page: Query[BoundedLimitOffset.Input],
):
    wanted = task_selectors.TaskFilter(status, frequency, issuer, recipient, q)
    rows = task_selectors.task_list(request.auth, wanted)
    items = [task_out(t) for t in rows[page.offset : page.offset + page.limit]]
    return {"items": items, "count": rows.count()}


@router.post("", response={201: TaskDetailOut, **ERRORS}, summary="起草任务（区直部门）")
def create_task(request: HttpRequest, payload: TaskIn):
    task = tasks.create_task(request.auth, payload.dict())
    return Status(201, detail_out(request, task.pk))


@router.get("/{task_id}", response={200: TaskDetailOut, **ERRORS}, summary="任务详情、字段与问题")
def get_task(request: HttpRequest, task_id: Path[Id]):
    return detail_out(request, task_id)


@router.patch("/{task_id}", response={200: TaskDetailOut, **ERRORS}, summary="修改草稿")
def patch_task(request: HttpRequest, task_id: Path[Id], payload: TaskPatchIn):
    task = task_selectors.task_detail(request.auth, task_id)
    tasks.update_task(request.auth, task, payload.dict(exclude_unset=True))
    return detail_out(request, task_id)


@router.post("/{task_id}/check", response={200: TaskDetailOut, **ERRORS}, summary="负担检查")
def check(request: HttpRequest, task_id: Path[Id]):
    task = task_selectors.task_detail(request.auth, task_id)
    tasks.require_issuer(request.auth, task)
    tasks.check_task(task)
    return detail_out(request, task_id)


@router.post("/{task_id}/register", response={200: TaskDetailOut, **ERRORS}, summary="登记")
def register(request: HttpRequest, task_id: Path[Id]):
    tasks.register(request.auth, task_selectors.task_detail(request.auth, task_id))
    return detail_out(request, task_id)


@router.post("/{task_id}/withdraw", response={200: TaskDetailOut, **ERRORS}, summary="撤回")
def withdraw(request: HttpRequest, task_id: Path[Id], payload: TaskReasonIn):
    task = task_selectors.task_detail(request.auth, task_id)
    tasks.withdraw(request.auth, task, payload.reason)
    return detail_out(request, task_id)


@router.post("/{task_id}/close", response={200: TaskDetailOut, **ERRORS}, summary="结束任务")
def close(request: HttpRequest, task_id: Path[Id], payload: TaskReasonIn):
    task = task_selectors.task_detail(request.auth, task_id)
    tasks.close(request.auth, task, payload.reason)
    return detail_out(request, task_id)


@router.post(
    "/flags/{flag_id}/justify", response={200: TaskFlagOut, **ERRORS}, summary="说明保留理由"
)
def justify(request: HttpRequest, flag_id: Path[Id], payload: TaskJustifyIn):
    flag = task_selectors.flag_for_issuer(request.auth, flag_id)
    return flag_out(tasks.justify(request.auth, flag, payload.text))
