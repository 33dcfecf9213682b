"""The demo district's year of supervision (精准监督): last year's inspection plans and about 100
assessments, this year's plans and about 70 (about −30%), with 城市管理综合考评 merged into
创建文明城市考核; reporting tasks, some asking for fields the catalogue already shares; the
towns' submissions; warnings with answers; and this year's discipline figures: 91 formalism
cases and 167 people held accountable (synthetic names).

Everything goes through the supervision services (tasks, plans, assessments, merges,
reminders, cases), back-dated with the frozen clock, so the audit log and the warnings are
what real use would leave. Submissions are the one exception (see `_submissions`).
Idempotent: a district that has this year's demo merge already is left as it is.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from faker import Faker

from huying.core import clock
from huying.datahub.models import CategoryField
from huying.demo import district as facts
from huying.demo import supervision_discipline
from huying.demo.supervision_discipline import ISSUERS, at, dept, spread
from huying.orgs.choices import OrgKind
from huying.orgs.models import Org, User
from huying.supervision import assessments, inbox, merges, plans, tasks
from huying.supervision.choices import (
    InspectionKind,
    SubmissionStatus,
    TaskStatus,
)
from huying.supervision.models import (
    Merge,
    PlanItem,
    ReportingTask,
    Submission,
    TaskFlag,
)

SEED = 20261126
LAST_YEAR_ASSESSMENTS, THIS_YEAR_ASSESSMENTS, UNPLANNED = 100, 70, (10, 6)
KEPT, MERGED = "创建文明城市考核", "城市管理综合考评"
PLAN_DEPARTMENTS = ["cgj", "zjj", "ghj", "swj", "sthj", "yjj", "scjgj", "wjj", "jyj", "mzj"]
ITEM_NAMES = ["年度目标责任考核", "安全生产专项检查", "重点工作督查", "基层台账资料检查"]
OWN_FIELDS = [
    ("整改完成情况", "本期问题整改的完成情况"),
    ("工作开展次数", "本期开展工作的次数"),
    ("存在问题", "工作中发现的问题"),
    ("下步计划", "下一阶段的工作安排"),
]
TASK_TITLES = ["%s月度工作进展报表", "%s隐患排查统计表", "%s专项整治台账", "%s人员信息采集表"]


@dataclass
class Summary:
    loaded: bool
    tasks: int = 0
    assessments_last: int = 0
    assessments_this: int = 0
    cases: int = 0
    people: int = 0

    def describe(self) -> str:
        if not self.loaded:
            return "精准监督：演示数据已存在，未改动。"
        return (
            f"精准监督：填报任务 {self.tasks} 项；督查检查考核 上年 {self.assessments_last} 项，"
            f"本年 {self.assessments_this} 项；形式主义官僚主义问题 {self.cases} 件，"
            f"问责 {self.people} 人。"
        )


@transaction.atomic
def load_demo_supervision() -> Summary:
    today = timezone.localdate(clock.now())
    year = today.year
    if Merge.objects.filter(kept__name=KEPT, kept__plan__year=year).exists():
        return Summary(loaded=False)
    rng = random.Random(SEED)  # noqa: S311  (reproducible demo data, not secrets)
    faker = Faker("zh_CN")
    faker.seed_instance(SEED)
    admin, leader = User.objects.get(username="admin"), User.objects.get(username="leader")
    towns = list(Org.objects.filter(kind__in=(OrgKind.TOWN, OrgKind.STREET)).order_by("path"))
    summary = Summary(loaded=True)
    summary.assessments_last = _year_of_assessments(admin, leader, year - 1, today, towns, rng)
    summary.assessments_this = _year_of_assessments(admin, leader, year, today, towns, rng)
    summary.tasks = _tasks(today, towns, rng)
    supervision_discipline.answer_reminders(today)
    summary.cases, summary.people = supervision_discipline.discipline(today, faker, rng)
    return summary


# --- plans and assessments ---------------------------------------------------------------------


def _items(suffix: str, year: int) -> list[plans.ItemData]:
    short = next(d[2] for d in facts.DEPARTMENTS if d[0] == suffix)
    found = [
        plans.ItemData(
            name=f"{short}{name}",
            kind=InspectionKind.ASSESSMENT if i % 2 == 0 else InspectionKind.INSPECTION,
            scope="全区各镇街",
            items=f"{name}落实情况\n问题整改情况",
            frequency="quarterly",
            targets="各镇街",
        )
        for i, name in enumerate(ITEM_NAMES)
    ]
    if suffix == "cgj":
        found += [
            plans.ItemData(
                name=KEPT,
                kind=InspectionKind.ASSESSMENT,
                scope="全区各镇街",
                items="市容环境卫生\n占道经营整治\n公共秩序",
                frequency="quarterly",
                targets="各镇街",
            ),
            plans.ItemData(
                name=MERGED,
                kind=InspectionKind.ASSESSMENT,
                scope="全区各镇街",
                items="市容环境卫生\n占道经营整治\n城市管理秩序",
                frequency="quarterly",
                targets="各镇街",
            ),
            plans.ItemData(
                name="市容环境卫生责任区责任书",
                kind=InspectionKind.RESPONSIBILITY,
                scope="沿街单位",
                items="门前三包",
                frequency="yearly",
                targets="各镇街",
                start_year=year,
                end_year=year + 2,
            ),
        ]
    return found


def _plan(admin, leader, suffix: str, year: int) -> list:
    with clock.frozen_at(at(date(year - 1, 12, 10))):
        plan = plans.create_plan(admin, dept(suffix), year)
        items = [plans.add_item(admin, plan, data) for data in _items(suffix, year)]
        plans.submit(admin, plan)
        plans.approve(leader, plan, "同意")
    # Re-read: approving updates the stored plan, not the items' copy of it.
    found = PlanItem.objects.filter(pk__in=[i.pk for i in items]).select_related("plan__department")
    return list(found.exclude(kind=InspectionKind.RESPONSIBILITY).order_by("pk"))


def _year_of_assessments(admin, leader, year, today, towns, rng) -> int:
    items = [i for suffix in PLAN_DEPARTMENTS for i in _plan(admin, leader, suffix, year)]
    this_year = year == today.year
    if this_year:  # the merge, early in the year: later launches count once, as the kept one
        kept = next(i for i in items if i.name == KEPT)
        merged = [i for i in items if i.name == MERGED]
        with clock.frozen_at(at(date(year, 1, 20))):
            merges.merge(leader, kept, merged, "考核内容高度重合，合并为一项，减轻基层负担")
        items = [i for i in items if i.name != MERGED]
    total = THIS_YEAR_ASSESSMENTS if this_year else LAST_YEAR_ASSESSMENTS
    unplanned = UNPLANNED[1] if this_year else UNPLANNED[0]
    last = today - timedelta(days=1) if this_year else date(year, 12, 20)
    days = spread(date(year, 1, 15), last, total)
    for n, day in enumerate(days):
        targets = rng.sample(towns, 4)
        with clock.frozen_at(at(day)):
            if n % (total // unplanned) == 0 and n // (total // unplanned) < unplanned:
                suffix = list(ISSUERS)[n % len(ISSUERS)]
                assessments.launch(
                    admin,
                    dept(suffix),
                    f"迎检材料临时抽查（{day:%m}）",
                    InspectionKind.INSPECTION,
                    "迎检材料",
                    targets,
                    day,
                )
                continue
            item = items[n % len(items)]
            assessments.launch(
                admin,
                item.plan.department,
                item.name,
                item.kind,
                item.items,
                targets,
                day,
                plan_item=item,
            )
    return len(days)


# --- reporting tasks and submissions -----------------------------------------------------------


def _shared_fields(rng) -> list[dict]:
    """Fields the catalogue already shares (the checks flag them), when it is loaded: distinct
    labels specific enough to name one thing (经办单位, not 状态)."""
    found = {}
    for f in CategoryField.objects.order_by("pk").values("label", "meaning")[:2000]:
        if len(f["label"]) >= 4 and f["label"] not in dict(OWN_FIELDS):
            found.setdefault(f["label"], f["meaning"])
    labels = rng.sample(sorted(found), min(3, len(found)))
    return [{"name": label, "meaning": found[label]} for label in labels]


def _tasks(today: date, towns: list[Org], rng) -> int:
    starts = spread(date(today.year, 1, 6), today - timedelta(days=40), 4 * len(ISSUERS))
    made = []
    for n, start in enumerate(starts):
        suffix = list(ISSUERS)[n % len(ISSUERS)]
        actor = User.objects.get(username=ISSUERS[suffix])
        fields = [{"name": a, "meaning": b} for a, b in OWN_FIELDS[: 2 + n % 3]]
        if n % 3 == 0:
            fields += _shared_fields(rng)
        frequency = ("monthly", "quarterly", "once", "monthly")[n % 4]
        data = {
            "title": TASK_TITLES[n // len(ISSUERS) % 4] % actor.org.short_name,
            "basis": "区委区政府年度重点工作安排",
            "frequency": frequency,
            "due_day": 25,
            "due_date": start + timedelta(days=20) if frequency == "once" else None,
            "starts_on": start,
            "guidance": "" if n == 5 else "填报口径见附件说明，有疑问请联系本部门",
            "recipients": [t.pk for t in rng.sample(towns, 6 + n % 10)],
            "fields": fields,
        }
        with clock.frozen_at(at(start)):
            task = tasks.create_task(actor, data)
            made.append(_check_and_register(actor, task, keep_flagged=n in (3, 16)))
    _submissions([t for t in made if t.status == TaskStatus.REGISTERED], today, rng)
    return len(made)


def _check_and_register(actor, task, keep_flagged: bool):
    flags = tasks.check_task(task)
    if flags and keep_flagged:
        return task  # left 待说明: the issuer has not explained the shared fields yet
    for flag in TaskFlag.objects.filter(task=task, justified_at__isnull=True):
        tasks.justify(actor, flag, "口径与共享数据不同，需基层核实后报送")
    return tasks.register(actor, ReportingTask.objects.get(pk=task.pk))


def _submissions(live: list[ReportingTask], today: date, rng) -> None:
    """Written as rows: a year of back-dated fillings through filling.submit would take
    minutes; the counts are what filling.submit records (pre-filled × minutes per field)."""
    rows = []
    for task in live:
        if task.guidance == "":
            continue  # the unguided task: nobody manages it (a case against its issuer follows)
        shared = task.fields.filter(shared_field__isnull=False).count()
        total = task.fields.count()
        for start, due in inbox.periods_between(task, task.starts_on, today - timedelta(days=1)):
            for org in task.recipients.all():
                pre = shared if rng.random() < 0.9 else 0
                rows.append(
                    Submission(
                        task=task,
                        org=org,
                        period=start,
                        status=SubmissionStatus.SUBMITTED,
                        prefilled_fields=pre,
                        typed_fields=total - pre,
                        minutes_saved=pre * settings.SUPERVISION_MINUTES_PER_FIELD,
                        submitted_at=at(due - timedelta(days=rng.randint(0, 3)), 16),
                    )
                )
    Submission.objects.bulk_create(rows, ignore_conflicts=True)
