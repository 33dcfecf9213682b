"""Load the demo district. Idempotent: what exists (by code or username) is left as it is.

Villages and people are synthetic (seeded, so every run makes the same ones); towns,
streets and departments carry their real names.
"""

import random
from dataclasses import dataclass, field

from django.db import transaction
from faker import Faker

from huying.demo import district as facts
from huying.demo import special_list
from huying.orgs import services as org_services
from huying.orgs.choices import OrgKind
from huying.orgs.models import Org, User

DEMO_PASSWORD = "huying-demo"  # noqa: S105  (documented in README)
SEED = 20261124

FIRST = "新东南西北龙凤石马黄罗高大上下长平和安华兴富永宝金竹松桥塘岭沙田江云鹤白湖元"
SECOND = "溪岗塘湖田庄坑岭头边洲沙围滘口岭园坪埔朗塱岗湾"


@dataclass
class LoadSummary:
    created: dict[str, int] = field(default_factory=dict)
    existing: dict[str, int] = field(default_factory=dict)

    def count(self, what: str, created: bool) -> None:
        bucket = self.created if created else self.existing
        bucket[what] = bucket.get(what, 0) + 1

    def describe(self) -> str:
        def fmt(d):
            return "，".join(f"{k} {v}" for k, v in d.items()) or "无"

        return f"演示区数据：新建 {fmt(self.created)}；已存在 {fmt(self.existing)}。"


@transaction.atomic
def load_demo_district() -> LoadSummary:
    summary = LoadSummary()
    faker = Faker("zh_CN")
    faker.seed_instance(SEED)
    rng = random.Random(SEED)  # noqa: S311  (reproducible demo data, not secrets)
    district = _org(
        summary,
        "区",
        code=facts.DISTRICT["code"],
        kind=OrgKind.DISTRICT,
        **{k: v for k, v in facts.DISTRICT.items() if k != "code"},
    )
    _org(
        summary, "纪委监委与指挥中心", kind=OrgKind.COMMISSION, parent=district, **facts.COMMISSION
    )
    _org(
        summary,
        "纪委监委与指挥中心",
        kind=OrgKind.COMMAND_CENTRE,
        parent=district,
        **facts.COMMAND_CENTRE,
    )
    for order, (suffix, name, short) in enumerate(facts.DEPARTMENTS, start=1):
        _org(
            summary,
            "区直部门",
            code=facts.department_code(suffix),
            name=name,
            short_name=short,
            kind=OrgKind.DEPARTMENT,
            parent=district,
            sort_order=order,
            contact_name=faker.name(),
            contact_phone=_office_phone(rng),
        )
    used_names: set[str] = set()
    for order, town_facts in enumerate(facts.TOWNS, start=1):
        town = _town(summary, district, order, town_facts, faker, rng)
        _villages(summary, town, town_facts, faker, rng, used_names)
    _accounts(summary, faker)
    special_list.load(summary)
    return summary


def _org(summary: LoadSummary, what: str, *, code: str, **fields) -> Org:
    existing = Org.objects.filter(code=code).first()
    summary.count(what, created=existing is None)
    if existing is not None:
        return existing
    return org_services.create_org(actor=None, code=code, **fields)


def _office_phone(rng: random.Random) -> str:
    return f"020-{rng.randint(3600, 3799)}{rng.randint(0, 9999):04d}"


def _town(summary, district, order, town_facts, faker, rng) -> Org:
    name, kind, lat, lon, _, _ = town_facts
    return _org(
        summary,
        "镇街",
        code=f"440111{order:03d}",
        name=name,
        short_name=name.removesuffix("街道").removesuffix("镇"),
        kind=kind,
        parent=district,
        lat=lat,
        lon=lon,
        sort_order=order,
        contact_name=faker.name(),
        contact_phone=_office_phone(rng),
        address=f"广州市白云区{name}",
    )


def _villages(summary, town: Org, town_facts, faker, rng, used_names: set[str]) -> None:
    _, kind, lat, lon, how_many, key_count = town_facts
    suffix, village_kind = (
        ("村", OrgKind.VILLAGE) if kind == OrgKind.TOWN else ("社区", OrgKind.COMMUNITY)
    )
    for n in range(1, how_many + 1):
        name = _village_name(rng, suffix, used_names)
        is_key = n <= key_count
        _org(
            summary,
            "村社",
            code=f"{town.code}{n:03d}",
            name=name,
            kind=village_kind,
            parent=town,
            is_key_village=is_key,
            has_calling_right=is_key,
            sort_order=n,
            lat=f"{float(lat) + rng.uniform(-0.03, 0.03):.6f}",
            lon=f"{float(lon) + rng.uniform(-0.03, 0.03):.6f}",
            contact_name=faker.name(),
            contact_phone=faker.phone_number(),
        )


def _village_name(rng: random.Random, suffix: str, used: set[str]) -> str:
    while True:
        name = rng.choice(FIRST) + rng.choice(SECOND) + suffix
        if name not in used:
            used.add(name)
            return name


def _accounts(summary: LoadSummary, faker: Faker) -> None:
    for username, role, where, _ in facts.ACCOUNTS:
        full_name = faker.name()  # drawn for every account so names stay stable across runs
        if User.objects.filter(username=username).exists():
            summary.count("账号", created=False)
            continue
        org_services.create_user(
            actor=None,
            username=username,
            password=DEMO_PASSWORD,
            role=role,
            org=_account_org(where),
            full_name=full_name,
            phone=faker.phone_number(),
        )
        summary.count("账号", created=True)


def _account_org(where: str) -> Org:
    if where in ("district", "commission", "command"):
        code = {
            "district": facts.DISTRICT["code"],
            "commission": facts.COMMISSION["code"],
            "command": facts.COMMAND_CENTRE["code"],
        }[where]
        return Org.objects.get(code=code)
    if where.startswith("key-village:"):
        town = Org.objects.get(name=where.split(":", 1)[1])
        return town.children.filter(is_key_village=True).order_by("code").first()
    if where.startswith("village:"):
        town = Org.objects.get(name=where.split(":", 1)[1])
        return town.children.filter(has_calling_right=False).order_by("code").first()
    if Org.objects.filter(code=facts.department_code(where)).exists():
        return Org.objects.get(code=facts.department_code(where))
    return Org.objects.get(name=where, kind__in=(OrgKind.TOWN, OrgKind.STREET))


def demo_accounts() -> list[tuple[str, str]]:
    return [(username, description) for username, _, _, description in facts.ACCOUNTS]
