"""Day plans (巡查日计划): made the first time an inspector's day is asked for, then changed
only by named actions: a supervisor or the command centre adds a household or reassigns one
to another inspector; the inspector skips one with a reason. Each action is audited.

Order: by need (REASON_RANK: discrepancy, revisit, new registration, expiring, routine), then
a walking order inside each reason: by village code, then dwelling code. Dwelling codes are
given street by street in the rental-housing system, so neighbours sort together; it needs no
coordinates, which many records lack (a nearest-neighbour walk over lat/lon can replace
`walking_key` once they are reliable).
"""

from collections.abc import Iterable
from datetime import date, datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from huying.core import audit
from huying.core.errors import Conflict, Forbidden, Invalid
from huying.datahub.models import Dwelling
from huying.orgs.choices import Role
from huying.patrol import areas, plan_selectors
from huying.patrol.choices import REASON_RANK, ItemStatus, PlanReason
from huying.patrol.models import DayPlan, PlanItem
from huying.patrol.plan_selectors import Candidate


def walking_key(candidate: Candidate) -> tuple:
    return (candidate.village_code, candidate.code, candidate.dwelling_id)


def order(candidates: Iterable[Candidate], cap: int) -> list[Candidate]:
    """Pure: one entry per dwelling (its most urgent reason; for a routine one, the earliest
    last visit wins the cap), by need then walking order, at most `cap`."""
    best: dict[int, Candidate] = {}
    for c in candidates:
        kept = best.get(c.dwelling_id)
        if kept is None or REASON_RANK[c.reason] < REASON_RANK[kept.reason]:
            best[c.dwelling_id] = c
    by_need = sorted(best.values(), key=_need)[:cap]
    return sorted(by_need, key=lambda c: (REASON_RANK[c.reason], walking_key(c)))


def _need(c: Candidate) -> tuple:
    # Within a reason, which ones the cap keeps: the longest unvisited first (never = first).
    last = c.last_visit.timestamp() if c.last_visit else float("-inf")
    return (REASON_RANK[c.reason], last, walking_key(c))


def plan_for(inspector, day: date, now: datetime) -> DayPlan | None:
    """The inspector's plan for `day`, made now if it is today and there is none yet.
    None: no plan that day (a past or future day never planned, or no area yet)."""
    plan = DayPlan.objects.filter(inspector=inspector, day=day).first()
    if plan is not None:
        return plan
    if day != timezone.localdate(now) or areas.area_of(inspector) is None:
        return None
    chosen = order(plan_selectors.candidates(inspector, day, now), settings.PATROL_DAILY_CAP)
    try:
        with transaction.atomic():
            plan = DayPlan.objects.create(inspector=inspector, day=day, made_at=now)
            PlanItem.objects.bulk_create(
                PlanItem(
                    plan=plan,
                    dwelling_id=c.dwelling_id,
                    reason=c.reason,
                    rank=rank,
                    discrepancy_id=c.discrepancy_id,
                )
                for rank, c in enumerate(chosen, start=1)
            )
    except IntegrityError:  # another request made it first: theirs is the plan
        plan = DayPlan.objects.get(inspector=inspector, day=day)
    return plan


def _require_manager(actor, inspector) -> None:
    if not plan_selectors.may_manage(actor, inspector):
        raise Forbidden("只有带班负责人或指挥中心可以调整他人的巡查计划")


def _require_today(plan: DayPlan, now: datetime) -> None:
    if plan.day != timezone.localdate(now):
        raise Conflict("只能调整当天的巡查计划", field="day")


def _next_rank(plan: DayPlan) -> int:
    return (plan.items.aggregate(top=Max("rank"))["top"] or 0) + 1


def _item_state(item: PlanItem) -> dict:
    return {
        "inspector": item.plan.inspector.username,
        "day": item.plan.day,
        "dwelling": item.dwelling.code,
        "reason": item.reason,
        "rank": item.rank,
        "status": item.status,
        "note": item.note,
    }


def add_item(actor, inspector, day: date, dwelling_code: str, note: str, now: datetime) -> PlanItem:
    """A supervisor or the command centre puts a household on the inspector's plan."""
    _require_manager(actor, inspector)
    if inspector.role != Role.INSPECTOR:
        raise Invalid("只能为巡查员安排巡查", field="inspector")
    dwelling = Dwelling.objects.filter(code=dwelling_code).first()
    if dwelling is None:
        raise Invalid("未找到该出租屋编码", field="dwelling")
    plan = plan_for(inspector, day, now)
    if plan is None:
        raise Conflict("该巡查员当天没有巡查计划（未到当天或尚未设置责任区）", field="day")
    _require_today(plan, now)
    with transaction.atomic():
        DayPlan.objects.select_for_update().get(pk=plan.pk)
        if plan.items.filter(dwelling=dwelling).exists():
            raise Conflict("该出租屋已在当天的巡查计划中", field="dwelling")
        item = PlanItem.objects.create(
            plan=plan, dwelling=dwelling, reason=PlanReason.ADDED, rank=_next_rank(plan),
            added_by=actor, note=note[:200],
        )  # fmt: skip
        audit.record("patrol.plan_item_added", actor=actor, obj=item, after=_item_state(item))
    return item


def reassign_item(actor, item: PlanItem, to_inspector, note: str, now: datetime) -> PlanItem:
    """Move a pending household to another inspector's plan of the same day."""
    _require_manager(actor, item.plan.inspector)
    _require_manager(actor, to_inspector)
    _require_today(item.plan, now)
    if to_inspector.role != Role.INSPECTOR or to_inspector.pk == item.plan.inspector_id:
        raise Invalid("请选择另一名巡查员", field="to")
    if item.status != ItemStatus.PENDING:
        raise Conflict(f"该户当前为“{item.get_status_display()}”，不能改派", field="status")
    target = plan_for(to_inspector, item.plan.day, now)
    if target is None:
        raise Conflict("该巡查员尚未设置责任区，没有当天的计划", field="to")
    with transaction.atomic():
        DayPlan.objects.select_for_update().get(pk=target.pk)
        if target.items.filter(dwelling_id=item.dwelling_id).exists():
            raise Conflict("该出租屋已在对方当天的巡查计划中", field="to")
        before = _item_state(item)
        item.plan, item.rank, item.added_by = target, _next_rank(target), actor
        item.note = note[:200] or item.note
        item.save(update_fields=["plan", "rank", "added_by", "note"])
        audit.record(
            "patrol.plan_item_reassigned", actor=actor, obj=item, before=before,
            after=_item_state(item), reason=note,
        )  # fmt: skip
    return item


def skip_item(actor, item: PlanItem, reason: str, now: datetime) -> PlanItem:
    """The inspector says why a household was not visited (nobody home, refused entry …)."""
    if item.plan.inspector_id != actor.pk:
        raise Forbidden("只能调整自己的巡查计划")
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("请说明未巡查的原因", field="reason")
    _require_today(item.plan, now)
    with transaction.atomic():
        updated = PlanItem.objects.filter(pk=item.pk, status=ItemStatus.PENDING).update(
            status=ItemStatus.SKIPPED, note=reason[:200]
        )
        if not updated:
            item.refresh_from_db()
            raise Conflict(
                f"该户当前为“{item.get_status_display()}”，不能标记未巡查", field="status"
            )
        before = _item_state(item)
        item.refresh_from_db()
        audit.record(
            "patrol.plan_item_skipped", actor=actor, obj=item, before=before,
            after=_item_state(item), reason=reason,
        )  # fmt: skip
    return item
