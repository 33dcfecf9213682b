"""What the platform already knows about a town or village, for pre-filling a task's fields.

A small registry of unit facts, each computed from the app that holds it, with the department
and category it comes from ("来源：公安分局·平安白云实有人口信息"). The town confirms or
corrects a pre-filled value; nothing here is written.

The population figures, from the hub's linked residents living in the unit:
- 常住人口数: every resident the hub places in the unit;
- 流动人口数: those with a migrant residence registration (来穗人员居住登记);
- 户籍人口数: the rest (the hub holds no household register of its own, so this is the
  residents without a migrant registration).

A task field is matched to a fact by its name or the label of the catalogue field the check
found it shares (S1's matching), after dropping units and brackets; or, failing that, by
`matching.field_similarity` above MATCH_THRESHOLD when the matcher is installed.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, QuerySet, Sum
from django.utils import timezone

from huying.calls.models import Call
from huying.datahub.choices import Source
from huying.datahub.models import Dwelling, Resident, ResidentRecord
from huying.orgs.models import Org
from huying.sensing.models import Enterprise, River, Station
from huying.supervision.models import TaskField

MATCH_THRESHOLD = 0.85


@dataclass(frozen=True)
class Fact:
    key: str
    label: str
    aliases: tuple[str, ...]
    source: str  # <部门>·<类目>
    compute: Callable[[Org, date], int]


@dataclass(frozen=True)
class Prefill:
    value: str
    source: str
    fact: str


def _unit_filter(org: Org, qs: QuerySet) -> QuerySet:
    if org.is_village:
        return qs.filter(village=org)
    if org.is_town:
        return qs.filter(town=org)
    return qs


def _residents(org: Org) -> QuerySet:
    return _unit_filter(org, Resident.objects.all())


def _migrants(org: Org) -> QuerySet:
    registered = ResidentRecord.objects.filter(
        resident=OuterRef("pk"), source=Source.MIGRANT_REGISTRATIONS
    )
    return _residents(org).filter(Exists(registered))


def _town_of(org: Org) -> Org:
    return org.parent if org.is_village and org.parent_id else org


def _calls_this_month(org: Org, today: date) -> int:
    start = timezone.make_aware(datetime.combine(today.replace(day=1), time.min))
    end = timezone.make_aware(
        datetime.combine((today.replace(day=28) + timedelta(days=4)).replace(day=1), time.min)
    )
    return Call.objects.filter(
        caller_org__path__startswith=org.path, called_at__gte=start, called_at__lt=end
    ).count()


FACTS = (
    Fact("resident_population", "常住人口数", ("常住人口", "实有人口", "实有人口数"),
         "公安分局·平安白云实有人口信息", lambda o, d: _residents(o).count()),
    Fact("migrant_population", "流动人口数", ("流动人口", "来穗人员数", "外来人口数"),
         "来穗人员服务管理局·来穗人员居住登记信息", lambda o, d: _migrants(o).count()),
    Fact("registered_population", "户籍人口数", ("户籍人口", "户籍人数"),
         "公安分局·平安白云实有人口信息",
         lambda o, d: _residents(o).count() - _migrants(o).count()),
    Fact("dwellings", "出租屋数", ("出租屋数量", "出租屋套数", "出租屋总数"),
         "住建局·出租屋基本信息", lambda o, d: _unit_filter(o, Dwelling.objects.all()).count()),
    Fact("dwelling_rooms", "出租屋间数", ("出租屋房间数", "出租房间数"),
         "住建局·出租屋基本信息",
         lambda o, d: _unit_filter(o, Dwelling.objects.all()).aggregate(n=Sum("rooms"))["n"] or 0),
    Fact("enterprises", "重点企业数", ("重点企业数量", "重点监管企业数"),
         "应急管理局·重点企业安全监测",
         lambda o, d: Enterprise.objects.filter(town=_town_of(o)).count()),
    Fact("rivers", "河涌数", ("河涌数量", "河涌条数"), "水务局·河涌水质监测",
         lambda o, d: River.objects.filter(towns=_town_of(o)).count()),
    Fact("stations", "监测点数", ("水质监测点数", "监测站点数"), "水务局·河涌水质监测",
         lambda o, d: Station.objects.filter(town=_town_of(o), is_active=True).count()),
    Fact("calls_this_month", "本月呼叫数", ("当月呼叫数", "本月呼叫次数"),
         "区指挥中心·有呼必应", _calls_this_month),
)  # fmt: skip
BY_KEY = {f.key: f for f in FACTS}


def normalise(name: str) -> str:
    """Drop brackets (units), spaces and a trailing 量/总 so 出租屋数量（套） meets 出租屋数."""
    name = re.sub(r"[（(][^）)]*[）)]", "", name or "")
    name = re.sub(r"\s+", "", name)
    return name.replace("数量", "数").replace("总数", "数")


_NAMES = {normalise(n): f for f in FACTS for n in (f.label, *f.aliases)}


def fact_for(field: TaskField) -> Fact | None:
    """The fact a task field asks for, if the platform holds it."""
    names = [field.name]
    if field.shared_field_id:
        names.append(field.shared_field.label)
    for name in names:
        found = _NAMES.get(normalise(name))
        if found is not None:
            return found
    return _similar(field)


def _similar(field: TaskField) -> Fact | None:
    try:
        from huying.supervision.matching import field_similarity
    except ImportError:  # the matcher is optional here: exact names still pre-fill
        return None
    best, score = None, 0.0
    for fact in FACTS:
        s = field_similarity((field.name, field.meaning), (fact.label, ""))
        if s > score:
            best, score = fact, s
    return best if score >= MATCH_THRESHOLD else None


def prefill(org: Org, fields, today: date) -> dict[int, Prefill]:
    """field id -> the value the platform holds for `org`, for each field it can answer."""
    out: dict[int, Prefill] = {}
    computed: dict[str, int] = {}
    for field in fields:
        fact = fact_for(field)
        if fact is None:
            continue
        if fact.key not in computed:
            computed[fact.key] = fact.compute(org, today)
        out[field.pk] = Prefill(str(computed[fact.key]), fact.source, fact.key)
    return out
