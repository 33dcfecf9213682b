"""The annual inspection plan (督查检查考核计划): a department drafts its plan for a year, item
by item, and submits it; the district (a district leader, or an administrator acting for the
district office) approves it or returns it with a note. Each action is audited.

Lifecycle: draft -> submitted -> approved, or submitted -> returned -> (edited) submitted.
Items change only while the plan is a draft or returned; any other transition is a 409.
A responsibility agreement (责任制事项) states its start and end years or it is refused (422).
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from huying.core import audit, clock
from huying.core.errors import Conflict, Forbidden, Invalid
from huying.orgs.choices import OrgKind, Role
from huying.supervision.choices import Frequency, InspectionKind, PlanStatus
from huying.supervision.models import InspectionPlan, PlanItem

EDITABLE = (PlanStatus.DRAFT, PlanStatus.RETURNED)
DEPARTMENT_ROLES = (Role.RESPONDER, Role.DEPARTMENT_HEAD)
# The district decides: its leaders, or an administrator acting for the district office.
DECIDER_ROLES = (Role.LEADER, Role.ADMIN)
YEARS = range(2000, 2101)


@dataclass(frozen=True)
class ItemData:
    """One plan item as a department writes it (`items`: one check or criterion a line)."""

    name: str
    kind: str
    scope: str
    items: str
    frequency: str
    targets: str
    start_year: int | None = None
    end_year: int | None = None


def may_draft(user, department) -> bool:
    """The department's own staff, or an administrator."""
    if user.role == Role.ADMIN:
        return True
    return user.role in DEPARTMENT_ROLES and user.org_id == department.pk


def may_decide(user) -> bool:
    return user.role in DECIDER_ROLES


def _require_draft(actor, department) -> None:
    if not may_draft(actor, department):
        raise Forbidden(_("只有本部门人员可以编制和报送本部门的计划"))


def _require_editable(plan: InspectionPlan) -> None:
    if plan.status not in EDITABLE:
        raise Conflict(
            _("计划当前为“%(status)s”，不能修改") % {"status": plan.get_status_display()},
            field="status",
        )


def plan_state(plan: InspectionPlan) -> dict:
    return {
        "department": plan.department.code,
        "year": plan.year,
        "status": plan.status,
        "items": plan.items.count(),
        "note": plan.decision_note,
    }


def item_state(item: PlanItem) -> dict:
    return {
        "plan": item.plan_id,
        "name": item.name,
        "kind": item.kind,
        "scope": item.scope,
        "items": item.items,
        "frequency": item.frequency,
        "targets": item.targets,
        "start_year": item.start_year,
        "end_year": item.end_year,
        "merged_into": item.merged_into_id,
    }


def create_plan(actor, department, year: int) -> InspectionPlan:
    _require_draft(actor, department)
    if department.kind != OrgKind.DEPARTMENT:
        raise Invalid(_("只有区直部门编制督查检查考核计划"), field="department")
    if year not in YEARS:
        raise Invalid(_("年度不正确"), field="year")
    try:
        with transaction.atomic():
            plan = InspectionPlan.objects.create(department=department, year=year)
            audit.record("supervision.plan_created", actor=actor, obj=plan, after=plan_state(plan))
    except IntegrityError:
        raise Conflict(_("本部门该年度的计划已存在"), field="year") from None
    return plan


def clean_item(data: ItemData) -> ItemData:
    """The item with its text trimmed, or Invalid naming the first wrong field."""
    text = {k: (getattr(data, k) or "").strip() for k in ("name", "scope", "targets")}
    lines = [line.strip() for line in (data.items or "").splitlines() if line.strip()]
    for field, label in (("name", _("名称")), ("scope", _("范围")), ("targets", _("对象"))):
        if not text[field]:
            raise Invalid(_("请填写%(label)s") % {"label": label}, field=field)
    if not lines:
        raise Invalid(_("请填写内容，每行一项"), field="items")
    if data.kind not in InspectionKind.values:
        raise Invalid(_("类别不是可选的值"), field="kind")
    if data.frequency not in Frequency.values:
        raise Invalid(_("频次不是可选的值"), field="frequency")
    start, end = _years(data)
    return ItemData(
        **text,
        kind=data.kind,
        items="\n".join(lines),
        frequency=data.frequency,
        start_year=start,
        end_year=end,
    )


