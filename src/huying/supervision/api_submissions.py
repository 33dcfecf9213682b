"""Filling in through the API (/api/v1/supervision/submissions): a unit's inbox, starting a
period's submission (pre-filled), reading it, submitting values, and the Excel template and
import.

Errors: 404 not found or out of view (another unit's submission; a task not addressed to the
caller's unit or not registered), 409 already submitted, 422 a field or cell is wrong (every
one named: the field, or the sheet's row and column).
"""

from datetime import date, datetime
from typing import Annotated

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from huying.core import clock
from huying.core.errors import Invalid, NotFound
from huying.core.scoping import get_visible_or_404
from huying.orgs.models import Org
from huying.supervision import excel, filling, inbox
from huying.supervision.choices import TaskStatus
from huying.supervision.models import ReportingTask

router = Router(tags=["精准监督：填报"])
Id = Annotated[int, Field(ge=1, le=2**63 - 1, json_schema_extra={"example": 3})]


class SupFillFieldError(Schema):
    field: str
    message: str


class SupFillError(Schema):
    detail: str = Field(description="给用户看的说明（中文）")
    errors: list[SupFillFieldError] = Field(description="出错的字段")


class SupSheetCellError(Schema):
    row: int | None = Field(description="Excel 行号（1 起）")
    column: str = Field(description="列名（字段名）")
    message: str


class SupSheetError(Schema):
    detail: str
    errors: list[SupSheetCellError]


ERRORS = {code: SupFillError for code in (403, 404, 409, 422)}


class SupSubmissionStartIn(Schema):
    task: Id = Field(description="任务编号")
    period: date = Field(description="期次内任一天（默认今天）", default=None)


class SupSubmissionValuesIn(Schema):
    values: dict[str, str | int | float | None] = Field(
        description="字段编号或字段名 → 值；未给出的字段沿用预填值",
        json_schema_extra={"example": {"户籍人口数": "12034", "填报人电话": "13800138000"}},
    )


class SupSubmissionFieldOut(Schema):
    id: int
    name: str
    meaning: str
    field_type: str
    value: str
    source: str = Field(description="预填来源（<部门>·<类目>），手填为空")
    prefilled: str | None = Field(description="平台预填的值")


class SupSubmissionOut(Schema):
    id: int
    task: int
    task_code: str
    task_title: str
    org: str
    period: date
    due: date
    status: str
    prefilled_fields: int
    typed_fields: int
    minutes_saved: float
    submitted_at: datetime | None
    fields: list[SupSubmissionFieldOut]


class SupInboxEntryOut(Schema):
    task: int
    task_code: str
    task_title: str
    issuer: str
    org: str
    period: date
    due: date
    state: str = Field(description="pending 待填报 / submitted 已报送 / overdue 逾期")
    submission: int | None


def _out(submission) -> dict:
    return {
        "id": submission.pk, "task": submission.task_id, "task_code": submission.task.code,
        "task_title": submission.task.title, "org": submission.org.name,
        "period": submission.period, "due": inbox.due_on(submission.task, submission.period),
        "status": submission.status, "prefilled_fields": submission.prefilled_fields,
        "typed_fields": submission.typed_fields, "minutes_saved": submission.minutes_saved,
        "submitted_at": submission.submitted_at, "fields": filling.rows(submission),
    }  # fmt: skip


def _today() -> date:
    return timezone.localdate(clock.now())


@router.get("/inbox", response={200: list[SupInboxEntryOut], **ERRORS}, summary="本单位待填报")
def unit_inbox(request: HttpRequest, org: str | None = None):
    unit = request.auth.org if not org else Org.objects.filter(code=org).first()
    if unit is None or not inbox.may_open(request.auth, unit):
        raise NotFound(_("未找到，或不在您的可见范围内"))
    return [
        {"task": e.task.pk, "task_code": e.task.code, "task_title": e.task.title,
         "issuer": e.task.issuer.name, "org": e.org.name, "period": e.period, "due": e.due,
         "state": e.state, "submission": e.submission.pk if e.submission else None}
        for e in inbox.due_this_week(unit, _today())
    ]  # fmt: skip


@router.post("", response={201: SupSubmissionOut, **ERRORS}, summary="开始填报（自动预填）")
def start(request: HttpRequest, payload: SupSubmissionStartIn):
    task = ReportingTask.objects.filter(pk=payload.task, status=TaskStatus.REGISTERED).first()
    if task is None:
        raise NotFound(_("未找到，或不在您的可见范围内"))
    submission = filling.start_submission(request.auth, task, payload.period or _today())
    return Status(201, _out(submission))


def _visible(request: HttpRequest, pk: int):
    return get_visible_or_404(filling.visible_to(request.auth), request.auth, pk=pk)


@router.get("/{submission_id}", response={200: SupSubmissionOut, **ERRORS}, summary="填报详情")
def get_submission(request: HttpRequest, submission_id: Id):
    return _out(_visible(request, submission_id))


@router.post("/{submission_id}/submit", response={200: SupSubmissionOut, **ERRORS}, summary="报送")
def submit(request: HttpRequest, submission_id: Id, payload: SupSubmissionValuesIn):
    submission = _visible(request, submission_id)
    values = {k: "" if v is None else str(v) for k, v in payload.values.items()}
    try:
        return _out(filling.submit(request.auth, submission, values))
    except filling.FillErrors as exc:
        return Status(422, {"detail": exc.message, "errors": exc.errors})


@router.get(
    "/{submission_id}/template.xlsx",
    response={200: None, **ERRORS},
    summary="下载填报模板（Excel，含预填值）",
    openapi_extra={"responses": {200: {"description": "Excel", "content": {excel.XLSX: {}}}}},
)
def template(request: HttpRequest, submission_id: Id):
    submission = _visible(request, submission_id)
    response = HttpResponse(excel.template(submission), content_type=excel.XLSX)
    name = f"{submission.task.code}-{submission.period:%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@router.post(
    "/{submission_id}/import",
    response={200: SupSubmissionOut, 404: SupFillError, 409: SupFillError, 422: SupSheetError},
    summary="从 Excel 导入（有一格出错则全部不导入）；send=true 导入后直接报送",
)
def import_sheet(
    request: HttpRequest,
    submission_id: Id,
    file: File[UploadedFile | None] = None,
    send: bool = False,
):
    submission = _visible(request, submission_id)
    if file is None:
        raise Invalid(_("请上传 Excel 文件（.xlsx）"), field="file")
    try:
        return _out(excel.import_sheet(request.auth, submission, file, send=send))
    except excel.SheetErrors as exc:
        return Status(422, {"detail": exc.message, "errors": exc.errors})
    except filling.FillErrors as exc:
        cells = [{"row": None, "column": e["field"], "message": e["message"]} for e in exc.errors]
        return Status(422, {"detail": exc.message, "errors": cells})
