"""Inspection plans, assessments launched and merges through the API (/api/v1/supervision/...).

Plans: list, get, create, items added, changed and deleted while the plan is a draft or
returned, submit, approve or return (the district). Assessments: list, get, launch (flagged
unplanned outside the approved plan). Merges: list, the year's proposals, merge.

Errors: 403 not this role's, 404 not found or out of view, 409 the plan's or item's state does
not allow it, 422 a field is wrong (named).
"""

from datetime import date, datetime
from typing import Annotated

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import AfterValidator, Field

from huying.core.errors import Invalid
from huying.core.pagination import BoundedLimitOffset
from huying.core.scoping import get_visible_or_404
from huying.orgs.models import Org
from huying.supervision import assessments, merges, plan_selectors, plans
from huying.supervision.choices import Frequency, InspectionKind, PlanStatus
from huying.supervision.models import Assessment, InspectionPlan, Merge, PlanItem

plans_router = Router(tags=["督查检查考核计划"])
assessments_router = Router(tags=["督查检查考核计划"])
merges_router = Router(tags=["督查检查考核计划"])

Id = Annotated[int, Field(ge=1, le=2**63 - 1, json_schema_extra={"example": 3})]
Year = Annotated[int, Field(ge=2000, le=2100, json_schema_extra={"example": 2026})]


def _no_nul(value: str) -> str:
    if "\x00" in value:  # PostgreSQL refuses NUL in text
        raise ValueError("不能含有空字符（NUL）")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]


class SupPlanError(Schema):
    detail: str = Field(description="给用户看的说明（中文）")
    errors: list[dict] = Field(description="出错的字段：[{field, message}]")


ERRORS = {code: SupPlanError for code in (403, 404, 409, 422)}

# --- schemas -----------------------------------------------------------------------------------


class SupPlanItemIn(Schema):
    name: Text = Field(max_length=120, description="名称", examples=["城市管理综合考评"])
    kind: InspectionKind = Field(description="督查 / 检查 / 考核 / 责任制事项")
    scope: Text = Field(max_length=200, description="范围", examples=["全区各镇街"])
    items: Text = Field(description="内容，每行一项", examples=["市容环境卫生\n占道经营"])
    frequency: Frequency
    targets: Text = Field(max_length=200, description="对象", examples=["各镇街"])
    start_year: Year | None = Field(None, description="起始年度（责任制事项必填）")
    end_year: Year | None = Field(None, description="终止年度（责任制事项必填）")


class SupPlanItemOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    scope: str
    items: list[str]
    frequency: str
    frequency_label: str = Field(alias="get_frequency_display")
    targets: str
    start_year: int | None
    end_year: int | None
    merged_into: int | None = Field(alias="merged_into_id", description="已并入的事项 ID")

    @staticmethod
    def resolve_items(item: PlanItem) -> list[str]:
        return merges.lines(item.items)


class SupPlanOut(Schema):
    id: int
    department: str = Field(alias="department.code", description="部门编码")
    department_name: str = Field(alias="department.name")
    year: int
    status: PlanStatus
    status_label: str = Field(alias="get_status_display")
    submitted_at: datetime | None
    decided_at: datetime | None
    decision_note: str


class SupPlanDetailOut(SupPlanOut):
    items: list[SupPlanItemOut]

    @staticmethod
    def resolve_items(plan: InspectionPlan) -> list[PlanItem]:
        return list(plan.items.all())


class SupPlanIn(Schema):
    year: Year
    department: str | None = Field(None, max_length=32, description="部门编码；默认本部门")


class SupDecisionIn(Schema):
    note: Text = Field("", max_length=300, description="审批意见（退回时必填）")


# --- plans -------------------------------------------------------------------------------------


def _plan(request: HttpRequest, plan_id: int) -> InspectionPlan:
    return get_visible_or_404(plan_selectors.plan_detail(request.auth), request.auth, pk=plan_id)


def _item(request: HttpRequest, plan_id: int, item_id: int) -> PlanItem:
    visible = plan_selectors.items_visible_to(request.auth)
    return get_visible_or_404(visible, request.auth, pk=item_id, plan_id=plan_id)


def _data(payload: SupPlanItemIn) -> plans.ItemData:
    return plans.ItemData(**payload.dict())


