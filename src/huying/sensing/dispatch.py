"""Alarms that become calls (a rule with dispatch=True), and calls closed back onto alarms.

The calls app is reached only through `calls.creation.create_calls(source=ALARM)`, whose actor
must be a caller of an org with the calling right. The caller is the town where the device is,
so the town is informed and confirms the result. Its actor is a per-town system account,
"感知告警" (`caller_for`): inactive (it never signs in, and notices skip it), created on demand;
the town's own cadres confirm and rate, as `calls` lets any caller of the calling org do.

Routing: with `rule.dispatch_matter`, the matter routes the call (its lead department and
co-departments: the pollution matter names 水务局 and 生态环境分局). Without one the call is
free-form: it reaches the command centre, which routes it (as for any free-form call); its
description names the device's responsible department so the operator can send it there.

Timing: the rules engine dispatches right after the batch's alarms commit (a call is a few
queries, and dispatching alarms are rare); `sweep` retries what failed and links closed calls
back (CALL_CLOSED, and the alarm is cleared if still open). `calls` never imports sensing.
"""

import logging
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huying.calls.choices import CallStatus, Domain, Source, Urgency
from huying.calls.creation import NewCall, create_calls
from huying.core import clock
from huying.orgs.choices import Role
from huying.orgs.models import Org, User
from huying.sensing import alarms
from huying.sensing.choices import AlarmEventKind, AlarmStatus, RuleKind, Severity
from huying.sensing.models import Alarm, AlarmEvent

log = logging.getLogger("huying.sensing.dispatch")

SYSTEM_NAME = "感知告警"
RETRY_WITHIN = timedelta(days=1)  # the sweep retries a failed dispatch for this long
URGENCY = {Severity.CRITICAL: Urgency.EMERGENCY, Severity.MAJOR: Urgency.URGENT}
DOMAIN = {RuleKind.GAS_LEVEL: Domain.EMERGENCY}


def caller_for(town: Org) -> User:
    """The town's system caller for machine-raised calls (alarms, video events)."""
    user, _created = User.objects.get_or_create(
        username=f"sensing-{town.code}",
        defaults={
            "full_name": f"{SYSTEM_NAME}（{town.short_name or town.name}）",
            "org": town,
            "role": Role.CALLER,
            "is_active": False,
            "password": make_password(None),
        },
    )
    return user


def dispatch_alarms(alarm_ids) -> int:
    """Make a call for each of these alarms that has none yet; returns how many were made."""
    made = 0
    for pk in alarm_ids:
        try:
            made += _dispatch_one(pk)
        except Exception:  # one bad alarm must not stop the others; the sweep retries
            log.exception("dispatching alarm %s", pk)
    return made


def _dispatch_one(pk: int) -> bool:
    alarm = (
        Alarm.objects.select_related(
            "rule__dispatch_matter__lead_department", "device__town", "device__department",
            "device__station", "device__enterprise",
        )
        .filter(pk=pk, call__isnull=True, rule__dispatch=True)
        .exclude(status=AlarmStatus.CLEARED)
        .first()
    )  # fmt: skip
    if alarm is None:
        return False
    with transaction.atomic():
        call = create_calls(actor=caller_for(alarm.device.town), items=[new_call(alarm)])[0]
        # Compare-and-swap: whoever links first wins; the loser's call rolls back with it.
        if not Alarm.objects.filter(pk=pk, call__isnull=True).update(call=call):
            transaction.set_rollback(True)
            return False
        AlarmEvent.objects.create(
            alarm=alarm, kind=AlarmEventKind.DISPATCHED, at=clock.now(), note=call.number
        )
    return True


def new_call(alarm: Alarm) -> NewCall:
    rule, device = alarm.rule, alarm.device
    matter = (
        rule.dispatch_matter if rule.dispatch_matter and rule.dispatch_matter.is_active else None
    )
    return NewCall(
        title=f"{rule.name}：{device.name}"[:120],
        description=describe(alarm, routed=matter is not None),
        matter=matter,
        urgency=URGENCY.get(alarm.severity, Urgency.NORMAL),
        domain=None if matter else DOMAIN.get(rule.kind, Domain.KEY_WORK),
        address=_place(device),
        lat=float(device.lat) if device.lat is not None else None,
        lon=float(device.lon) if device.lon is not None else None,
        source=Source.ALARM,
    )


def _place(device) -> str:
    if device.address:
        return device.address
    if device.enterprise_id:
        return device.enterprise.address or device.enterprise.name
    return device.station.name if device.station_id else device.town.name


def describe(alarm: Alarm, *, routed: bool) -> str:
    device = alarm.device
    lines = [
        _("告警：%(title)s") % {"title": alarm.title},
        _("设备：%(name)s（%(code)s）") % {"name": device.name, "code": device.code},
        _("地点：%(place)s，%(town)s") % {"place": _place(device), "town": device.town.name},
    ]
    if alarm.parameter:
        value = "" if alarm.value is None else f"{alarm.value:g}"
        lines.append(
            _("参数：%(code)s，数值：%(value)s") % {"code": alarm.parameter, "value": value}
        )
    at = timezone.localtime(alarm.raised_at)
    lines.append(_("告警时间：%(at)s") % {"at": f"{at:%Y-%m-%d %H:%M:%S}"})
    if not routed:
        lines.append(
            _("责任部门：%(department)s（请指挥中心派发）") % {"department": device.department.name}
        )
    return "\n".join(lines)


# --- the sweep ----------------------------------------------------------------------------------


def sweep_closed_calls() -> int:
    """Closed calls back onto their alarms: CALL_CLOSED, and clear the alarm if still open."""
    pending = (
        Alarm.objects.filter(call__status=CallStatus.CLOSED)
        .exclude(events__kind=AlarmEventKind.CALL_CLOSED)
        .values_list("pk", flat=True)
    )
    done = 0
    for pk in list(pending[:500]):
        done += _link_closed(pk)
    return done


def _link_closed(pk: int) -> bool:
    with transaction.atomic():
        # The row lock (PostgreSQL; SQLite serialises write transactions) makes the re-check a
        # compare-and-swap: two sweeps write one CALL_CLOSED.
        alarm = Alarm.objects.select_for_update(of=("self",)).select_related("call").get(pk=pk)
        if alarm.events.filter(kind=AlarmEventKind.CALL_CLOSED).exists():
            return False
        now = clock.now()
        AlarmEvent.objects.create(
            alarm=alarm, kind=AlarmEventKind.CALL_CLOSED, at=now, note=alarm.call.number
        )
        alarms.clear_many([pk], _("呼叫已办结，告警解除"), now)
    alarms.changed_risk(alarm)
    return True


def sweep_pending() -> int:
    """Retry the dispatch of recent open alarms of dispatching rules that have no call."""
    ids = (
        Alarm.objects.filter(rule__dispatch=True, call__isnull=True)
        .exclude(status=AlarmStatus.CLEARED)
        .filter(raised_at__gte=clock.now() - RETRY_WITHIN)
        .values_list("pk", flat=True)
    )
    return dispatch_alarms(list(ids[:200]))


def sweep() -> str:
    made, closed = sweep_pending(), sweep_closed_calls()
    return _("转为呼叫 %(made)s，呼叫办结回写 %(closed)s") % {"made": made, "closed": closed}
