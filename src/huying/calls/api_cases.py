"""Thin API handlers for accountability cases (问责) and the perfunctory-response referral.

Cases: list, get (with the call's event trail as evidence), and record the outcome with the
people held accountable. Ratings: the discipline commission confirms a "perfunctory response"
flag, which opens a case. Rules live in `accountability`; reads and scoping in `case_selectors`.
"""

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Path, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from huying.calls import accountability, case_selectors
from huying.calls.accountability import ACCOUNTABILITY_LEVELS
from huying.calls.api_schemas import (
    ERRORS,
    CallError,
    CallId,
    CallUnit,
    KindChoice,
    Text,
    _choice,
    _examples,
    _param,
)
from huying.calls.choices import CallStatus, CaseReason, CaseStatus, EventKind
from huying.calls.models import AccountabilityCase

cases_router = Router(tags=["问责"])
ratings_router = Router(tags=["问责"])

ReasonChoice = _choice(CaseReason)
CaseStatusChoice = _choice(CaseStatus)
Level = Literal[ACCOUNTABILITY_LEVELS]
CaseId = Path[int, {"description": "问责案件 ID（列表中的 id）", "example": 12}]

# --- inputs ------------------------------------------------------------------------------------


class PersonIn(Schema):
    model_config = _examples({"name": "张三", "post": "城管局执法二中队中队长", "level": "诫勉"})

    name: Text = Field(min_length=1, max_length=50, description="姓名")
    post: Text = Field("", max_length=100, description="职务")
    level: Level = Field(description=f"问责方式：{'、'.join(ACCOUNTABILITY_LEVELS)}")


class OutcomeIn(Schema):
    model_config = _examples(
        {
            "outcome": "经查，城管局对该呼叫超期未响应，责令作出书面检查",
            "people": [
                {"name": "张三", "post": "城管局执法二中队中队长", "level": "诫勉"},
                {"name": "李四", "post": "城管局副局长", "level": "提醒谈话"},
            ],
        }
    )

    outcome: Text = Field(min_length=1, description="处理结果")
    people: list[PersonIn] = Field(default_factory=list, description="被问责人员")


StatusFilter = _param(CaseStatusChoice | None, "案件状态", "open")
ReasonFilter = _param(ReasonChoice | None, "事由", "no_response")
DepartmentFilter = _param(str | None, "被问责部门的编码", "440111-cgj")

# --- outputs -----------------------------------------------------------------------------------


class CaseCall(Schema):
    model_config = _examples({"id": 1024, "number": "HY20260001024", "title": "店外经营占道"})

    id: int
    number: str = Field(description="呼叫编号")
    title: str


class PersonOut(Schema):
    model_config = PersonIn.model_config

    name: str
    post: str = ""
    level: str


class EvidenceOut(Schema):
    """One event of the call's trail, as frozen when the case was opened."""

    model_config = _examples(
        {
            "seq": 1,
            "kind": "created",
            "kind_label": "发起呼叫",
            "at": "2026-11-16T09:00:00+08:00",
            "actor": "云城街呼叫员",
            "from_status": None,
            "to_status": "called",
            "to_status_label": "待响应",
            "note": "",
        }
    )

    seq: int
    kind: KindChoice
    kind_label: str
    at: datetime
    actor: str = Field(description="操作人（当时的姓名）")
    from_status: str | None
    to_status: str | None
    to_status_label: str | None
    note: str

    @staticmethod
    def resolve_kind_label(event: dict) -> str:
        return str(EventKind(event["kind"]).label)

    @staticmethod
    def resolve_from_status(event: dict) -> str | None:
        return event.get("from") or None

    @staticmethod
    def resolve_to_status(event: dict) -> str | None:
        return event.get("to") or None

    @staticmethod
    def resolve_to_status_label(event: dict) -> str | None:
        return str(CallStatus(event["to"]).label) if event.get("to") else None


CASE_EXAMPLE = {
    "id": 12,
    "call": CaseCall.model_config["json_schema_extra"]["examples"][0],
    "department": {"code": "440111-cgj", "name": "区城市管理和综合执法局"},
    "reason": "no_response",
    "reason_label": "超期未响应",
    "status": "open",
    "status_label": "办理中",
    "opened_at": "2026-11-24T00:00:00+08:00",
    "opened_by": None,
    "closed_at": None,
    "outcome": "",
    "people": [],
}


class CaseOut(Schema):
    model_config = _examples(CASE_EXAMPLE)

    id: int
    call: CaseCall
    department: CallUnit = Field(description="被问责部门")
    reason: ReasonChoice
    reason_label: str = Field(alias="get_reason_display")
    status: CaseStatusChoice
    status_label: str = Field(alias="get_status_display")
    opened_at: datetime
    opened_by: str | None = Field(description="立案人；督办程序自动立案为空")
    closed_at: datetime | None
    outcome: str = Field(description="处理结果；未结案为空")
    people: list[PersonOut] = Field(description="被问责人员")

    @staticmethod
    def resolve_opened_by(case: AccountabilityCase) -> Any:
        return case.opened_by.display_name if case.opened_by_id else None


class CaseDetailOut(CaseOut):
    model_config = _examples(
        CASE_EXAMPLE | {"evidence": [EvidenceOut.model_config["json_schema_extra"]["examples"][0]]}
    )

    evidence: list[EvidenceOut] = Field(description="立案时呼叫的事件记录（证据），从早到晚")


# --- handlers ----------------------------------------------------------------------------------


@cases_router.get("", response=list[CaseOut], summary="问责案件列表（按可见范围，可筛选，分页）")
@paginate
def list_cases(
    request: HttpRequest,
    status: StatusFilter = None,
    reason: ReasonFilter = None,
    department: DepartmentFilter = None,
):
    filters = case_selectors.CaseFilter(status=status, reason=reason, department=department)
    return case_selectors.case_list(request.auth, filters)


@cases_router.get(
    "/{case_id}",
    response={200: CaseDetailOut, 404: CallError, 422: CallError},
    summary="问责案件详情：呼叫、被问责部门、证据和处理结果",
)
def get_case(request: HttpRequest, case_id: CaseId):
    return case_selectors.case_detail(request.auth, case_id)


@cases_router.post(
    "/{case_id}/outcome",
    response={200: CaseDetailOut, **ERRORS},
    summary="记录处理结果和被问责人员并结案（纪委监委）",
)
def record_outcome(request: HttpRequest, case_id: CaseId, payload: OutcomeIn):
    case = case_selectors.case_detail(request.auth, case_id)
    people = [person.model_dump() for person in payload.people]
    return accountability.record_outcome(
        actor=request.auth, case=case, outcome=payload.outcome, people=people
    )


@ratings_router.post(
    "/{call_id}/confirm-perfunctory",
    response={201: CaseDetailOut, **ERRORS},
    summary="认定应付式响应并启动问责（纪委监委）",
)
def confirm_perfunctory(request: HttpRequest, call_id: Path[CallId]):
    rating = case_selectors.rating_for_call(request.auth, call_id)
    case = accountability.confirm_perfunctory(actor=request.auth, rating=rating)
    return Status(201, case)
