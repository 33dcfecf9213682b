"""The risk colour of key enterprises (gas.enterprise_risk) from their alarms, stored on
Enterprise.risk with risk_changed_at; recomputed when one of their alarms opens, rises or
clears (the rules engine, the sweeps and the alarm actions call `recompute_for_devices`).

Inputs per enterprise: the levels of its open gas alarms (severity CRITICAL is level 2, MAJOR
level 1), its open threshold (process) alarms, its open no-data alarms (devices silent), and
how many alarms were raised in the last 24 hours.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta

from django.db.models import Q

from huying.core import clock
from huying.sensing import gas
from huying.sensing.choices import AlarmStatus, RuleKind
from huying.sensing.models import Alarm, Device, Enterprise
from huying.sensing.rules import SEVERITY_LEVEL

RECENT = timedelta(hours=24)


def recompute_for_devices(device_ids: Iterable[int]) -> int:
    """Recompute the enterprises of these devices; returns how many changed colour."""
    ids = set(device_ids)
    if not ids:
        return 0
    enterprises = set(
        Device.objects.filter(pk__in=ids, enterprise__isnull=False).values_list(
            "enterprise_id", flat=True
        )
    )
    return recompute(enterprises)


def recompute(enterprise_ids: Iterable[int]) -> int:
    ids = set(enterprise_ids)
    if not ids:
        return 0
    now = clock.now()
    inputs = _inputs(ids, now)
    changed = 0
    for enterprise in Enterprise.objects.filter(pk__in=ids).only("pk", "risk"):
        colour = gas.enterprise_risk(**inputs[enterprise.pk])
        # Compare-and-swap on the colour read: two recomputations never write twice.
        changed += (
            Enterprise.objects.filter(pk=enterprise.pk, risk=enterprise.risk)
            .exclude(risk=colour)
            .update(risk=colour, risk_changed_at=now)
        )
    return changed


def _inputs(ids: set[int], now) -> dict[int, dict]:
    found: dict[int, dict] = defaultdict(
        lambda: {"gas_levels": [], "process_alarms": 0, "offline_devices": 0, "alarms_last_24h": 0}
    )
    rows = Alarm.objects.filter(device__enterprise_id__in=ids).filter(
        ~Q(status=AlarmStatus.CLEARED) | Q(raised_at__gte=now - RECENT)
    )
    for enterprise, kind, status, severity, raised_at in rows.values_list(
        "device__enterprise_id", "rule__kind", "status", "severity", "raised_at"
    ):
        counts = found[enterprise]
        counts["alarms_last_24h"] += raised_at >= now - RECENT
        if status == AlarmStatus.CLEARED:
            continue
        if kind == RuleKind.GAS_LEVEL:
            counts["gas_levels"].append(SEVERITY_LEVEL.get(severity, 1))
        elif kind == RuleKind.NO_DATA:
            counts["offline_devices"] += 1
        else:
            counts["process_alarms"] += 1
    return found
