"""Thin API handlers for attachments (upload, download) and village requests (村社上报)."""

from datetime import datetime
from decimal import Decimal

from django.http import HttpRequest
from ninja import File, Path, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import Field

from huying.calls import attachments, request_selectors, selectors, services, village_requests
from huying.calls.api_files import AttachmentOut, download
from huying.calls.api_schemas import ERRORS, CallIn, ReasonIn
from huying.calls.choices import VillageRequestStatus
from huying.calls.models import Attachment, VillageRequest
from huying.core.errors import Invalid

attachments_router = Router(tags=["附件"])
requests_router = Router(tags=["村社上报"])


@attachments_router.post(
    "",
    response={201: AttachmentOut, **ERRORS},
    summary="上传附件（照片或 PDF），返回 id 供呼叫、进展、办结等操作引用",
)
def upload(request: HttpRequest, file: File[UploadedFile | None] = None):
    if file is None:  # said here: Ninja would name the field "file.file"
        raise Invalid("请选择要上传的文件", field="file")
    return Status(201, attachments.stage(actor=request.auth, upload=file))


@attachments_router.get(
    "/{attachment_id}",
    response={200: None, 404: ERRORS[404]},
    summary="下载附件（在可见范围内）",
)
def get_attachment(request: HttpRequest, attachment_id: int):
    return download(request_selectors.attachment_for(request.auth, attachment_id))


class UnitOut(Schema):
    code: str
    name: str


class VillageRequestOut(Schema):
    id: int
    number: str
    status: str
    status_label: str = Field(alias="get_status_display")
    village: UnitOut
    town: UnitOut
    raised_at: datetime
    title: str
    description: str
    matter: str | None = Field(description="清单事项编号")
    domain: str
    urgency: str
    address: str
    lat: Decimal | None
    lon: Decimal | None
    decided_at: datetime | None
    decline_reason: str
    call_id: int | None = Field(description="转呼后的呼叫 id")
    call_number: str | None
    call_status: str | None = Field(description="转呼后的呼叫状态，村社据此跟踪")
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_matter(request: VillageRequest) -> str | None:
        return request.matter.code if request.matter_id else None

    @staticmethod
    def resolve_call_number(request: VillageRequest) -> str | None:
        return request.call.number if request.call_id else None

    @staticmethod
    def resolve_call_status(request: VillageRequest) -> str | None:
        return request.call.status if request.call_id else None

    @staticmethod
    def resolve_attachments(request: VillageRequest) -> list[Attachment]:
        return list(request.attachments.all())


def _new_call(payload: CallIn) -> services.NewCall:
    matter = selectors.matter_for_call(payload.matter) if payload.matter else None
    return services.NewCall(**payload.model_dump(exclude={"matter"}), matter=matter)


@requests_router.post(
    "", response={201: VillageRequestOut, **ERRORS}, summary="村社向所属镇街上报（无呼叫权的村社）"
)
def raise_request(request: HttpRequest, payload: CallIn):
    raised = village_requests.raise_request(actor=request.auth, new=_new_call(payload))
    return Status(201, request_selectors.request_detail(request.auth, raised.pk))


@requests_router.get("", response=list[VillageRequestOut], summary="村社上报列表（按可见范围）")
@paginate
def list_requests(request: HttpRequest, status: VillageRequestStatus | None = None):
    return request_selectors.request_list(request.auth, status=status).prefetch_related(
        "attachments"
    )


@requests_router.get(
    "/{request_id}", response={200: VillageRequestOut, 404: ERRORS[404]}, summary="村社上报详情"
)
def get_request(request: HttpRequest, request_id: Path[int]):
    return request_selectors.request_detail(request.auth, request_id)


class ForwardIn(Schema):
    """Optional edits: the town may reword the village's request before calling."""

    call: CallIn | None = Field(None, description="改写后的呼叫内容；不填则按上报原文转呼")


AS_RAISED = ForwardIn()


@requests_router.post(
    "/{request_id}/forward",
    response={200: VillageRequestOut, **ERRORS},
    summary="镇街将上报转为本镇街的呼叫",
)
def forward(request: HttpRequest, request_id: Path[int], payload: ForwardIn = AS_RAISED):
    raised = request_selectors.request_detail(request.auth, request_id)
    edits = _new_call(payload.call) if payload.call else None
    village_requests.forward_request(actor=request.auth, request=raised, edits=edits)
    return request_selectors.request_detail(request.auth, request_id)


@requests_router.post(
    "/{request_id}/decline",
    response={200: VillageRequestOut, **ERRORS},
    summary="镇街不予转呼（须说明理由）",
)
def decline(request: HttpRequest, request_id: Path[int], payload: ReasonIn):
    raised = request_selectors.request_detail(request.auth, request_id)
    village_requests.decline_request(actor=request.auth, request=raised, reason=payload.reason)
    return request_selectors.request_detail(request.auth, request_id)
