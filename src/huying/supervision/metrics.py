"""The burden metrics of one year (精准监督的成效): assessments against last year and the −30%
target, tasks landing on each town per month, fields pre-filled versus typed and the hours
saved, warnings and their answers, cases and people held accountable, and a league of the
departments by the burden they push down.

Aggregates only, for the commission, leaders, the command centre and administrators. Every
figure is a grouped query, so the number of queries does not grow with the data.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear
from django.utils import timezone

from huying.core import clock
from huying.orgs.choices import OrgKind, Role
from huying.orgs.models import Org
from huying.supervision.choices import (
    TIMES_A_YEAR,
    AccountabilityLevel,
    AccountabilityMeasure,
    SubmissionStatus,
    TaskStatus,
    WarningStatus,
)
from huying.supervision.models import (
    AccountablePerson,
    Assessment,
    FormalismCase,
    Reminder,
    ReportingTask,
    Submission,
    TaskField,
    TaskFlag,
)

VIEWER_ROLES = frozenset({Role.SUPERVISOR, Role.LEADER, Role.OPERATOR, Role.ADMIN})
TARGET_CUT = 0.30  # the mission's target: assessments down 30% on the year before
LIVE_TASKS = (TaskStatus.REGISTERED, TaskStatus.CLOSED)  # only a registered task has standing
TOWN_KINDS = (OrgKind.TOWN, OrgKind.STREET)
MONTHS = range(1, 13)


def may_view(user) -> bool:
    return user.is_authenticated and user.role in VIEWER_ROLES


@dataclass
class Metrics:
    year: int
    assessments: dict = field(default_factory=dict)
    town_tasks: dict = field(default_factory=dict)
    filling: dict = field(default_factory=dict)
    reminders: dict = field(default_factory=dict)
    discipline: dict = field(default_factory=dict)
    league: list = field(default_factory=list)


def default_year() -> int:
    return timezone.localdate(clock.now()).year


def metrics(year: int | None = None) -> Metrics:
    year = year or default_year()
    return Metrics(
        year=year,
        assessments=assessments(year),
        town_tasks=town_tasks(year),
        filling=filling(year),
        reminders=reminders(year),
        discipline=discipline(year),
        league=league(year),
    )


# --- assessments -------------------------------------------------------------------------------


def counted_assessments():
    """Assessment rows, except those of a plan item merged into another: a merged item is
    absorbed by the one it was merged into, not counted again."""
    return Assessment.objects.filter(
        Q(plan_item__isnull=True) | Q(plan_item__merged_into__isnull=True)
    )


def assessments(year: int) -> dict:
    rows = (
        counted_assessments()
        .filter(launched_on__year__in=(year - 1, year))
        .annotate(y=ExtractYear("launched_on"), m=ExtractMonth("launched_on"))
        .values("y", "m")
        .annotate(n=Count("pk"))
    )
    by = defaultdict(lambda: [0] * 12)
    for row in rows:
        by[row["y"]][row["m"] - 1] += row["n"]
    this, last = by[year], by[year - 1]
    total, previous = sum(this), sum(last)
    target = round(previous * (1 - TARGET_CUT))
    change = None if previous == 0 else (total - previous) / previous
    unplanned = counted_assessments().filter(launched_on__year=year, unplanned=True).count()
    return {
        "this_year": total, "last_year": previous, "target": target, "change": change,
        "met": previous > 0 and total <= target, "unplanned": unplanned,
        "monthly_this": this, "monthly_last": last,
        "cumulative_this": _cumulative(this), "cumulative_last": _cumulative(last),
        "cumulative_target": [round(n * (1 - TARGET_CUT), 1) for n in _cumulative(last)],
    }  # fmt: skip


def _cumulative(values: list[int]) -> list[int]:
    out, running = [], 0
    for value in values:
        running += value
        out.append(running)
    return out


# --- tasks per town per month ------------------------------------------------------------------


def _month_span(task: dict, year: int) -> range:
    """The months of `year` the task is alive in (a one-off: its start month only)."""
    start, end = task["starts_on"], task["ends_on"]
    if task["frequency"] == "once":
        end = start
    if start.year > year or (end is not None and end.year < year):
        return range(0)
    first = start.month if start.year == year else 1
    last = end.month if end is not None and end.year == year else 12
    return range(first, last + 1)


def town_tasks(year: int) -> dict:
    """Live tasks per town per month; a task addressed to villages lands on their town."""
    through = ReportingTask.recipients.through
    rows = through.objects.filter(
        reportingtask__status__in=LIVE_TASKS, reportingtask__starts_on__year__lte=year
    ).values(
        "reportingtask_id", "org__kind", "org_id", "org__parent_id", "reportingtask__starts_on",
        "reportingtask__ends_on", "reportingtask__frequency",
    )  # fmt: skip
    landed = defaultdict(set)  # (town id, month) -> task ids
    for row in rows:
        town = row["org_id"] if row["org__kind"] in TOWN_KINDS else row["org__parent_id"]
        task = {
            "starts_on": row["reportingtask__starts_on"],
            "ends_on": row["reportingtask__ends_on"],
            "frequency": row["reportingtask__frequency"],
        }
        for month in _month_span(task, year):
            landed[(town, month)].add(row["reportingtask_id"])
    towns = list(Org.objects.filter(kind__in=TOWN_KINDS).order_by("sort_order", "path"))
    grid = [[len(landed.get((t.pk, m), ())) for m in MONTHS] for t in towns]
    return {
        "towns": [t.short_name or t.name for t in towns],
        "codes": [t.code for t in towns],
        "grid": grid,
        "peak": max((max(row) for row in grid), default=0),
    }


# --- filling in --------------------------------------------------------------------------------


def filling(year: int) -> dict:
    rows = (
        Submission.objects.filter(status=SubmissionStatus.SUBMITTED, submitted_at__year=year)
        .annotate(m=ExtractMonth("submitted_at"))
        .values("m")
        .annotate(
            pre=Sum("prefilled_fields"),
            typed=Sum("typed_fields"),
            minutes=Sum("minutes_saved"),
            n=Count("pk"),
        )
    )
    pre, typed, hours, count = [0] * 12, [0] * 12, [0.0] * 12, 0
    for row in rows:
        i = row["m"] - 1
        pre[i], typed[i] = row["pre"] or 0, row["typed"] or 0
        hours[i], count = round((row["minutes"] or 0) / 60, 1), count + row["n"]
    total_pre, total_typed = sum(pre), sum(typed)
    fields = total_pre + total_typed
    return {
        "submissions": count, "prefilled": total_pre, "typed": total_typed,
        "prefilled_share": None if fields == 0 else total_pre / fields,
        "hours_saved": round(sum(hours), 1),
        "monthly_prefilled": pre, "monthly_typed": typed, "monthly_hours": hours,
    }  # fmt: skip


# --- warnings ----------------------------------------------------------------------------------


def reminders(year: int) -> dict:
    today = timezone.localdate(clock.now())
    found = Reminder.objects.filter(raised_at__year=year).aggregate(
        raised=Count("pk"),
        open=Count("pk", filter=Q(status=WarningStatus.OPEN)),
        answered=Count("pk", filter=Q(status=WarningStatus.ANSWERED)),
        closed=Count("pk", filter=Q(status=WarningStatus.CLOSED)),
        overdue=Count("pk", filter=Q(status=WarningStatus.OPEN, answer_due__lt=today)),
        automatic=Count("pk", filter=Q(origin="automatic")),
    )
    found["answer_rate"] = (
        None if not found["raised"] else (found["answered"] + found["closed"]) / found["raised"]
    )
    return found


# --- discipline --------------------------------------------------------------------------------


def discipline(year: int) -> dict:
    cases = FormalismCase.objects.filter(opened_at__year=year).aggregate(
        cases=Count("pk"),
        concluded=Count("pk", filter=Q(status="concluded")),
        guiding=Count("pk", filter=Q(guiding_unit__isnull=False)),
    )
    people = AccountablePerson.objects.filter(decided_at__year=year)
    by_level = dict(people.values_list("level").annotate(n=Count("pk")))
    by_measure = dict(people.values_list("measure").annotate(n=Count("pk")))
    return {
        **cases,
        "people": sum(by_level.values()),
        "by_level": [(str(label), by_level.get(value, 0))
                     for value, label in AccountabilityLevel.choices],
        "by_measure": [(str(label), by_measure.get(value, 0))
                       for value, label in AccountabilityMeasure.choices],
    }  # fmt: skip


# --- the league of departments -----------------------------------------------------------------


def _count(model, **outer) -> Coalesce:
    rows = model.objects.filter(**{k: OuterRef(v) for k, v in outer.items()})
    counted = rows.order_by().values(next(iter(outer))).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def league(year: int) -> list[dict]:
    """Departments by the burden their live tasks of the year push down: for each task,
    recipients × times a year × fields; with the tasks and the checks' flags."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    tasks = (
        ReportingTask.objects.filter(status__in=LIVE_TASKS, starts_on__lte=end)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=start))
        .annotate(
            n_recipients=_count(ReportingTask.recipients.through, reportingtask_id="pk"),
            n_fields=_count(TaskField, task_id="pk"),
            n_flags=_count(TaskFlag, task_id="pk"),
        )
        .values("issuer_id", "issuer__name", "frequency", "n_recipients", "n_fields", "n_flags")
    )
    by = {}
    for t in tasks:
        row = by.setdefault(t["issuer_id"], {"name": t["issuer__name"], "tasks": 0,
                                             "burden": 0, "flags": 0, "recipients": 0})  # fmt: skip
        row["tasks"] += 1
        row["flags"] += t["n_flags"]
        row["recipients"] += t["n_recipients"]
        row["burden"] += t["n_recipients"] * TIMES_A_YEAR[t["frequency"]] * t["n_fields"]
    ranked = sorted(by.values(), key=lambda r: (-r["burden"], -r["flags"], r["name"]))
    for rank, row in enumerate(ranked, start=1):
        row["rank"] = rank
    return ranked
