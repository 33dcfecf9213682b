"""The demo catalogue: 1,250 categories across the demo district's departments, about 3.78
billion records in all; only the hub's five own categories count real rows (their loads').

Deterministic: the same seed gives the same codes, names, fields, counts and policies, so
loading again adds nothing (categories are matched by code). `plan` is pure; `load_demo_catalogue`
writes what is missing with bulk inserts (about 1,250 + 14,000 rows, a second or two).
"""

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Count, Sum

from huying.core import audit, clock
from huying.datahub import catalogue, catalogue_hub
from huying.datahub.catalogue_fields import FIELDS
from huying.datahub.catalogue_selectors import today
from huying.datahub.catalogue_vocabulary import (
    DEPARTMENTS,
    EVENT,
    KINDS,
    STATS,
    STATS_CORE,
    STATS_POOL,
    TEMPLATES,
    Subject,
    Template,
)
from huying.datahub.choices import AccessPolicy, UpdateFrequency
from huying.datahub.models import Category, CategoryField
from huying.demo import district as facts
from huying.orgs.models import Org

SEED = 20261124
CATEGORIES = 1250
TOTAL_RECORDS = 3_783_000_000
MIN_RECORDS = 12  # a statistics table has at least a year of months
MAX_FIELDS = 20
# Shares of the whole catalogue (the hub's own categories included), most sensitive first.
RESTRICTED_SHARE, ON_REQUEST_SHARE = 0.15, 0.45
# How old the as-of date may be, by update frequency (days).
STALENESS = {
    UpdateFrequency.REALTIME: 0,
    UpdateFrequency.DAILY: 1,
    UpdateFrequency.WEEKLY: 6,
    UpdateFrequency.MONTHLY: 30,
    UpdateFrequency.QUARTERLY: 91,
    UpdateFrequency.YEARLY: 364,
}


@dataclass
class Planned:
    code: str
    name: str
    description: str
    owner_code: str
    source_system: str
    frequency: str
    fields: list[tuple[str, str, str, int]]  # (name, label, meaning, sensitivity)
    weight: float = 0.0  # relative size, before scaling to the total
    records: int = 0
    policy: str = AccessPolicy.ON_REQUEST
    as_of: date | None = None
    hub_source: str | None = None

    @property
    def max_sensitivity(self) -> int:
        return max(f[3] for f in self.fields)


@dataclass
class CatalogueSummary:
    created: int = 0
    existing: int = 0
    fields: int = 0
    totals: dict = field(default_factory=dict)

    def describe(self) -> str:
        n, records = self.totals.get("n", 0), self.totals.get("records", 0)
        return (
            f"数据目录：新建 {self.created} 类（{self.fields} 个数据项），"
            f"已存在 {self.existing} 类；共 {n} 类 {records / 1e8:.2f} 亿条。"
        )


# --- the plan (pure) ---------------------------------------------------------------------------


def plan(as_of: date) -> list[Planned]:
    """Every category of the demo catalogue, the hub's first in each department."""
    planned: list[Planned] = []
    used_names = {h.name for h in catalogue_hub.HUB_CATEGORIES}
    for suffix, _name, short in facts.DEPARTMENTS:
        spec = DEPARTMENTS[suffix]
        rng = random.Random(f"{SEED}-{suffix}")  # noqa: S311  (reproducible demo data)
        mine = [_hub(h, spec.prefix, i) for i, h in enumerate(_hubs_of(suffix), start=1)]
        for subject, template, system in _pick(rng, spec, used_names):
            mine.append(_category(rng, short, subject, template, system))
        for number, item in enumerate(mine, start=1):
            item.code = f"{spec.prefix}-{number:04d}"
            item.owner_code = facts.department_code(suffix)
        planned += mine
    rng = random.Random(SEED)  # noqa: S311
    _count_records(planned)
    _assign_policies(rng, planned)
    for item in planned:
        item.as_of = as_of - timedelta(days=rng.randint(0, STALENESS[item.frequency]))
    return planned


def _hubs_of(suffix: str) -> list[catalogue_hub.HubCategory]:
    return [h for h in catalogue_hub.HUB_CATEGORIES if h.owner == suffix]


def _hub(hub: catalogue_hub.HubCategory, prefix: str, number: int) -> Planned:
    return Planned(
        code="",
        name=hub.name,
        description=hub.description,
        owner_code="",
        source_system=hub.source_system,
        frequency=hub.frequency,
        fields=catalogue_hub.fields_of(hub.source),
        policy=hub.policy,
        hub_source=hub.source.value,
    )


def _pick(rng: random.Random, spec, used_names: set[str]):
    """`spec.count` (subject, template, system) triples with names unused so far, in the
    department's own order (subject by subject)."""
    systems = {s.name: rng.choice(spec.systems) for s in spec.subjects}
    combos = [
        (si, ti, subject, template)
        for si, subject in enumerate(spec.subjects)
        for ti, template in enumerate(TEMPLATES[subject.kind])
    ]
    rng.shuffle(combos)
    chosen = []
    for combo in combos:
        name = combo[3].pattern.format(s=combo[2].name)
        if name in used_names:
            continue
        used_names.add(name)
        chosen.append(combo)
        if len(chosen) == spec.count:
            break
    if len(chosen) < spec.count:
        raise ValueError(f"{spec.prefix}: only {len(chosen)} names for {spec.count} categories")
    chosen.sort(key=lambda c: (c[0], c[1]))
    return [(subject, template, systems[subject.name]) for _, _, subject, template in chosen]


