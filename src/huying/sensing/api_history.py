"""Readings history through the API (/api/v1/sensing/history/…): trends of a station's
parameter over any range (the Parquet partitions and the database behind one call), the
exceedance days of the sections, and the partitions themselves for operators.

Scope as on the boards (board_selectors.view_for): a town sees its stations, a department the
stations it is responsible for, district-wide roles all; a station outside is 404 (audited).
The partition list is district-wide data: district-wide roles only.
Errors: 401 not signed in, 404 not in view, 422 a field is wrong (named: since, until, ...).
"""

from datetime import date, datetime, timedelta
from typing import Literal

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from huying.core import clock
from huying.core.errors import Invalid
from huying.core.scoping import get_visible_or_404
from huying.sensing import history_parts, history_query
from huying.sensing.board_selectors import require_view
from huying.sensing.choices import SampleKind

router = Router(tags=["监测数据历史"])
MAX_DAYS = 366
DEFAULT_DAYS = 7
KINDS = {"auto": None, "rtd": SampleKind.RTD, "minute": SampleKind.MINUTE,
         "hour": SampleKind.HOUR, "day": SampleKind.DAY}  # fmt: skip


class HistoryError(Schema):
    detail: str = Field(description="给用户看的说明（中文）")
    errors: list[dict] = Field(description="出错的字段：field、message")


ERRORS = {401: HistoryError, 404: HistoryError, 422: HistoryError}


class TrendIn(Schema):
    station: str = Field(description="站点编码", min_length=1, max_length=32)
    parameter: str = Field(description="HJ 212 参数编码，如 w21003", min_length=1, max_length=24)
    since: date | None = Field(
        None, description=f"开始日期（含），默认结束日期前 {DEFAULT_DAYS - 1} 天"
    )
    until: date | None = Field(None, description="结束日期（含），默认今天")
    bucket: Literal["hour", "day", "none"] = Field("hour", description="按小时、按天或不分时段")
    kind: Literal["auto", "rtd", "minute", "hour", "day"] = Field(
        "auto", description="数据类型；auto：取有数据的最粗一种（小时、分钟、实时）"
    )


class HistoryPointOut(Schema):
    time: datetime = Field(description="时段起点（本地时间）；不分时段时为数据时间")
    value: float = Field(description="均值")
    min: float
    max: float
    count: int = Field(description="参与计算的有效读数个数（标记 N、S）")


class HistoryTrendOut(Schema):
    station: str
    parameter: str
    since: date
    until: date = Field(description="含当天")
    bucket: str
    kind: str = Field(description="所用数据类型；auto 时为实际选用的")
    points: list[HistoryPointOut]


class ExceedanceOut(Schema):
    station: str
    name: str
    target_class: int | None
    days: int = Field(description="有日水质记录的天数")
    classed_days: int = Field(description="其中评出类别的天数")
    exceed_days: int = Field(description="劣于目标类别的天数")
    worst_class: int | None = Field(description="最差类别：1 至 6（6 为劣V）")


class PartitionOut(Schema):
    day: date
    rows: int = Field(description="读数行数")
    samples: int = Field(description="数据包条数（设备、数据类型、时间）")
    bytes: int
    rolled_at: datetime


def _range(since: date | None, until: date | None) -> tuple[date, date]:
    until = until or history_parts.local_day(clock.now())
    since = since or until - timedelta(days=DEFAULT_DAYS - 1)
    if since > until:
        raise Invalid(_("开始日期不能晚于结束日期"), field="since")
    if (until - since).days + 1 > MAX_DAYS:
        raise Invalid(_("时间范围不能超过 %(n)s 天") % {"n": MAX_DAYS}, field="until")
    return since, until


@router.get(
    "/trend",
    response={200: HistoryTrendOut, **ERRORS},
    summary="站点某参数的历史趋势：按小时或按天的均值、最小值、最大值（含已归档的历史数据）",
)
def get_trend(request: HttpRequest, q: Query[TrendIn]):
    view = require_view(request.auth, request.path)
    found = get_visible_or_404(view.stations(), request.auth, code=q.station)
    first, last = _range(q.since, q.until)
    start, end = history_parts.day_bounds(first)[0], history_parts.day_bounds(last)[1]
    bucket = None if q.bucket == "none" else q.bucket
    chosen, points = _trend(found, q.parameter, start, end, bucket, KINDS[q.kind])
    return {"station": found.code, "parameter": q.parameter, "since": first, "until": last,
            "bucket": q.bucket, "kind": chosen, "points": [p.__dict__ for p in points]}  # fmt: skip


def _trend(station, parameter, start, end, bucket, kind) -> tuple[str, list]:
    names = {v: k for k, v in KINDS.items() if v is not None}
    for candidate in history_query.COARSEST_FIRST if kind is None else (kind,):
        points = history_query.trend(station, parameter, start, end, bucket, kind=candidate)
        if points:
            return names[candidate], points
    return names[kind] if kind is not None else "auto", []


@router.get(
    "/exceedances",
    response={200: list[ExceedanceOut], **ERRORS},
    summary="各站点在时间范围内劣于目标水质类别的天数（按超标天数排序）",
)
def get_exceedances(
    request: HttpRequest, since: Query[date | None] = None, until: Query[date | None] = None
):
    view = require_view(request.auth, request.path)
    first, last = _range(since, until)
    return history_query.exceedance_report(first, last, stations=view.stations())


@router.get(
    "/days",
    response={200: list[PartitionOut], **ERRORS},
    summary="已归档的日分区（Parquet）：日期、读数行数、大小（仅全区视角的角色）",
)
def get_days(request: HttpRequest):
    view = require_view(request.auth, request.path)
    if not view.scope.whole_district:
        raise Http404
    return [
        {"day": p.day, "rows": p.rows, "samples": p.samples, "bytes": p.bytes,
         "rolled_at": p.rolled_at}
        for p in reversed(history_parts.partitions())
    ]  # fmt: skip