@plans_router.get("", response=list[SupPlanOut], summary="计划列表（按可见范围，可筛选，分页）")
@paginate(BoundedLimitOffset)
def list_plans(
    request: HttpRequest,
    year: Query[Year | None] = None,
    status: Query[PlanStatus | None] = None,
    department: Query[str | None] = None,
):
    f = plan_selectors.PlanFilter(year=year, status=status, department=department)
    return plan_selectors.plan_list(request.auth, f)


@plans_router.post("", response={201: SupPlanDetailOut, **ERRORS}, summary="新建年度计划")
def create_plan(request: HttpRequest, payload: SupPlanIn):
    department = plan_selectors.own_department(request.auth)
    if payload.department:
        department = Org.objects.filter(code=payload.department).first()
    if department is None:
        raise Invalid(_("请指定部门"), field="department")
    plan = plans.create_plan(request.auth, department, payload.year)
    return Status(201, _plan(request, plan.pk))


@plans_router.get("/{plan_id}", response={200: SupPlanDetailOut, **ERRORS}, summary="计划详情")
def get_plan(request: HttpRequest, plan_id: Path[Id]):
    return _plan(request, plan_id)


@plans_router.post("/{plan_id}/items", response={201: SupPlanItemOut, **ERRORS}, summary="添加事项")
def add_item(request: HttpRequest, plan_id: Path[Id], payload: SupPlanItemIn):
    return Status(201, plans.add_item(request.auth, _plan(request, plan_id), _data(payload)))


@plans_router.put(
    "/{plan_id}/items/{item_id}", response={200: SupPlanItemOut, **ERRORS}, summary="修改事项"
)
def update_item(request: HttpRequest, plan_id: Path[Id], item_id: Path[Id], payload: SupPlanItemIn):
    return plans.update_item(request.auth, _item(request, plan_id, item_id), _data(payload))


@plans_router.delete(
    "/{plan_id}/items/{item_id}", response={204: None, **ERRORS}, summary="删除事项"
)
def delete_item(request: HttpRequest, plan_id: Path[Id], item_id: Path[Id]):
    plans.delete_item(request.auth, _item(request, plan_id, item_id))
    return Status(204, None)


@plans_router.post(
    "/{plan_id}/submit", response={200: SupPlanDetailOut, **ERRORS}, summary="报送区里审批"
)
def submit(request: HttpRequest, plan_id: Path[Id]):
    plans.submit(request.auth, _plan(request, plan_id))
    return _plan(request, plan_id)


@plans_router.post(
    "/{plan_id}/approve",
    response={200: SupPlanDetailOut, **ERRORS},
    summary="批准（区领导、系统管理员）",
)
def approve(request: HttpRequest, plan_id: Path[Id], payload: SupDecisionIn):
    plans.approve(request.auth, _plan(request, plan_id), payload.note)
    return _plan(request, plan_id)


@plans_router.post(
    "/{plan_id}/return",
    response={200: SupPlanDetailOut, **ERRORS},
    summary="退回修改（须写明意见）",
)
def return_plan(request: HttpRequest, plan_id: Path[Id], payload: SupDecisionIn):
    plans.return_plan(request.auth, _plan(request, plan_id), payload.note)
    return _plan(request, plan_id)


# --- assessments -------------------------------------------------------------------------------


class SupAssessmentIn(Schema):
    name: Text = Field(max_length=120, examples=["城市管理综合考评"])
    kind: InspectionKind
    items: Text = Field("", description="内容，每行一项")
    targets: list[str] = Field(default_factory=list, description="对象单位编码")
    launched_on: date
    department: str | None = Field(None, max_length=32, description="部门编码；默认本部门")
    plan_item: Id | None = Field(None, description="对应的计划事项 ID；不填则按名称和内容匹配")


class SupAssessmentOut(Schema):
    id: int
    department: str = Field(alias="department.code")
    department_name: str = Field(alias="department.name")
    name: str
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    items: list[str]
    targets: list[str]
    launched_on: date
    plan_item: int | None = Field(alias="plan_item_id")
    plan_item_name: str | None
    unplanned: bool = Field(description="计划外：已向部门发出提醒")

    @staticmethod
    def resolve_items(a: Assessment) -> list[str]:
        return merges.lines(a.items)

    @staticmethod
    def resolve_targets(a: Assessment) -> list[str]:
        return [t.code for t in a.targets.all()]

    @staticmethod
    def resolve_plan_item_name(a: Assessment) -> str | None:
        return a.plan_item.name if a.plan_item_id else None


