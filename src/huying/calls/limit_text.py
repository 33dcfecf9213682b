"""Limits as people write them in a sheet or a form, and back.

Accepted: an ISO 8601 duration ("PT30M", "P1DT2H"), a whole number of working days (3, "3"),
the Chinese forms "30分钟", "2小时", "1小时30分钟", "1天", "45秒", and "3个工作日".
"天" is a calendar day of 24 hours (a duration); working days say "工作日". Written back
with `Limit.describe()` ("2小时", "3 个工作日"), which this module reads again unchanged.
"""

import re
import unicodedata

from huying.calls.limits import Limit, parse_limit
from huying.core.errors import Invalid

WORKING_DAYS = re.compile(r"^(\d+)(?:个)?工作日$")
CHINESE_DURATION = re.compile(
    r"^(?:(?P<days>\d+)天)?(?:(?P<hours>\d+)(?:个)?小时)?"
    r"(?:(?P<minutes>\d+)分钟?)?(?:(?P<seconds>\d+)秒)?$"
)
UNIT_SECONDS = {"days": 86400, "hours": 3600, "minutes": 60, "seconds": 1}
HINT = "应写 ISO 8601 时长（如 PT30M）、“30分钟”“2小时”，或工作日（如“3个工作日”或 3）"


def parse_limit_text(value: object, field: str) -> Limit:
    """Read a limit from a cell or a form field; Invalid(field=...) with a Chinese reason."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise Invalid(f"必填：{HINT}", field=field)
    if isinstance(value, bool):
        raise Invalid(HINT, field=field)
    if isinstance(value, float):
        if not value.is_integer():
            raise Invalid(f"工作日应为整数；{HINT}", field=field)
        value = int(value)
    if isinstance(value, int):
        return parse_limit(value, field)
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))
    if match := WORKING_DAYS.match(text):
        return parse_limit(int(match.group(1)), field)
    if text.isdigit():
        return parse_limit(int(text), field)
    if text[:1] in ("P", "p"):
        try:
            return parse_limit(text.upper(), field)
        except Invalid:
            raise Invalid(HINT, field=field) from None
    return Limit(seconds=_chinese_seconds(text, field))


def _chinese_seconds(text: str, field: str) -> int:
    match = CHINESE_DURATION.match(text)
    if not match or not any(match.groupdict().values()):
        raise Invalid(HINT, field=field)
    seconds = sum(int(v) * UNIT_SECONDS[k] for k, v in match.groupdict().items() if v)
    if seconds < 1:
        raise Invalid("时限至少 1 秒", field=field)
    return seconds


def limit_text(limit: Limit) -> str:
    """How a limit is written in a sheet: "2小时", "1小时30分钟", "3 个工作日"."""
    return limit.describe()
