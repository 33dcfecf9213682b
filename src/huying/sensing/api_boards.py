"""The sensing boards' data as JSON (/api/v1/sensing/boards/...): what the pages' charts draw
and refresh without reloading, and the same figures for integrators.

Who sees what: board_selectors.view_for (district-wide roles everything, a department its
stations, enterprises and devices, a town's caller its town; anyone else 404).
Errors: 404 not in view (audited), 422 a field is wrong (named).
"""

from datetime import datetime, timedelta

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from huying.core import clock
from huying.core.errors import Invalid
from huying.core.scoping import get_visible_or_404
from huying.patrol.api_plans import ERRORS
from huying.sensing import board_selectors as boards
from huying.sensing.hj212.codes import CODES

router = Router(tags=["感知监测看板"])
MAX_TREND_DAYS = 92  # the database keeps recent days; history beyond it is Parquet's


class BoardPointOut(Schema):
    code: str
    name: str
    kind: str = Field(description="section 考核断面 / point 河涌监测点")
    river: str
    town: str
    lon: float
    lat: float
    water_class: str | None = Field(description="今天的水质类别：I…V、劣V；无数据为空")
    deciding: str = Field(description="定类参数（名称）")
    deciding_value: float | None = Field(description="定类参数的日均值")
    target_class: int | None = Field(description="目标类别（考核断面）")
    exceeds: bool = Field(description="劣于目标类别")


class WaterOut(Schema):
    day: str
    points: list[BoardPointOut]
    summary: dict = Field(description="点位数、各类别点位数、I–III 类占比、劣V 点位数")


class TrendPointOut(Schema):
    time: datetime = Field(description="小时起点")
    value: float = Field(description="该小时的均值")


class BoardTrendOut(Schema):
    station: str
    parameter: str
    name: str
    unit: str
    points: list[TrendPointOut]


class EnterpriseOut(Schema):
    code: str
    name: str
    town: str
    lon: float
    lat: float
    risk: str = Field(description="red / orange / yellow / blue")
    open_alarms: int
    open_by_severity: dict[str, int] = Field(description="未解除告警数，按严重程度 1–4")


class EnterprisesOut(Schema):
    counts: dict[str, int] = Field(description="各风险等级的企业数")
    enterprises: list[EnterpriseOut]


@router.get("/water", response={200: WaterOut, **ERRORS}, url_name="sensing_boards_water",
            summary="水质看板：今天各点位和考核断面的水质类别与区级汇总")  # fmt: skip
def get_water(request: HttpRequest):
    view = boards.require_view(request.auth, request.path)
    today = boards.water_today(view, clock.now())
    return {"day": today.day.isoformat(), "points": [point_out(p) for p in today.points],
            "summary": summary_out(today.summary)}  # fmt: skip


def point_out(p: boards.PointToday) -> dict:
    s = p.station
    return {
        "code": s.code, "name": s.name, "kind": s.kind, "river": s.river.name, "town": s.town.name,
        "lon": float(s.lon), "lat": float(s.lat), "water_class": p.roman or None,
        "deciding": p.deciding, "deciding_value": p.deciding_value,
        "target_class": s.target_class, "exceeds": p.exceeds,
    }  # fmt: skip


def summary_out(summary: dict) -> dict:
    keep = ("points", "classed", "no_data", "good", "good_share", "worse_than_v", "rivers",
            "exceeding_sections")  # fmt: skip
    out = {k: summary[k] for k in keep}
    out["per_class"] = {boards.water.ROMAN[n]: v for n, v in summary["per_class"].items()}
    return out


@router.get(
    "/water/trend",
    response={200: BoardTrendOut, **ERRORS},
    url_name="sensing_boards_trend",
    summary="某站点某参数的小时均值趋势（默认最近 7 天）",
)
def get_trend(
    request: HttpRequest,
    station: Query[str],
    parameter: Query[str],
    since: Query[datetime | None] = None,
    until: Query[datetime | None] = None,
):
    view = boards.require_view(request.auth, request.path)
    found = get_visible_or_404(view.stations(), request.auth, code=station)
    if parameter not in boards.WATER_CODES:
        raise Invalid(_("不是水质参数编码"), field="parameter")
    until = until or clock.now()
    since = since or until - timedelta(days=7)
    if not timedelta(0) < until - since <= timedelta(days=MAX_TREND_DAYS):
        raise Invalid(_("时间范围应在 %(n)s 天以内，且起点早于终点") % {"n": MAX_TREND_DAYS},
                      field="since")  # fmt: skip
    points = boards.trend(found, parameter, since, until)
    code = CODES[parameter]
    return {"station": found.code, "parameter": parameter, "name": _(code.name), "unit": code.unit,
            "points": [{"time": p.time, "value": round(p.value, 4)} for p in points]}  # fmt: skip


@router.get("/enterprises", response={200: EnterprisesOut, **ERRORS},
            url_name="sensing_boards_enterprises",
            summary="企业风险看板：各重点企业的风险等级和未解除告警")  # fmt: skip
def get_enterprises(request: HttpRequest):
    view = boards.require_view(request.auth, request.path)
    rows = boards.enterprise_board(view)
    return {"counts": {colour: n for colour, _label, n in boards.risk_counts(rows)},
            "enterprises": [enterprise_out(r) for r in rows]}  # fmt: skip


def enterprise_out(row: boards.EnterpriseNow) -> dict:
    e = row.enterprise
    return {
        "code": e.code, "name": e.name, "town": e.town.name, "lon": float(e.lon),
        "lat": float(e.lat), "risk": e.risk, "open_alarms": row.open_alarms,
        "open_by_severity": {str(k): v for k, v in sorted(row.open_by_severity.items())},
    }  # fmt: skip
