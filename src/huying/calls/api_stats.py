"""Call statistics over the API: grouped figures, the ranking and the summary sentence.

The same report as the page /calls/statistics/ (calls/statistics.report), for the same roles;
a role that may not see it gets 403 (audited), as every refusal of the API does.
"""

from datetime import datetime

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from huying.calls import statistics, statistics_excel
from huying.calls.excel import XLSX, xlsx_response

stats_router = Router(tags=["统计"])


class StatsFilters(Schema):
    group_by: str = Field("department", description="分组：department、town 或 domain")
    period: str = Field(
        "year",
        description="统计期间：year（本年，默认）、quarter（本季度）、month（本月）、"
        "last_month（上月）；给出 start 或 end 时按所给时间",
    )
    start: datetime | None = Field(None, description="开始时间（含），ISO 8601")
    end: datetime | None = Field(None, description="结束时间（不含），ISO 8601")
    min_calls: int | None = Field(
        None, ge=0, description="参与排名的最少呼叫次数；默认取 HUYING_CALLS_RANKING_MIN_CALLS"
    )


class StatsRow(Schema):
    key: str
    name: str
    calls: int
    responded: int
    responded_on_time: int
    resolved: int
    closed: int
    redos: int
    returns: int
    on_time_resolution_rate: float | None
    on_time_response_rate: float | None
    average_response_seconds: int | None
    average_satisfaction: float | None
    perfunctory_flags: int


class RankedRow(StatsRow):
    rank: int


class PeriodOut(Schema):
    kind: str
    start: datetime | None
    end: datetime | None = Field(description="不含；空为至今")
    span: str = Field(examples=["2026年1月1日至今"])


class StatsOut(Schema):
    summary: str = Field(examples=["今年以来，镇街累计呼叫区直部门410次，已经响应办结331件"])
    period: PeriodOut
    group_by: str
    min_calls: int
    rows: list[StatsRow]
    total: StatsRow = Field(description="期间内全部呼叫（含尚未分派部门的）")
    ranking: list[RankedRow]


@stats_router.get("/calls", response=StatsOut, summary="呼叫统计：按部门、镇街或领域分组，含排名")
def call_statistics(request: HttpRequest, filters: Query[StatsFilters]):
    return statistics.report(request.auth, **filters.dict())


@stats_router.get(
    "/calls.xlsx",
    summary="导出呼叫统计（Excel）：分组统计与排名，只含汇总数字",
    response={200: None},
    openapi_extra={"responses": {200: {"description": "Excel 工作簿", "content": {XLSX: {}}}}},
)
def export_call_statistics(request: HttpRequest, filters: Query[StatsFilters]):
    found = statistics_excel.export(request.auth, **filters.dict())
    return xlsx_response(found.content, found.filename)
