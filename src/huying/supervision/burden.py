"""The burden checks of a reporting task: each finding carries the evidence shown to the issuer
and the discipline commission.

- frequency: asking more often than SUPERVISION_MAX_FREQUENCY (times a year, choices.TIMES_A_YEAR);
- overlap: SUPERVISION_OVERLAP_SHARE or more of the task's fields are equivalent
  (matching.equivalent) to fields of another active (registered, not ended) task: a merge
  proposal naming that task and the shared fields;
- town cap: in some month more than SUPERVISION_TOWN_MONTHLY_CAP registered tasks land on one
  town, this one included. A village recipient counts for its town; a task counts once per
  month it asks (daily, weekly and monthly every month, quarterly every third month from its
  start, yearly every twelfth, a one-off in its due month). Open-ended tasks are looked at over
  their first twelve months;
- already shared: a field the catalogue already holds (matching.Matcher), "read it instead".

The rules are pure functions of their inputs; `run_checks` gathers the inputs from the database.
"""

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from huying.core import clock
from huying.supervision.choices import TIMES_A_YEAR, FlagKind, Frequency, TaskStatus
from huying.supervision.models import ReportingTask

HORIZON_MONTHS = 12
EVERY_MONTH = {Frequency.DAILY, Frequency.WEEKLY, Frequency.MONTHLY}
STEP_MONTHS = {Frequency.QUARTERLY: 3, Frequency.YEARLY: 12}

Pair = tuple[str, str]  # a field's (name, meaning)
Month = tuple[int, int]


@dataclass(frozen=True)
class Finding:
    kind: str
    message: str
    evidence: dict
    field_index: int | None = None  # which of the task's fields (in order), for a field's flag
    other_task_id: int | None = None


@dataclass(frozen=True)
class OtherTask:
    pk: int
    code: str
    title: str
    issuer: str
    fields: Sequence[Pair] = field(default_factory=tuple)


# --- frequency -----------------------------------------------------------------------------------


def frequency_finding(frequency: str, policy: str) -> Finding | None:
    if TIMES_A_YEAR[frequency] <= TIMES_A_YEAR[policy]:
        return None
    labels = {"frequency": Frequency(frequency).label, "policy": Frequency(policy).label}
    return Finding(
        FlagKind.FREQUENCY,
        _("填报频次为“%(frequency)s”，高于政策上限“%(policy)s”") % labels,
        {
            "frequency": frequency,
            "policy": policy,
            "times_a_year": TIMES_A_YEAR[frequency],
            "policy_times_a_year": TIMES_A_YEAR[policy],
        },
    )


# --- overlap -------------------------------------------------------------------------------------


def overlap_findings(
    fields: Sequence[Pair],
    others: Iterable[OtherTask],
    share: float,
    equivalent: Callable[[Pair, Pair], bool],
) -> list[Finding]:
    if not fields:
        return []
    found = []
    for other in others:
        pairs = _shared_fields(fields, other.fields, equivalent)
        ratio = len(pairs) / len(fields)
        if ratio >= share:
            found.append(_overlap(other, pairs, ratio))
    return found


def _shared_fields(fields, other_fields, equivalent) -> list[dict]:
    pairs = []
    for name, meaning in fields:
        twin = next((o for o in other_fields if equivalent((name, meaning), o)), None)
        if twin is not None:
            pairs.append({"field": name, "other_field": twin[0]})
    return pairs


def _overlap(other: OtherTask, pairs: list[dict], ratio: float) -> Finding:
    names = {"title": other.title, "code": other.code, "share": f"{ratio:.0%}"}
    return Finding(
        FlagKind.OVERLAP,
        _("%(share)s 的字段与已登记任务“%(title)s”（%(code)s）相同，建议合并") % names,
        {
            "other_task_id": other.pk,
            "other_code": other.code,
            "other_title": other.title,
            "other_issuer": other.issuer,
            "share": round(ratio, 4),
            "shared_fields": pairs,
            "proposal": _("建议与“%(title)s”合并为一张表，或直接引用其已报数据") % names,
        },
        other_task_id=other.pk,
    )


# --- the town cap --------------------------------------------------------------------------------


def _add_months(month: Month, n: int) -> Month:
    index = month[0] * 12 + month[1] - 1 + n
    return index // 12, index % 12 + 1


def months_asked(
    frequency: str, starts_on: date, ends_on: date | None, due_date: date | None
) -> list[Month]:
    """The months a task asks in (the rule in the module's docstring)."""
    if frequency == Frequency.ONCE:
        day = due_date or starts_on
        return [(day.year, day.month)]
    first = (starts_on.year, starts_on.month)
    last = _add_months(first, HORIZON_MONTHS - 1)
    if ends_on is not None:
        last = min(last, (ends_on.year, ends_on.month))
    step = 1 if frequency in EVERY_MONTH else STEP_MONTHS[frequency]
    months, month = [], first
    while month <= last:
        months.append(month)
        month = _add_months(month, step)
    return months


