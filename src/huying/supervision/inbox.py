"""A town's or village's one inbox (统一填报入口): every registered task addressed to it, each
period with its due date and state, due-this-week first, and a month calendar.

A task that is not registered has no standing and never appears. A town's inbox holds the
tasks addressed to the town and to its own villages (it answers for them); a village's holds
only what is addressed to the village. The commission, leaders and operators open any unit's.

Periods and due dates (pure functions of the task and a day):
- daily: each day, due that day;
- weekly: Monday to Sunday, due on weekday `due_day` (1 = Monday; default Friday);
- monthly / quarterly / yearly: due on day `due_day` (default the last day, clamped to the
  month's length) of the period's last month;
- once: one period starting on `starts_on`, due on `due_date`.
"""

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from huying.orgs.models import Org
from huying.supervision.choices import Frequency, SubmissionStatus, TaskStatus
from huying.supervision.models import ReportingTask, Submission

PENDING, SUBMITTED, OVERDUE = "pending", "submitted", "overdue"
STATE_LABELS = {
    PENDING: gettext_lazy("待填报"),
    SUBMITTED: gettext_lazy("已报送"),
    OVERDUE: gettext_lazy("逾期"),
}
_MONTHS_IN = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.YEARLY: 12}


# --- periods (pure) ----------------------------------------------------------------------------


def period_start(task: ReportingTask, day: date) -> date:
    """The first day of the period `day` falls in."""
    if task.frequency == Frequency.ONCE:
        return task.starts_on
    if task.frequency == Frequency.DAILY:
        return day
    if task.frequency == Frequency.WEEKLY:
        return day - timedelta(days=day.weekday())
    months = _MONTHS_IN[task.frequency]
    return date(day.year, (day.month - 1) // months * months + 1, 1)


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    return date(day.year + index // 12, index % 12 + 1, 1)


def next_period(task: ReportingTask, start: date) -> date:
    if task.frequency == Frequency.DAILY:
        return start + timedelta(days=1)
    if task.frequency == Frequency.WEEKLY:
        return start + timedelta(days=7)
    return _add_months(start, _MONTHS_IN[task.frequency])


def due_on(task: ReportingTask, start: date) -> date:
    """The due date of the period that starts on `start`."""
    if task.frequency == Frequency.ONCE:
        return task.due_date or task.starts_on
    if task.frequency == Frequency.DAILY:
        return start
    if task.frequency == Frequency.WEEKLY:
        weekday = min(max(task.due_day or 5, 1), 7)
        return start + timedelta(days=weekday - 1)
    last_month = _add_months(start, _MONTHS_IN[task.frequency] - 1)
    length = calendar.monthrange(last_month.year, last_month.month)[1]
    return last_month.replace(day=min(task.due_day or length, length))


def periods_between(task: ReportingTask, first: date, last: date) -> Iterator[tuple[date, date]]:
    """(period start, due date) of each period whose due date falls in [first, last] and
    inside the task's life."""
    if task.frequency == Frequency.ONCE:
        due = due_on(task, task.starts_on)
        if first <= due <= last:
            yield task.starts_on, due
        return
    start = period_start(task, max(first - timedelta(days=366), task.starts_on))
    while start <= last:
        due = due_on(task, start)
        # a period already due when the task starts is not asked for
        alive = due >= task.starts_on and (task.ends_on is None or start <= task.ends_on)
        if alive and first <= due <= last:
            yield start, due
        start = next_period(task, start)


def state_of(submission: Submission | None, due: date, today: date) -> str:
    if submission is not None and submission.status == SubmissionStatus.SUBMITTED:
        return SUBMITTED
    return OVERDUE if due < today else PENDING


# --- whose inbox -------------------------------------------------------------------------------


def inbox_orgs(org: Org) -> QuerySet[Org]:
    """The units whose demands land in `org`'s inbox: itself, and a town's own villages."""
    if org.is_village:
        return Org.objects.filter(pk=org.pk)
    return Org.objects.filter(path__startswith=org.path)


def may_open(user, org: Org) -> bool:
    """A unit's inbox is its own (a town also opens its villages'); the district roles see
    every unit's."""
    if user.sees_whole_district:
        return True
    return user.org_id is not None and org.path.startswith(user.org.path)


def inbox_tasks(org: Org) -> QuerySet[ReportingTask]:
    return (
        ReportingTask.objects.filter(status=TaskStatus.REGISTERED, recipients__in=inbox_orgs(org))
        .distinct()
        .select_related("issuer")
        .prefetch_related("recipients")
    )


@dataclass(frozen=True)
class Entry:
    """One period of one task for one recipient unit."""

    task: ReportingTask
    org: Org
    period: date
    due: date
    state: str
    submission: Submission | None

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])


