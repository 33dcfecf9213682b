"""Assessments launched (督查检查考核实施), checked against the department's approved plan.

A launch is planned when it names an item of the department's approved plan for its year, or,
with no item named, when an item there is like it (`merges.likeness` at or above
SUPERVISION_SIMILAR_ASSESSMENT). Otherwise it is flagged unplanned and the department gets a
warning (提醒) it must answer. A launch matching a merged item counts under the kept one.
"""

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from huying.core import audit, clock
from huying.core.errors import Forbidden, Invalid
from huying.orgs.choices import OrgKind
from huying.supervision import merges, plans, reminders
from huying.supervision.choices import FlagKind, InspectionKind, PlanStatus
from huying.supervision.models import Assessment, PlanItem


def planned_items(department, year: int) -> list[PlanItem]:
    return list(
        PlanItem.objects.filter(
            plan__department=department, plan__year=year, plan__status=PlanStatus.APPROVED
        ).select_related("merged_into")
    )


def best_match(name: str, items: str, candidates: list[PlanItem]) -> PlanItem | None:
    """The most alike candidate at or above the threshold, or None."""
    own = merges.lines(items)
    scored = [
        (merges.likeness(name, own, c.name, merges.lines(c.items)).score, -c.pk, c)
        for c in candidates
    ]
    best = max(scored, default=None, key=lambda s: s[:2])
    return best[2] if best and best[0] >= merges.threshold() else None


def _linked(plan_item: PlanItem, department, year: int) -> PlanItem | None:
    """The named item if it is in the department's approved plan of the year, else None."""
    if plan_item.plan.department_id != department.pk:
        raise Invalid(_("该计划事项不属于本部门"), field="plan_item")
    in_plan = plan_item.plan.year == year and plan_item.plan.status == PlanStatus.APPROVED
    return plan_item if in_plan else None


def _state(a: Assessment) -> dict:
    return {
        "department": a.department.code,
        "name": a.name,
        "kind": a.kind,
        "launched_on": a.launched_on,
        "plan_item": a.plan_item_id,
        "unplanned": a.unplanned,
        "targets": sorted(t.code for t in a.targets.all()),
    }


def _check_input(name: str, kind: str, launched_on) -> str:
    name = (name or "").strip()
    if not name:
        raise Invalid(_("请填写名称"), field="name")
    if kind not in InspectionKind.values:
        raise Invalid(_("类别不是可选的值"), field="kind")
    if not isinstance(launched_on, date):
        raise Invalid(_("请填写实施日期"), field="launched_on")
    return name


def launch(
    actor,
    department,
    name: str,
    kind: str,
    items: str,
    targets,
    launched_on: date,
    plan_item: PlanItem | None = None,
) -> Assessment:
    """Record an assessment; outside the approved plan it is flagged and warned about."""
    if not plans.may_draft(actor, department):
        raise Forbidden(_("只有本部门人员可以登记本部门的督查检查考核"))
    if department.kind != OrgKind.DEPARTMENT:
        raise Invalid(_("只有区直部门登记督查检查考核"), field="department")
    name = _check_input(name, kind, launched_on)
    items = "\n".join(merges.lines(items))
    year = launched_on.year
    if plan_item is not None:
        matched = _linked(plan_item, department, year)
    else:
        matched = best_match(name, items, planned_items(department, year))
    if matched is not None and matched.merged_into_id:
        matched = matched.merged_into
    with transaction.atomic():
        a = Assessment.objects.create(
            department=department,
            name=name,
            kind=kind,
            items=items,
            launched_on=launched_on,
            plan_item=matched,
            unplanned=matched is None,
            created_by=actor,
            created_at=clock.now(),
        )
        a.targets.set(list(targets))
        audit.record("supervision.assessment_launched", actor=actor, obj=a, after=_state(a))
        if a.unplanned:
            _warn_unplanned(a)
    return a


def _warn_unplanned(a: Assessment) -> None:
    text = _(
        "%(department)s于%(day)s实施的“%(name)s”不在本部门%(year)s年度已批准的督查检查考核"
        "计划内，请说明理由。"
    ) % {
        "department": a.department.name,
        "day": a.launched_on.isoformat(),
        "name": a.name,
        "year": a.launched_on.year,
    }
    reminders.raise_reminder(None, a.department, text, flag_kind=FlagKind.UNPLANNED, assessment=a)
