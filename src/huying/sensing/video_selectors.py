"""Reads of video events for the API and the review page, scoped in one place.

The command centre, the district-wide roles and urban management (who act on confirmed events)
see every camera; a town sees the cameras in it (its villages none: cameras belong to towns);
anyone else sees nothing, and an event out of view is 404 (audited).
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import QuerySet

from huying.core import scoping
from huying.orgs.choices import Role
from huying.orgs.models import User
from huying.sensing import video
from huying.sensing.choices import VideoEventStatus
from huying.sensing.models import Device, VideoCategory, VideoEvent

HISTORY = 20  # a camera's recent events shown next to the one under review


def sees_all(user: User) -> bool:
    if user.sees_whole_district:
        return True
    return user.org_id is not None and user.org.code == settings.SENSING_VIDEO_DEPARTMENT


def may_view(user: User) -> bool:
    """The page is for those who see some cameras: all of them, or a town's cadres (not its
    inspectors, whose work is the rental round; like the sensing boards)."""
    if sees_all(user):
        return True
    return user.role != Role.INSPECTOR and user.org_id is not None and user.org.is_town


def visible_to(user: User) -> QuerySet[VideoEvent]:
    events = VideoEvent.objects.select_related("camera__town", "category", "call")
    if sees_all(user):
        return events
    return scoping.scope_for(user).filter(events, "camera__town")


def queue(
    user: User,
    *,
    status: str | None = None,
    camera: str | None = None,
    category: str | None = None,
    town: str | None = None,
) -> QuerySet[VideoEvent]:
    """Newest first; `camera`, `category` and `town` are codes."""
    events = visible_to(user)
    if status:
        events = events.filter(status=status)
    if camera:
        events = events.filter(camera__code=camera)
    if category:
        events = events.filter(category__code=category)
    if town:
        events = events.filter(camera__town__code=town)
    return events.order_by("-last_at", "-pk")


def event_for(user: User, pk: int) -> VideoEvent:
    return scoping.get_visible_or_404(visible_to(user).select_related("reviewed_by"), user, pk=pk)


def camera_history(event: VideoEvent, limit: int = HISTORY) -> list[VideoEvent]:
    """The camera's other recent events with their decisions (its track record)."""
    others = VideoEvent.objects.filter(camera_id=event.camera_id).exclude(pk=event.pk)
    return list(
        others.select_related("camera__town", "category", "call").order_by("-last_at")[:limit]
    )


def pending_count(user: User) -> int:
    return visible_to(user).filter(status=VideoEventStatus.PENDING).count()


@dataclass(frozen=True)
class PrecisionRow:
    camera: Device
    category: VideoCategory
    confirmed: int
    dismissed: int
    precision: float | None


def precision_rows(user: User, since: datetime | None = None) -> list[PrecisionRow]:
    """Precision per camera and category over the events this user may see."""
    found = video.precision(since=since, events=visible_to(user))
    cameras = Device.objects.in_bulk({p.camera_id for p in found})
    categories = VideoCategory.objects.in_bulk({p.category_id for p in found})
    rows = [
        PrecisionRow(
            cameras[p.camera_id], categories[p.category_id], p.confirmed, p.dismissed, p.value
        )
        for p in found
    ]
    return sorted(rows, key=lambda r: (r.camera.code, r.category.code))
