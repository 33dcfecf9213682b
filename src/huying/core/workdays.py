"""The working-day calendar: time limits skip public holidays and count adjusted working weekends.

Pure functions of their arguments (no clock). The rule for a limit of N working days from a
moment t: counting starts on the day after t; the deadline is the end (24:00 local time) of the
N-th working day — "自次日起第 N 个工作日结束前". Days are local days in settings.TIME_ZONE.

chinese-calendar carries the State Council's schedule year by year; for a year it does not know
yet, Monday to Friday are working days (and `calendar_covers` says so, for a warning).
"""

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar
from django.conf import settings

DAY = timedelta(days=1)


@lru_cache(maxsize=4096)
def is_working_day(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year the calendar has no data for yet
        return day.weekday() < 5


def calendar_covers(day: date) -> bool:
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _day_start(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def add_working_days(start: datetime, days: int) -> datetime:
    """The end of the `days`-th working day after the local day of `start` (aware datetime)."""
    if days < 1:
        raise ValueError("a working-day limit is at least one day")
    zone = _zone()
    day = start.astimezone(zone).date()
    counted = 0
    while counted < days:
        day += DAY
        counted += is_working_day(day)
    return _day_start(day + DAY, zone)


def working_seconds_between(start: datetime, end: datetime) -> float:
    """Seconds of `start`..`end` that fall on working days."""
    if end <= start:
        return 0.0
    zone = _zone()
    total, cursor = 0.0, start.astimezone(zone)
    end = end.astimezone(zone)
    while cursor < end:
        next_midnight = _day_start(cursor.date() + DAY, zone)
        segment_end = min(next_midnight, end)
        if is_working_day(cursor.date()):
            total += (segment_end - cursor).total_seconds()
        cursor = segment_end
    return total


def working_point(start: datetime, deadline: datetime, fraction: float) -> datetime:
    """The moment when `fraction` of the working time between start and deadline has passed.

    Used for the 50% and 80% warnings of a working-day limit, so that a Friday call does not
    warn its assignee on Sunday.
    """
    budget = working_seconds_between(start, deadline) * fraction
    if budget <= 0:
        return start + (deadline - start) * fraction
    zone = _zone()
    cursor = start.astimezone(zone)
    while True:
        next_midnight = _day_start(cursor.date() + DAY, zone)
        if is_working_day(cursor.date()):
            available = (next_midnight - cursor).total_seconds()
            if available >= budget:
                return cursor + timedelta(seconds=budget)
            budget -= available
        cursor = next_midnight
