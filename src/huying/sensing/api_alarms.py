"""Alarms through the API (/api/v1/sensing/alarms): the list (scoped, filtered, paged), one
alarm with its history, acknowledge and clear.

Errors: 401 not signed in, 404 not found or out of view (audited), 409 the alarm's state does
not allow it (acknowledging one already acknowledged or cleared, clearing a cleared one),
422 a field is wrong (named).
"""

from datetime import datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Path, Query, Router, Schema
from pydantic import Field

from huying.core.pagination import COUNT_CAP, CappedCountLimitOffset, paged
from huying.sensing import alarm_selectors, alarms
from huying.sensing.models import Alarm

router = Router(tags=["感知告警"])
Id = Annotated[int, Field(ge=1, le=2**63 - 1, json_schema_extra={"example": 12})]


class AlarmError(Schema):
    detail: str = Field(description="给用户看的说明（中文）")
    errors: list[dict] = Field(default=[], description="出错的字段")


ERRORS = {code: AlarmError for code in (404, 409, 422)}


class AlarmOut(Schema):
    id: int
    title: str
    status: str
    status_label: str
    severity: int
    severity_label: str
    rule: int
    rule_name: str
    rule_kind: str
    device: int
    device_name: str
    town: str
    parameter: str
    value: float | None
    raised_at: datetime
    last_seen_at: datetime
    repeats: int
    escalation: int
    escalation_label: str
    acknowledged_at: datetime | None
    cleared_at: datetime | None
    call: int | None
    call_number: str | None


PagedAlarmOut = paged(AlarmOut, CappedCountLimitOffset)


class AlarmEventOut(Schema):
    kind: str
    kind_label: str
    at: datetime
    actor: str | None
    note: str


class AlarmDetailOut(AlarmOut):
    events: list[AlarmEventOut]


class AlarmNoteIn(Schema):
    note: str = Field(default="", max_length=300, description="说明")


def alarm_out(alarm: Alarm) -> dict:
    return {
        "id": alarm.pk,
        "title": alarm.title,
        "status": alarm.status,
        "status_label": str(alarm.get_status_display()),
        "severity": alarm.severity,
        "severity_label": str(alarm.get_severity_display()),
        "rule": alarm.rule_id,
        "rule_name": alarm.rule.name,
        "rule_kind": alarm.rule.kind,
        "device": alarm.device_id,
        "device_name": alarm.device.name,
        "town": alarm.device.town.name,
        "parameter": alarm.parameter,
        "value": alarm.value,
        "raised_at": alarm.raised_at,
        "last_seen_at": alarm.last_seen_at,
        "repeats": alarm.repeats,
        "escalation": alarm.escalation,
        "escalation_label": str(alarm.get_escalation_display()),
        "acknowledged_at": alarm.acknowledged_at,
        "cleared_at": alarm.cleared_at,
        "call": alarm.call_id,
        "call_number": alarm.call.number if alarm.call_id else None,
    }


def detail_out(alarm: Alarm) -> dict:
    events = [
        {
            "kind": e.kind,
            "kind_label": str(e.get_kind_display()),
            "at": e.at,
            "actor": e.actor.display_name if e.actor_id else None,
            "note": e.note,
        }
        for e in alarm_selectors.alarm_events(alarm)
    ]
    return alarm_out(alarm) | {"events": events}


@router.get("", response=PagedAlarmOut, summary="告警列表（按可见范围，可筛选，分页）")
def list_alarms(
    request: HttpRequest,
    status: Literal["active", "acknowledged", "cleared"] | None = None,
    severity: Annotated[int | None, Field(ge=1, le=4)] = None,
    enterprise: Id | None = None,
    station: Id | None = None,
    town: Id | None = None,
    since: datetime | None = None,
    *,
    page: Query[CappedCountLimitOffset.Input],
):
    wanted = alarm_selectors.AlarmFilter(status, severity, enterprise, station, town, since)
    rows = alarm_selectors.alarm_list(request.auth, wanted)
    items = [alarm_out(a) for a in rows[page.offset : page.offset + page.limit]]
    counted = rows.values("pk")[: COUNT_CAP + 1].count()
    return {"items": items, "count": min(counted, COUNT_CAP), "count_capped": counted > COUNT_CAP}


@router.get("/{alarm_id}", response={200: AlarmDetailOut, **ERRORS}, summary="告警详情与历史")
def get_alarm(request: HttpRequest, alarm_id: Path[Id]):
    return detail_out(alarm_selectors.alarm_detail(request.auth, alarm_id))


@router.post(
    "/{alarm_id}/acknowledge", response={200: AlarmDetailOut, **ERRORS}, summary="确认告警"
)
def acknowledge(request: HttpRequest, alarm_id: Path[Id], payload: AlarmNoteIn):
    alarm = alarm_selectors.alarm_detail(request.auth, alarm_id)
    alarms.acknowledge(request.auth, alarm, payload.note)
    return detail_out(alarm_selectors.alarm_detail(request.auth, alarm_id))


@router.post("/{alarm_id}/clear", response={200: AlarmDetailOut, **ERRORS}, summary="解除告警")
def clear(request: HttpRequest, alarm_id: Path[Id], payload: AlarmNoteIn):
    alarm = alarm_selectors.alarm_detail(request.auth, alarm_id)
    alarms.clear(request.auth, alarm, payload.note)
    return detail_out(alarm_selectors.alarm_detail(request.auth, alarm_id))
