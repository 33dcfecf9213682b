"""Telemetry through the platform's API (/api/v1/sensing/telemetry), for integrators that already
talk to it: the same JSON as the MQTT and HTTP doors (sensing/telemetry.py), the device token
(not a user's) in `Authorization: Bearer hyd_…`. Stored synchronously, then the rules run.

Errors: 401 not a valid device token, 413 too large, 422 a field is wrong (named:
"samples.3.time").
"""

import logging

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import HttpBearer
from pydantic import ConfigDict, Field

from huying.core import clock
from huying.sensing import rules_engine, store, telemetry, tokens
from huying.sensing.choices import Door

log = logging.getLogger(__name__)
router = Router(tags=["感知设备数据"])


class DeviceToken(HttpBearer):
    openapi_description = "设备令牌（设备登记时签发一次）：Authorization: Bearer hyd_…"

    def authenticate(self, request: HttpRequest, token: str):
        return tokens.device_for_token(token)


EXAMPLE = {
    "samples": [
        {"time": "2026-11-25T10:00:00+08:00", "kind": "rtd",
         "values": {"w01018": 23.1, "w21003": {"value": 0.82, "flag": "N"}}},
        {"time": "2026-11-25T10:00:00+08:00", "kind": "hour",
         "values": {"w01018": {"value": 22.7, "flag": "N"}}},
    ]
}  # fmt: skip
VALUE_SCHEMA = {
    "oneOf": [
        {"type": "number"},
        {"type": "object", "required": ["value"], "additionalProperties": False,
         "properties": {"value": {"type": "number"},
                        "flag": {"type": "string", "pattern": "^[A-Z]$", "default": "N",
                                 "description": "数据标记：N 正常，F 停运，M 维护，S 手工输入，"
                                                "D 故障，C 校准，T 超测量上限，B 通讯异常"}}},
    ]
}  # fmt: skip
TELEMETRY_SCHEMA = {
    "type": "object",
    "required": ["samples"],
    "additionalProperties": False,
    "properties": {
        "device": {"type": "string", "description": "可省略；给出时须与令牌对应的设备编码一致"},
        "samples": {
            "type": "array", "minItems": 1, "maxItems": telemetry.MAX_SAMPLES,
            "items": {
                "type": "object", "required": ["time", "values"], "additionalProperties": False,
                "properties": {
                    "time": {"type": "string", "format": "date-time",
                             "description": "数据时间，ISO 8601；不带时区按北京时间"},
                    "kind": {"type": "string", "enum": list(telemetry.KINDS), "default": "rtd",
                             "description": "rtd 实时、minute 分钟、hour 小时、day 日数据"},
                    "values": {"type": "object", "additionalProperties": VALUE_SCHEMA,
                               "description": "参数编码（如 HJ 212 的 w01018）到数值"},
                },
            },
        },
    },
}  # fmt: skip


class StoredOut(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [{"stored": 2, "duplicates": 0}]})

    stored: int = Field(description="新保存的样本数")
    duplicates: int = Field(description="此前已保存过的样本数（重发的只存一次）")


class TelemetryError(Schema):
    detail: str = Field(description="给用户看的说明（中文）")
    errors: list[dict] = Field(description="出错的字段：[{field, message}]")


@router.post(
    "/telemetry",
    auth=DeviceToken(),
    response={200: StoredOut, 401: TelemetryError, 413: TelemetryError, 422: TelemetryError},
    summary="上传设备监测数据（JSON，设备令牌）",
    description=(
        f"与 MQTT、HTTP 接入相同的 JSON 格式（docs/sensing-telemetry.md）。一次最多 "
        f"{telemetry.MAX_SAMPLES} 条样本、{telemetry.MAX_BYTES} 字节；同一设备、数据类型和时间"
        "的样本只存一次。保存后才返回。"
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": TELEMETRY_SCHEMA, "example": EXAMPLE}},
        }
    },
)
def post_telemetry(request: HttpRequest):
    if int(request.META.get("CONTENT_LENGTH") or 0) > telemetry.MAX_BYTES:
        raise telemetry.too_large()  # before Django reads the body into memory
    device = request.auth
    now = clock.now()
    samples = telemetry.parse(
        request.body, device_id=device.id, device_code=device.code, door=Door.HTTP.value,
        received_at=now, now=now,
    )  # fmt: skip
    new = store.write(samples)
    _run_rules(samples)
    return {"stored": new, "duplicates": len(samples) - new}


def _run_rules(samples) -> None:
    try:
        rules_engine.after_store(samples)
    except Exception:  # the readings are stored; a failing rule must not refuse them
        log.exception("rules after an API telemetry upload failed")
