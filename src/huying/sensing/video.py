"""Video-analytics events: detections from camera-side analysers become events, an operator
reviews them, a confirmed event becomes a call.

De-duplication: a detection of the same category at the same camera joins the pending event
whose last detection is within the category's `dedup_minutes` of it; a reviewed event is closed
to new detections, so what comes after a decision is a new event. The camera row is locked
while the event is looked up, so two analysers posting at once cannot make two events.

Confirming sends a call to urban management (the department whose code is the setting
`SENSING_VIDEO_DEPARTMENT`, 440111-cgj in the demo) under its first active law-enforcement
matter, with the snapshot attached. The camera's town is the caller (`dispatch.caller_for`: the
town's system caller, as for alarms), so the town follows the call on its workbench; the town's
own staff (its law-enforcement team) get a notice. Call source ALARM.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from huying.calls import attachments
from huying.calls.choices import Domain, Source
from huying.calls.creation import NewCall, create_calls
from huying.calls.models import Matter
from huying.core import audit, clock
from huying.core.errors import Conflict, Forbidden
from huying.notify import services as notify
from huying.orgs.choices import Role
from huying.orgs.models import Org, User
from huying.sensing import dispatch
from huying.sensing.choices import VideoEventStatus
from huying.sensing.models import Device, VideoCategory, VideoDetection, VideoEvent

REVIEWER_ROLES = frozenset({Role.OPERATOR, Role.ADMIN})
URBAN_MANAGEMENT_ROLES = frozenset({Role.RESPONDER, Role.DEPARTMENT_HEAD})


@dataclass(frozen=True)
class Recorded:
    event: VideoEvent
    created: bool  # a new event, rather than a detection joining a pending one


# --- detections --------------------------------------------------------------------------------


def record_detection(
    camera: Device,
    category: VideoCategory,
    at: datetime,
    confidence: float,
    snapshot: bytes | None,
    box: list,
    source: str,
) -> Recorded:
    """Store one detection: it joins the camera's pending event of that category within the
    window, or opens a new event. The image is written before the lock is taken."""
    stored = _store_snapshot(camera, snapshot, at) if snapshot else ""
    with transaction.atomic():
        Device.objects.select_for_update().only("pk").get(pk=camera.pk)
        event = _joinable(camera, category, at)
        created = event is None
        if created:
            event = VideoEvent(camera=camera, category=category, first_at=at, last_at=at,
                               detections=0, confidence=confidence, source=source)  # fmt: skip
        _absorb(event, at, confidence, stored, box)
        event.save()
        VideoDetection.objects.create(
            event=event, at=at, confidence=confidence, snapshot=stored, box=box
        )
        if created:
            audit.record("sensing.video_event_opened", obj=event, after=_state(event))
    return Recorded(event, created)


def _store_snapshot(camera: Device, data: bytes, at: datetime) -> str:
    kind = attachments.sniff(data[:16])
    suffix = kind[1] if kind else ".bin"
    name = f"video/{timezone.localtime(at):%Y/%m/%d}/{camera.code}-{uuid.uuid4().hex}{suffix}"
    return VideoEvent.snapshot.field.storage.save(name, ContentFile(data))


def _joinable(camera: Device, category: VideoCategory, at: datetime) -> VideoEvent | None:
    window = timedelta(minutes=category.dedup_minutes)
    return (
        VideoEvent.objects.filter(
            camera=camera,
            category=category,
            status=VideoEventStatus.PENDING,
            last_at__gte=at - window,
            first_at__lte=at + window,
        )
        .order_by("-last_at")
        .first()
    )


def _absorb(event: VideoEvent, at: datetime, confidence: float, snapshot: str, box: list) -> None:
    """The event keeps the latest detection's snapshot and box, and the highest confidence."""
    latest = event.detections == 0 or at >= event.last_at
    event.detections += 1
    event.first_at = min(event.first_at, at)
    event.last_at = max(event.last_at, at)
    event.confidence = max(event.confidence, confidence)
    if latest and snapshot:
        event.snapshot.name = snapshot
        event.box = box


def _state(event: VideoEvent) -> dict:
    return {
        "camera": event.camera.code,
        "category": event.category.code,
        "status": event.status,
        "detections": event.detections,
        "call": event.call.number if event.call_id else None,
    }


# --- review ------------------------------------------------------------------------------------


def may_review(user: User) -> bool:
    """The command centre reviews; so does urban management, who will act on the call."""
    if user.role in REVIEWER_ROLES:
        return True
    return (
        user.role in URBAN_MANAGEMENT_ROLES
        and user.org is not None
        and (user.org.code == settings.SENSING_VIDEO_DEPARTMENT)
    )


def confirm(actor: User, event: VideoEvent, note: str = "") -> VideoEvent:
    """A true detection: a call to urban management with the camera's town as the caller."""
    with transaction.atomic():
        event = _lock_pending(actor, event)
        town = event.camera.town
        caller = dispatch.caller_for(town)  # the town's system caller, as for alarms
        call = create_calls(actor=caller, items=[_new_call(caller, event, note)])[0]
        _decide(actor, event, VideoEventStatus.CONFIRMED, note, call=call)
        _inform_town(town, event)
    return event


