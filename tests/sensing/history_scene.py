"""Readings for the history tests: two stations in two towns, each with a water analyser that
sent real-time data every 20 minutes and hourly data for four local days (a few readings flagged
as faults), stored through sensing.store as the doors store them."""

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from huying.orgs.models import Org
from huying.sensing import store
from huying.sensing.choices import DeviceKind, SampleKind, StationKind
from huying.sensing.models import Device, River, Sample, Station
from huying.sensing.store import NewSample

NOW = datetime(2026, 11, 24, 4, 0, tzinfo=UTC)  # 12:00 on 24 November in Guangzhou
TODAY = date(2026, 11, 24)
FIRST = date(2026, 11, 21)
START = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)  # local midnight starting 21 November
NH3N, DO = "w21003", "w01009"


@dataclass
class Scene:
    yuncheng: Station
    helong: Station
    a1: Device
    a2: Device


def make_scene() -> Scene:
    river = River.objects.create(code="H-R1", name="历史测试涌")
    env = Org.objects.get(code="440111-sthj")
    stations, devices = [], []
    for n, town in enumerate(("云城街道", "鹤龙街道"), start=1):
        town = Org.objects.get(name=town)
        station = Station.objects.create(
            code=f"H-S{n}", name=f"历史测试断面{n}", kind=StationKind.SECTION, target_class=3,
            river=river, town=town, department=env, lat=Decimal("23.1"), lon=Decimal("113.2"),
        )  # fmt: skip
        device = Device.objects.create(
            code=f"H-W{n}", name=f"历史测试水质仪{n}", kind=DeviceKind.WATER_ANALYSER,
            station=station, town=town, department=env, mn=f"H00000000000{n}",
        )  # fmt: skip
        stations.append(station)
        devices.append(device)
    return Scene(*stations, *devices)


def readings_for(scene: Scene, until: datetime = NOW, seed: int = 6) -> list[NewSample]:
    rnd = random.Random(seed)  # noqa: S311 (repeatable test data)
    samples = []
    moment = START
    while moment < until:
        for device in (scene.a1, scene.a2):
            values = {
                NH3N: (round(rnd.uniform(0.2, 2.5), 3), "D" if rnd.random() < 0.05 else "N"),
                DO: (round(rnd.uniform(2.0, 8.0), 2), "N"),
            }
            samples.append(sample(device, SampleKind.RTD, moment, values))
            if moment.minute == 0:
                samples.append(sample(device, SampleKind.HOUR, moment, {NH3N: (1.0, "N")}))
        moment += timedelta(minutes=20)
    return samples


def sample(device: Device, kind: int, moment: datetime, values: dict) -> NewSample:
    return NewSample(device.id, kind, moment, values, "hj212", moment + timedelta(seconds=2))


def store_all(samples: list[NewSample]) -> int:
    return store.write(samples)


def db_readings(*devices: Device) -> set[tuple]:
    """Every reading the database holds for the devices: (device, parameter, kind, time, value,
    flag)."""
    rows = Sample.objects.filter(device__in=devices)
    return {
        (s.device_id, code, s.kind, s.time, value, flag)
        for s in rows
        for (_, code, _, value, flag) in store.readings_of([s])
    }
