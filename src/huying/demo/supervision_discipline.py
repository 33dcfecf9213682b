"""The demo year's warnings answered and closed, and this year's discipline figures: exactly
91 formalism cases and 167 people held accountable (synthetic names from Faker zh_CN), written
through supervision.reminders and supervision.cases, back-dated with the frozen clock. One
case is against the guiding unit of a task pushed down without guidance that failed."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone
from faker import Faker

from huying.calls.models import AccountabilityCase, Rating
from huying.core import clock
from huying.demo import district as facts
from huying.orgs.choices import OrgKind
from huying.orgs.models import Org, User
from huying.supervision import cases, reminders
from huying.supervision.choices import (
    AccountabilityLevel,
    AccountabilityMeasure,
    EvidenceKind,
    TaskStatus,
)
from huying.supervision.models import Assessment, Reminder, ReportingTask, TaskFlag

CASES, PEOPLE = 91, 167
# The six departments with a demo account (district.ACCOUNTS) issue the tasks and answer.
ISSUERS = {"cgj": "chengguan", "zjj": "zhujian", "ghj": "guihua", "swj": "shuiwu",
           "sthj": "huanjing", "yjj": "yingji"}  # fmt: skip


def at(day: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def spread(first: date, last: date, n: int) -> list[date]:
    span = max((last - first).days, 0)
    return [first + timedelta(days=span * i // max(n - 1, 1)) for i in range(n)]


def dept(suffix: str) -> Org:
    return Org.objects.get(code=facts.department_code(suffix))


# --- warnings ----------------------------------------------------------------------------------


def answer_reminders(today: date) -> None:
    """Units with a demo account answer their warnings; the commission closes most."""
    supervisor = User.objects.get(username="supervisor")
    for suffix in ISSUERS:
        unit = dept(suffix)
        with clock.frozen_at(at(date(today.year, 3, 2))):
            reminders.raise_reminder(
                supervisor,
                unit,
                "请说明本单位填表报数任务与共享数据重复的情况",
                flag_kind="already_shared",
            )
    user_of = {dept(s).pk: User.objects.get(username=u) for s, u in ISSUERS.items()}
    found = list(Reminder.objects.filter(unit_id__in=user_of).order_by("raised_at"))
    for n, reminder in enumerate(found):
        if n % 4 == 3:
            continue  # some stay open: the list shows them, overdue ones highlighted
        answered_on = min(reminder.answer_due, today)
        with clock.frozen_at(at(answered_on, 15)):
            reminders.answer(user_of[reminder.unit_id], reminder, "已核实，已整改并向基层说明")
        if n % 4 != 2:
            with clock.frozen_at(at(min(answered_on + timedelta(days=2), today), 10)):
                reminders.close(supervisor, reminder, "答复属实，予以办结")


# --- discipline ---------------------------------------------------------------------------------


def _evidence_pool(year: int) -> list[dict]:
    calls = AccountabilityCase.objects.values_list("call_id", flat=True).order_by("pk")[:40]
    found = [{"kind": EvidenceKind.OVERDUE_CALL, "call": c} for c in dict.fromkeys(calls)]
    perfunctory = Rating.objects.filter(perfunctory=True).values_list("call_id", flat=True)[:20]
    found += [{"kind": EvidenceKind.PERFUNCTORY_CALL, "call": c} for c in perfunctory]
    unplanned = Assessment.objects.filter(unplanned=True, launched_on__year=year)
    found += [
        {"kind": EvidenceKind.UNPLANNED_ASSESSMENT, "assessment": a}
        for a in unplanned.values_list("pk", flat=True)
    ]
    flagged = TaskFlag.objects.values_list("task_id", flat=True).distinct()
    return found + [{"kind": EvidenceKind.TASK, "task": t} for t in flagged]


PROBLEMS = [
    "对镇街呼叫超期未办结，推诿扯皮",
    "应付式响应，问题未实际解决",
    "计划外开展督查检查，增加基层负担",
    "重复要求基层填表报数",
    "层层加码、留痕过度，台账资料过多",
    "调研走过场，脱离实际",
]


def discipline(today: date, faker: Faker, rng) -> tuple[int, int]:
    supervisor = User.objects.get(username="supervisor")
    units = list(Org.objects.filter(kind=OrgKind.DEPARTMENT).order_by("path"))
    pool, days = (
        _evidence_pool(today.year),
        spread(date(today.year, 1, 8), today - timedelta(days=2), CASES - 1),
    )
    unguided = ReportingTask.objects.filter(guidance="", status=TaskStatus.REGISTERED).first()
    people = 0
    for n, day in enumerate(days):
        evidence = [pool[n % len(pool)]] if pool else [{"kind": "other", "note": "群众反映"}]
        with clock.frozen_at(at(day)):
            case = cases.open_case(
                supervisor, PROBLEMS[n % len(PROBLEMS)], units[n % len(units)], evidence
            )
        people += _hold_to_account(
            supervisor, case, 1 if n < CASES - 1 - (PEOPLE - CASES) else 2, day, today, faker, rng
        )
    with clock.frozen_at(at(today - timedelta(days=1) if today.day > 1 else today)):
        case = (
            cases.open_guidance_case(supervisor, unguided)
            if unguided
            else cases.open_case(supervisor, PROBLEMS[0], units[0])
        )
    people += _hold_to_account(
        supervisor, case, PEOPLE - people, today, today, faker, rng, conclude=False
    )
    return len(days) + 1, people


def _hold_to_account(supervisor, case, count, day, today, faker, rng, conclude=True) -> int:
    decided = min(day + timedelta(days=rng.randint(10, 40)), today)
    with clock.frozen_at(at(decided, 11)):
        for _n in range(count):
            cases.add_person(
                supervisor,
                case,
                {
                    "name": faker.name(),
                    "position": rng.choice(["科长", "副科长", "科员", "副局长", "中队长"]),
                    "level": rng.choice(
                        AccountabilityLevel.values[1:] * 3 + AccountabilityLevel.values[:1]
                    ),
                    "measure": rng.choice(
                        AccountabilityMeasure.values[:3] * 4 + AccountabilityMeasure.values[3:]
                    ),
                    "decided_at": decided,
                },
            )
        if conclude and decided < today - timedelta(days=10):
            cases.conclude(supervisor, case, "已核实，责令整改并对相关责任人员予以问责")
    return count
