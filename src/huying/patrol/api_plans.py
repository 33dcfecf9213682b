"""Day plans and areas through the API (/api/v1/patrol): the caller's plan of a day (made on
first request for today), a supervisor's or the command centre's additions and reassignments,
the inspector's skips, and the areas set by the command centre.

Errors: 403 not this role's, 404 not found or out of view (another inspector's plan to anyone
but their supervisor and the command centre), 409 the item's or day's state does not allow
it, 422 a field is wrong (named).
"""

from datetime import date, datetime
from typing import Annotated

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from huying.core import clock
from huying.core.errors import Forbidden, Invalid
from huying.core.scoping import get_visible_or_404
from huying.orgs.choices import Role
from huying.orgs.models import User
from huying.patrol import areas, plan_selectors, plans
from huying.patrol.models import DayPlan, PlanItem

router = Router(tags=["出租屋巡查"])
Id = Annotated[int, Field(ge=1, le=2**63 - 1, json_schema_extra={"example": 12})]
Day = Annotated[date, Field(json_schema_extra={"example": "2026-11-24"})]


def _examples(*examples: dict) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": list(examples)})


class PatrolFieldError(Schema):
    field: str
    message: str


class PatrolError(Schema):
    model_config = _examples(
        {"detail": "请说明未巡查的原因",
         "errors": [{"field": "reason", "message": "请说明未巡查的原因"}]},
        {"detail": "该户当前为“未巡查”，不能改派",
         "errors": [{"field": "status", "message": "该户当前为“未巡查”，不能改派"}]},
        {"detail": "未找到，或不在您的可见范围内", "errors": []},
    )  # fmt: skip

    detail: str = Field(description="给用户看的说明（中文）")
    errors: list[PatrolFieldError] = Field(description="出错的字段")


ERRORS = {code: PatrolError for code in (403, 404, 409, 422)}


class PlanDwellingOut(Schema):
    id: int
    code: str
    address: str
    village: str | None = Field(description="村社名称")
    occupants: int = Field(description="平台掌握的当前居住人数")
    max_occupants: int | None = Field(description="核定人数")


class PlanItemOut(Schema):
    id: int
    rank: int = Field(description="当天的巡查顺序（1 起）")
    reason: str = Field(description="列入原因代码：discrepancy / revisit / new_registration / "
                        "expiring / routine / added")  # fmt: skip
    reason_label: str
    dwelling: PlanDwellingOut
    discrepancy: int | None = Field(description="关联的数据差异编号")
    discrepancy_summary: str | None
    status: str = Field(description="pending / visited / skipped")
    visited: bool = Field(description="巡查员当天已有该户的巡查记录")
    note: str


class PlanOut(Schema):
    model_config = _examples(
        {"inspector": "inspector", "day": "2026-11-24", "made_at": "2026-11-24T07:58:00+08:00",
         "total": 200, "visited": 12,
         "items": [{"id": 31, "rank": 1, "reason": "discrepancy", "reason_label": "数据疑点待核",
                    "dwelling": {"id": 7, "code": "YC-0001", "address": "云城街甲巷 1 号",
                                 "village": "萧岗社区", "occupants": 3, "max_occupants": 2},
                    "discrepancy": 5, "discrepancy_summary": "核定 2 人，现住 3 人",
                    "status": "pending", "visited": False, "note": ""}]},
    )  # fmt: skip

    inspector: str
    day: date
    made_at: datetime
    total: int
    visited: int
    items: list[PlanItemOut]


def _item_out(item: PlanItem) -> dict:
    d = item.dwelling
    return {
        "id": item.pk,
        "rank": item.rank,
        "reason": item.reason,
        "reason_label": str(item.get_reason_display()),
        "dwelling": {
            "id": d.pk,
            "code": d.code,
            "address": d.address,
            "village": d.village.name if d.village_id else None,
            "occupants": d.occupants,
            "max_occupants": d.max_occupants,
        },
        "discrepancy": item.discrepancy_id,
        "discrepancy_summary": item.discrepancy.summary if item.discrepancy_id else None,
        "status": item.status,
        "visited": getattr(item, "visited", False),
        "note": item.note,
    }


def plan_out(plan: DayPlan) -> dict:
    rows = plan_selectors.plan_rows(plan)
    return {
        "inspector": plan.inspector.username,
        "day": plan.day,
        "made_at": plan.made_at,
        "total": len(rows),
        "visited": sum(1 for r in rows if r.visited),
        "items": [_item_out(r) for r in rows],
    }


def inspector_for(user, username: str | None) -> User:
    """Whose plan: the caller's own, or (supervisors, the command centre) `username`'s.
    Anyone else's is a 404, audited."""
    if not username or username == user.username:
        if user.role != Role.INSPECTOR:
            raise Http404(_("未找到，或不在您的可见范围内"))
        return user
    return get_visible_or_404(plan_selectors.managed_inspectors(user), user, username=username)


