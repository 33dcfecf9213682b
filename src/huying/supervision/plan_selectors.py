"""Reads for inspection plans, assessments launched and merges, with their scoping.

A department sees its own plans and assessments; the commission, leaders, the command centre
and administrators see the district's; a town sees none (404). Merges and merge proposals are
shown when every item in them is visible, so a department sees no other department's items.
"""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from huying.core.scoping import scope_for
from huying.orgs.choices import OrgKind
from huying.orgs.models import Org
from huying.supervision import merges
from huying.supervision.choices import InspectionKind, PlanStatus
from huying.supervision.models import Assessment, InspectionPlan, Merge, PlanItem

ITEM_ORDER = ("id",)


def plans_visible_to(user) -> QuerySet[InspectionPlan]:
    plans = InspectionPlan.objects.select_related("department", "decided_by")
    return scope_for(user).filter(plans, "department")


def items_visible_to(user) -> QuerySet[PlanItem]:
    items = PlanItem.objects.select_related("plan", "plan__department", "merged_into")
    return scope_for(user).filter(items, "plan__department")


def assessments_visible_to(user) -> QuerySet[Assessment]:
    found = Assessment.objects.select_related("department", "plan_item", "created_by")
    return scope_for(user).filter(found, "department").prefetch_related("targets")


def merges_visible_to(user) -> QuerySet[Merge]:
    scope = scope_for(user)
    found = Merge.objects.select_related("kept", "kept__plan__department", "decided_by")
    if scope.whole_district:
        return found.prefetch_related("merged__plan__department")
    outside = Merge.objects.filter(
        ~scope.q("kept__plan__department") | ~scope.q("merged__plan__department")
    ).values("pk")
    return (
        scope.filter(found, "kept__plan__department")
        .exclude(pk__in=outside)
        .prefetch_related("merged__plan__department")
    )


@dataclass(frozen=True)
class PlanFilter:
    year: int | None = None
    status: str | None = None
    department: str | None = None  # org code


def plan_list(user, f: PlanFilter) -> QuerySet[InspectionPlan]:
    plans = plans_visible_to(user).annotate(item_count=Count("items"))
    if f.year:
        plans = plans.filter(year=f.year)
    if f.status:
        plans = plans.filter(status=f.status)
    if f.department:
        plans = plans.filter(department__code=f.department)
    return plans.order_by("-year", "department__sort_order", "pk")


def plan_detail(user, **lookup) -> QuerySet[InspectionPlan]:
    """The visible plans with their items in order (for `get_visible_or_404`)."""
    items = PlanItem.objects.select_related("merged_into").order_by(*ITEM_ORDER)
    return plans_visible_to(user).prefetch_related(Prefetch("items", queryset=items))


def awaiting_decision(user) -> QuerySet[InspectionPlan]:
    return plan_list(user, PlanFilter(status=PlanStatus.SUBMITTED)).order_by("submitted_at", "pk")


def own_department(user) -> Org | None:
    """The department a user drafts plans for, if they work in one."""
    if user.org_id and user.org.kind == OrgKind.DEPARTMENT:
        return user.org
    return None


@dataclass(frozen=True)
class AssessmentFilter:
    year: int | None = None
    unplanned: bool | None = None
    department: str | None = None


def assessment_list(user, f: AssessmentFilter) -> QuerySet[Assessment]:
    found = assessments_visible_to(user)
    if f.year:
        found = found.filter(launched_on__year=f.year)
    if f.unplanned is not None:
        found = found.filter(unplanned=f.unplanned)
    if f.department:
        found = found.filter(department__code=f.department)
    return found.order_by("-launched_on", "-pk")


def merge_list(user, year: int | None = None) -> QuerySet[Merge]:
    found = merges_visible_to(user)
    return found.filter(kept__plan__year=year) if year else found


def proposals(user, year: int) -> list[merges.Proposal]:
    """The year's merge proposals among the items the user sees."""
    visible = merges.mergeable_items(year).filter(Q(pk__in=items_visible_to(user).values("pk")))
    return merges.propose_merges(year, visible)


def counted_items(year: int) -> QuerySet[PlanItem]:
    """The year's approved plan items that count as separate assessments (merged ones do not;
    responsibility agreements are not assessments)."""
    return PlanItem.objects.filter(
        plan__year=year, plan__status=PlanStatus.APPROVED, merged_into__isnull=True
    ).exclude(kind=InspectionKind.RESPONSIBILITY)
