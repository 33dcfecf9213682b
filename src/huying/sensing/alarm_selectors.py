"""Reads of alarms, always through the user's scope.

Who sees an alarm: the command centre and the district-wide roles all of them; a department
the alarms of the devices it is responsible for; a town (and nobody below it) the alarms of
devices in its area. Anyone else sees none: 404, never 403.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from huying.core.scoping import get_visible_or_404, scope_for
from huying.orgs.choices import OrgKind
from huying.orgs.models import User
from huying.sensing.models import Alarm, AlarmEvent


def alarms_visible_to(user: User) -> QuerySet[Alarm]:
    alarms = Alarm.objects.all()
    scope = scope_for(user)
    if scope.whole_district:
        return alarms
    if user.org is not None and user.org.kind == OrgKind.DEPARTMENT:
        return alarms.filter(device__department_id=user.org_id)
    if user.org is not None and user.org.is_town:
        return scope.filter(alarms, "device__town")
    return alarms.none()


@dataclass(frozen=True)
class AlarmFilter:
    status: str | None = None
    severity: int | None = None
    enterprise: int | None = None
    station: int | None = None
    town: int | None = None
    since: datetime | None = None


def alarm_list(user: User, wanted: AlarmFilter) -> QuerySet[Alarm]:
    q = Q()
    if wanted.status:
        q &= Q(status=wanted.status)
    if wanted.severity:
        q &= Q(severity=wanted.severity)
    if wanted.enterprise:
        q &= Q(device__enterprise_id=wanted.enterprise)
    if wanted.station:
        q &= Q(device__station_id=wanted.station)
    if wanted.town:
        q &= Q(device__town_id=wanted.town)
    if wanted.since:
        q &= Q(raised_at__gte=wanted.since)
    return (
        alarms_visible_to(user)
        .filter(q)
        .select_related("rule", "device", "device__town", "call")
        .order_by("-raised_at", "-pk")
    )


def alarm_detail(user: User, pk: int) -> Alarm:
    return get_visible_or_404(
        alarms_visible_to(user).select_related("rule", "device", "device__town", "call"),
        user,
        pk=pk,
    )


def alarm_events(alarm: Alarm) -> QuerySet[AlarmEvent]:
    return alarm.events.select_related("actor").order_by("at", "pk")
