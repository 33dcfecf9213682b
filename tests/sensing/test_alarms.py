"""Alarm lifecycle beyond the readings: escalation timers and their compare-and-swap, the
no-data sweep and its clearing by the next sample, the enterprise risk colour."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections

from huying.core import clock
from huying.notify.models import Notification
from huying.sensing import alarms, escalation, risk, silence
from huying.sensing.choices import (
    AlarmEventKind,
    AlarmStatus,
    DeviceKind,
    EscalationLevel,
    RiskColour,
    RuleKind,
)
from huying.sensing.models import Alarm, AlarmEvent, Rule
from tests.sensing.alarm_world import (
    GAS,
    NH3N,
    TEMP,
    at,
    feed,
    gas_rule,
    make_world,
    sample,
    threshold_rule,
    world_fixture,  # noqa: F401 (the `world` fixture)
)


def _raise(world, **rule_fields):
    rule = threshold_rule(
        world, escalate_town_minutes=15, escalate_district_minutes=30, **rule_fields
    )
    feed(sample(world.analyser, at(0), **{NH3N: 3.0}))
    return rule, Alarm.objects.get(rule=rule)


def test_escalation_climbs_site_town_district_on_its_timers(world):
    _rule, alarm = _raise(world)
    raised = alarm.raised_at
    assert (
        str(escalation.sweep(raised + timedelta(minutes=14, seconds=59)))
        == "上报镇街 0，上报区直部门 0"
    )
    report = escalation.sweep(raised + timedelta(minutes=15))
    alarm.refresh_from_db()
    assert (report.to_town, alarm.escalation) == (1, EscalationLevel.TOWN)
    assert alarm.escalate_at == raised + timedelta(minutes=30)
    assert escalation.sweep(raised + timedelta(minutes=29)).to_town == 0
    report = escalation.sweep(raised + timedelta(minutes=31))
    alarm.refresh_from_db()
    assert (report.to_district, alarm.escalation, alarm.escalate_at) == (
        1, EscalationLevel.DISTRICT, None,
    )  # fmt: skip
    assert alarm.events.filter(kind=AlarmEventKind.ESCALATED).count() == 2
    told = Notification.objects.filter(kind="sensing.escalated").values_list(
        "recipient__username", flat=True
    )
    assert "command" in told  # the command centre hears of the district step


def test_an_acknowledged_alarm_does_not_escalate(world, persona):
    _rule, alarm = _raise(world)
    with clock.frozen_at(alarm.raised_at + timedelta(minutes=5)):
        alarms.acknowledge(persona("shuiwu"), alarm, "已派人")
    assert escalation.sweep(alarm.raised_at + timedelta(hours=2)).to_town == 0
    alarm.refresh_from_db()
    assert (alarm.status, alarm.escalation, alarm.escalate_at) == (
        AlarmStatus.ACKNOWLEDGED, EscalationLevel.SITE, None,
    )  # fmt: skip


def test_a_stale_sweep_loses_the_compare_and_swap(world):
    _rule, alarm = _raise(world)
    stale = Alarm.objects.select_related("rule", "device").get(pk=alarm.pk)
    now = alarm.raised_at + timedelta(minutes=16)
    assert escalation._escalate(
        Alarm.objects.select_related("rule", "device").get(pk=alarm.pk), now
    )
    assert not escalation._escalate(stale, now)  # read before the first one wrote
    assert alarm.events.filter(kind=AlarmEventKind.ESCALATED).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
def test_two_sweeps_at_once_escalate_each_alarm_once(django_db_blocker, monkeypatch):
    """Two threads, two connections, on committed rows: each alarm climbs once."""
    outside_the_browser_loop(monkeypatch)
    with django_db_blocker.unblock():
        made = _committed_alarms(30)
        try:
            start, results = threading.Barrier(2), []

            def run():
                start.wait()
                try:
                    results.append(escalation.sweep(clock.now() + timedelta(minutes=20)))
                finally:
                    connections.close_all()

            threads = [threading.Thread(target=run) for _ in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(60)
            assert sum(r.to_town for r in results) == 30
            events = AlarmEvent.objects.filter(alarm__in=made["alarms"], kind="escalated")
            assert events.count() == 30
        finally:
            _remove(made)


def outside_the_browser_loop(monkeypatch) -> None:
    """These tests use the database outside pytest-django's `db` fixture, so they run after the
    browser tests, whose session-wide Playwright leaves its event loop registered as running in
    the main thread; Django would then refuse every query as if called from async code. Nothing
    here is async: tell Django so for this test only."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _committed_alarms(count: int) -> dict:
    world = make_world()
    rule = threshold_rule(world, device=None, station=world.station, escalate_town_minutes=15)
    ids = []
    for n in range(count):
        device = type(world.analyser).objects.create(
            code=f"T-X{n}", name=f"并发 {n}", kind=DeviceKind.WATER_ANALYSER,
            station=world.station, town=world.town, department=world.water_dept,
        )  # fmt: skip
        ids.append(device.pk)
    found = [alarms.Finding(rule.pk, d, 3, NH3N, 3.0) for d in ids]
    from django.db import transaction

    with transaction.atomic():
        new = alarms.raise_many(found)
    return {"world": world, "rule": rule, "alarms": [a.pk for a in new], "devices": ids}