def town_cap_finding(
    months: Sequence[Month],
    towns: Iterable[int],
    loads: Counter,
    cap: int,
    town_names: dict[int, str],
) -> Finding | None:
    """`loads[(town, month)]`: registered tasks landing there, this one not counted."""
    over = [
        {"town_id": t, "town": town_names.get(t, ""), "month": f"{y}-{m:02d}",
         "count": loads[(t, (y, m))] + 1}
        for t in sorted(set(towns)) for (y, m) in months
        if loads[(t, (y, m))] + 1 > cap
    ]  # fmt: skip
    if not over:
        return None
    worst = max(over, key=lambda o: o["count"])
    names = {"towns": len({o["town_id"] for o in over}), "cap": cap, **worst}
    return Finding(
        FlagKind.TOWN_CAP,
        _(
            "%(towns)s 个镇街的月度任务将超过 %(cap)s 项的上限（最多：%(town)s %(month)s 共 "
            "%(count)s 项）"
        )
        % names,
        {"cap": cap, "over": over},
    )


# --- already shared ------------------------------------------------------------------------------


def shared_findings(fields: Sequence[Pair], matches: Sequence) -> list[Finding]:
    """One finding for each field the catalogue holds (`matches` aligned with `fields`)."""
    found = []
    for index, ((name, _meaning), match) in enumerate(zip(fields, matches, strict=True)):
        if match is None:
            continue
        where = {"department": match.owner_name, "category": match.category_name}
        found.append(
            Finding(
                FlagKind.ALREADY_SHARED,
                _("已由%(department)s在%(category)s中共享：请直接调取") % where,
                {
                    "field": name,
                    "catalogue_field_id": match.field_id,
                    "category_id": match.category_id,
                    "category_code": match.category_code,
                    "category_name": match.category_name,
                    "owner_id": match.owner_id,
                    "owner_department": match.owner_name,
                    "label": match.label,
                    "meaning": match.meaning,
                    "score": round(float(match.score), 4),
                    "reason": match.reason,
                },
                field_index=index,
            )
        )
    return found


# --- gathering the inputs ------------------------------------------------------------------------


def active_tasks(exclude: int | None = None):
    """Registered tasks that have not ended (today, local)."""
    today = timezone.localdate(clock.now())
    tasks = ReportingTask.objects.filter(status=TaskStatus.REGISTERED).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today)
    )
    return tasks.exclude(pk=exclude) if exclude else tasks


def _others(task: ReportingTask) -> list[OtherTask]:
    rows = active_tasks(task.pk).select_related("issuer").prefetch_related("fields")
    return [
        OtherTask(t.pk, t.code, t.title, t.issuer.name,
                  tuple((f.name, f.meaning) for f in t.fields.all()))
        for t in rows
    ]  # fmt: skip


def town_of(org) -> int:
    return org.parent_id if org.is_village else org.pk


def recipient_towns(task: ReportingTask) -> set[int]:
    return {town_of(o) for o in task.recipients.all()}


def town_loads(months: Sequence[Month], exclude: int) -> Counter:
    """Registered tasks per (town, month) over `months`."""
    wanted, loads = set(months), Counter()
    rows = active_tasks(exclude).prefetch_related("recipients")
    for t in rows:
        asked = wanted.intersection(months_asked(t.frequency, t.starts_on, t.ends_on, t.due_date))
        for town in recipient_towns(t) if asked else ():
            for month in asked:
                loads[(town, month)] += 1
    return loads


def _town_cap(task: ReportingTask) -> Finding | None:
    from huying.orgs.models import Org

    months = months_asked(task.frequency, task.starts_on, task.ends_on, task.due_date)
    towns = recipient_towns(task)
    names = dict(Org.objects.filter(pk__in=towns).values_list("pk", "name"))
    loads = town_loads(months, task.pk)
    return town_cap_finding(months, towns, loads, settings.SUPERVISION_TOWN_MONTHLY_CAP, names)


def run_checks(task: ReportingTask, fields: Sequence[Pair]) -> list[Finding]:
    """Every check's findings for `task` whose fields, in order, are `fields`."""
    from huying.supervision import matching  # S1's module: the catalogue and field similarity

    found = [
        frequency_finding(task.frequency, settings.SUPERVISION_MAX_FREQUENCY),
        _town_cap(task),
    ]
    found += overlap_findings(
        fields, _others(task), settings.SUPERVISION_OVERLAP_SHARE, matching.equivalent
    )
    found += shared_findings(fields, matching.Matcher.for_catalogue().match(fields))
    return [f for f in found if f is not None]
