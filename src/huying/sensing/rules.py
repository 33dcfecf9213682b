"""Rules in memory: which checks apply to each device, and the pure functions that judge a value.

The ingest hook sees up to 100,000 readings a second, so the active rules are compiled into one
dict from device id to that device's checks (rule × parameter, with a gas sensor's set points):
a reading of a device no rule watches costs one dict lookup. The index is rebuilt when a rule, a
device or a sensor changed; whether anything changed is asked at most every REFRESH_SECONDS.

Edges (kept here so the docs can quote them):
- Threshold: ABOVE alarms when value > threshold, BELOW when value < threshold. With a
  duration the condition must hold from its first reading for duration_seconds.
- Hysteresis: an open alarm clears only past clear_value (ABOVE: value < clear_value; BELOW:
  value > clear_value); without clear_value, as soon as the condition is gone. Between the two
  the alarm stays open and is not repeated.
- Gas level: a combustible or toxic sensor's level by its set points (gas.py, at or above a
  point); level 1 raises a MAJOR alarm, level 2 a CRITICAL one. It clears at level 0, or
  below clear_value when the rule sets one.
"""

import math
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from django.db.models import Count, Max, Sum

from huying.sensing import gas
from huying.sensing.choices import AlarmStatus, Comparison, RuleKind, SensorKind, Severity
from huying.sensing.models import Alarm, Device, Rule, Sensor

REFRESH_SECONDS = 5.0
GAS_KINDS = (SensorKind.COMBUSTIBLE_GAS, SensorKind.TOXIC_GAS)
GAS_SEVERITY = {gas.GasLevel.LEVEL1: Severity.MAJOR, gas.GasLevel.LEVEL2: Severity.CRITICAL}
SEVERITY_LEVEL = {Severity.MAJOR: 1, Severity.CRITICAL: 2}  # back from an alarm to its level
READING_RULES = (RuleKind.THRESHOLD, RuleKind.GAS_LEVEL)

RAISE, REPEAT, CLEAR = "raise", "repeat", "clear"


@dataclass(frozen=True, slots=True)
class Check:
    """One rule watching one parameter of one device."""

    rule_id: int
    kind: str
    parameter: str
    comparison: str = Comparison.ABOVE
    threshold: float | None = None
    clear_value: float | None = None
    duration_seconds: int = 0
    severity: int = Severity.MINOR
    gas_kind: str = ""
    points: gas.SetPoints | None = None


class Held(NamedTuple):
    """Where a (rule, device) stands: since when the condition holds, the open alarm
    (0 while it is being inserted) and its severity, and the last reading's time."""

    holding_since: datetime | None = None
    alarm_id: int | None = None
    severity: int = Severity.NOTICE
    last_at: datetime | None = None


# --- the pure judgement -------------------------------------------------------------------------


def severity_of(check: Check, value: float) -> int | None:
    """The severity the value calls for, or None when the condition does not hold."""
    if check.kind == RuleKind.GAS_LEVEL:
        level = gas.gas_level(check.gas_kind, value, check.points)
        return GAS_SEVERITY.get(level)
    if check.threshold is None:
        return None
    if check.comparison == Comparison.BELOW:
        return check.severity if value < check.threshold else None
    return check.severity if value > check.threshold else None


def clears(check: Check, value: float) -> bool:
    """Whether an open alarm clears at this value (hysteresis: past clear_value)."""
    if check.clear_value is not None:
        if check.comparison == Comparison.BELOW and check.kind != RuleKind.GAS_LEVEL:
            return value > check.clear_value
        return value < check.clear_value
    return severity_of(check, value) is None


def step(check: Check, held: Held, value: float, at: datetime) -> tuple[Held, str | None]:
    """The next state and what to do (RAISE, REPEAT, CLEAR or None) after one reading."""
    if held.last_at is not None and at < held.last_at:
        return held, None  # older than what was judged (a late hourly sample): not a signal
    if held.alarm_id is not None:
        if clears(check, value):
            return Held(None, None, Severity.NOTICE, at), CLEAR
        severity = severity_of(check, value)
        if severity is None:
            return held._replace(last_at=at), None  # inside the hysteresis band
        return held._replace(severity=min(severity, held.severity), last_at=at), REPEAT
    severity = severity_of(check, value)
    if severity is None:
        return Held(None, None, Severity.NOTICE, at), None
    since = held.holding_since or at
    if (at - since).total_seconds() >= check.duration_seconds:
        return Held(since, 0, severity, at), RAISE
    return Held(since, None, Severity.NOTICE, at), None