def dismiss(actor: User, event: VideoEvent, note: str = "") -> VideoEvent:
    """A false positive: recorded, so that precision per camera and category can be kept."""
    with transaction.atomic():
        event = _lock_pending(actor, event)
        _decide(actor, event, VideoEventStatus.DISMISSED, note)
    return event


def _lock_pending(actor: User, event: VideoEvent) -> VideoEvent:
    if not may_review(actor):
        raise Forbidden(_("只有指挥中心值班员和城管局可以研判视频事件"), field="actor")
    locked = (
        VideoEvent.objects.select_for_update(of=("self",))
        .select_related("camera__town", "category")
        .get(pk=event.pk)
    )
    if locked.status != VideoEventStatus.PENDING:
        raise Conflict(_("该事件已研判：%(status)s") % {"status": locked.get_status_display()})
    return locked


def _decide(actor: User, event: VideoEvent, status: str, note: str, call=None) -> None:
    before = _state(event)
    event.status = status
    event.reviewed_at = clock.now()
    event.reviewed_by = actor
    event.review_note = note.strip()[:300]
    event.call = call
    event.save(update_fields=["status", "reviewed_at", "reviewed_by", "review_note", "call"])
    action = "sensing.video_confirmed" if call else "sensing.video_dismissed"
    audit.record(action, actor=actor, obj=event, before=before, after=_state(event), reason=note)


def _new_call(caller: User, event: VideoEvent, note: str) -> NewCall:
    camera, category = event.camera, event.category
    local = timezone.localtime(event.last_at)
    lines = [
        _("视频智能分析抓拍：%(category)s") % {"category": category.name},
        _("摄像机：%(camera)s（%(code)s）") % {"camera": camera.name, "code": camera.code},
        _("抓拍 %(n)s 次，最近一次 %(at)s，最高置信度 %(conf)s")
        % {
            "n": event.detections,
            "at": f"{local:%Y-%m-%d %H:%M}",
            "conf": f"{event.confidence:.2f}",
        },
    ]
    if note.strip():
        lines.append(_("研判意见：%(note)s") % {"note": note.strip()})
    return NewCall(
        title=_("%(category)s：%(place)s")
        % {"category": category.name, "place": camera.address or camera.name},
        description="\n".join(lines),
        matter=video_matter(),
        address=camera.address,
        lat=float(camera.lat) if camera.lat is not None else None,
        lon=float(camera.lon) if camera.lon is not None else None,
        source=Source.ALARM,
        attachment_ids=_snapshot_attachment(caller, event),
    )


def _snapshot_attachment(caller: User, event: VideoEvent) -> list[int]:
    """The snapshot goes with the call, so the department sees what the camera saw."""
    if not event.snapshot:
        return []
    with event.snapshot.open("rb") as stored:
        data = stored.read()
    suffix = event.snapshot.name.rsplit(".", 1)[-1]
    upload = ContentFile(data, name=f"{event.category.code}.{suffix}")
    return [attachments.stage(actor=caller, upload=upload).pk]


def video_matter() -> Matter:
    """The call's matter: urban management's first active law-enforcement matter (by code)."""
    matter = (
        Matter.objects.select_related("lead_department")
        .filter(
            lead_department__code=settings.SENSING_VIDEO_DEPARTMENT,
            domain=Domain.LAW_ENFORCEMENT,
            is_active=True,
        )
        .order_by("code")
        .first()
    )
    if matter is None:
        raise Conflict(_("城市管理部门没有可用的综合执法清单事项，无法派发"), field="matter")
    return matter


def _inform_town(town: Org, event: VideoEvent) -> None:
    staff = User.objects.filter(org=town, is_active=True)
    title = _("视频事件已派发城管：%(category)s") % {"category": event.category.name}
    body = _("%(camera)s 抓拍的%(category)s已确认，呼叫 %(number)s 已发往城市管理部门。") % {
        "camera": event.camera.name, "category": event.category.name, "number": event.call.number,
    }  # fmt: skip
    notify.notify(staff, kind="sensing.video_dispatched", title=title, body=body,
                  link=f"/calls/{event.call_id}/")  # fmt: skip


# --- precision ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Precision:
    camera_id: int
    category_id: int
    confirmed: int
    dismissed: int

    @property
    def reviewed(self) -> int:
        return self.confirmed + self.dismissed

    @property
    def value(self) -> float | None:
        return self.confirmed / self.reviewed if self.reviewed else None


def precision(
    camera: Device | None = None,
    category: VideoCategory | None = None,
    since: datetime | None = None,
    events: Iterable[VideoEvent] | None = None,
) -> list[Precision]:
    """confirmed / (confirmed + dismissed) per camera and category, from the decisions made
    since `since` (all when None); `events` narrows to a queryset (a user's visible events)."""
    qs = events if events is not None else VideoEvent.objects.all()
    qs = qs.exclude(status=VideoEventStatus.PENDING)
    if camera is not None:
        qs = qs.filter(camera=camera)
    if category is not None:
        qs = qs.filter(category=category)
    if since is not None:
        qs = qs.filter(reviewed_at__gte=since)
    rows = (
        qs.order_by()
        .values("camera_id", "category_id")
        .annotate(
            confirmed=Count("pk", filter=Q(status=VideoEventStatus.CONFIRMED)),
            dismissed=Count("pk", filter=Q(status=VideoEventStatus.DISMISSED)),
        )
        .order_by("camera_id", "category_id")
    )
    return [Precision(**row) for row in rows]
