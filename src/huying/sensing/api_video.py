"""Video-analytics events through the API (/api/v1/sensing/video).

Analysers post detections with their camera's device token (`Authorization: Bearer hyd_…`):
`POST /detections` is multipart (the snapshot as a file plus form fields), not JSON with base64:
a snapshot is up to 5 MB and base64 would add a third to it and hold it all in memory twice.
`POST /gb28181` takes a GB/T 28181 alarm notification (XML) that a gateway forwards for the
camera whose token it holds. Users read the queue and review events with their own token or
session; scoping is video_selectors' (404 out of view), reviewing is video.may_review's (403).

Errors: 401 no or wrong token, 404 out of view or unknown camera, 409 reviewed already,
422 a field is wrong, named (`snapshot`, `box`, `category`, `AlarmTime`).
"""

import json
import math
from datetime import datetime

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.security import HttpBearer
from pydantic import Field

from huying.calls.attachments import sniff
from huying.core.errors import Invalid
from huying.core.pagination import BoundedLimitOffset
from huying.patrol.api_plans import ERRORS, Id
from huying.sensing import gb28181, tokens, video, video_selectors
from huying.sensing.choices import DeviceKind, VideoEventStatus, VideoSource
from huying.sensing.models import Device, VideoCategory, VideoEvent

router = Router(tags=["视频智能分析"])
SNAPSHOT_MAX_BYTES = 5 * 1024 * 1024
SNAPSHOT_TYPES = frozenset({"image/jpeg", "image/png"})


class CameraToken(HttpBearer):
    openapi_description = "摄像机（分析设备）的设备令牌：Authorization: Bearer hyd_…"

    def authenticate(self, request: HttpRequest, token: str) -> Device | None:
        device = tokens.device_for_token(token)
        if device is None or device.kind != DeviceKind.CAMERA:
            return None
        return Device.objects.select_related("town").get(pk=device.pk)


class DetectionIn(Schema):
    """The form fields of an upload; the image is the `snapshot` file (JPEG or PNG, 5 MB)."""

    category: str = Field(max_length=32, description="类别编码，如 street_vendor")
    time: datetime = Field(description="抓拍时间（ISO 8601；不带时区按北京时间）")
    confidence: float = Field(ge=0, le=1, description="置信度 0–1")
    box: str = Field(default="", max_length=200, description="目标框 JSON：[x, y, w, h]（像素）")


class RecordedOut(Schema):
    event: int = Field(description="事件编号")
    created: bool = Field(description="true：新事件；false：并入合并窗口内的待研判事件")
    detections: int
    status: str


class VideoEventOut(Schema):
    id: int
    camera: str = Field(description="摄像机编码")
    camera_name: str
    town: str = Field(description="所在镇街名称")
    category: str = Field(description="类别编码")
    category_name: str
    status: str = Field(description="pending 待研判 / confirmed 已确认派发 / dismissed 误报")
    first_at: datetime
    last_at: datetime
    detections: int
    confidence: float
    box: list
    source: str
    snapshot_url: str | None = Field(description="抓拍图片地址（需登录）")
    reviewed_at: datetime | None
    review_note: str
    call: str | None = Field(description="对应呼叫的编号")

    @staticmethod
    def resolve_camera(event: VideoEvent) -> str:
        return event.camera.code

    @staticmethod
    def resolve_camera_name(event: VideoEvent) -> str:
        return event.camera.name

    @staticmethod
    def resolve_town(event: VideoEvent) -> str:
        return event.camera.town.name

    @staticmethod
    def resolve_category(event: VideoEvent) -> str:
        return event.category.code

    @staticmethod
    def resolve_category_name(event: VideoEvent) -> str:
        return event.category.name

    @staticmethod
    def resolve_snapshot_url(event: VideoEvent) -> str | None:
        return f"/sensing/video/events/{event.pk}/snapshot/" if event.snapshot else None

    @staticmethod
    def resolve_call(event: VideoEvent) -> str | None:
        return event.call.number if event.call_id else None


class EventDetailOut(VideoEventOut):
    history: list[VideoEventOut] = Field(description="该摄像机最近的其他事件及研判结果")


class ReviewIn(Schema):
    note: str = Field(default="", max_length=300, description="研判说明")


class PrecisionOut(Schema):
    camera: str
    camera_name: str
    category: str
    category_name: str
    confirmed: int
    dismissed: int
    precision: float | None = Field(description="确认数 /（确认数 + 误报数）；无研判时为 null")


# --- analysers ---------------------------------------------------------------------------------


