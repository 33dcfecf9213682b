"""Call statistics over the API: grouped figures, the ranking and the summary sentence."""

from datetime import datetime

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from pydantic import Field

from huying.calls import statistics
from huying.core import clock

stats_router = Router(tags=["统计"])


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


class StatsOut(Schema):
    summary: str = Field(examples=["今年以来，镇街累计呼叫区直部门410次，已经响应办结331件"])
    rows: list[StatsRow]
    ranking: list[RankedRow]


@stats_router.get("/calls", response=StatsOut, summary="呼叫统计：按部门、镇街或领域分组，含排名")
def call_statistics(
    request: HttpRequest,
    group_by: str = "department",
    start: datetime | None = None,
    end: datetime | None = None,
    min_calls: int | None = None,
):
    since = "今年以来" if start is None else "所选期间内"
    if start is None:  # by default: this year, as the district reports it
        start = timezone.localtime(clock.now()).replace(
            month=1, day=1, hour=0, minute=0, second=0, microsecond=0
        )
    rows = statistics.statistics(group_by=group_by, start=start, end=end)
    return {
        "summary": statistics.summary_sentence(rows, since=since),
        "rows": rows,
        "ranking": statistics.ranking(rows, min_calls=min_calls),
    }
