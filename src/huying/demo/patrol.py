"""The demo's patrol: the `inspector` account patrols villages of 云城街道 that hold hub
dwellings (enough for a full day plan), supervised by the street's `yuncheng` cadre;
yesterday's round is on the track with its stops recognised (patrol_round.py), and today's
plan is made, with the hub's open discrepancies first.
Idempotent: an inspector who has an area keeps it, a round already sent is not sent again."""

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from huying.core import clock
from huying.datahub.models import Dwelling
from huying.demo.patrol_round import load_yesterdays_round
from huying.orgs.models import Org, User
from huying.patrol import areas, plans

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
    if inspector is None:
        return "没有演示巡查员账号，未设置巡查"
    lines = [_area(inspector)]
    now = clock.now()
    today = timezone.localdate(now)
    done = load_yesterdays_round(inspector, today)
    if not done.skipped:
        lines.append(
            f"巡查：昨日轨迹 {done.positions:,} 个定位点，识别停留 {done.stays} 处、"
            f"入户 {done.visits} 户"
        )
    plan = plans.plan_for(inspector, today, now)
    if plan is not None:
        lines.append(f"巡查：今日计划 {plan.items.count()} 户")
    return "\n".join(lines)


def _area(inspector) -> str:
    if areas.area_of(inspector) is not None:
        return "巡查责任区已设置，未重复设置"
    admin = User.objects.get(username="admin")
    villages = area_villages(Org.objects.get(name=DEMO_TOWN), 2 * settings.PATROL_DAILY_CAP)
    area = areas.set_area(
        admin, inspector, villages=villages, dwellings=[],
        supervisor=User.objects.filter(username=DEMO_SUPERVISOR).first(),
    )  # fmt: skip
    households = areas.area_dwellings(area).count()
    return f"巡查：{len(villages)} 个村社、{households:,} 户出租屋划入巡查员责任区"
