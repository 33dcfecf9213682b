"""Time limits: a duration (down to seconds) or a number of working days.

The API writes a limit as an ISO 8601 duration ("PT30M", "PT2S", "P1DT2H") or as a whole
number of working days. Pure: the deadline is a function of the start and the calendar.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from huying.core import workdays
from huying.core.errors import Invalid

ISO_DURATION = re.compile(
    r"^P(?:(?P<days>\d+)D)?(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)


@dataclass(frozen=True)
class Limit:
    seconds: int | None = None
    working_days: int | None = None

    def __post_init__(self):
        if (self.seconds is None) == (self.working_days is None):
            raise ValueError("a limit is either a duration or a number of working days")

    def due_from(self, start: datetime) -> datetime:
        if self.seconds is not None:
            return start + timedelta(seconds=self.seconds)
        return workdays.add_working_days(start, self.working_days)

    def point(self, start: datetime, due: datetime, fraction: float) -> datetime:
        """When `fraction` of the limit has passed (working time for working-day limits)."""
        if self.seconds is not None:
            return start + (due - start) * fraction
        return workdays.working_point(start, due, fraction)

    def describe(self) -> str:
        if self.working_days is not None:
            return f"{self.working_days} 个工作日"
        return describe_seconds(self.seconds)

    def to_api(self) -> str | int:
        return self.working_days if self.working_days is not None else iso_duration(self.seconds)


def describe_seconds(seconds: int) -> str:
    parts = []
    for size, unit in ((86400, "天"), (3600, "小时"), (60, "分钟"), (1, "秒")):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(parts) or "0秒"


def iso_duration(seconds: int) -> str:
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    time_part = "".join(f"{n}{u}" for n, u in ((hours, "H"), (minutes, "M"), (secs, "S")) if n)
    return "P" + (f"{days}D" if days else "") + (f"T{time_part}" if time_part else "")


def parse_limit(value: str | int, field: str) -> Limit:
    """Read an API limit: an ISO 8601 duration string, or a whole number of working days."""
    if isinstance(value, bool):
        raise Invalid("时限应为 ISO 8601 时长（如 PT30M）或工作日天数（整数）", field=field)
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        days = int(value)
        if not 1 <= days <= 365:
            raise Invalid("工作日天数应在 1 到 365 之间", field=field)
        return Limit(working_days=days)
    match = ISO_DURATION.match(value or "")
    if not match or value in ("P", "PT"):
        raise Invalid("时限应为 ISO 8601 时长（如 PT30M、PT2S）或工作日天数（整数）", field=field)
    parts = {k: int(v or 0) for k, v in match.groupdict().items()}
    seconds = parts["days"] * 86400 + parts["hours"] * 3600 + parts["minutes"] * 60
    seconds += parts["seconds"]
    if seconds < 1:
        raise Invalid("时限至少 1 秒", field=field)
    return Limit(seconds=seconds)
