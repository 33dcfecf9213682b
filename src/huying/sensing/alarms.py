"""Every change of an alarm: raise (or repeat), raise the level, acknowledge, clear.

One open alarm per rule and device (a partial unique index holds it): a raise for a pair that
already has one repeats it. Every change is an AlarmEvent; people are told in the same
transaction (notify.services), the automatic steps in bulk for a whole batch. The steps people
take (acknowledge, clear) are also written to the audit log.

Who is told: on a raise the device's responsible department (its staff) and the town where it
happened (its cadres); the enterprise's safety contact is not a user of the platform.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from huying.core import audit, clock
from huying.core.errors import Conflict
from huying.notify.services import Notice, notify_many
from huying.orgs.choices import Role
from huying.orgs.models import User
from huying.sensing.choices import AlarmEventKind, AlarmStatus, EscalationLevel
from huying.sensing.models import Alarm, AlarmEvent, Device, Rule

OPEN = ~Q(status=AlarmStatus.CLEARED)
STAFF = (Role.RESPONDER, Role.DEPARTMENT_HEAD)


@dataclass
class Finding:
    """A condition met for (rule, device): raise an alarm or repeat the open one."""

    rule_id: int
    device_id: int
    severity: int
    parameter: str
    value: float | None
    received_at: datetime | None = None
    repeats: int = 0  # further readings in the same batch that still met it
    note: str = ""


@dataclass
class Repeat:
    alarm_id: int
    count: int
    value: float | None
    severity: int  # the highest (lowest number) the readings called for
    rose: bool = False  # severity went up: a RAISED_LEVEL event


# --- automatic steps (the rules engine, the sweeps) ------------------------------------------


def raise_many(findings: Sequence[Finding], now: datetime | None = None) -> list[Alarm]:
    """Open an alarm for each finding, or repeat the one already open; returns the new ones
    (with rule and device loaded). Call inside a transaction."""
    if not findings:
        return []
    now = now or clock.now()
    open_now = open_by_pair({(f.rule_id, f.device_id) for f in findings})
    fresh = [f for f in findings if (f.rule_id, f.device_id) not in open_now]
    repeat_many(
        [
            Repeat(
                open_now[key].pk,
                f.repeats + 1,
                f.value,
                f.severity,
                f.severity < open_now[key].severity,
            )
            for f in findings
            if (key := (f.rule_id, f.device_id)) in open_now
        ],
        now,
    )
    if not fresh:
        return []
    rules = Rule.objects.in_bulk({f.rule_id for f in fresh})
    devices = Device.objects.select_related("town", "department").in_bulk(
        {f.device_id for f in fresh}
    )
    alarms = [_new_alarm(f, rules[f.rule_id], devices[f.device_id], now) for f in fresh]
    Alarm.objects.bulk_create(alarms, ignore_conflicts=True)
    # Read back: ids, and a racing process's insert shows up as already open (not ours).
    stored = open_by_pair({(a.rule_id, a.device_id) for a in alarms})
    ours = []
    for alarm, finding in zip(alarms, fresh, strict=True):
        row = stored.get((alarm.rule_id, alarm.device_id))
        if row is not None and row.raised_at == now and row.repeats == alarm.repeats:
            alarm.pk = row.pk
            ours.append((alarm, finding.note))
    AlarmEvent.objects.bulk_create(
        AlarmEvent(alarm=a, kind=AlarmEventKind.RAISED, at=now, note=note[:300]) for a, note in ours
    )
    new = [alarm for alarm, _note in ours]
    announce(new, AlarmEventKind.RAISED)
    return new


def _new_alarm(finding: Finding, rule: Rule, device: Device, now: datetime) -> Alarm:
    return Alarm(
        rule=rule,
        device=device,
        status=AlarmStatus.ACTIVE,
        severity=finding.severity,
        title=title_of(rule, device, finding.value),
        parameter=finding.parameter,
        value=finding.value,
        raised_at=now,
        last_seen_at=now,
        repeats=finding.repeats,
        received_at=finding.received_at,
        escalation=EscalationLevel.SITE,
        escalate_at=now + timedelta(minutes=rule.escalate_town_minutes),
    )


def title_of(rule: Rule, device: Device, value: float | None) -> str:
    shown = "" if value is None else _("（%(value)s）") % {"value": f"{value:g}"}
    return f"{device.name}：{rule.name}{shown}"[:200]


def open_by_pair(pairs: set[tuple[int, int]]) -> dict[tuple[int, int], Alarm]:
    if not pairs:
        return {}
    rules, devices = {r for r, _ in pairs}, {d for _, d in pairs}
    rows = Alarm.objects.filter(OPEN, rule_id__in=rules, device_id__in=devices)
    return {(a.rule_id, a.device_id): a for a in rows if (a.rule_id, a.device_id) in pairs}


def repeat_many(repeats: Sequence[Repeat], now: datetime | None = None) -> None:
    """Count further readings on open alarms: one UPDATE for the plain repeats, one for those
    whose severity rose (with a RAISED_LEVEL event each)."""
    if not repeats:
        return
    now = now or clock.now()
    plain = [_repeated(r, now) for r in repeats if not r.rose]
    rose = [r for r in repeats if r.rose]
    if plain:
        Alarm.objects.bulk_update(plain, ["last_seen_at", "value", "repeats"])
    if not rose:
        return
    Alarm.objects.bulk_update(
        [_repeated(r, now) for r in rose], ["last_seen_at", "value", "repeats", "severity"]
    )
    AlarmEvent.objects.bulk_create(
        AlarmEvent(
            alarm_id=r.alarm_id, kind=AlarmEventKind.RAISED_LEVEL, at=now, note=_("级别提高")
        )
        for r in rose
    )
    risen = Alarm.objects.select_related("device").filter(pk__in=[r.alarm_id for r in rose])
    announce(risen, AlarmEventKind.RAISED_LEVEL)


def _repeated(repeat: Repeat, now: datetime) -> Alarm:
    row = Alarm(pk=repeat.alarm_id, last_seen_at=now, value=repeat.value, severity=repeat.severity)
    row.repeats = F("repeats") + repeat.count
    return row


def clear_many(alarm_ids: Iterable[int], note: str, now: datetime | None = None) -> list[int]:
    """Auto-clear (no actor): the condition is gone. Compare-and-swap on the status, so an
    alarm someone cleared meanwhile is not cleared twice. Returns the ids cleared here."""
    ids = sorted(set(alarm_ids))
    if not ids:
        return []
    now = now or clock.now()
    still_open = list(Alarm.objects.filter(OPEN, pk__in=ids).values_list("pk", flat=True))
    Alarm.objects.filter(OPEN, pk__in=still_open).update(
        status=AlarmStatus.CLEARED, cleared_at=now, escalate_at=None
    )
    AlarmEvent.objects.bulk_create(
        AlarmEvent(alarm_id=pk, kind=AlarmEventKind.CLEARED, at=now, note=note[:300])
        for pk in still_open
    )
    return still_open


# --- steps people take --------------------------------------------------------------------------


@transaction.atomic
def acknowledge(actor: User, alarm: Alarm, note: str = "") -> Alarm:
    """Someone has seen it and is on it: escalation stops."""
    now = clock.now()
    changed = Alarm.objects.filter(pk=alarm.pk, status=AlarmStatus.ACTIVE).update(
        status=AlarmStatus.ACKNOWLEDGED,
        acknowledged_at=now,
        acknowledged_by=actor,
        escalate_at=None,
    )
    if not changed:
        raise Conflict(_("该告警已确认或已解除"), field="status")
    return _after_human(
        actor, alarm, AlarmEventKind.ACKNOWLEDGED, note, now, "sensing.alarm_acknowledged"
    )


@transaction.atomic
def clear(actor: User | None, alarm: Alarm, note: str = "") -> Alarm:
    """Clear an open alarm by hand (actor) or because its cause is gone (None)."""
    now = clock.now()
    changed = Alarm.objects.filter(OPEN, pk=alarm.pk).update(
        status=AlarmStatus.CLEARED, cleared_at=now, escalate_at=None
    )
    if not changed:
        raise Conflict(_("该告警已解除"), field="status")
    if actor is None:
        AlarmEvent.objects.create(alarm=alarm, kind=AlarmEventKind.CLEARED, at=now, note=note[:300])
        alarm.refresh_from_db()
        return alarm
    return _after_human(actor, alarm, AlarmEventKind.CLEARED, note, now, "sensing.alarm_cleared")


def _after_human(actor, alarm, kind, note, now, action) -> Alarm:
    before = alarm.status
    AlarmEvent.objects.create(alarm=alarm, kind=kind, at=now, actor=actor, note=note[:300])
    alarm.refresh_from_db()
    audit.record(
        action,
        actor=actor,
        obj=alarm,
        object_repr=alarm.title,
        before={"status": before},
        after={"status": alarm.status},
        reason=note[:300],
    )
    changed_risk(alarm)
    return alarm


def changed_risk(alarm: Alarm) -> None:
    from huying.sensing import risk  # risk reads alarms: imported late to keep one direction

    transaction.on_commit(lambda: risk.recompute_for_devices([alarm.device_id]))


# --- who is told --------------------------------------------------------------------------------


def _department_staff(department_ids: set[int]) -> dict[int, list[User]]:
    found: dict[int, list[User]] = {d: [] for d in department_ids}
    for user in User.objects.filter(org_id__in=department_ids, role__in=STAFF).order_by("pk"):
        found[user.org_id].append(user)
    return found


def _town_cadres(town_ids: set[int]) -> dict[int, list[User]]:
    found: dict[int, list[User]] = {t: [] for t in town_ids}
    for user in User.objects.filter(org_id__in=town_ids, role=Role.CALLER).order_by("pk"):
        found[user.org_id].append(user)
    return found


EVENT_TITLES = {
    AlarmEventKind.RAISED: gettext_lazy("感知告警"),
    AlarmEventKind.RAISED_LEVEL: gettext_lazy("告警级别提高"),
    AlarmEventKind.ESCALATED: gettext_lazy("告警未确认，已上报"),
}


def announce(alarms: Iterable[Alarm], kind: str, *, extra: Iterable[User] = ()) -> None:
    """Tell the device's department and the town about alarms (one query per audience)."""
    alarms = list(alarms)
    if not alarms:
        return
    staff = _department_staff({a.device.department_id for a in alarms})
    cadres = _town_cadres({a.device.town_id for a in alarms})
    extra = list(extra)
    notify_many(
        [
            Notice(
                [*staff[a.device.department_id], *cadres[a.device.town_id], *extra],
                kind=f"sensing.{kind}",
                title=str(EVENT_TITLES.get(kind, EVENT_TITLES[AlarmEventKind.RAISED])),
                body=a.title,
                link=f"/sensing/alarms/{a.pk}/",
            )
            for a in alarms
        ]
    )
