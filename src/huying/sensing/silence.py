"""The no-data sweep: a device in a NO_DATA rule's scope silent for the rule's silence_minutes
gets an alarm (its next sample clears it, in the rules engine).

Silence is read from Device.last_seen_at (kept by the rules engine, moved at most every 10 s,
indexed with is_active for this sweep). A device never heard from is not alarmed: it is not
installed yet, and would otherwise alarm the day it is registered.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from huying.core import clock
from huying.sensing import alarms, dispatch, risk
from huying.sensing.alarms import Finding
from huying.sensing.choices import RuleKind
from huying.sensing.models import Alarm, Device, Rule

BATCH = 2000  # findings per transaction


def silent_devices(rule: Rule, now: datetime):
    """The devices of the rule's scope silent longer than its silence_minutes."""
    devices = Device.objects.filter(
        is_active=True,
        kind=rule.device_kind,
        last_seen_at__lt=now - timedelta(minutes=rule.silence_minutes or 0),
    )
    if rule.device_id:
        devices = devices.filter(pk=rule.device_id)
    if rule.station_id:
        devices = devices.filter(station_id=rule.station_id)
    already = Alarm.objects.filter(alarms.OPEN, rule=rule).values("device_id")
    return devices.exclude(pk__in=already)


def sweep(now: datetime | None = None) -> str:
    now = now or clock.now()
    raised = 0
    for rule in Rule.objects.filter(is_active=True, kind=RuleKind.NO_DATA, silence_minutes__gt=0):
        found = [
            Finding(rule.pk, pk, rule.severity, "", None, note=_note(seen, now))
            for pk, seen in silent_devices(rule, now).values_list("pk", "last_seen_at")[:BATCH]
        ]
        with transaction.atomic():
            new = alarms.raise_many(found, now)
        raised += len(new)
        risk.recompute_for_devices(a.device_id for a in new)
        if rule.dispatch and new:
            dispatch.dispatch_alarms([a.pk for a in new])
    return _("数据中断告警 %(n)s") % {"n": raised}


def _note(seen: datetime, now: datetime) -> str:
    minutes = int((now - seen).total_seconds() // 60)
    return _("已 %(minutes)s 分钟无数据") % {"minutes": minutes}
