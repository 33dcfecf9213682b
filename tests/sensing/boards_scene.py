"""A sensing scene for the boards (now: 2026-11-24 10:00 Beijing, the clock frozen there).

| station | kind | town | department | target | today |
| --- | --- | --- | --- | --- | --- |
| S1 东风断面 | national section, river R1 | 云城街道 | 水务局 | III | V (NH3-N 1.8): exceeds |
| S2 R1 point | point, river R1 | 云城街道 | 生态环境分局 | — | 劣V (TP 0.62) |
| S3 R2 point | point, river R2 | 人和镇 | 水务局 | — | II |
| S4 R2 point | point, river R2 | 人和镇 | 水务局 | — | no data |

Water analyser W1 at S1 sends NH3-N: hourly means at 07:00 and 08:00 (1.0, 1.4), minute data
at 09:xx (ignored while hourly data exists), a faulty ("D") hour at 06:00 (left out).
Enterprise E1 (人和镇, 应急管理局, red) has gateway G1 with a combustible gas sensor (set points
20/40 %LEL) now at 45 (level 2) and a temperature sensor at 30; E2 (云城街道, blue) sends nothing.
Alarms: A1 G1 gas level 2, active, severity 1; A2 W1 NH3-N threshold, acknowledged, severity 3;
A3 W1 the same rule, cleared yesterday.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from huying.core import clock
from huying.orgs.models import User
from huying.sensing import store
from huying.sensing.models import (
    Alarm,
    AlarmEvent,
    Device,
    Enterprise,
    River,
    Rule,
    Sensor,
    Station,
    StationDay,
)

BEIJING = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=BEIJING)
NH3N, TP, LEL = "w21003", "w21011", "lel"


def org_of(username: str):
    return User.objects.select_related("org").get(username=username).org


def station(code, name, river, town, dept, kind="point", **extra) -> Station:
    return Station.objects.create(
        code=code, name=name, kind=kind, river=river, town=town, department=dept,
        lat=extra.pop("lat", "23.20"), lon=extra.pop("lon", "113.28"), **extra,
    )  # fmt: skip


def day(s: Station, water_class, deciding="", means=None) -> StationDay:
    return StationDay.objects.create(
        station=s, day=NOW.date(), water_class=water_class, deciding_parameter=deciding,
        means=means or {}, exceeds_target=bool(s.target_class and water_class
                                               and water_class > s.target_class),
        samples=24, computed_at=NOW,
    )  # fmt: skip


def sample(device, kind, time, values, door="hj212"):
    store.write([store.NewSample(device.pk, kind, time, values, door, time)])


def alarm(rule, device, status, severity, raised, **extra) -> Alarm:
    made = Alarm.objects.create(
        rule=rule, device=device, status=status, severity=severity,
        title=f"{device.name}：{rule.name}", parameter=rule.parameter,
        value=extra.pop("value", None), raised_at=raised, last_seen_at=raised, **extra,
    )  # fmt: skip
    AlarmEvent.objects.create(alarm=made, kind="raised", at=raised)
    return made


@pytest.fixture
def frozen():
    with clock.frozen_at(NOW):
        yield NOW


@pytest.fixture
def boards_scene(db, frozen):
    yun, renhe = org_of("yuncheng"), org_of("renhe")
    water, env, safety = org_of("shuiwu"), org_of("huanjing"), org_of("yingji")
    r1 = River.objects.create(code="R1", name="东风河")
    r2 = River.objects.create(code="R2", name="人和涌")
    s1 = station("S1", "东风断面", r1, yun, water, kind="section", section_level="national",
                 target_class=3, lat="23.18", lon="113.29")  # fmt: skip
    s2 = station("S2", "东风河二号点", r1, yun, env)
    s3 = station("S3", "人和涌一号点", r2, renhe, water, lat="23.33", lon="113.27")
    s4 = station("S4", "人和涌二号点", r2, renhe, water, lat="23.34", lon="113.26")
    day(s1, 5, NH3N, {NH3N: 1.8})
    day(s2, 6, TP, {TP: 0.62})
    day(s3, 2, NH3N, {NH3N: 0.3})
    w1 = Device.objects.create(code="W1", name="东风断面水质站", kind="water", station=s1,
                               town=yun, department=water)  # fmt: skip
    for hour, value, flag in ((6, 9.9, "D"), (7, 1.0, "N"), (8, 1.4, "N")):
        sample(w1, 3, NOW.replace(hour=hour), {NH3N: (value, flag)})
    sample(w1, 2, NOW.replace(hour=9, minute=5), {NH3N: (5.0, "N")})
    e1 = Enterprise.objects.create(code="E1", name="人和化工厂", town=renhe, department=safety,
                                   lat="23.33", lon="113.28", risk="red")  # fmt: skip
    e2 = Enterprise.objects.create(code="E2", name="云城仓储", town=yun, department=safety,
                                   lat="23.18", lon="113.30", risk="blue")  # fmt: skip
    g1 = Device.objects.create(code="G1", name="化工厂安全采集仪", kind="gateway", enterprise=e1,
                               town=renhe, department=safety)  # fmt: skip
    Sensor.objects.create(device=g1, code=LEL, kind="combustible", name="罐区可燃气体",
                          unit="%LEL", level1=20, level2=40)  # fmt: skip
    Sensor.objects.create(device=g1, code="temp", kind="temperature", name="反应釜温度", unit="℃")
    sample(g1, 1, NOW - timedelta(minutes=2), {LEL: (12.0, "N"), "temp": (28.0, "N")})
    sample(g1, 1, NOW - timedelta(seconds=30), {LEL: (45.0, "N"), "temp": (30.0, "N")})
    gas_rule = Rule.objects.create(name="可燃气体报警", kind="gas_level", device_kind="gateway",
                                   parameter=LEL, severity=1)  # fmt: skip
    nh3_rule = Rule.objects.create(name="氨氮超标", kind="threshold", device_kind="water",
                                   parameter=NH3N, threshold=1.5, severity=3)  # fmt: skip
    a1 = alarm(gas_rule, g1, "active", 1, NOW - timedelta(minutes=1), value=45.0, escalation=1)
    a2 = alarm(nh3_rule, w1, "acknowledged", 3, NOW - timedelta(hours=2), value=1.8)
    a3 = alarm(nh3_rule, w1, "cleared", 3, NOW - timedelta(days=1), value=1.6,
               cleared_at=NOW - timedelta(hours=20))  # fmt: skip
    return {"stations": (s1, s2, s3, s4), "w1": w1, "g1": g1, "enterprises": (e1, e2),
            "alarms": (a1, a2, a3)}  # fmt: skip
