"""Rules judged on stored samples: threshold edges, duration, hysteresis, gas levels, one open
alarm per rule and device under repeats, auto-clear, and the hot path's cost."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from huying.sensing import rules, rules_engine
from huying.sensing.choices import AlarmEventKind, AlarmStatus, Comparison, RuleKind, Severity
from huying.sensing.models import Alarm, Device, RuleState
from huying.sensing.rules import CLEAR, RAISE, REPEAT, Check, Held
from tests.sensing.alarm_world import (
    DO,
    GAS,
    NH3N,
    T0,
    TEMP,
    at,
    feed,
    gas_rule,
    sample,
    threshold_rule,
    world_fixture,  # noqa: F401 (the `world` fixture)
)

ABOVE = Check(1, RuleKind.THRESHOLD, NH3N, threshold=2.0, clear_value=1.5)


# --- the pure judgement -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "action"), [(2.0, None), (2.0001, RAISE), (1.99, None), (9.0, RAISE)]
)
def test_above_means_strictly_above_the_threshold(value, action):
    assert rules.step(ABOVE, Held(), value, T0)[1] == action


@pytest.mark.parametrize(
    ("value", "action"), [(1.6, None), (1.5, None), (1.4999, CLEAR), (2.5, REPEAT)]
)
def test_an_open_alarm_clears_only_past_the_clear_value(value, action):
    open_ = Held(None, 7, Severity.MINOR, T0)
    assert rules.step(ABOVE, open_, value, T0 + timedelta(seconds=30))[1] == action


def test_below_rules_mirror_above():
    low_do = Check(1, RuleKind.THRESHOLD, DO, Comparison.BELOW, threshold=2.0, clear_value=3.0)
    assert rules.step(low_do, Held(), 2.0, T0)[1] is None
    assert rules.step(low_do, Held(), 1.9, T0)[1] == RAISE
    open_ = Held(None, 7, Severity.MINOR, T0)
    assert rules.step(low_do, open_, 3.0, at(1))[1] is None
    assert rules.step(low_do, open_, 3.01, at(1))[1] == CLEAR


def test_duration_counts_from_the_first_reading_that_met_the_condition():
    check = Check(1, RuleKind.THRESHOLD, NH3N, threshold=2.0, duration_seconds=300)
    held, action = rules.step(check, Held(), 3.0, at(0))
    assert (held.holding_since, action) == (at(0), None)
    held, action = rules.step(check, held, 3.0, at(4.99))
    assert action is None
    assert rules.step(check, held, 3.0, at(5))[1] == RAISE
    # A reading back under the threshold starts the count again.
    held, _ = rules.step(check, held, 1.0, at(4.995))
    assert held.holding_since is None


def test_a_late_reading_is_not_judged():
    held = Held(None, None, Severity.NOTICE, at(10))
    assert rules.step(ABOVE, held, 9.0, at(5)) == (held, None)


def test_gas_levels_use_the_sensors_set_points():
    points = rules.gas.set_points("combustible", 20, 40)
    check = Check(1, RuleKind.GAS_LEVEL, GAS, gas_kind="combustible", points=points)
    assert rules.severity_of(check, 19.9) is None
    assert rules.severity_of(check, 20) == Severity.MAJOR
    assert rules.severity_of(check, 40) == Severity.CRITICAL


# --- the engine on stored samples ---------------------------------------------------------------


def _alarms(rule):
    return Alarm.objects.filter(rule=rule)


def test_repeats_update_the_one_open_alarm(world):
    rule = threshold_rule(world)
    feed(sample(world.analyser, at(0), **{NH3N: 2.5}))
    feed(*[sample(world.analyser, at(m), **{NH3N: 2.5 + m}) for m in (1, 2, 3)])
    feed(sample(world.analyser, at(4), **{NH3N: 3.0}))
    alarm = _alarms(rule).get()
    assert (alarm.status, alarm.repeats, alarm.value) == (AlarmStatus.ACTIVE, 4, 3.0)
    assert alarm.received_at == at(0) + timedelta(seconds=1)
    assert list(alarm.events.values_list("kind", flat=True)) == [AlarmEventKind.RAISED]
    assert alarm.escalate_at == alarm.raised_at + timedelta(minutes=rule.escalate_town_minutes)


def test_the_alarm_survives_a_restart_of_the_process(world):
    rule = threshold_rule(world)
    feed(sample(world.analyser, at(0), **{NH3N: 2.5}))
    rules_engine.forget()  # a new ingest process: its memory is empty
    feed(sample(world.analyser, at(1), **{NH3N: 2.6}))
    assert _alarms(rule).count() == 1
    assert _alarms(rule).get().repeats == 1


def test_hysteresis_then_auto_clear(world):
    rule = threshold_rule(world)
    feed(sample(world.analyser, at(0), **{NH3N: 2.5}))
    feed(sample(world.analyser, at(1), **{NH3N: 1.8}))  # between clear value and threshold
    assert _alarms(rule).get().status == AlarmStatus.ACTIVE
    feed(sample(world.analyser, at(2), **{NH3N: 1.2}))
    alarm = _alarms(rule).get()
    assert alarm.status == AlarmStatus.CLEARED and alarm.cleared_at is not None
    cleared = alarm.events.get(kind=AlarmEventKind.CLEARED)
    assert cleared.actor is None
    feed(sample(world.analyser, at(3), **{NH3N: 4.0}))  # a new episode: a new alarm
    assert _alarms(rule).count() == 2
    assert _alarms(rule).exclude(status=AlarmStatus.CLEARED).count() == 1


def test_duration_rule_raises_after_the_duration_and_keeps_its_state(world):
    rule = threshold_rule(world, duration_seconds=600)
    feed(sample(world.analyser, at(0), **{NH3N: 3.0}))
    state = RuleState.objects.get(rule=rule, device=world.analyser)
    assert state.holding_since == at(0)
    rules_engine.forget()  # the start of the episode is read back from RuleState
    feed(sample(world.analyser, at(9), **{NH3N: 3.0}))
    assert not _alarms(rule).exists()
    feed(sample(world.analyser, at(10), **{NH3N: 3.0}))
    assert _alarms(rule).count() == 1
    feed(sample(world.analyser, at(11), **{NH3N: 0.5}))
    state.refresh_from_db()
    assert state.holding_since is None


def test_gas_level_rises_with_a_raised_level_event(world):
    rule = gas_rule(world)
    feed(sample(world.gateway, at(0), **{GAS: 22.0, TEMP: 30.0}))
    alarm = _alarms(rule).get()
    assert alarm.severity == Severity.MAJOR and alarm.parameter == GAS
    feed(sample(world.gateway, at(1), **{GAS: 45.0}))
    alarm.refresh_from_db()
    assert alarm.severity == Severity.CRITICAL
    kinds = list(alarm.events.values_list("kind", flat=True))
    assert kinds == [AlarmEventKind.RAISED, AlarmEventKind.RAISED_LEVEL]
    feed(sample(world.gateway, at(2), **{GAS: 3.0}))
    alarm.refresh_from_db()
    assert alarm.status == AlarmStatus.CLEARED


def test_raise_and_clear_in_one_batch(world):
    rule = threshold_rule(world)
    feed(
        sample(world.analyser, at(0), **{NH3N: 2.5}),
        sample(world.analyser, at(1), **{NH3N: 0.5}),
        sample(world.analyser, at(2), **{NH3N: 2.7}),
    )
    assert _alarms(rule).count() == 2
    assert _alarms(rule).exclude(status=AlarmStatus.CLEARED).get().value == 2.7


def test_department_and_town_are_told(world):
    from huying.notify.models import Notification

    threshold_rule(world)
    feed(sample(world.analyser, at(0), **{NH3N: 2.5}))
    told = set(
        Notification.objects.filter(kind="sensing.raised").values_list(
            "recipient__username", flat=True
        )
    )
    assert {"shuiwu", "yuncheng"} <= told
    assert "yingji" not in told


def test_last_seen_moves_in_steps_of_ten_seconds(world):
    feed(sample(world.analyser, at(0)))
    world.analyser.refresh_from_db()
    first = world.analyser.last_seen_at
    assert first == at(0) + timedelta(seconds=1)
    feed(sample(world.analyser, at(0) + timedelta(seconds=5)))
    world.analyser.refresh_from_db()
    assert world.analyser.last_seen_at == first
    feed(sample(world.analyser, at(0) + timedelta(seconds=12)))
    world.analyser.refresh_from_db()
    assert world.analyser.last_seen_at == at(0) + timedelta(seconds=13)


def test_steady_readings_cost_no_query(world):
    threshold_rule(world)
    feed(sample(world.analyser, at(0), **{NH3N: 1.0}))
    rules.current(force=True)
    unwatched = Device.objects.create(
        code="T-C1", name="测试摄像机", kind="camera", town=world.town, department=world.town
    )
    batch = [sample(world.analyser, at(0) + timedelta(seconds=s), **{NH3N: 1.0}) for s in (1, 2, 3)]
    batch.append(sample(unwatched, at(0), **{NH3N: 50.0}))
    rules_engine._last_seen[unwatched.pk] = batch[-1].received_at
    with CaptureQueriesContext(connection) as queries:
        rules_engine.after_store(batch)
    assert len(queries) == 0, [q["sql"] for q in queries]
    assert rules.current().by_device.get(unwatched.pk) is None


def test_a_reading_after_a_clear_by_hand_raises_a_new_alarm(world, persona):
    from huying.sensing import alarms

    rule = threshold_rule(world)
    feed(sample(world.analyser, at(0), **{NH3N: 2.5}))
    alarms.clear(persona("shuiwu"), _alarms(rule).get(), "现场已处置")
    feed(sample(world.analyser, at(1), **{NH3N: 2.9}))  # the ingest process still held it open
    assert _alarms(rule).count() == 2
    fresh = _alarms(rule).exclude(status=AlarmStatus.CLEARED).get()
    assert (fresh.value, fresh.repeats) == (2.9, 0)
    feed(sample(world.analyser, at(2), **{NH3N: 3.1}))
    fresh.refresh_from_db()
    assert fresh.repeats == 1
