"""Reads of reporting tasks and warnings, always through the user's scope.

Tasks: a department sees the tasks it issued (drafts included); a town sees the registered
(or since closed) tasks addressed to it or to any of its villages, a village those addressed
to itself: an unregistered task has no standing with them; the commission, leaders, the
command centre and administrators see all. Warnings: the warned unit sees its own, the
district-wide roles all. Anyone else: 404.
"""

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from huying.core.scoping import get_visible_or_404, scope_for
from huying.orgs.choices import OrgKind
from huying.orgs.models import User
from huying.supervision.choices import TaskStatus
from huying.supervision.models import Reminder, ReportingTask, TaskField, TaskFlag

STANDING = (TaskStatus.REGISTERED, TaskStatus.CLOSED)


def tasks_visible_to(user: User) -> QuerySet[ReportingTask]:
    tasks = ReportingTask.objects.all()
    scope = scope_for(user)
    if scope.whole_district:
        return tasks
    org = user.org if scope.path_prefix else None
    if org is not None and org.kind == OrgKind.DEPARTMENT:
        return tasks.filter(issuer_id=org.pk)
    if org is not None and (org.is_town or org.is_village):
        addressed = ReportingTask.recipients.through.objects.filter(
            org__path__startswith=org.path
        ).values("reportingtask_id")
        return tasks.filter(status__in=STANDING, pk__in=addressed)
    return tasks.none()


@dataclass(frozen=True)
class TaskFilter:
    status: str | None = None
    frequency: str | None = None
    issuer: int | None = None
    recipient: int | None = None
    q: str | None = None


def task_list(user: User, wanted: TaskFilter) -> QuerySet[ReportingTask]:
    q = Q()
    if wanted.status:
        q &= Q(status=wanted.status)
    if wanted.frequency:
        q &= Q(frequency=wanted.frequency)
    if wanted.issuer:
        q &= Q(issuer_id=wanted.issuer)
    if wanted.recipient:
        q &= Q(pk__in=ReportingTask.recipients.through.objects.filter(
            org_id=wanted.recipient).values("reportingtask_id"))  # fmt: skip
    if wanted.q:
        q &= Q(title__icontains=wanted.q) | Q(code__icontains=wanted.q)
    return (
        tasks_visible_to(user)
        .filter(q)
        .select_related("issuer")
        .prefetch_related("recipients")
        .order_by("-created_at", "-pk")
    )


def task_detail(user: User, task_id: int) -> ReportingTask:
    visible = (
        tasks_visible_to(user)
        .select_related("issuer", "created_by")
        .prefetch_related(
            "recipients",
            Prefetch("fields", TaskField.objects.select_related("shared_field").order_by("order")),
            Prefetch("flags", TaskFlag.objects.select_related("field").order_by("kind", "pk")),
        )
    )
    return get_visible_or_404(visible, user, pk=task_id)


def flag_for_issuer(user: User, flag_id: int) -> TaskFlag:
    """A flag of a task the user sees (justifying it is the issuer's: tasks.justify checks)."""
    visible = TaskFlag.objects.filter(task__in=tasks_visible_to(user)).select_related("task")
    return get_visible_or_404(visible, user, pk=flag_id)


# --- warnings ------------------------------------------------------------------------------------


def reminders_visible_to(user: User) -> QuerySet[Reminder]:
    scope = scope_for(user)
    if scope.whole_district:
        return Reminder.objects.all()
    if scope.path_prefix is None:
        return Reminder.objects.none()
    return Reminder.objects.filter(unit_id=user.org_id)


@dataclass(frozen=True)
class ReminderFilter:
    status: str | None = None
    unit: int | None = None
    flag_kind: str | None = None
    task: int | None = None


def reminder_list(user: User, wanted: ReminderFilter) -> QuerySet[Reminder]:
    q = Q()
    for name in ("status", "flag_kind"):
        if getattr(wanted, name):
            q &= Q(**{name: getattr(wanted, name)})
    if wanted.unit:
        q &= Q(unit_id=wanted.unit)
    if wanted.task:
        q &= Q(task_id=wanted.task)
    return (
        reminders_visible_to(user)
        .filter(q)
        .select_related("unit", "task", "raised_by", "answered_by")
        .order_by("-raised_at", "-pk")
    )


def reminder_detail(user: User, reminder_id: int) -> Reminder:
    visible = reminders_visible_to(user).select_related("unit", "task", "raised_by", "answered_by")
    return get_visible_or_404(visible, user, pk=reminder_id)