@assessments_router.get("", response=list[SupAssessmentOut], summary="督查检查考核实施列表")
@paginate(BoundedLimitOffset)
def list_assessments(
    request: HttpRequest,
    year: Query[Year | None] = None,
    unplanned: Query[bool | None] = None,
    department: Query[str | None] = None,
):
    f = plan_selectors.AssessmentFilter(year=year, unplanned=unplanned, department=department)
    return plan_selectors.assessment_list(request.auth, f)


def _targets(codes: list[str]) -> list[Org]:
    found = {o.code: o for o in Org.objects.filter(code__in=codes)}
    for i, code in enumerate(codes):
        if code not in found:
            raise Invalid(_("未找到该单位：%(code)s") % {"code": code}, field=f"targets.{i}")
    return list(found.values())


@assessments_router.post(
    "",
    response={201: SupAssessmentOut, **ERRORS},
    summary="登记实施一项督查检查考核（计划外的标记并提醒）",
)
def launch(request: HttpRequest, payload: SupAssessmentIn):
    department = plan_selectors.own_department(request.auth)
    if payload.department:
        department = Org.objects.filter(code=payload.department).first()
    if department is None:
        raise Invalid(_("请指定部门"), field="department")
    item = None
    if payload.plan_item:
        item = get_visible_or_404(
            plan_selectors.items_visible_to(request.auth), request.auth, pk=payload.plan_item
        )
    a = assessments.launch(
        request.auth,
        department,
        payload.name,
        payload.kind,
        payload.items,
        _targets(payload.targets),
        payload.launched_on,
        plan_item=item,
    )
    return Status(201, a)


@assessments_router.get(
    "/{assessment_id}", response={200: SupAssessmentOut, **ERRORS}, summary="督查检查考核实施详情"
)
def get_assessment(request: HttpRequest, assessment_id: Path[Id]):
    visible = plan_selectors.assessments_visible_to(request.auth)
    return get_visible_or_404(visible, request.auth, pk=assessment_id)


# --- merges ------------------------------------------------------------------------------------


class SupMergeItemOut(Schema):
    id: int
    name: str
    department: str = Field(alias="plan.department.name")


class SupProposalOut(Schema):
    first: SupMergeItemOut
    second: SupMergeItemOut
    similarity: float
    shared: list[str] = Field(description="共同的考核内容")


class SupMergeOut(Schema):
    id: int
    kept: SupMergeItemOut
    merged: list[SupMergeItemOut]
    similarity: float | None
    reason: str
    decided_by: str = Field(alias="decided_by.display_name")
    decided_at: datetime

    @staticmethod
    def resolve_merged(m: Merge) -> list[PlanItem]:
        return list(m.merged.all())


class SupMergeIn(Schema):
    kept: Id = Field(description="保留的计划事项 ID")
    merged: list[Id] = Field(min_length=1, description="并入的计划事项 ID")
    reason: Text = Field(max_length=300, examples=["考核内容大部分重合，合并为一次考核"])


@merges_router.get("", response=list[SupMergeOut], summary="考核合并记录")
@paginate(BoundedLimitOffset)
def list_merges(request: HttpRequest, year: Query[Year | None] = None):
    return plan_selectors.merge_list(request.auth, year)


@merges_router.get("/proposals", response=list[SupProposalOut], summary="相似考核合并建议")
def proposals(request: HttpRequest, year: Query[Year]):
    return plan_selectors.proposals(request.auth, year)


@merges_router.post("", response={201: SupMergeOut, **ERRORS}, summary="合并相似考核")
def merge(request: HttpRequest, payload: SupMergeIn):
    visible = plan_selectors.items_visible_to(request.auth)
    kept = get_visible_or_404(visible, request.auth, pk=payload.kept)
    merged = [get_visible_or_404(visible, request.auth, pk=pk) for pk in payload.merged]
    record = merges.merge(request.auth, kept, merged, payload.reason)
    return Status(201, plan_selectors.merges_visible_to(request.auth).get(pk=record.pk))
