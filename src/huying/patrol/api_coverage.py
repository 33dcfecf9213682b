"""Coverage and exports through the API (/api/v1/patrol/coverage, /exports).

Who sees what: coverage_scope.py (an inspector themself, a supervisor their inspectors, a town
its inspectors and households, the command centre and leaders everything; anyone else 404).
Errors: 403 an unmasked export for a role that may not reveal, 404 not in view (audited),
422 a field is wrong (named).
"""

from datetime import date, datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from huying.calls.excel import xlsx_response
from huying.core import clock
from huying.core.errors import Invalid
from huying.patrol import coverage, exports
from huying.patrol.api_plans import ERRORS
from huying.patrol.api_tracks import PositionOut
from huying.patrol.coverage_scope import require_scope

router = Router(tags=["出租屋巡查"])
PeriodName = Literal["today", "week", "month"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class CoverageRowOut(Schema):
    key: int | None = Field(description="巡查员、村社或镇街的编号（未划分村社的为空）")
    name: str
    parent: str = Field(description="村社所属镇街；巡查员所属单位")
    username: str = Field(description="巡查员的用户名（其他层级为空）")
    visited: int = Field(description="期间内有巡查记录的户数（去重）")
    planned: int = Field(description="期间内日计划中的户数（去重）")
    visited_planned: int = Field(description="计划户中已巡查的户数")
    outside_plan: int = Field(description="不在计划中而巡查的户数")
    plan_rate: float | None = Field(description="计划完成率 = visited_planned / planned")


class OverdueOut(Schema):
    dwelling: int
    code: str
    address: str
    village: str
    last_visit: datetime = Field(description="发现问题的那次巡查")
    due: date = Field(description="应复查日")
    days_overdue: int
    inspectors: list[dict] = Field(description="责任巡查员：id、username、name")


class CoverageOut(Schema):
    period: str
    first_day: date
    last_day: date
    level: str
    rows: list[CoverageRowOut]
    total: CoverageRowOut = Field(description="全部可见范围的合计（每户只计一次）")
    overdue_count: int = Field(description="逾期未复查的问题出租屋数")
    overdue: list[OverdueOut] = Field(description=f"逾期最久的前 {coverage.MAX_OVERDUE} 户")
    positions: list[PositionOut] = Field(
        description="今天各巡查员的最后位置（仅指挥中心与带班负责人）"
    )


@router.get(
    "/coverage",
    response={200: CoverageOut, **ERRORS},
    summary="巡查覆盖：按巡查员、村社或镇街统计今天、本周、本月的已巡查户数与计划完成情况",
)
def get_coverage(
    request: HttpRequest,
    period: Query[PeriodName] = "today",
    level: Query[Literal["inspector", "village", "town"]] = "inspector",
):
    scope = require_scope(request.auth, request.path)
    found = coverage.report(request.auth, scope, period, level, clock.now())
    return {
        "period": period, "first_day": found.period.first, "last_day": found.period.last,
        "level": level, "rows": [row_out(r) for r in found.rows], "total": row_out(found.total),
        "overdue_count": found.overdue_count, "positions": found.positions,
        "overdue": [{**o.__dict__, "dwelling": o.dwelling_id} for o in found.overdue],
    }  # fmt: skip


def row_out(row: coverage.Row) -> dict:
    return {**row.__dict__, "outside_plan": row.outside_plan, "plan_rate": row.plan_rate}


class ExportIn(Schema):
    village: str | None = Field(
        default=None, max_length=32, description="村社编码（与 inspector 二选一）"
    )
    inspector: int | None = Field(default=None, ge=1, description="巡查员编号（与 village 二选一）")
    period: PeriodName = Field(default="month", description="巡查记录的期间")
    unmasked: bool = Field(
        default=False, description="导出完整身份证号和电话（须有权限并说明理由）"
    )
    reason: str = Field(default="", max_length=300, description="导出完整信息的理由")


@router.post(
    "/exports", response={200: None, **ERRORS},
    summary="导出村社或巡查员的实有人口与巡查记录（Excel，默认遮蔽）",
    openapi_extra={"responses": {"200": {"description": "xlsx 文件", "content": {XLSX: {}}}}},
)  # fmt: skip
def post_export(request: HttpRequest, payload: ExportIn):
    user = request.auth
    scope = require_scope(user, request.path)
    if (payload.village is None) == (payload.inspector is None):
        raise Invalid("请指定一个村社或一名巡查员（二选一）", field="village")
    subject = (
        exports.village_for(user, scope, payload.village)
        if payload.village is not None
        else exports.inspector_for(user, scope, payload.inspector)
    )
    found = exports.export(user, scope, subject, period=payload.period, now=clock.now(),
                           unmasked=payload.unmasked, reason=payload.reason)  # fmt: skip
    return xlsx_response(found.content, found.filename)