def _remove(made: dict) -> None:
    world = made["world"]
    Notification.objects.filter(kind__startswith="sensing.").delete()
    Alarm.objects.filter(rule=made["rule"]).delete()
    Rule.objects.filter(pk=made["rule"].pk).delete()
    type(world.analyser).objects.filter(
        pk__in=[*made["devices"], world.analyser.pk, world.gateway.pk]
    ).delete()
    world.gateway.sensors.all().delete()
    world.enterprise.delete()
    world.station.delete()
    world.river.delete()


# --- no data ----------------------------------------------------------------------------------


def test_a_silent_device_alarms_and_its_next_sample_clears_it(world):
    rule = Rule.objects.create(
        name="数据中断", kind=RuleKind.NO_DATA, device_kind=DeviceKind.WATER_ANALYSER,
        device=world.analyser, silence_minutes=30,
    )  # fmt: skip
    feed(sample(world.analyser, at(0)))
    with clock.frozen_at(at(30)):
        silence.sweep()
    assert not Alarm.objects.filter(rule=rule).exists()  # 29 minutes (arrived 1 s late)
    with clock.frozen_at(at(31)):
        assert silence.sweep() == "数据中断告警 1"
        assert silence.sweep() == "数据中断告警 0"  # one open alarm is enough
    alarm = Alarm.objects.get(rule=rule)
    assert alarm.status == AlarmStatus.ACTIVE
    feed(sample(world.analyser, at(40)))
    alarm.refresh_from_db()
    assert alarm.status == AlarmStatus.CLEARED


def test_a_device_never_heard_from_is_not_alarmed(world):
    Rule.objects.create(
        name="数据中断", kind=RuleKind.NO_DATA, device_kind=DeviceKind.WATER_ANALYSER,
        device=world.analyser, silence_minutes=30,
    )  # fmt: skip
    with clock.frozen_at(at(600)):
        assert silence.sweep() == "数据中断告警 0"


# --- risk colour --------------------------------------------------------------------------------


def test_risk_colour_follows_the_enterprises_alarms(world):
    gas_rule(world)
    threshold_rule(world, name="温度过高", device_kind=DeviceKind.ENTERPRISE_GATEWAY,
                   device=world.gateway, parameter=TEMP, threshold=80, clear_value=70)  # fmt: skip
    enterprise = world.enterprise

    def colour():
        enterprise.refresh_from_db()
        return enterprise.risk

    assert colour() == RiskColour.BLUE
    feed(sample(world.gateway, at(0), **{TEMP: 85.0}))
    assert colour() == RiskColour.ORANGE
    feed(sample(world.gateway, at(1), **{GAS: 45.0}))
    assert colour() == RiskColour.RED
    changed_at = enterprise.risk_changed_at
    feed(sample(world.gateway, at(2), **{GAS: 1.0, TEMP: 20.0}))
    assert colour() == RiskColour.YELLOW  # all clear, but alarms in the last 24 hours
    assert enterprise.risk_changed_at > changed_at
    with clock.frozen_at(at(60 * 25)):
        risk.recompute([enterprise.pk])
    assert colour() == RiskColour.BLUE


def test_the_sweeps_are_registered_for_the_worker_and_huying_sweep():
    from huying.core.worker import SWEEPS
    from huying.sensing import daily, dispatch

    assert SWEEPS["sensing.escalation"].run is escalation.sweep
    assert SWEEPS["sensing.silence"].run is silence.sweep
    assert SWEEPS["sensing.dispatch"].run is dispatch.sweep
    assert (SWEEPS["sensing.daily"].run, SWEEPS["sensing.daily"].every_seconds) == (
        daily.sweep,
        300,
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a writer thread: PostgreSQL")
def test_the_ingest_pipeline_runs_the_rules_after_its_commit(django_db_blocker, monkeypatch):
    """The real pipeline (its writer thread, its own connection) stores, acknowledges, then
    raises the alarm; the alarm carries the packet's arrival time."""
    outside_the_browser_loop(monkeypatch)
    from huying.sensing.ingest.pipeline import Pipeline
    from huying.sensing.rules_engine import after_store

    with django_db_blocker.unblock():
        made = _committed_alarms(0)
        rule = made["rule"]
        Rule.objects.filter(pk=rule.pk).update(device=made["world"].analyser, station=None)
        # The last hook closes the writer thread's connection, so the test database can go.
        pipeline = Pipeline(after_store=[after_store, lambda samples: connections.close_all()])
        acks = []
        try:
            pipeline.start()
            now = clock.now()
            readings = [sample(made["world"].analyser, now, **{NH3N: 4.2})]
            pipeline.submit(readings, acks.append)
            pipeline.stop()
            assert acks == [True] and pipeline.stats.failed_batches == 0
            alarm = Alarm.objects.get(rule=rule)
            assert (alarm.value, alarm.received_at) == (4.2, readings[0].received_at)
        finally:
            _remove(made)
