"""Working days skip public holidays and count adjusted working weekends (chinese-calendar)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from huying.core import workdays

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=10, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


def test_national_day_week_is_skipped():
    # 2026: 1–7 October off; Saturday 10 October is an adjusted working day.
    assert not workdays.is_working_day(date(2026, 10, 1))
    assert not workdays.is_working_day(date(2026, 10, 7))
    assert workdays.is_working_day(date(2026, 10, 10))
    # A call on 30 September with 1 working day is due at the end of 8 October.
    assert workdays.add_working_days(at(2026, 9, 30), 1) == at(2026, 10, 9, 0, 0)


def test_adjusted_working_saturday_counts():
    # Friday 9 October + 1 working day: Saturday 10 October is a working day.
    assert workdays.add_working_days(at(2026, 10, 9), 1) == at(2026, 10, 11, 0, 0)


def test_weekend_is_skipped():
    # Friday 13 November 2026 + 1 working day → end of Monday 16 November.
    assert workdays.add_working_days(at(2026, 11, 13, 17, 30), 1) == at(2026, 11, 17, 0, 0)
    # Saturday: counting starts Sunday, so the first working day is Monday.
    assert workdays.add_working_days(at(2026, 11, 14), 1) == at(2026, 11, 17, 0, 0)


def test_seven_working_days_across_spring_festival():
    # 2026 Spring Festival: 15–23 February off; 14 and 28 February are working Saturdays.
    due = workdays.add_working_days(at(2026, 2, 13), 7)
    days = [
        date(2026, 2, 14),
        date(2026, 2, 24),
        date(2026, 2, 25),
        date(2026, 2, 26),
        date(2026, 2, 27),
        date(2026, 2, 28),
        date(2026, 3, 2),
    ]
    assert all(workdays.is_working_day(d) for d in days)
    assert due == at(2026, 3, 3, 0, 0)


def test_years_beyond_the_calendar_fall_back_to_monday_to_friday():
    assert not workdays.calendar_covers(date(2031, 1, 6))
    assert workdays.is_working_day(date(2031, 1, 6))  # a Monday
    assert not workdays.is_working_day(date(2031, 1, 4))  # a Saturday


def test_working_point_does_not_fall_on_a_weekend():
    start = at(2026, 11, 13, 12, 0)  # Friday noon
    deadline = workdays.add_working_days(start, 1)  # end of Monday
    half = workdays.working_point(start, deadline, 0.5)
    assert half.astimezone(SHANGHAI).date() == date(2026, 11, 16)  # Monday, not Saturday
    assert workdays.working_seconds_between(start, half) == 18 * 3600


@given(
    start=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2026, 12, 1)),
    days=st.integers(min_value=1, max_value=30),
)
def test_deadline_lands_after_exactly_n_working_days(start, days):
    start = start.replace(tzinfo=SHANGHAI)
    due = workdays.add_working_days(start, days)
    last_day = (due - timedelta(seconds=1)).date()
    assert workdays.is_working_day(last_day)
    counted = sum(
        workdays.is_working_day(start.date() + timedelta(days=i))
        for i in range(1, (last_day - start.date()).days + 1)
    )
    assert counted == days


@given(fraction=st.floats(min_value=0.01, max_value=1.0), days=st.integers(1, 10))
def test_working_point_splits_the_working_time(fraction, days):
    start = at(2026, 9, 28, 9, 0)
    deadline = workdays.add_working_days(start, days)
    point = workdays.working_point(start, deadline, fraction)
    assert start <= point <= deadline
    total = workdays.working_seconds_between(start, deadline)
    assert abs(workdays.working_seconds_between(start, point) - fraction * total) < 1e-3