def _item_of(request: HttpRequest, day: date, item_id: int) -> PlanItem:
    return get_visible_or_404(
        plan_selectors.items_visible_to(request.auth), request.auth, pk=item_id, plan__day=day
    )


@router.get(
    "/plans/{day}",
    response={200: PlanOut, **ERRORS},
    summary="某天的巡查计划（当天首次打开时生成）",
)
def get_plan(request: HttpRequest, day: Path[Day], inspector: Query[str | None] = None):
    """The caller's plan; supervisors and the command centre pass `?inspector=<username>`."""
    whose = inspector_for(request.auth, inspector)
    plan = plans.plan_for(whose, day, clock.now())
    if plan is None:
        raise Http404(_("该日没有巡查计划"))
    return plan_out(plan)


class AddIn(Schema):
    model_config = _examples(
        {"inspector": "inspector", "dwelling": "YC-0001", "note": "群众反映群租，请今天核查"}
    )
    inspector: str = Field(min_length=1, max_length=150, description="巡查员用户名")
    dwelling: str = Field(min_length=1, max_length=64, description="出租屋编码")
    note: str = Field(default="", max_length=200, description="指派说明")


@router.post("/plans/{day}/items", response={201: PlanItemOut, **ERRORS}, summary="指派一户")
def add_item(request: HttpRequest, day: Path[Day], payload: AddIn):
    whose = get_visible_or_404(
        plan_selectors.managed_inspectors(request.auth), request.auth, username=payload.inspector
    )
    item = plans.add_item(request.auth, whose, day, payload.dwelling, payload.note, clock.now())
    return Status(201, _item_out(item))


class ReassignIn(Schema):
    model_config = _examples({"to": "inspector2", "note": "就近安排"})
    to: str = Field(min_length=1, max_length=150, description="接手的巡查员用户名")
    note: str = Field(default="", max_length=200)


@router.post(
    "/plans/{day}/items/{item_id}/reassign", response={200: PlanItemOut, **ERRORS},
    summary="改派给另一名巡查员",
)  # fmt: skip
def reassign(request: HttpRequest, day: Path[Day], item_id: Path[Id], payload: ReassignIn):
    item = _item_of(request, day, item_id)
    target = User.objects.filter(username=payload.to, is_active=True).first()
    if target is None:
        raise Invalid(_("未找到该巡查员"), field="to")
    return _item_out(plans.reassign_item(request.auth, item, target, payload.note, clock.now()))


class SkipIn(Schema):
    model_config = _examples({"reason": "屋内无人，已电话联系房东"})
    reason: str = Field(max_length=200, description="未巡查的原因（必填）")


@router.post(
    "/plans/{day}/items/{item_id}/skip", response={200: PlanItemOut, **ERRORS},
    summary="标记未巡查（巡查员本人）",
)  # fmt: skip
def skip(request: HttpRequest, day: Path[Day], item_id: Path[Id], payload: SkipIn):
    item = _item_of(request, day, item_id)
    return _item_out(plans.skip_item(request.auth, item, payload.reason, clock.now()))


class AreaIn(Schema):
    model_config = _examples(
        {"villages": ["440111001001", "440111001002"], "dwellings": [], "supervisor": "yuncheng"}
    )
    villages: list[str] = Field(default_factory=list, description="责任村社编码")
    dwellings: list[str] = Field(default_factory=list, description="另列的出租屋编码")
    supervisor: str | None = Field(default=None, description="带班负责人用户名")


class AreaOut(Schema):
    inspector: str
    supervisor: str | None
    villages: list[str]
    dwellings: list[str]
    households: int = Field(description="责任区内出租屋总数（含所列村社的全部出租屋）")


@router.put("/areas/{inspector}", response={200: AreaOut, **ERRORS}, summary="设置巡查责任区")
def put_area(request: HttpRequest, inspector: Path[str], payload: AreaIn):
    """Administrators and the command centre only; replaces the area and the supervisor."""
    if not areas.is_command(request.auth):
        raise Forbidden(_("只有指挥中心和系统管理员可以设置巡查责任区"))
    whose = get_visible_or_404(User.objects.all(), request.auth, username=inspector)
    supervisor = None
    if payload.supervisor:
        supervisor = User.objects.filter(username=payload.supervisor, is_active=True).first()
        if supervisor is None:
            raise Invalid(_("未找到该带班负责人"), field="supervisor")
    area = areas.set_area(
        request.auth, whose, villages=payload.villages, dwellings=payload.dwellings,
        supervisor=supervisor,
    )  # fmt: skip
    return {
        "inspector": whose.username,
        **areas.snapshot(area),
        "households": areas.area_dwellings(area).count(),
    }
