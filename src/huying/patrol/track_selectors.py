"""Who may see whose track, and the reads behind the route page and the API.

Tracks are sensitive personal information: the inspector sees their own, their supervisor
(PatrolArea.supervisor) those of the inspectors they supervise, and the command centre
(operators, and administrators who run the platform) all. Leaders and the discipline
commission see the district elsewhere, but not where a person walked: the issue names
only these three. Anyone else gets 404, audited (scoping.get_visible_or_404).
"""

import math
from datetime import date, datetime, time, timedelta

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from huying.core import clock
from huying.core.scoping import get_visible_or_404
from huying.datahub.models import Dwelling
from huying.orgs.choices import Role
from huying.orgs.models import User
from huying.patrol.models import PatrolArea, StayPoint, TrackPoint
from huying.patrol.stays import METRES_PER_DEGREE

COMMAND_CENTRE_ROLES = frozenset({Role.OPERATOR, Role.ADMIN})
MAX_DWELLINGS = 2000  # drawn as points on the route page; an area is ~200–500
MARGIN_M = 150  # dwellings this far around the track are drawn too


def sees_all_tracks(user) -> bool:
    return user.is_authenticated and user.role in COMMAND_CENTRE_ROLES


def inspectors_visible_to(user) -> QuerySet:
    inspectors = User.objects.filter(role=Role.INSPECTOR, is_active=True)
    if not user.is_authenticated:
        return inspectors.none()
    if sees_all_tracks(user):
        return inspectors
    return inspectors.filter(Q(pk=user.pk) | Q(patrol_area__supervisor=user))


def inspector_for(user, inspector_id: int) -> User:
    return get_visible_or_404(inspectors_visible_to(user), user, pk=inspector_id)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


def day_points(inspector, day: date) -> QuerySet:
    start, end = day_bounds(day)
    return TrackPoint.objects.filter(inspector=inspector, at__gte=start, at__lt=end).order_by("at")


def day_stays(inspector, day: date) -> QuerySet:
    start, end = day_bounds(day)
    return (
        StayPoint.objects.filter(inspector=inspector, started_at__gte=start, started_at__lt=end)
        .select_related("dwelling")
        .order_by("started_at")
    )


def area_dwellings(inspector, points: list) -> QuerySet:
    """The dwellings to draw: the inspector's area's, or else those around the day's track."""
    located = Dwelling.objects.filter(lat__isnull=False, lon__isnull=False).only(
        "id", "code", "address", "lat", "lon"
    )
    area = PatrolArea.objects.filter(inspector=inspector).first()
    if area is not None:
        in_area = located.filter(
            Q(pk__in=area.dwellings.values("pk")) | Q(village__in=area.villages.all())
        )
        if in_area.exists():
            return in_area.order_by("code")[:MAX_DWELLINGS]
    if not points:
        return located.none()
    return located.filter(**_box(points)).order_by("code")[:MAX_DWELLINGS]


def _box(points: list) -> dict:
    lats, lons = [p.lat for p in points], [p.lon for p in points]
    dlat = MARGIN_M / METRES_PER_DEGREE
    dlon = dlat / max(0.01, math.cos(math.radians(sum(lats) / len(lats))))
    return {
        "lat__range": (min(lats) - dlat, max(lats) + dlat),
        "lon__range": (min(lons) - dlon, max(lons) + dlon),
    }


def positions_today(user) -> list[dict]:
    """The last position of each inspector the user may see, today (one query)."""
    start, _ = day_bounds(timezone.localdate(clock.now()))
    latest = TrackPoint.objects.filter(inspector=OuterRef("pk"), at__gte=start).order_by("-at")
    rows = (
        inspectors_visible_to(user)
        .annotate(
            last_at=Subquery(latest.values("at")[:1]),
            last_lat=Subquery(latest.values("lat")[:1]),
            last_lon=Subquery(latest.values("lon")[:1]),
        )
        .filter(last_at__isnull=False)
        .select_related("org")
        .order_by("username")
    )
    return [
        {"inspector": u.pk, "name": u.display_name, "org": u.org.name if u.org else "",
         "at": u.last_at, "lat": u.last_lat, "lon": u.last_lon}
        for u in rows
    ]  # fmt: skip
