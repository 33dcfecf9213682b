"""Telemetry as JSON: the one format of the MQTT and HTTP doors (docs/sensing-telemetry.md).

    {"samples": [{"time": "2026-11-25T10:00:00+08:00", "kind": "rtd",
                  "values": {"w01018": 23.1, "lel": {"value": 3.0, "flag": "N"}}}]}

The device is the one the topic or the token names (one device per message); an optional
top-level "device" must then be that device's code. A sample is what one HJ 212 data packet
holds: one data kind and time with its readings, so all doors store the same
(device, parameter, time, value, flag).

Every error names the field it is about (`samples.3.time`), in Chinese, and the whole message is
refused: a device resends a corrected message, never half of one.
"""

import json
import math
import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from huying.core.errors import BusinessError, Invalid
from huying.sensing.choices import SampleKind
from huying.sensing.store import NewSample, Values

SHANGHAI = ZoneInfo("Asia/Shanghai")
MAX_BYTES = 1_000_000
MAX_SAMPLES = 5000
MAX_VALUES = 200  # parameters in one sample
FUTURE_LIMIT = timedelta(days=1)  # a device clock a little ahead is fine; a year ahead is not
KINDS = {
    "rtd": SampleKind.RTD,
    "minute": SampleKind.MINUTE,
    "hour": SampleKind.HOUR,
    "day": SampleKind.DAY,
}
CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,23}")  # fits Sensor.code
FLAG = re.compile(r"[A-Z]")  # HJ 212 data flags: N, F, M, S, D, C, T, B, ...
TOP_KEYS = frozenset({"device", "samples"})
SAMPLE_KEYS = frozenset({"time", "kind", "values"})
VALUE_KEYS = frozenset({"value", "flag"})


class TooLarge(BusinessError):
    status = 413


def too_large() -> TooLarge:
    return TooLarge(_("消息太大（最多 %(n)d 字节）") % {"n": MAX_BYTES}, field="body")


def problem(field: str, message: str) -> Invalid:
    return Invalid(f"{field}：{message}", field=field)


def parse(
    body: bytes, *, device_id: int, device_code: str, door: str, received_at: datetime,
    now: datetime,
) -> list[NewSample]:  # fmt: skip
    """The samples of one message, or Invalid (422) / TooLarge (413) naming the field."""
    if len(body) > MAX_BYTES:
        raise too_large()
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise problem("body", _("不是合法的 UTF-8 JSON")) from None
    samples = _samples_of(document, device_code)
    seen: dict[tuple[int, datetime], int] = {}
    out = []
    for index, item in enumerate(samples):
        kind, time, values = _sample(item, f"samples.{index}", now)
        earlier = seen.setdefault((kind, time), index)
        if earlier != index:
            raise problem(
                f"samples.{index}.time",
                _("与 samples.%(i)d 的数据类型和时间相同") % {"i": earlier},
            )
        out.append(NewSample(device_id, kind, time, values, door, received_at))
    return out


def _samples_of(document: object, device_code: str) -> list:
    if not isinstance(document, dict):
        raise problem("body", _("应为 JSON 对象"))
    _no_other_keys(document, TOP_KEYS, "")
    if "device" in document and document["device"] != device_code:
        raise problem("device", _("与令牌或主题对应的设备编码不一致"))
    samples = document.get("samples")
    if not isinstance(samples, list) or not samples:
        raise problem("samples", _("应为非空数组"))
    if len(samples) > MAX_SAMPLES:
        raise TooLarge(_("samples：一次最多 %(n)d 条") % {"n": MAX_SAMPLES}, field="samples")
    return samples


def _sample(item: object, path: str, now: datetime) -> tuple[int, datetime, Values]:
    if not isinstance(item, dict):
        raise problem(path, _("应为 JSON 对象"))
    _no_other_keys(item, SAMPLE_KEYS, f"{path}.")
    name = item.get("kind", "rtd")
    kind = KINDS.get(name) if isinstance(name, str) else None
    if kind is None:
        raise problem(f"{path}.kind", _("应为 rtd、minute、hour 或 day"))
    return kind, _time(item.get("time"), f"{path}.time", now), _values(item, path)


def _time(text: object, path: str, now: datetime) -> datetime:
    if not isinstance(text, str):
        raise problem(path, _("必填，应为 ISO 8601 日期时间"))
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise problem(path, _("应为 ISO 8601 日期时间，如 2026-11-25T10:00:00+08:00")) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)  # the devices' clocks run on Beijing time
    if moment > now + FUTURE_LIMIT:
        raise problem(path, _("比当前时间晚一天以上，请检查设备时钟"))
    return moment


def _values(item: dict, path: str) -> Values:
    values = item.get("values")
    if not isinstance(values, dict) or not values:
        raise problem(f"{path}.values", _("应为非空 JSON 对象：参数编码到数值"))
    if len(values) > MAX_VALUES:
        raise problem(f"{path}.values", _("参数太多（最多 %(n)d 个）") % {"n": MAX_VALUES})
    out: Values = {}
    for code, raw in values.items():
        here = f"{path}.values.{code}"
        if not CODE.fullmatch(code):
            raise problem(here, _("参数编码应为 1 到 24 个字母、数字、下划线、点或横线"))
        out[code] = _reading(raw, here)
    return out


def _reading(raw: object, path: str) -> tuple[float, str]:
    if isinstance(raw, dict):
        _no_other_keys(raw, VALUE_KEYS, f"{path}.")
        flag = raw.get("flag", "N")
        if not isinstance(flag, str) or not FLAG.fullmatch(flag):
            raise problem(f"{path}.flag", _("数据标记应为一个大写字母，如 N（正常）"))
        return _number(raw.get("value"), f"{path}.value"), flag
    return _number(raw, path), "N"


def _number(raw: object, path: str) -> float:
    # bool is an int in Python; true is not a reading.
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise problem(path, _("应为数字"))
    try:
        value = float(raw)
    except OverflowError:  # an integer of hundreds of digits
        value = math.inf
    if not math.isfinite(value):
        raise problem(path, _("应为有限的数字"))
    return value


def _no_other_keys(document: dict, allowed: frozenset, prefix: str) -> None:
    for key in document:
        if key not in allowed:
            raise problem(f"{prefix}{key}", _("不认识的字段"))


def dumps(samples: Sequence[NewSample]) -> bytes:
    """The JSON of samples (simulators and tests): what `parse` reads back to the same."""
    names = {value: name for name, value in KINDS.items()}
    return json.dumps(
        {"samples": [
            {"time": s.time.isoformat(), "kind": names[s.kind],
             "values": {code: {"value": v, "flag": f} for code, (v, f) in s.values.items()}}
            for s in samples
        ]},
        ensure_ascii=False, separators=(",", ":"),
    ).encode("utf-8")  # fmt: skip
