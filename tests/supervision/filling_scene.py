"""A registered reporting task addressed to towns and villages of the demo district, and some
hub data for a village, for the inbox and filling-in tests."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from huying.core import clock
from huying.datahub.choices import LinkageMode, Source
from huying.datahub.models import Dwelling, LinkageRun, Resident, ResidentRecord
from huying.orgs.models import Org, User
from huying.supervision.choices import FieldType, Frequency, TaskStatus
from huying.supervision.models import ReportingTask, TaskField

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)  # a Wednesday
FIELDS = [
    ("户籍人口数", "本村户籍登记人口", FieldType.NUMBER),
    ("常住人口数（人）", "实际居住半年以上的人口", FieldType.NUMBER),
    ("流动人口数", "来穗人员", FieldType.NUMBER),
    ("出租屋数量", "出租屋套数", FieldType.NUMBER),
    ("出租屋间数", "可出租房间数", FieldType.NUMBER),
    ("填报人", "", FieldType.TEXT),
    ("填报人电话", "", FieldType.PHONE),
    ("负责人身份证号", "", FieldType.ID_NUMBER),
    ("统计日期", "", FieldType.DATE),
]


def task(code: str, recipients, *, frequency=Frequency.MONTHLY, due_day=10,
         status=TaskStatus.REGISTERED, starts_on=date(2026, 1, 1), fields=FIELDS,
         due_date=None) -> ReportingTask:  # fmt: skip
    made = ReportingTask.objects.create(
        code=code, title=f"{code} 人口与出租屋情况月报", issuer=Org.objects.get(code="440111-lsj"),
        basis="《来穗人员服务管理规定》", frequency=frequency, due_day=due_day,
        due_date=due_date, starts_on=starts_on, status=status,
        created_by=User.objects.get(username="admin"), created_at=clock.now(),
    )  # fmt: skip
    made.recipients.set(recipients)
    TaskField.objects.bulk_create(
        TaskField(task=made, order=n, name=name, meaning=meaning, field_type=kind)
        for n, (name, meaning, kind) in enumerate(fields)
    )
    return made


def hub_people(village: Org, *, residents: int, migrants: int, dwellings: list[int | None]):
    """`residents` people living in `village`, the first `migrants` with a migrant registration;
    dwellings with the given room counts."""
    now = clock.now()
    run = LinkageRun.objects.create(mode=LinkageMode.FULL, started_at=now)
    for n, rooms in enumerate(dwellings):
        Dwelling.objects.create(
            code=f"T-{village.code}-{n}", address=f"{village.name}{n}号", town=village.parent,
            village=village, rooms=rooms, load_id=1, updated_at=now,
        )  # fmt: skip
    for n in range(residents):
        person = Resident.objects.create(
            name=f"居民{n}", name_pinyin=f"jumin{n}", town=village.parent, village=village,
            updated_at=now,
        )  # fmt: skip
        if n < migrants:
            ResidentRecord.objects.create(
                source=Source.MIGRANT_REGISTRATIONS, source_key=f"{village.code}-{n}",
                resident=person, run=run,
            )  # fmt: skip
