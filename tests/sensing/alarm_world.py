"""A small sensing world for the rules and alarm tests: a river section in 云城街道 with a water
analyser, an enterprise with a gas and temperature gateway, and helpers that store samples and
run the rules hook on them (as the ingest pipeline does after its commit)."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from huying.calls.models import Matter
from huying.core import clock
from huying.orgs.models import Org
from huying.sensing import rules, rules_engine, store
from huying.sensing.choices import DeviceKind, RuleKind, SampleKind, SensorKind, StationKind
from huying.sensing.models import Device, Enterprise, River, Rule, Sensor, Station
from huying.sensing.store import NewSample

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # 10:00 in Guangzhou, a Tuesday
NH3N, COD, DO, TP, GAS, TEMP = "w21003", "w01018", "w01009", "w21011", "ea0001", "et0001"


@dataclass
class World:
    town: Org
    water_dept: Org
    env_dept: Org
    safety_dept: Org
    river: River
    station: Station
    analyser: Device
    enterprise: Enterprise
    gateway: Device


def dept(suffix: str) -> Org:
    return Org.objects.get(code=f"440111-{suffix}")


def make_world() -> World:
    town = Org.objects.get(name="云城街道")
    water_dept, env_dept, safety_dept = dept("swj"), dept("sthj"), dept("yjj")
    river = River.objects.create(code="T-R1", name="测试涌")
    station = Station.objects.create(
        code="T-S1", name="测试断面", kind=StationKind.SECTION, target_class=3, river=river,
        town=town, department=env_dept, lat=Decimal("23.17"), lon=Decimal("113.29"),
    )  # fmt: skip
    analyser = Device.objects.create(
        code="T-W1", name="测试断面水质仪", kind=DeviceKind.WATER_ANALYSER, station=station,
        town=town, department=water_dept, mn="T0000000000001", address="测试涌云城段",
    )  # fmt: skip
    enterprise = Enterprise.objects.create(
        code="T-E1", name="测试化工厂", town=town, department=safety_dept,
        lat=Decimal("23.18"), lon=Decimal("113.30"), address="云城东路 1 号",
    )  # fmt: skip
    gateway = Device.objects.create(
        code="T-G1", name="测试化工厂采集仪", kind=DeviceKind.ENTERPRISE_GATEWAY,
        enterprise=enterprise, town=town, department=safety_dept, mn="T0000000000002",
    )  # fmt: skip
    Sensor.objects.create(
        device=gateway, code=GAS, kind=SensorKind.COMBUSTIBLE_GAS, name="可燃气体", level1=20,
        level2=40,
    )  # fmt: skip
    Sensor.objects.create(device=gateway, code=TEMP, kind=SensorKind.TEMPERATURE, name="温度")
    return World(
        town, water_dept, env_dept, safety_dept, river, station, analyser, enterprise, gateway
    )


def threshold_rule(world: World, **fields) -> Rule:
    defaults = dict(
        name="氨氮超标", kind=RuleKind.THRESHOLD, device_kind=DeviceKind.WATER_ANALYSER,
        device=world.analyser, parameter=NH3N, threshold=2.0, clear_value=1.5,
        duration_seconds=0,
    )  # fmt: skip
    return Rule.objects.create(**(defaults | fields))


def gas_rule(world: World, **fields) -> Rule:
    defaults = dict(
        name="可燃气体报警", kind=RuleKind.GAS_LEVEL, device_kind=DeviceKind.ENTERPRISE_GATEWAY,
        device=world.gateway,
    )  # fmt: skip
    return Rule.objects.create(**(defaults | fields))


def water_matter(world: World) -> Matter:
    matter = Matter.objects.create(
        code="T-SZ", domain="key_work", name="河涌水质超标处置", lead_department=world.water_dept,
        response_seconds=7200, resolution_working_days=5,
    )  # fmt: skip
    matter.co_departments.add(world.env_dept)
    return matter


def sample(device: Device, at: datetime, kind: int = SampleKind.RTD, **values) -> NewSample:
    return NewSample(
        device_id=device.pk,
        kind=kind,
        time=at,
        values={code: (value, "N") for code, value in values.items()},
        door="hj212",
        received_at=at + timedelta(seconds=1),
    )


def feed(*samples: NewSample, now: datetime | None = None) -> None:
    """Store the samples and run the hook, at `now` (the last sample's arrival by default)."""
    now = now or max(s.received_at for s in samples)
    with clock.frozen_at(now):
        store.write(samples)
        rules.current(force=True)
        rules_engine.after_store(samples)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


@pytest.fixture(name="world")
def world_fixture(db) -> World:
    rules.reset()
    rules_engine.forget()
    yield make_world()
    rules.reset()
    rules_engine.forget()