def entries(org: Org, first: date, last: date, today: date) -> list[Entry]:
    """Every period due in [first, last] of every registered task on `org`, by due date."""
    units = set(inbox_orgs(org).values_list("pk", flat=True))
    tasks = list(inbox_tasks(org))
    submissions = {
        (s.task_id, s.org_id, s.period): s
        for s in Submission.objects.filter(task__in=tasks, org_id__in=units)
    }
    out = []
    for task in tasks:
        for recipient in (r for r in task.recipients.all() if r.pk in units):
            for start, due in periods_between(task, first, last):
                found = submissions.get((task.pk, recipient.pk, start))
                out.append(Entry(task, recipient, start, due, state_of(found, due, today), found))
    return sorted(out, key=lambda e: (e.due, e.task.code, e.org.path))


def week_of(today: date) -> tuple[date, date]:
    monday = today - timedelta(days=today.weekday())
    return monday, monday + timedelta(days=6)


def due_this_week(org: Org, today: date) -> list[Entry]:
    """This week's periods, and every earlier one still not sent (overdue comes first)."""
    monday, sunday = week_of(today)
    earlier = [
        e for e in entries(org, monday - timedelta(days=92), monday - timedelta(days=1), today)
        if e.state == OVERDUE
    ]  # fmt: skip
    return earlier + entries(org, monday, sunday, today)


# --- the month calendar ------------------------------------------------------------------------


@dataclass(frozen=True)
class Day:
    day: date
    in_month: bool
    is_today: bool
    entries: tuple[Entry, ...]


def month_grid(org: Org, year: int, month: int, today: date) -> list[list[Day]]:
    """Weeks (Monday first) covering the month, each day with what falls due on it."""
    weeks = calendar.Calendar().monthdatescalendar(year, month)
    found = entries(org, weeks[0][0], weeks[-1][-1], today)
    by_day: dict[date, list[Entry]] = {}
    for entry in found:
        by_day.setdefault(entry.due, []).append(entry)
    return [
        [Day(d, d.month == month, d == today, tuple(by_day.get(d, ()))) for d in week]
        for week in weeks
    ]


def shift_month(year: int, month: int, by: int) -> tuple[int, int]:
    moved = _add_months(date(year, month, 1), by)
    return moved.year, moved.month


def progress(task: ReportingTask, today: date, months: int = 3) -> list[tuple[Org, list[Entry]]]:
    """Each recipient's periods due from `months` back to a month ahead, with their state
    (the issuer's view of who has sent what)."""
    first, last = today - timedelta(days=31 * months), today + timedelta(days=31)
    recipients = list(task.recipients.all())
    sent = {
        (s.org_id, s.period): s for s in Submission.objects.filter(task=task, org__in=recipients)
    }
    periods = list(periods_between(task, first, last))
    return [
        (org, [Entry(task, org, start, due, state_of(sent.get((org.pk, start)), due, today),
                     sent.get((org.pk, start))) for start, due in periods])
        for org in recipients
    ]  # fmt: skip
