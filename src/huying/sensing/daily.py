"""A station's water quality per day (StationDay), and the rules on it (WATER_CLASS,
BLACK_ODOUR).

Daily means come from the day's samples (the local day, Asia/Shanghai) of the coarsest kind
the analyser sent: its own daily values (kind DAY), else the mean of its hourly values, else
of its minute values, else of its real-time values (a day of real-time data every 30 s is
2,880 rows; the hourly means say the same in 24). The GB 3838 class is that of the means
(water.classify, river or lake by the river's water body); `exceeds_target` compares it with
the section's target class; the black-odour grade is over the same samples
(black_odour.grade_point, with the station's depth).

The sweep recomputes today for stations whose devices sent data since its last pass, then
judges the WATER_CLASS rules (a class worse than the target raises, a class back within it
clears) and the BLACK_ODOUR rules (severe raises, anything else clears).
"""

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huying.core import clock
from huying.sensing import alarms, black_odour, dispatch, water
from huying.sensing.alarms import Finding
from huying.sensing.choices import DeviceKind, RuleKind, SampleKind
from huying.sensing.models import Device, Rule, Sample, Station, StationDay
from huying.sensing.rules import usable
from huying.sensing.store import decode_values

RECENT = timedelta(minutes=10)  # "new data": a device seen this recently (sweep every 5 min)
DAY_RULES = (RuleKind.WATER_CLASS, RuleKind.BLACK_ODOUR)
KIND_PREFERENCE = (SampleKind.DAY, SampleKind.HOUR, SampleKind.MINUTE, SampleKind.RTD)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


def daily_means(samples: list[dict[str, float]]) -> dict[str, float]:
    """The mean of each parameter over the samples that carry it."""
    sums: dict[str, list[float]] = defaultdict(list)
    for values in samples:
        for code, value in values.items():
            sums[code].append(value)
    return {code: round(sum(v) / len(v), 4) for code, v in sorted(sums.items())}


def day_samples(device_id: int, day: date) -> list[dict[str, float]]:
    """The device's values of the day, of the coarsest kind it sent: its own daily values,
    else hourly, else minute, else real-time (a primary-key range each: rarely more than two)."""
    start, end = day_bounds(day)
    for kind in KIND_PREFERENCE:
        rows = Sample.objects.filter(
            device_id=device_id, kind=kind, time__gte=start, time__lt=end
        ).values_list("readings", flat=True)
        found = [
            {c: float(v) for c, (v, _flag) in decode_values(text).items() if usable(v)}
            for text in rows
        ]
        if found:
            return found
    return []


def compute_day(day: date, stations=None) -> list[StationDay]:
    """Compute (or recompute) the StationDay of each station (all active ones by default)."""
    wanted = Station.objects.filter(is_active=True) if stations is None else stations
    ids = [s.pk if isinstance(s, Station) else s for s in wanted]
    devices = defaultdict(list)
    rows = Device.objects.filter(station_id__in=ids, kind=DeviceKind.WATER_ANALYSER)
    for pk, station_id in rows.values_list("pk", "station_id"):
        devices[station_id].append(pk)
    now = clock.now()
    return [
        _store(station, day, [v for d in devices[station.pk] for v in day_samples(d, day)], now)
        for station in Station.objects.filter(pk__in=ids).select_related("river")
    ]


def _store(station: Station, day: date, samples, now) -> StationDay:
    means = daily_means(samples)
    result = water.classify(means, station.river.water_body)
    klass = int(result.water_class) if result.water_class else None
    depth = float(station.depth_cm) if station.depth_cm else None
    grade = black_odour.grade_point(samples, depth)
    row, _created = StationDay.objects.update_or_create(
        station=station,
        day=day,
        defaults={
            "water_class": klass,
            "deciding_parameter": result.deciding.code if result.deciding else "",
            "means": means,
            "exceeds_target": water.worse_than_target(klass, station.target_class),
            "black_odour": grade.level.value if grade.level else "",
            "samples": len(samples),
            "computed_at": now,
        },
    )
    return row


# --- the sweep and the day rules --------------------------------------------------------------


def sweep(now: datetime | None = None) -> str:
    now = now or clock.now()
    station_ids = set(
        Device.objects.filter(
            kind=DeviceKind.WATER_ANALYSER, station__isnull=False, last_seen_at__gte=now - RECENT
        ).values_list("station_id", flat=True)
    )
    days = compute_day(timezone.localdate(now), station_ids) if station_ids else []
    raised, cleared = judge(days, now)
    return _("站点日水质 %(days)s，告警 %(raised)s，解除 %(cleared)s") % {
        "days": len(days), "raised": raised, "cleared": cleared,
    }  # fmt: skip


def _breaks(rule: Rule, row: StationDay) -> bool:
    if rule.kind == RuleKind.WATER_CLASS:
        return row.exceeds_target
    return row.black_odour == black_odour.BlackOdour.SEVERE


def judge(days: list[StationDay], now: datetime) -> tuple[int, int]:
    """Raise or clear the day rules' alarms for these station days."""
    if not days:
        return 0, 0
    rules = list(Rule.objects.filter(is_active=True, kind__in=DAY_RULES))
    analysers = {}
    for pk, station_id in (
        Device.objects.filter(station__in=[d.station_id for d in days], is_active=True)
        .order_by("-pk").values_list("pk", "station_id")
    ):  # fmt: skip
        analysers[station_id] = pk  # the lowest id last: one device stands for the station
    findings, clear_pairs = [], set()
    for rule in rules:
        for row in days:
            device = analysers.get(row.station_id)
            if device is None or (rule.station_id and rule.station_id != row.station_id):
                continue
            if _breaks(rule, row):
                findings.append(_finding(rule, device, row))
            else:
                clear_pairs.add((rule.pk, device))
    with transaction.atomic():
        new = alarms.raise_many(findings, now)
        to_clear = alarms.open_by_pair(clear_pairs)
        cleared = alarms.clear_many([a.pk for a in to_clear.values()], _("当日水质已恢复"), now)
    dispatch.dispatch_alarms([a.pk for a in new if a.rule.dispatch])
    return len(new), len(cleared)


def _finding(rule: Rule, device: int, row: StationDay) -> Finding:
    if rule.kind == RuleKind.WATER_CLASS:
        name = water.ROMAN.get(row.water_class, "")
        target = water.ROMAN.get(row.station.target_class, "-")
        note = _("%(day)s 水质 %(klass)s 类，目标 %(target)s 类，定类参数 %(code)s") % {
            "day": row.day, "klass": name, "target": target, "code": row.deciding_parameter,
        }  # fmt: skip
        value = row.water_class
    else:
        note, value = _("%(day)s 重度黑臭") % {"day": row.day}, None
    return Finding(rule.pk, device, rule.severity, row.deciding_parameter, value, note=note)
