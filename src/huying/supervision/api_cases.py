"""Formalism cases through the API (/api/v1/supervision/cases).

List and get (scoped by case_selectors: the commission and leaders see all, a unit the cases
against it, others 404); open with evidence, open against the guiding unit of an unguided
task that failed, add evidence, add a person held accountable, conclude (the commission only:
403 otherwise). Rules live in `cases`.
"""

from datetime import date, datetime
from typing import Annotated

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from huying.core.errors import Invalid
from huying.core.pagination import BoundedLimitOffset
from huying.core.scoping import get_visible_or_404
from huying.orgs.models import Org
from huying.supervision import case_selectors, cases
from huying.supervision.api_plans import ERRORS, Text
from huying.supervision.choices import (
    AccountabilityLevel,
    AccountabilityMeasure,
    CaseStatus,
    EvidenceKind,
)
from huying.supervision.task_selectors import tasks_visible_to

router = Router(tags=["形式主义官僚主义问题"])
CaseId = Path[Annotated[int, Field(ge=1, le=2**63 - 1)]]

# --- schemas -----------------------------------------------------------------------------------


class SupCaseEvidenceIn(Schema):
    kind: EvidenceKind = Field(description="证据类型")
    call: int | None = Field(None, description="呼叫 ID（超期未办、敷衍应付）")
    task: int | None = Field(None, description="填报任务 ID（过度填表报数、缺乏指导）")
    assessment: int | None = Field(None, description="考核实施 ID（计划外考核）")
    note: Text = Field("", max_length=300, description="说明")


class SupCaseIn(Schema):
    problem: Text = Field(min_length=1, max_length=2000, examples=["多次超期未办结呼叫"])
    unit: str = Field(description="责任单位编码", examples=["440111-cgj"])
    guiding_unit: str | None = Field(None, description="指导单位编码（可空）")
    evidence: list[SupCaseEvidenceIn] = Field(default_factory=list, max_length=50)


class SupCasePersonIn(Schema):
    name: Text = Field(min_length=1, max_length=50, examples=["张某"])
    position: Text = Field("", max_length=80, examples=["城管局执法中队中队长"])
    level: AccountabilityLevel
    measure: AccountabilityMeasure
    decided_at: date | None = Field(None, description="处理日期，默认今天")


class SupCaseOutcomeIn(Schema):
    outcome: Text = Field(min_length=1, max_length=2000)


class SupCaseGuidanceIn(Schema):
    task: int = Field(description="下派时未提供指导、填报单位逾期的任务 ID")
    problem: Text = Field("", max_length=2000)


class SupCaseUnit(Schema):
    code: str
    name: str


class SupCaseEvidenceOut(Schema):
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    call: int | None = Field(alias="call_id")
    call_number: str | None = None
    task: int | None = Field(alias="task_id")
    assessment: int | None = Field(alias="assessment_id")
    note: str

    @staticmethod
    def resolve_call_number(e) -> str | None:
        return e.call.number if e.call_id else None


class SupCasePersonOut(Schema):
    name: str
    position: str
    level: str
    level_label: str = Field(alias="get_level_display")
    measure: str
    measure_label: str = Field(alias="get_measure_display")
    decided_at: date


class SupCaseOut(Schema):
    id: int
    number: str
    problem: str
    unit: SupCaseUnit
    guiding_unit: SupCaseUnit | None
    status: CaseStatus
    status_label: str = Field(alias="get_status_display")
    outcome: str
    opened_at: datetime
    concluded_at: datetime | None
    evidence_count: int = 0
    people_count: int = 0


class SupCaseDetailOut(SupCaseOut):
    evidence: list[SupCaseEvidenceOut]
    people: list[SupCasePersonOut]

    @staticmethod
    def resolve_evidence(case) -> list:
        return list(case.evidence.all())

    @staticmethod
    def resolve_people(case) -> list:
        return list(case.people.all())

    @staticmethod
    def resolve_evidence_count(case) -> int:
        return len(case.evidence.all())

    @staticmethod
    def resolve_people_count(case) -> int:
        return len(case.people.all())


class SupCaseFilters(Schema):
    status: CaseStatus | None = None
    unit: str | None = Field(None, description="单位编码：责任单位或指导单位")
    year: int | None = Field(None, ge=2000, le=2100)


# --- handlers ----------------------------------------------------------------------------------


def _org(code: str | None, field: str) -> Org | None:
    if not code:
        return None
    org = Org.objects.filter(code=code).first()
    if org is None:
        raise Invalid(_("单位编码不存在"), field=field)
    return org


def _detail(request, case_id: int):
    return case_selectors.case_detail(request.auth, case_id)


@router.get("", response=list[SupCaseOut], summary="问题台账（按可见范围，可筛选，分页）")
@paginate(BoundedLimitOffset)
def list_cases(request: HttpRequest, filters: Query[SupCaseFilters]):
    f = case_selectors.CaseFilter(status=filters.status, unit=filters.unit, year=filters.year)
    return case_selectors.case_list(request.auth, f)


@router.get("/{case_id}", response={200: SupCaseDetailOut, **ERRORS}, summary="问题详情")
def get_case(request: HttpRequest, case_id: CaseId):
    return _detail(request, case_id)


@router.post("", response={201: SupCaseDetailOut, **ERRORS}, summary="登记问题（纪委监委）")
def open_case(request: HttpRequest, payload: SupCaseIn):
    evidence = [item.model_dump() for item in payload.evidence]
    case = cases.open_case(
        request.auth, payload.problem, _org(payload.unit, "unit"), evidence,
        guiding_unit=_org(payload.guiding_unit, "guiding_unit"),
    )  # fmt: skip
    return Status(201, _detail(request, case.pk))


@router.post(
    "/guidance", response={201: SupCaseDetailOut, **ERRORS},
    summary="对下派任务缺乏指导、基层未落实的，追究指导单位责任（纪委监委）",
)  # fmt: skip
def open_guidance_case(request: HttpRequest, payload: SupCaseGuidanceIn):
    visible = tasks_visible_to(request.auth)
    task = get_visible_or_404(visible, request.auth, pk=payload.task)
    case = cases.open_guidance_case(request.auth, task, payload.problem)
    return Status(201, _detail(request, case.pk))


@router.post("/{case_id}/evidence", response={201: SupCaseDetailOut, **ERRORS},
             summary="补充证据（纪委监委）")  # fmt: skip
def add_evidence(request: HttpRequest, case_id: CaseId, payload: SupCaseEvidenceIn):
    cases.add_evidence(request.auth, _detail(request, case_id), payload.model_dump())
    return Status(201, _detail(request, case_id))


@router.post("/{case_id}/people", response={201: SupCaseDetailOut, **ERRORS},
             summary="登记被问责人员（纪委监委）")  # fmt: skip
def add_person(request: HttpRequest, case_id: CaseId, payload: SupCasePersonIn):
    cases.add_person(request.auth, _detail(request, case_id), payload.model_dump())
    return Status(201, _detail(request, case_id))


@router.post("/{case_id}/conclude", response={200: SupCaseDetailOut, **ERRORS},
             summary="办结并记录处理结果（纪委监委）")  # fmt: skip
def conclude(request: HttpRequest, case_id: CaseId, payload: SupCaseOutcomeIn):
    cases.conclude(request.auth, _detail(request, case_id), payload.outcome)
    return _detail(request, case_id)