def _category(
    rng: random.Random, owner_short: str, subject: Subject, template: Template, system: str
) -> Planned:
    fields = _fields(rng, subject, template)
    labels = "、".join(f[1] for f in fields[1:5])
    frequency = UpdateFrequency(template.frequency).label
    name = template.pattern.format(s=subject.name)
    return Planned(
        code="",
        name=name,
        description=(
            f"{owner_short}在{system}中掌握的{subject.name}{template.about}数据，"
            f"包括{labels}等 {len(fields)} 个数据项，{frequency}更新。"
        ),
        owner_code="",
        source_system=system,
        frequency=template.frequency,
        fields=fields,
        # Subjects differ by orders of magnitude (the heavy tail); a template scales its subject.
        weight=_subject_size(subject) * template.scale * rng.lognormvariate(0, 0.5),
    )


def _subject_size(subject: Subject) -> float:
    """How big the subject is, the same for all its categories (a seeded draw of its own)."""
    rng = random.Random(f"{SEED}-size-{subject.name}")  # noqa: S311
    return rng.lognormvariate(0, 1.6)


def _fields(rng: random.Random, subject: Subject, template: Template) -> list:
    if template.shape == STATS:
        must, pool = list(STATS_CORE), list(STATS_POOL)
    else:
        kind = KINDS[subject.kind]
        core, pool = (
            (kind.event_core, kind.event_pool)
            if template.shape == EVENT
            else (kind.entity_core, kind.entity_pool)
        )
        must = list(dict.fromkeys([*core, *subject.extras, *template.extras]))
        pool = [f for f in pool if f not in must]
    wanted = min(max(rng.randint(3, MAX_FIELDS), len(must)), len(must) + len(pool), MAX_FIELDS)
    extra = set(rng.sample(pool, wanted - len(must)))
    names = must[:MAX_FIELDS] + [f for f in pool if f in extra]
    return [(n, *FIELDS[n]) for n in names]


def _count_records(planned: list[Planned]) -> None:
    """Scale the weights so that the catalogue adds up to TOTAL_RECORDS exactly (the hub's
    own categories count 0 here: their counts come from the real loads)."""
    synthetic = [p for p in planned if p.hub_source is None]
    factor = TOTAL_RECORDS / sum(p.weight for p in synthetic)
    for p in synthetic:
        p.records = max(MIN_RECORDS, math.floor(p.weight * factor))
    largest = max(synthetic, key=lambda p: p.records)
    largest.records += TOTAL_RECORDS - sum(p.records for p in synthetic)


def _assign_policies(rng: random.Random, planned: list[Planned]) -> None:
    """The most sensitive categories restricted, the next on request, the rest open."""
    synthetic = [p for p in planned if p.hub_source is None]
    hubs = [p for p in planned if p.hub_source is not None]
    restricted = round(CATEGORIES * RESTRICTED_SHARE) - sum(
        p.policy == AccessPolicy.RESTRICTED for p in hubs
    )
    on_request = round(CATEGORIES * ON_REQUEST_SHARE) - sum(
        p.policy == AccessPolicy.ON_REQUEST for p in hubs
    )
    ranked = sorted(synthetic, key=lambda p: p.max_sensitivity + rng.random() * 1.5, reverse=True)
    for i, p in enumerate(ranked):
        p.policy = (
            AccessPolicy.RESTRICTED
            if i < restricted
            else AccessPolicy.ON_REQUEST
            if i < restricted + on_request
            else AccessPolicy.OPEN
        )


# --- loading -----------------------------------------------------------------------------------


@transaction.atomic
def load_demo_catalogue() -> CatalogueSummary:
    """Create the categories (and their fields) that are not there yet; refresh the hub's."""
    summary = CatalogueSummary()
    planned = plan(today())
    existing = set(
        Category.objects.filter(code__in=[p.code for p in planned]).values_list("code", flat=True)
    )
    # A hub category already there under another code is not created twice either.
    hubs_present = set(
        Category.objects.filter(hub_source__isnull=False).values_list("hub_source", flat=True)
    )
    missing = [p for p in planned if p.code not in existing and p.hub_source not in hubs_present]
    summary.existing = len(planned) - len(missing)
    owners = dict(
        Org.objects.filter(code__in={p.owner_code for p in missing}).values_list("code", "pk")
    )
    now = clock.now()
    created = Category.objects.bulk_create([_row(p, owners, now) for p in missing], batch_size=500)
    rows = [
        CategoryField(
            category_id=category.pk,  # (the id alone: setting the relation costs a third)
            name=name,
            label=label,
            meaning=meaning,
            sensitivity=sensitivity,
            order=order,
        )
        for category, p in zip(created, missing, strict=True)
        for order, (name, label, meaning, sensitivity) in enumerate(p.fields, start=1)
    ]
    CategoryField.objects.bulk_create(rows, batch_size=2000)
    catalogue.refresh_hub_categories()
    summary.created, summary.fields = len(created), len(rows)
    summary.totals = Category.objects.aggregate(n=Count("pk"), records=Sum("record_count"))
    if created:
        audit.record(
            "datahub.catalogue_loaded",
            object_type="datahub.category",
            object_repr="演示数据目录",
            after={"created": len(created), "fields": len(rows)},
        )
    return summary


def _row(p: Planned, owners: dict[str, int], now) -> Category:
    if p.owner_code not in owners:
        raise LookupError(f"演示区缺少部门 {p.owner_code}：请先载入演示区")
    return Category(
        code=p.code,
        name=p.name,
        description=p.description,
        owner_id=owners[p.owner_code],
        source_system=p.source_system,
        update_frequency=p.frequency,
        record_count=p.records,
        as_of=p.as_of if p.hub_source is None else None,
        access_policy=p.policy,
        hub_source=p.hub_source,
        updated_at=now,
    )