@router.post(
    "/detections",
    auth=CameraToken(),
    response={200: RecordedOut, 201: RecordedOut, **ERRORS},
    summary="分析设备上报一次抓拍（multipart：snapshot 图片 + 表单字段）",
)
def post_detection(request: HttpRequest, form: Form[DetectionIn], snapshot: File[UploadedFile]):
    found = video.record_detection(
        request.auth, category_by_code(form.category), aware(form.time), form.confidence,
        snapshot_bytes(snapshot), parse_box(form.box), VideoSource.HTTP,
    )  # fmt: skip
    return Status(201 if found.created else 200, recorded_out(found))


@router.post(
    "/gb28181",
    auth=CameraToken(),
    response={200: RecordedOut, 201: RecordedOut, **ERRORS},
    summary="网关转发的 GB/T 28181 报警通知（XML，GB2312 或 UTF-8）",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/xml": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
def post_gb28181(request: HttpRequest):
    alarm = gb28181.parse(request.body)
    if alarm.device_id != request.auth.gb28181_id:  # a gateway holds each camera's token
        raise Invalid(_("DeviceID 不是该令牌所属的摄像机"), field="DeviceID")
    found = gb28181.record(alarm)
    return Status(201 if found.created else 200, recorded_out(found))


def aware(moment: datetime) -> datetime:
    """An analyser's time without a zone is local time (as GB/T 28181 times are)."""
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def category_by_code(code: str) -> VideoCategory:
    found = VideoCategory.objects.filter(code=code.strip(), is_active=True).first()
    if found is None:
        raise Invalid(_("未知的视频分析类别：%(c)s") % {"c": code[:40]}, field="category")
    return found


def snapshot_bytes(upload: UploadedFile) -> bytes:
    """The image, read from the first bytes (never the name or the claimed type)."""
    if not upload.size:
        raise Invalid(_("抓拍图片是空的"), field="snapshot")
    if upload.size > SNAPSHOT_MAX_BYTES:
        raise Invalid(_("抓拍图片超过 5 MB 上限"), field="snapshot")
    data = upload.read()
    kind = sniff(data[:16])
    if kind is None or kind[0] not in SNAPSHOT_TYPES:
        raise Invalid(_("抓拍图片只能是 JPEG 或 PNG"), field="snapshot")
    return data


def parse_box(text: str) -> list:
    if not text.strip():
        return []
    try:
        box = json.loads(text)
    except ValueError as exc:
        raise Invalid(_("目标框应为 JSON：[x, y, w, h]"), field="box") from exc
    numbers = isinstance(box, list) and len(box) == 4 and all(
        isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) and v >= 0
        for v in box
    )  # fmt: skip
    if not numbers:
        raise Invalid(_("目标框应为 4 个非负数：[x, y, w, h]"), field="box")
    return box


def recorded_out(found: video.Recorded) -> dict:
    event = found.event
    return {"event": event.pk, "created": found.created, "detections": event.detections,
            "status": event.status}  # fmt: skip


# --- users -------------------------------------------------------------------------------------


@router.get("/events", response=list[VideoEventOut], summary="视频事件列表（研判队列），最新在前")
@paginate(BoundedLimitOffset)
def get_events(
    request: HttpRequest,
    status: Query[VideoEventStatus | None] = None,
    camera: Query[str | None] = None,
    category: Query[str | None] = None,
    town: Query[str | None] = None,
):
    events = video_selectors.queue(
        request.auth, status=status, camera=camera, category=category, town=town
    )
    return events


@router.get("/events/{pk}", response={200: EventDetailOut, **ERRORS}, summary="视频事件详情")
def get_event(request: HttpRequest, pk: Id):
    event = video_selectors.event_for(request.auth, pk)
    event.history = video_selectors.camera_history(event)
    return event


@router.post(
    "/events/{pk}/confirm", response={200: VideoEventOut, **ERRORS}, summary="确认并派发城管"
)
def post_confirm(request: HttpRequest, pk: Id, payload: ReviewIn):
    event = video_selectors.event_for(request.auth, pk)
    return video.confirm(request.auth, event, payload.note)


@router.post("/events/{pk}/dismiss", response={200: VideoEventOut, **ERRORS}, summary="判为误报")
def post_dismiss(request: HttpRequest, pk: Id, payload: ReviewIn):
    event = video_selectors.event_for(request.auth, pk)
    return video.dismiss(request.auth, event, payload.note)


@router.get("/precision", response=list[PrecisionOut], summary="各摄像机、各类别的研判准确率")
def get_precision(request: HttpRequest, since: Query[datetime | None] = None):
    return [
        {"camera": r.camera.code, "camera_name": r.camera.name, "category": r.category.code,
         "category_name": r.category.name, "confirmed": r.confirmed, "dismissed": r.dismissed,
         "precision": r.precision}
        for r in video_selectors.precision_rows(request.auth, since)
    ]  # fmt: skip
