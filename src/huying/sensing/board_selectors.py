"""Reads for the sensing boards (water board, enterprise risk board, alarm list) and who sees
what on them.

Scope: the command centre, leaders and other district-wide roles see everything; a department
user sees the stations, enterprises and devices it is responsible for; a town's caller sees
those in the town. Anyone else gets 404 (audited), as everywhere (core/scoping.py).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property

from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Value, When
from django.http import Http404
from django.utils import timezone

from huying.core import audit
from huying.core.scoping import Scope, scope_for
from huying.orgs.choices import OrgKind, Role
from huying.orgs.models import Org
from huying.sensing import alarm_selectors, gas, water
from huying.sensing.choices import AlarmStatus, RiskColour, SampleKind, SensorKind, StationKind
from huying.sensing.hj212.codes import CODES
from huying.sensing.models import Device, Enterprise, Sample, Station, StationDay
from huying.sensing.store import decode_values

TOWN_KINDS = (OrgKind.TOWN, OrgKind.STREET)
DEPARTMENT_ROLES = (Role.RESPONDER, Role.DEPARTMENT_HEAD)
# Watching is not handling: leaders and the discipline commission see alarms, others act.
ACTING_ROLES = frozenset({Role.OPERATOR, Role.ADMIN, *DEPARTMENT_ROLES, Role.CALLER})
OPEN_STATUSES = (AlarmStatus.ACTIVE, AlarmStatus.ACKNOWLEDGED)
RISK_ORDER = (RiskColour.RED, RiskColour.ORANGE, RiskColour.YELLOW, RiskColour.BLUE)
WATER_CODES = tuple(c for c, code in CODES.items() if code.group == "water")
# Trend values: normal and manual readings; faults, calibration, maintenance are not water.
TREND_FLAGS = frozenset({"N", "S"})
TREND_KINDS = (SampleKind.HOUR, SampleKind.MINUTE, SampleKind.RTD)  # the coarsest first


@dataclass(frozen=True)
class BoardScope:
    user: object
    scope: Scope
    field: str  # "town" or "department": which org of a station, enterprise or device counts

    def stations(self):
        return self.scope.filter(Station.objects.filter(is_active=True), self.field)

    def enterprises(self):
        return self.scope.filter(Enterprise.objects.all(), self.field)

    def devices(self):
        return self.scope.filter(Device.objects.all(), self.field)

    def alarms(self):
        return alarm_selectors.alarms_visible_to(self.user)  # E's: one home for alarm scope

    def towns(self):
        towns = Org.objects.filter(kind__in=TOWN_KINDS, is_active=True).order_by("path")
        return towns if self.field == "department" else self.scope.filter(towns, "")


def view_for(user) -> BoardScope | None:
    """The part of the sensing data the user's boards cover; None: no board for them."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.sees_whole_district:
        return BoardScope(user, scope_for(user), "town")
    kind = user.org.kind if user.org_id else None
    if user.role in DEPARTMENT_ROLES and kind == OrgKind.DEPARTMENT:
        return BoardScope(user, scope_for(user), "department")
    if user.role == Role.CALLER and kind in TOWN_KINDS:
        return BoardScope(user, scope_for(user), "town")
    return None


def may_view(user) -> bool:
    return view_for(user) is not None


def may_act(user) -> bool:
    return user.role in ACTING_ROLES


def require_view(user, path: str) -> BoardScope:
    view = view_for(user)
    if view is None:
        audit.record("core.permission_denied", actor=user, object_repr=path[:200],
                     reason="角色无权访问")  # fmt: skip
        raise Http404("未找到，或不在您的可见范围内")
    return view


def local_day(now: datetime) -> date:
    return timezone.localtime(now).date()


# --- water board -------------------------------------------------------------------------


@dataclass(frozen=True)
class PointToday:
    station: Station
    day: StationDay | None

    @property
    def water_class(self) -> int | None:
        return self.day.water_class if self.day else None

    @property
    def roman(self) -> str:
        return water.ROMAN.get(self.water_class, "")

    @property
    def target_roman(self) -> str:
        return water.ROMAN.get(self.station.target_class, "")

    @property
    def deciding(self) -> str:
        code = self.day.deciding_parameter if self.day else ""
        return str(water.BY_CODE[code].name) if code in water.BY_CODE else code

    @property
    def deciding_value(self) -> float | None:
        return self.day.means.get(self.day.deciding_parameter) if self.day else None

    @property
    def exceeds(self) -> bool:
        return water.worse_than_target(self.water_class, self.station.target_class)


