"""Builders for the register tests (no tests here): drafts made through the services, a small
catalogue of shared fields, the demo district's town 云城街道 and one of its communities."""

import zlib
from datetime import date, datetime
from zoneinfo import ZoneInfo

from huying.core import clock
from huying.datahub.models import Category, CategoryField
from huying.orgs.models import Org, User
from huying.supervision import tasks

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 4, 10, 0, tzinfo=SHANGHAI)  # a Wednesday
FIELDS = [
    {"name": "企业名称", "meaning": "检查对象的企业全称"},
    {"name": "隐患数量", "meaning": "本期检查发现的隐患条数", "field_type": "number"},
    {"name": "整改情况", "meaning": "隐患整改进度说明"},
    {"name": "检查人员", "meaning": "参加检查的人员姓名"},
]


def town() -> Org:
    return Org.objects.get(name="云城街道")


def village_of(town_org: Org) -> Org:
    return Org.objects.filter(parent=town_org).order_by("code").first()


def data(recipients, **overrides) -> dict:
    values = {
        "title": "安全生产检查月报",
        "basis": "区安委办〔2026〕3号",
        "frequency": "monthly",
        "due_day": 10,
        "starts_on": date(2026, 3, 1),
        "recipients": [o.pk for o in recipients],
        "fields": FIELDS,
    }
    return values | overrides


def draft(username: str, recipients, **overrides):
    return tasks.create_task(User.objects.get(username=username), data(recipients, **overrides))


def registered(username: str, recipients, **overrides):
    """A task registered with whatever flags it gets justified."""
    actor = User.objects.get(username=username)
    task = draft(username, recipients, **overrides)
    for flag in tasks.check_task(task):
        tasks.justify(actor, flag, "测试中保留")
    return tasks.register(actor, task)


def catalogue_field(owner_code: str, category: str, label: str, meaning: str) -> CategoryField:
    """One shared field in a category of `owner_code`'s (the matcher rebuilds on a change)."""
    cat, _ = Category.objects.get_or_create(
        code=f"T{zlib.crc32(category.encode()):010d}",
        defaults={
            "name": category, "owner": Org.objects.get(code=owner_code),
            "source_system": "测试系统", "update_frequency": "daily", "updated_at": clock.now(),
        },
    )  # fmt: skip
    return CategoryField.objects.create(
        category=cat, name=f"f{cat.fields.count()}", label=label, meaning=meaning
    )