def usable(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


# --- the index ----------------------------------------------------------------------------------


@dataclass
class Index:
    by_device: dict[int, tuple[Check, ...]] = field(default_factory=dict)
    # Devices with an open no-data alarm: their next sample clears it (device id -> alarm id).
    silent: dict[int, int] = field(default_factory=dict)
    signature: tuple = ()
    checked_at: float = float("-inf")


def build() -> Index:
    """Compile the active reading rules (threshold, gas level) into per-device checks."""
    checks: dict[int, list[Check]] = defaultdict(list)
    rules = Rule.objects.filter(is_active=True, kind__in=READING_RULES)
    for rule in rules:
        devices = Device.objects.filter(is_active=True, kind=rule.device_kind)
        if rule.device_id:
            devices = devices.filter(pk=rule.device_id)
        if rule.station_id:
            devices = devices.filter(station_id=rule.station_id)
        if rule.kind == RuleKind.THRESHOLD:
            if rule.parameter and rule.threshold is not None:
                for device_id in devices.values_list("pk", flat=True):
                    checks[device_id].append(_threshold_check(rule))
            continue
        sensors = Sensor.objects.filter(device__in=devices, kind__in=GAS_KINDS)
        if rule.parameter:
            sensors = sensors.filter(code=rule.parameter)
        for sensor in sensors:
            checks[sensor.device_id].append(_gas_check(rule, sensor))
    return Index(by_device={device: tuple(found) for device, found in checks.items()})


def _threshold_check(rule: Rule) -> Check:
    return Check(
        rule.pk,
        rule.kind,
        rule.parameter,
        comparison=rule.comparison,
        threshold=rule.threshold,
        clear_value=rule.clear_value,
        duration_seconds=rule.duration_seconds,
        severity=rule.severity,
    )


def _gas_check(rule: Rule, sensor: Sensor) -> Check:
    try:
        points = gas.set_points(sensor.kind, sensor.level1, sensor.level2)
    except Exception:  # a set point above the standard's: the standard's apply
        points = gas.set_points(sensor.kind)
    return Check(
        rule.pk,
        rule.kind,
        sensor.code,
        clear_value=rule.clear_value,
        duration_seconds=rule.duration_seconds,
        gas_kind=sensor.kind,
        points=points,
    )


def signature() -> tuple:
    """What the index was built from, cheaply: a changed rule, device or sensor changes it."""
    return (
        tuple(Rule.objects.aggregate(Max("updated_at"), Count("pk")).values()),
        tuple(Device.objects.filter(is_active=True).aggregate(Max("pk"), Count("pk")).values()),
        tuple(
            Sensor.objects.aggregate(Max("pk"), Count("pk"), Sum("level1"), Sum("level2")).values()
        ),
    )


def open_no_data_alarms() -> dict[int, int]:
    alarms = Alarm.objects.filter(rule__kind=RuleKind.NO_DATA).exclude(status=AlarmStatus.CLEARED)
    return dict(alarms.values_list("device_id", "pk"))


_lock = threading.Lock()
_index = Index()


def current(*, force: bool = False) -> Index:
    """The process's index, rebuilt when what it was built from changed (asked at most every
    REFRESH_SECONDS); the open no-data alarms are re-read on the same tick."""
    global _index
    now = time.monotonic()
    if not force and now - _index.checked_at < REFRESH_SECONDS:
        return _index
    with _lock:
        if not force and now - _index.checked_at < REFRESH_SECONDS:
            return _index
        seen = signature()
        index = _index if seen == _index.signature and not force else build()
        index.signature, index.silent, index.checked_at = seen, open_no_data_alarms(), now
        _index = index
    return _index


def reset() -> None:
    """Forget the index (tests, and after the rules were edited in this process)."""
    global _index
    with _lock:
        _index = Index()