@dataclass(frozen=True)
class WaterToday:
    day: date
    points: list[PointToday]
    summary: dict

    @cached_property
    def sections(self) -> list[PointToday]:
        return [p for p in self.points if p.station.kind == StationKind.SECTION]

    @cached_property
    def exceedances(self) -> list[PointToday]:
        """Worse than the target class, or 劣V anywhere: assessment sections first (they are
        what the district is assessed on), then the worst class first."""
        bad = [
            p for p in self.points if p.exceeds or p.water_class == water.WaterClass.WORSE_THAN_V
        ]
        first = StationKind.SECTION
        return sorted(bad, key=lambda p: (p.station.kind != first, -p.water_class, p.station.code))


def water_today(view: BoardScope, now: datetime) -> WaterToday:
    day = local_day(now)
    stations = list(view.stations().select_related("river", "town").order_by("code"))
    days = StationDay.objects.filter(station__in=[s.pk for s in stations], day=day)
    by_station = {d.station_id: d for d in days}
    points = [PointToday(s, by_station.get(s.pk)) for s in stations]
    return WaterToday(day, points, _water_summary(points))


def _water_summary(points: list[PointToday]) -> dict:
    classes = [p.water_class for p in points if p.water_class is not None]
    per_class = {n: classes.count(n) for n in range(1, 7)}
    by_river = defaultdict(list)
    for p in points:
        by_river[p.station.river_id].append(p.water_class)
    rivers = [water.river_verdict(c) for c in by_river.values()]
    wordings = {w: sum(1 for v in rivers if v and v.wording == w) for w in water.Wording}
    good = sum(per_class[n] for n in (1, 2, 3))
    return {
        "points": len(points), "classed": len(classes), "no_data": len(points) - len(classes),
        "per_class": per_class,
        "class_counts": [(n, water.ROMAN[n], per_class[n]) for n in per_class],
        "good": good, "good_share": good / len(classes) if classes else None,
        "worse_than_v": per_class[6], "district": water.river_verdict(classes),
        "rivers": len(by_river), "river_wordings": [(w.label, n) for w, n in wordings.items()],
        "exceeding_sections": sum(1 for p in points if p.exceeds),
    }  # fmt: skip


@dataclass(frozen=True)
class TrendPoint:
    time: datetime  # the start of the hour
    value: float


def trend(station: Station, parameter: str, since: datetime, until: datetime) -> list[TrendPoint]:
    """Hourly means of one parameter at a station in [since, until), from the readings still
    in the database (hourly data where the station sends it, else its minute or real-time
    data averaged per hour). Older history lives in Parquet: extend here, not in callers."""
    devices = list(station.devices.values_list("pk", flat=True))
    for kind in TREND_KINDS:
        rows = Sample.objects.filter(
            device_id__in=devices, kind=kind, time__gte=since, time__lt=until
        ).values_list("time", "readings")
        found = _hourly_means(rows, parameter)
        if found:
            return found
    return []


def _hourly_means(rows, parameter: str) -> list[TrendPoint]:
    sums: dict[datetime, list[float]] = defaultdict(list)
    for time, text in rows.iterator(chunk_size=2000):
        reading = decode_values(text).get(parameter)
        if reading and reading[1] in TREND_FLAGS:
            sums[time.replace(minute=0, second=0, microsecond=0)].append(reading[0])
    return [TrendPoint(hour, sum(v) / len(v)) for hour, v in sorted(sums.items())]


# --- enterprise risk board ---------------------------------------------------------------


@dataclass(frozen=True)
class SensorNow:
    name: str
    kind: str
    unit: str
    value: float | None
    at: datetime | None
    level1: float | None
    level2: float | None

    @property
    def level(self) -> int:
        """0 normal, 1 or 2 at or above that set point (the standard's for gas if unset)."""
        if self.value is None:
            return 0
        if self.kind in gas.STANDARD:
            points = gas.set_points(self.kind, self.level1, self.level2)
            return int(gas.gas_level(self.kind, self.value, points))
        if self.level2 is not None and self.value >= self.level2:
            return 2
        return 1 if self.level1 is not None and self.value >= self.level1 else 0


