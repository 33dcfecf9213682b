"""The demo's patrol: the `inspector` account patrols villages of 云城街道 that hold hub
dwellings (enough for a full day plan), supervised by the street's `yuncheng` cadre.
Idempotent: an inspector who has an area keeps it."""

from django.conf import settings
from django.db.models import Count

from huying.datahub.models import Dwelling
from huying.orgs.models import Org, User
from huying.patrol import areas

DEMO_INSPECTOR = "inspector"
DEMO_SUPERVISOR = "yuncheng"
DEMO_TOWN = "云城街道"


def area_villages(town: Org, households: int) -> list[str]:
    """The town's villages with most dwellings first, until they hold `households`."""
    counts = (
        Dwelling.objects.filter(village__parent=town)
        .values("village__code")
        .annotate(n=Count("pk"))
        .order_by("-n", "village__code")
    )
    chosen, total = [], 0
    for row in counts:
        if total >= households:
            break
        chosen.append(row["village__code"])
        total += row["n"]
    return chosen


def load_demo_patrol() -> str:
    inspector = User.objects.filter(username=DEMO_INSPECTOR).first()
    if inspector is None or areas.area_of(inspector) is not None:
        return "巡查责任区已设置，未重复设置"
    admin = User.objects.get(username="admin")
    villages = area_villages(Org.objects.get(name=DEMO_TOWN), 2 * settings.PATROL_DAILY_CAP)
    area = areas.set_area(
        admin, inspector, villages=villages, dwellings=[],
        supervisor=User.objects.filter(username=DEMO_SUPERVISOR).first(),
    )  # fmt: skip
    households = areas.area_dwellings(area).count()
    return f"巡查：{len(villages)} 个村社、{households:,} 户出租屋划入巡查员责任区"
