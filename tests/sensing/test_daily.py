"""Daily water classes per station (StationDay), exceedance against the target class, the
black-odour grade, and the day rules: the pollution incident raises an alarm that calls
水务局 and 生态环境分局."""

from datetime import date, timedelta

from huying.calls.choices import AssignmentRole
from huying.core import clock
from huying.sensing import daily
from huying.sensing.choices import AlarmStatus, DeviceKind, RuleKind, SampleKind
from huying.sensing.models import Alarm, Rule, StationDay
from tests.sensing.alarm_world import (
    COD,
    DO,
    NH3N,
    TP,
    at,
    feed,
    sample,
    water_matter,
    world_fixture,  # noqa: F401 (the `world` fixture)
)

DAY = date(2026, 11, 24)  # at(0) is 10:00 that day in Guangzhou
CLEAN = {DO: 6.5, COD: 14.0, NH3N: 0.4, TP: 0.08}  # class II


def test_the_class_of_the_daily_means_and_the_exceedance(world):
    feed(*[sample(world.analyser, at(60 * h), SampleKind.HOUR, **(CLEAN | {COD: c}))
           for h, c in enumerate((30.0, 50.0, 46.0))])  # fmt: skip
    row = daily.compute_day(DAY, [world.station])[0]
    assert row.means[COD] == 42.0  # mean of 30, 50, 46: over 40, 劣V
    assert (row.water_class, row.deciding_parameter, row.exceeds_target) == (6, COD, True)
    assert row.samples == 3
    assert StationDay.objects.get(station=world.station, day=DAY).water_class == 6


def test_the_analysers_own_daily_values_win(world):
    feed(
        sample(world.analyser, at(0), SampleKind.HOUR, **(CLEAN | {COD: 60.0})),
        sample(world.analyser, at(1), SampleKind.DAY, **(CLEAN | {COD: 18.0})),
    )
    row = daily.compute_day(DAY, [world.station])[0]
    assert (row.means[COD], row.water_class, row.exceeds_target) == (18.0, 3, False)


def test_a_day_without_samples_has_no_class(world):
    row = daily.compute_day(DAY, [world.station])[0]
    assert (row.water_class, row.exceeds_target, row.samples, row.black_odour) == (
        None, False, 0, "",
    )  # fmt: skip


def test_black_odour_grade_over_the_days_samples(world):
    feed(*[sample(world.analyser, at(m), **{DO: d}) for m, d in enumerate((0.1, 0.15, 0.1, 3.0))])
    assert daily.compute_day(DAY, [world.station])[0].black_odour == "severe"  # 75% severe


def test_the_pollution_incident_raises_and_calls_both_departments(world):
    rule = Rule.objects.create(
        name="测试断面水质超标", kind=RuleKind.WATER_CLASS, device_kind=DeviceKind.WATER_ANALYSER,
        station=world.station, severity=2, dispatch=True, dispatch_matter=water_matter(world),
    )  # fmt: skip
    feed(sample(world.analyser, at(0), SampleKind.HOUR, **(CLEAN | {NH3N: 2.6})))
    with clock.frozen_at(at(5)):
        assert daily.sweep() == "站点日水质 1，告警 1，解除 0"
        assert daily.sweep() == "站点日水质 1，告警 0，解除 0"  # the open alarm repeats
    alarm = Alarm.objects.select_related("call").get(rule=rule)
    assert (alarm.value, alarm.parameter, alarm.device) == (6, NH3N, world.analyser)
    departments = dict(alarm.call.assignments.values_list("department__short_name", "role"))
    assert departments == {"水务局": AssignmentRole.LEAD, "生态环境分局": AssignmentRole.CO}
    # The river recovers: the day's mean falls back within the target, the alarm clears.
    feed(*[sample(world.analyser, at(60 * h), SampleKind.HOUR, **CLEAN) for h in range(1, 9)])
    with clock.frozen_at(at(60 * 8 + 5)):
        assert daily.sweep() == "站点日水质 1，告警 0，解除 1"
    alarm.refresh_from_db()
    assert alarm.status == AlarmStatus.CLEARED


def test_the_sweep_skips_stations_without_new_data(world):
    feed(sample(world.analyser, at(0), SampleKind.HOUR, **CLEAN))
    with clock.frozen_at(at(0) + timedelta(minutes=30)):
        assert daily.sweep().startswith("站点日水质 0")
