"""Warnings (提醒) through the API (/api/v1/supervision/reminders): the list (scoped, filtered,
paged), one warning, a warning raised by hand by the commission, the unit's answer and the
commission's closing.

Example: POST /api/v1/supervision/reminders with
  {"unit": 9, "text": "贵局本月下发报表过多，请说明精简措施", "flag_kind": "town_cap", "task": 31}
then POST /{id}/answer {"text": "已合并两张报表"} (the warned unit) and POST /{id}/close
{"note": "答复属实"} (the commission).

Errors: 403 not this role's, 404 not found or out of view (audited), 409 the warning's state
does not allow it (answering one already answered, closing one not answered), 422 a field is
wrong (named).
"""

from datetime import date, datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from huying.core.errors import Invalid
from huying.core.pagination import BoundedLimitOffset, paged
from huying.orgs.models import Org
from huying.supervision import reminders, task_selectors
from huying.supervision.choices import FlagKind, WarningStatus
from huying.supervision.models import Reminder

router = Router(tags=["提醒"])
Id = Annotated[int, Field(ge=1, le=2**63 - 1, json_schema_extra={"example": 12})]
KindCode = Literal[tuple(FlagKind.values)]


class ReminderError(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"detail": "该提醒当前为“已答复”，不能答复",
         "errors": [{"field": "status", "message": "该提醒当前为“已答复”，不能答复"}]},
    ]})  # fmt: skip
    detail: str = Field(description="给用户看的说明（中文）")
    errors: list[dict] = Field(default=[], description="出错的字段")


ERRORS = {code: ReminderError for code in (403, 404, 409, 422)}


class ReminderOut(Schema):
    id: int
    unit: int
    unit_name: str
    origin: str
    origin_label: str
    flag_kind: str
    flag_kind_label: str
    task: int | None
    task_code: str | None
    assessment: int | None
    text: str
    status: str
    status_label: str
    raised_by: str | None = Field(description="发起人；系统自动提醒为空")
    raised_at: datetime
    answer_due: date = Field(description="答复期限（工作日计）")
    answer: str
    answered_by: str | None
    answered_at: datetime | None
    closed_at: datetime | None
    close_note: str


PagedReminderOut = paged(ReminderOut, BoundedLimitOffset)


class ReminderIn(Schema):
    unit: Id = Field(description="被提醒单位（组织编号）")
    text: str = Field(max_length=2000)
    flag_kind: KindCode | Literal[""] = ""
    task: Id | None = Field(default=None, description="相关的填表报数任务")


class ReminderAnswerIn(Schema):
    text: str = Field(max_length=2000, description="答复内容")


class ReminderCloseIn(Schema):
    note: str = Field(default="", max_length=300, description="办结意见")


def _name(user) -> str | None:
    return user.display_name if user is not None else None


def reminder_out(r: Reminder) -> dict:
    return {
        "id": r.pk, "unit": r.unit_id, "unit_name": r.unit.name, "origin": r.origin,
        "origin_label": str(r.get_origin_display()), "flag_kind": r.flag_kind,
        "flag_kind_label": str(r.get_flag_kind_display()) if r.flag_kind else "",
        "task": r.task_id, "task_code": r.task.code if r.task_id else None,
        "assessment": r.assessment_id, "text": r.text, "status": r.status,
        "status_label": str(r.get_status_display()), "raised_by": _name(r.raised_by),
        "raised_at": r.raised_at, "answer_due": r.answer_due, "answer": r.answer,
        "answered_by": _name(r.answered_by), "answered_at": r.answered_at,
        "closed_at": r.closed_at, "close_note": r.close_note,
    }  # fmt: skip


def _detail(request: HttpRequest, reminder_id: int) -> dict:
    return reminder_out(task_selectors.reminder_detail(request.auth, reminder_id))


@router.get("", response=PagedReminderOut, summary="提醒列表（按可见范围，可筛选，分页）")
def list_reminders(
    request: HttpRequest,
    status: Literal[tuple(WarningStatus.values)] | None = None,
    unit: Id | None = None,
    flag_kind: KindCode | None = None,
    task: Id | None = None,
    *,
    page: Query[BoundedLimitOffset.Input],
):
    wanted = task_selectors.ReminderFilter(status, unit, flag_kind, task)
    rows = task_selectors.reminder_list(request.auth, wanted)
    items = [reminder_out(r) for r in rows[page.offset : page.offset + page.limit]]
    return {"items": items, "count": rows.count()}


@router.post("", response={201: ReminderOut, **ERRORS}, summary="发出提醒（纪委监委）")
def create_reminder(request: HttpRequest, payload: ReminderIn):
    unit = Org.objects.filter(pk=payload.unit, is_active=True).first()
    if unit is None:
        raise Invalid(_("未找到被提醒单位"), field="unit")
    task = None
    if payload.task:
        task = task_selectors.task_detail(request.auth, payload.task)
    reminder = reminders.raise_reminder(
        request.auth, unit, payload.text, flag_kind=payload.flag_kind, task=task
    )
    return Status(201, _detail(request, reminder.pk))


@router.get("/{reminder_id}", response={200: ReminderOut, **ERRORS}, summary="提醒详情")
def get_reminder(request: HttpRequest, reminder_id: Path[Id]):
    return _detail(request, reminder_id)


@router.post("/{reminder_id}/answer", response={200: ReminderOut, **ERRORS}, summary="答复提醒")
def answer(request: HttpRequest, reminder_id: Path[Id], payload: ReminderAnswerIn):
    reminder = task_selectors.reminder_detail(request.auth, reminder_id)
    reminders.answer(request.auth, reminder, payload.text)
    return _detail(request, reminder_id)


@router.post("/{reminder_id}/close", response={200: ReminderOut, **ERRORS}, summary="办结提醒")
def close(request: HttpRequest, reminder_id: Path[Id], payload: ReminderCloseIn):
    reminder = task_selectors.reminder_detail(request.auth, reminder_id)
    reminders.close(request.auth, reminder, payload.note)
    return _detail(request, reminder_id)
