"""Tracks through the API (/api/v1/patrol/track, /positions): a patrol device or the track
page sends positions; the inspector, their supervisor and the command centre read them.

Errors: 403 not an inspector (sending), 404 an inspector not in view (audited), 422 a field
is wrong, named as `points.N.field`.
"""

from datetime import date, datetime

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field

from huying.core import clock
from huying.patrol import track_selectors, tracks

router = Router(tags=["出租屋巡查"])


class PatrolErrorOut(Schema):
    detail: str
    errors: list[dict]


ERRORS = {code: PatrolErrorOut for code in (403, 404, 422)}


class PositionIn(Schema):
    at: datetime = Field(description="定位时间（ISO 8601，带时区）")
    lat: float = Field(ge=-90, le=90, description="纬度（WGS-84）")
    lon: float = Field(ge=-180, le=180, description="经度（WGS-84）")
    accuracy_m: float | None = Field(default=None, ge=0, description="精度（米）")


class TrackIn(Schema):
    points: list[PositionIn] = Field(description=f"定位点，一批最多 {tracks.MAX_BATCH} 个")


class TrackAccepted(Schema):
    received: int = Field(description="收到的点数（重复发送的点只存一次）")


class PointOut(Schema):
    at: datetime
    lat: float
    lon: float
    accuracy_m: float | None


class StayOut(Schema):
    started_at: datetime
    ended_at: datetime
    minutes: float
    lat: float
    lon: float
    points: int
    dwelling_code: str | None
    distance_m: float | None
    visit: int | None


class DayTrackOut(Schema):
    inspector: int
    day: date
    points: list[PointOut]
    stays: list[StayOut]


class PositionOut(Schema):
    inspector: int
    name: str
    org: str
    at: datetime
    lat: float
    lon: float


@router.post(
    "/track",
    response={202: TrackAccepted, **ERRORS},
    summary="上传自己的轨迹点（巡查员；重复发送无副作用）",
)
def post_track(request: HttpRequest, payload: TrackIn):
    positions = [tracks.Position(p.at, p.lat, p.lon, p.accuracy_m) for p in payload.points]
    return Status(202, {"received": tracks.receive(request.auth, positions)})


@router.get("/track", response={200: DayTrackOut, **ERRORS}, summary="某巡查员某日的轨迹和停留点")
def get_track(request: HttpRequest, inspector: Query[int], day: Query[date | None] = None):
    person = track_selectors.inspector_for(request.auth, inspector)
    day = day or timezone.localdate(clock.now())
    return {
        "inspector": person.pk,
        "day": day,
        "points": list(track_selectors.day_points(person, day)),
        "stays": [stay_out(s) for s in track_selectors.day_stays(person, day)],
    }


@router.get(
    "/positions", response={200: list[PositionOut], **ERRORS}, summary="今天各巡查员的最后位置"
)
def get_positions(request: HttpRequest):
    return track_selectors.positions_today(request.auth)


def stay_out(stay) -> dict:
    return {
        "started_at": stay.started_at,
        "ended_at": stay.ended_at,
        "minutes": round((stay.ended_at - stay.started_at).total_seconds() / 60, 1),
        "lat": stay.lat,
        "lon": stay.lon,
        "points": stay.points,
        "dwelling_code": stay.dwelling.code if stay.dwelling else None,
        "distance_m": None if stay.distance_m is None else round(stay.distance_m, 1),
        "visit": stay.visit_id,
    }
