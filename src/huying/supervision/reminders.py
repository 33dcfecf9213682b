"""Warnings (提醒) from the discipline commission to a unit: raised automatically by the burden
checks (actor None) or by hand by the commission; the unit answers within
SUPERVISION_ANSWER_WORKING_DAYS working days; the commission closes it after the answer.

open -> answered -> closed. Each step is one transaction with an audit row; the state change
is a compare-and-swap, so two answers racing give one answer and one 409 naming the state.
People are told in the same transaction (notify.services queues outside channels).
"""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from huying.core import audit, clock, workdays
from huying.core.errors import Conflict, Forbidden, Invalid
from huying.notify.services import Notice, notify_many
from huying.orgs.choices import OrgKind, Role
from huying.orgs.models import Org, User
from huying.supervision.choices import FlagKind, WarningOrigin, WarningStatus
from huying.supervision.models import Reminder

STAFF = (Role.RESPONDER, Role.DEPARTMENT_HEAD)
TEXT_MAX = 2000


def answer_due(raised_at: datetime, working_days: int) -> date:
    """The local date of the last working day to answer (the N-th after the day raised)."""
    end = workdays.add_working_days(raised_at, working_days)  # midnight after that day
    return timezone.localtime(end - timedelta(seconds=1)).date()


def _text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise Invalid(message, field=field)
    return value[:TEXT_MAX]


def _state(reminder: Reminder) -> dict:
    return {
        "status": reminder.status,
        "answer_due": reminder.answer_due,
        "answered_at": reminder.answered_at,
        "closed_at": reminder.closed_at,
    }


def _unit_users(unit_id: int) -> QuerySet[User]:
    kind = Org.objects.filter(pk=unit_id).values_list("kind", flat=True).first()
    roles = STAFF if kind == OrgKind.DEPARTMENT else (Role.CALLER,)
    return User.objects.filter(org_id=unit_id, role__in=roles)


def _tell(users, reminder: Reminder, title: str) -> None:
    notify_many(
        [
            Notice(
                users,
                kind=f"supervision.reminder_{reminder.status}",
                title=title,
                body=reminder.text[:500],
                link=f"/supervision/reminders/{reminder.pk}/",
            )
        ]
    )


@transaction.atomic
def raise_reminder(
    actor: User | None,
    unit: Org,
    text: str,
    *,
    flag_kind: str = "",
    task=None,
    assessment=None,
) -> Reminder:
    """Warn `unit`. None as actor: raised by the checks; otherwise the commission by hand."""
    if actor is not None and actor.role != Role.SUPERVISOR:
        raise Forbidden(_("只有纪委监委可以发出提醒"), field="actor")
    if flag_kind and flag_kind not in FlagKind.values:
        raise Invalid(_("问题类型不是可选的值"), field="flag_kind")
    text = _text(text, "text", _("请填写提醒内容"))
    now = clock.now()
    reminder = Reminder.objects.create(
        unit=unit,
        origin=WarningOrigin.AUTOMATIC if actor is None else WarningOrigin.MANUAL,
        flag_kind=flag_kind,
        task=task,
        assessment=assessment,
        text=text,
        raised_by=actor,
        raised_at=now,
        answer_due=answer_due(now, settings.SUPERVISION_ANSWER_WORKING_DAYS),
    )
    audit.record(
        "supervision.reminder_raised", actor=actor, obj=reminder, after=_state(reminder),
        reason=text[:300],
    )  # fmt: skip
    _tell(_unit_users(unit.pk), reminder, _("纪委监委提醒，请按期答复"))
    return reminder


def _move(reminder: Reminder, frm: str, verb: str, **changes) -> Reminder:
    """Compare-and-swap from `frm`; a 409 naming the current state otherwise."""
    if not Reminder.objects.filter(pk=reminder.pk, status=frm).update(**changes):
        reminder.refresh_from_db()
        raise Conflict(
            _("该提醒当前为“%(state)s”，不能%(verb)s")
            % {"state": reminder.get_status_display(), "verb": verb},
            field="status",
        )
    before = _state(reminder)
    reminder.refresh_from_db()
    return before


@transaction.atomic
def answer(actor: User, reminder: Reminder, text: str) -> Reminder:
    """A user of the warned unit answers it."""
    if actor.org_id != reminder.unit_id:
        raise Forbidden(_("只有被提醒单位可以答复"), field="actor")
    text = _text(text, "text", _("请填写答复内容"))
    before = _move(
        reminder, WarningStatus.OPEN, _("答复"),
        status=WarningStatus.ANSWERED, answer=text, answered_by=actor, answered_at=clock.now(),
    )  # fmt: skip
    audit.record(
        "supervision.reminder_answered", actor=actor, obj=reminder, before=before,
        after=_state(reminder), reason=text[:300],
    )  # fmt: skip
    supervisors = User.objects.filter(role=Role.SUPERVISOR)
    if reminder.raised_by_id:  # the one who raised it first; the whole commission for the checks
        supervisors = supervisors.filter(pk=reminder.raised_by_id)
    _tell(supervisors, reminder, _("被提醒单位已答复"))
    return reminder


@transaction.atomic
def close(actor: User, reminder: Reminder, note: str = "") -> Reminder:
    """The commission closes an answered warning."""
    if actor.role != Role.SUPERVISOR:
        raise Forbidden(_("只有纪委监委可以办结提醒"), field="actor")
    note = (note or "").strip()[:300]
    before = _move(
        reminder, WarningStatus.ANSWERED, _("办结"),
        status=WarningStatus.CLOSED, closed_at=clock.now(), close_note=note,
    )  # fmt: skip
    audit.record(
        "supervision.reminder_closed", actor=actor, obj=reminder, before=before,
        after=_state(reminder), reason=note,
    )  # fmt: skip
    _tell(_unit_users(reminder.unit_id), reminder, _("提醒已办结"))
    return reminder