@dataclass
class EnterpriseNow:
    enterprise: Enterprise
    open_by_severity: dict[int, int] = field(default_factory=dict)
    sensors: list[SensorNow] = field(default_factory=list)

    @property
    def open_alarms(self) -> int:
        return sum(self.open_by_severity.values())


def enterprise_board(view: BoardScope) -> list[EnterpriseNow]:
    """Every visible key enterprise with its open alarms by severity and its sensors now;
    the riskiest first. Four queries whatever the number of enterprises."""
    enterprises = view.enterprises().select_related("town").order_by("code")
    rows = {e.pk: EnterpriseNow(e) for e in enterprises}
    counts = (
        view.alarms()
        .filter(status__in=OPEN_STATUSES, device__enterprise_id__in=rows)
        .values_list("device__enterprise_id", "severity")
        .annotate(n=Count("pk"))
    )
    for enterprise_id, severity, n in counts:
        rows[enterprise_id].open_by_severity[severity] = n
    for enterprise_id, sensor in _sensors_now(list(rows)):
        rows[enterprise_id].sensors.append(sensor)
    rank = {colour: i for i, colour in enumerate(RISK_ORDER)}
    return sorted(rows.values(), key=lambda r: (rank.get(r.enterprise.risk, 9), -r.open_alarms))


def _sensors_now(enterprise_ids: list[int]):
    latest = Sample.objects.filter(device=OuterRef("pk"), kind=SampleKind.RTD).order_by("-time")
    devices = (
        Device.objects.filter(enterprise_id__in=enterprise_ids, is_active=True)
        .annotate(latest_time=Subquery(latest.values("time")[:1]),
                  latest_readings=Subquery(latest.values("readings")[:1]))
        .prefetch_related("sensors").order_by("code")
    )  # fmt: skip
    for device in devices:
        values = decode_values(device.latest_readings) if device.latest_readings else {}
        for s in sorted(
            device.sensors.all(), key=lambda s: (s.kind != SensorKind.COMBUSTIBLE_GAS, s.code)
        ):
            reading = values.get(s.code)
            yield device.enterprise_id, SensorNow(
                s.name, s.kind, s.unit, reading[0] if reading else None,
                device.latest_time if reading else None, s.level1, s.level2,
            )  # fmt: skip


def risk_counts(rows: list[EnterpriseNow]) -> list[tuple[str, str, int]]:
    """(colour, label, how many) in the order red, orange, yellow, blue."""
    return [(c.value, c.label, sum(1 for r in rows if r.enterprise.risk == c)) for c in RISK_ORDER]


# --- alarm list --------------------------------------------------------------------------

ALARM_RELATED = ("rule", "device", "device__town", "device__enterprise", "device__station", "call")


def alarm_list(view: BoardScope, *, status="open", severity=None, town=None, kind=None):
    """Open alarms first (active, then acknowledged, then cleared), the most severe and the
    newest first within each."""
    alarms = view.alarms().select_related(*ALARM_RELATED)
    if status == "open":
        alarms = alarms.filter(status__in=OPEN_STATUSES)
    elif status:
        alarms = alarms.filter(status=status)
    if severity:
        alarms = alarms.filter(severity=severity)
    if town:
        alarms = alarms.filter(device__town__code=town)
    if kind:
        alarms = alarms.filter(rule__kind=kind)
    order = Case(When(status=AlarmStatus.ACTIVE, then=Value(0)),
                 When(status=AlarmStatus.ACKNOWLEDGED, then=Value(1)),
                 default=Value(2), output_field=IntegerField())  # fmt: skip
    return alarms.annotate(open_order=order).order_by("open_order", "severity", "-raised_at", "-pk")


def alarm_counts(view: BoardScope) -> dict[str, int]:
    return (
        view.alarms()
        .filter(status__in=OPEN_STATUSES)
        .aggregate(
            active=Count("pk", filter=Q(status=AlarmStatus.ACTIVE)),
            acknowledged=Count("pk", filter=Q(status=AlarmStatus.ACKNOWLEDGED)),
            critical=Count("pk", filter=Q(severity=1)),
        )
    )
