"""Escalation of unacknowledged alarms: the site (enterprise or station) first, then the town
after rule.escalate_town_minutes, then the district department after
rule.escalate_district_minutes (both counted from the raise; a district time not after the
town's escalates on the sweep after it).

`Alarm.escalate_at` is the one column this sweep reads (set on raise, moved on each step,
emptied on acknowledge or clear). Each step is a compare-and-swap on (id, escalation, status):
two sweeps at once escalate an alarm once, and only the winner writes the ESCALATED event and
tells the next level.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from huying.core import clock
from huying.orgs.choices import Role
from huying.orgs.models import User
from huying.sensing import alarms
from huying.sensing.choices import AlarmEventKind, AlarmStatus, EscalationLevel
from huying.sensing.models import Alarm, AlarmEvent

BATCH = 500


@dataclass
class Report:
    to_town: int = 0
    to_district: int = 0

    def __str__(self) -> str:
        return _("上报镇街 %(town)s，上报区直部门 %(district)s") % {
            "town": self.to_town,
            "district": self.to_district,
        }


def next_step(alarm: Alarm) -> tuple[int, datetime | None]:
    """Where an unacknowledged alarm goes next, and when the step after that is due."""
    if alarm.escalation == EscalationLevel.SITE:
        due = alarm.raised_at + timedelta(minutes=alarm.rule.escalate_district_minutes)
        return EscalationLevel.TOWN, due
    return EscalationLevel.DISTRICT, None


def sweep(now: datetime | None = None) -> Report:
    now = now or clock.now()
    report = Report()
    due = (
        Alarm.objects.select_related("rule", "device")
        .filter(status=AlarmStatus.ACTIVE, escalate_at__lte=now)
        .order_by("escalate_at")[:BATCH]
    )
    for alarm in due:
        if _escalate(alarm, now):
            if alarm.escalation == EscalationLevel.TOWN:
                report.to_town += 1
            else:
                report.to_district += 1
    return report


def _escalate(alarm: Alarm, now: datetime) -> bool:
    if alarm.escalation >= EscalationLevel.DISTRICT:
        return False
    level, due = next_step(alarm)
    with transaction.atomic():
        won = Alarm.objects.filter(
            pk=alarm.pk, escalation=alarm.escalation, status=AlarmStatus.ACTIVE
        ).update(escalation=level, escalate_at=due)
        if not won:
            return False
        alarm.escalation, alarm.escalate_at = level, due
        label = EscalationLevel(level).label
        AlarmEvent.objects.create(
            alarm=alarm,
            kind=AlarmEventKind.ESCALATED,
            at=now,
            note=_("上报%(level)s") % {"level": label},
        )
        alarms.announce([alarm], AlarmEventKind.ESCALATED, extra=_next_level_people(alarm, level))
    return True


def _next_level_people(alarm: Alarm, level: int) -> list[User]:
    """Town: its cadres are told on every notice already. District: the department head and
    the command centre on duty."""
    if level != EscalationLevel.DISTRICT:
        return []
    return list(
        User.objects.filter(role=Role.OPERATOR)
        | User.objects.filter(org_id=alarm.device.department_id, role=Role.DEPARTMENT_HEAD)
    )
