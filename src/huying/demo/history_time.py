"""Moments for the demo's call history: office hours on the working-day calendar.

Departments answer emergencies at any hour and hour-limits as they come; work counted in
working days is done in office hours, so such moments are moved into them (never past the
deadline they must keep).
"""

import random
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from huying.calls.limits import Limit
from huying.core import workdays

OPENS, CLOSES = time(8, 30), time(18, 0)


def local(moment: datetime) -> datetime:
    return timezone.localtime(moment)


def at(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute, second)))


def office_moment(rng: random.Random, day: date) -> datetime:
    """A moment of the day in office hours, mornings a little busier."""
    minutes = int(rng.triangular(0, 9 * 60, 2.5 * 60))
    return at(day, 8, 45, rng.randrange(60)) + timedelta(minutes=minutes)


def next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while not workdays.is_working_day(day):
        day += timedelta(days=1)
    return day


def in_office(moment: datetime, rng: random.Random, not_after: datetime | None = None) -> datetime:
    """The moment itself in office hours, else the next working morning, unless that would
    pass `not_after` (then the moment stays: work done late in the evening)."""
    day, clock_time = local(moment).date(), local(moment).time()
    if workdays.is_working_day(day) and OPENS <= clock_time <= CLOSES:
        return moment
    if not (workdays.is_working_day(day) and clock_time < OPENS):
        day = next_working_day(day)
    morning = at(day, 8, 30, rng.randrange(60)) + timedelta(minutes=rng.randrange(120))
    if not_after is not None and morning >= not_after:
        return moment
    return morning


def within(
    rng: random.Random, limit: Limit, start: datetime, due: datetime, lo: float, hi: float
) -> datetime:
    """A moment between fractions lo and hi of a limit (working time for working days)."""
    moment = limit.point(start, due, rng.uniform(lo, hi))
    if limit.working_days is None:
        return moment
    return max(in_office(moment, rng, not_after=due), start)


def between(
    rng: random.Random, limit: Limit, start: datetime, end: datetime, lo: float, hi: float
) -> datetime:
    """A moment between fractions lo and hi of the way from start to end (in office hours
    when the work is counted in working days)."""
    moment = start + (end - start) * rng.uniform(lo, hi)
    if limit.working_days is None:
        return moment
    return max(in_office(moment, rng, not_after=end), start)


def past(rng: random.Random, limit: Limit, due: datetime, *, grace: bool = False) -> datetime:
    """A moment after a deadline: within the grace period, or (grace=True) beyond it."""
    if grace:
        beyond = workdays.add_working_days(due, settings.CALLS_URGE_GRACE_WORKING_DAYS)
        return in_office(beyond + timedelta(hours=rng.uniform(9, 40)), rng)
    if limit.working_days is None:
        return due + timedelta(seconds=max(limit.seconds * rng.uniform(0.15, 1.2), 300))
    return in_office(due + timedelta(hours=rng.uniform(9, 40)), rng)


def later(rng: random.Random, moment: datetime, low_hours: float, high_hours: float) -> datetime:
    """Some hours after a moment, in office hours."""
    return in_office(moment + timedelta(hours=rng.uniform(low_hours, high_hours)), rng)