def _years(data: ItemData) -> tuple[int | None, int | None]:
    """A responsibility agreement must state both years, the end not before the start; other
    kinds keep whatever years they were given, if consistent."""
    start, end = data.start_year, data.end_year
    if data.kind == InspectionKind.RESPONSIBILITY:
        if start is None:
            raise Invalid(_("责任制事项须写明起止年度"), field="start_year")
        if end is None:
            raise Invalid(_("责任制事项须写明起止年度"), field="end_year")
    for field, year in (("start_year", start), ("end_year", end)):
        if year is not None and year not in YEARS:
            raise Invalid(_("年度不正确"), field=field)
    if start is not None and end is not None and end < start:
        raise Invalid(_("终止年度不能早于起始年度"), field="end_year")
    return start, end


def add_item(actor, plan: InspectionPlan, data: ItemData) -> PlanItem:
    _require_draft(actor, plan.department)
    data = clean_item(data)
    with transaction.atomic():
        plan = InspectionPlan.objects.select_for_update().get(pk=plan.pk)
        _require_editable(plan)
        item = PlanItem.objects.create(plan=plan, **data.__dict__)
        audit.record("supervision.plan_item_added", actor=actor, obj=item, after=item_state(item))
    return item


def update_item(actor, item: PlanItem, data: ItemData) -> PlanItem:
    _require_draft(actor, item.plan.department)
    data = clean_item(data)
    with transaction.atomic():
        plan = InspectionPlan.objects.select_for_update().get(pk=item.plan_id)
        _require_editable(plan)
        before = item_state(item)
        for name, value in data.__dict__.items():
            setattr(item, name, value)
        item.save()
        audit.record(
            "supervision.plan_item_changed",
            actor=actor,
            obj=item,
            before=before,
            after=item_state(item),
        )
    return item


def delete_item(actor, item: PlanItem) -> None:
    _require_draft(actor, item.plan.department)
    with transaction.atomic():
        plan = InspectionPlan.objects.select_for_update().get(pk=item.plan_id)
        _require_editable(plan)
        audit.record(
            "supervision.plan_item_deleted", actor=actor, obj=item, before=item_state(item)
        )
        item.delete()


def _flip(actor, plan: InspectionPlan, old: tuple, new: str, action: str, **fields) -> None:
    """Compare-and-swap the status: a plan no longer in one of `old` is a 409."""
    before = plan_state(plan)
    updated = InspectionPlan.objects.filter(pk=plan.pk, status__in=old).update(status=new, **fields)
    plan.refresh_from_db()
    if not updated:
        raise Conflict(
            _("计划当前为“%(status)s”，不能执行该操作") % {"status": plan.get_status_display()},
            field="status",
        )
    audit.record(
        action,
        actor=actor,
        obj=plan,
        before=before,
        after=plan_state(plan),
        reason=fields.get("decision_note", ""),
    )


def submit(actor, plan: InspectionPlan) -> InspectionPlan:
    _require_draft(actor, plan.department)
    if not plan.items.exists():
        raise Invalid(_("计划还没有事项，不能报送"), field="items")
    with transaction.atomic():
        _flip(
            actor,
            plan,
            EDITABLE,
            PlanStatus.SUBMITTED,
            "supervision.plan_submitted",
            submitted_at=clock.now(),
        )
    return plan


def approve(actor, plan: InspectionPlan, note: str = "") -> InspectionPlan:
    return _decide(actor, plan, PlanStatus.APPROVED, (note or "").strip())


def return_plan(actor, plan: InspectionPlan, note: str) -> InspectionPlan:
    note = (note or "").strip()
    if not note:
        raise Invalid(_("退回时请写明修改意见"), field="note")
    return _decide(actor, plan, PlanStatus.RETURNED, note)


def _decide(actor, plan: InspectionPlan, status: str, note: str) -> InspectionPlan:
    if not may_decide(actor):
        raise Forbidden(_("只有区领导或系统管理员可以审批计划"))
    action = (
        "supervision.plan_approved"
        if status == PlanStatus.APPROVED
        else "supervision.plan_returned"
    )
    with transaction.atomic():
        _flip(
            actor,
            plan,
            (PlanStatus.SUBMITTED,),
            status,
            action,
            decided_by=actor,
            decided_at=clock.now(),
            decision_note=note[:300],
        )
    return plan
