"""The simulated devices (what each one reports, tick by tick) and the incident timeline.

A Reporter turns its model's real-time values into the uploads of HJ 212: real-time data at
every tick, and when a minute, hour or day has closed, that period's Min/Avg/Max. The same
uploads go out as HJ 212 packets or as JSON telemetry, by the device's door.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from huying.demo.sensing_tokens import read_tokens, tokens_path
from huying.demo.sensing_values import GatewayModel, WaterModel, river_class, stream
from huying.sensing.choices import DeviceKind, Door
from huying.sensing.hj212.codes import KINDS
from huying.sensing.models import Device

PERIODS = (("2051", "minute"), ("2061", "hour"), ("2031", "day"))
POLLUTED_RIVER = "石井河"
LEAKING_GATEWAY = "GW-001"
# Seconds from the start of the simulation.
POLLUTION = (120, 300, 2700, 3000)  # starts, at its height, starts to recover, over
LEAK_LEVEL1, LEAK_LEVEL2, LEAK_OVER = 240, 300, 600


@dataclass
class Reporter:
    code: str
    door: str
    model: WaterModel | GatewayModel
    mn: str = ""
    password: str = ""
    mqtt_client: str = ""
    token: str = ""
    river: str = ""  # a water analyser's river name
    place: str = ""
    rng: random.Random = field(default_factory=random.Random)
    periods: dict = field(default_factory=dict)  # kind -> (start, {code: [min, sum, max, n]})

    @property
    def topic(self) -> str:
        return f"huying/v1/devices/{self.code}/telemetry"

    def tick(self, at: datetime, state) -> list[tuple[str, datetime, dict]]:
        """The uploads due at `at`: closed periods first, then the real-time values."""
        values = self.model.values(at, state)
        uploads = []
        for cn, kind in PERIODS:
            start = _period_start(kind, at)
            current = self.periods.get(kind)
            if current is not None and current[0] != start:
                uploads.append((cn, current[0], _aggregate(current[1])))
                current = None
            if current is None:
                current = self.periods[kind] = (start, {})
            for code, value in values.items():
                _add(current[1], code, value)
        uploads.append(("2011", at, {code: (value, "N") for code, value in values.items()}))
        return uploads

    def telemetry(self, cn: str, data_time: datetime, values: dict) -> dict:
        """The upload as the MQTT and HTTP doors take it (docs/sensing-telemetry.md)."""
        flat = {
            code: {"value": v[1] if isinstance(v, tuple) else v, "flag": flag}
            for code, (v, flag) in values.items()
        }
        return {"samples": [{"time": data_time.isoformat(), "kind": KINDS[cn], "values": flat}]}


def _period_start(kind: str, at: datetime) -> datetime:
    at = at.replace(second=0, microsecond=0)
    if kind == "minute":
        return at
    at = at.replace(minute=0)
    return at if kind == "hour" else at.replace(hour=0)


def _add(sums: dict, code: str, value: float) -> None:
    low, total, high, n = sums.get(code, (value, 0.0, value, 0))
    sums[code] = (min(low, value), total + value, max(high, value), n + 1)


def _aggregate(sums: dict) -> dict:
    return {
        code: ((low, round(total / n, 4), high), "N")
        for code, (low, total, high, n) in sums.items()
    }


def load_reporters(only: list[str], tokens_file: Path | None = None):
    """The devices to simulate (codes starting with one of `only`, or all) and the cameras as
    (code, token). MQTT gateways and cameras need their token from the demo's token file."""
    tokens = read_tokens(tokens_file or tokens_path())
    devices = (
        Device.objects.filter(is_active=True)
        .select_related("station__river", "enterprise")
        .prefetch_related("sensors")
        .order_by("code")
    )
    chosen = [d for d in devices if not only or d.code.startswith(tuple(only))]
    reporters = [r for d in chosen if (r := _reporter(d, tokens)) is not None]
    cameras = [
        (d.code, tokens[d.code]) for d in chosen if d.kind == DeviceKind.CAMERA and d.code in tokens
    ]
    return reporters, cameras


def _reporter(device: Device, tokens: dict[str, str]) -> Reporter | None:
    codes = sorted(s.code for s in device.sensors.all())
    common = {"code": device.code, "door": device.door, "rng": stream(device.code)}
    if device.door == Door.HJ212 and device.mn:
        common |= {"mn": device.mn, "password": device.hj212_password}
    elif device.door == Door.MQTT and device.code in tokens and device.mqtt_client:
        common |= {"mqtt_client": device.mqtt_client, "token": tokens[device.code]}
    else:
        return None
    if device.kind == DeviceKind.WATER_ANALYSER and device.station_id:
        station = device.station
        level = river_class(station.river.code, station.target_class)
        model = WaterModel(device.code, codes, level)
        return Reporter(model=model, river=station.river.name, place=station.name, **common)
    if device.kind == DeviceKind.ENTERPRISE_GATEWAY and device.enterprise_id:
        model = GatewayModel(device.code, codes)
        return Reporter(model=model, place=device.enterprise.name, **common)
    return None


@dataclass
class Incidents:
    river: str = ""
    gateway: str = ""
    place: str = ""
    told: set = field(default_factory=set)

    @classmethod
    def choose(cls, reporters: list[Reporter], enabled: bool = True) -> "Incidents":
        if not enabled:
            return cls()
        rivers = [r.river for r in reporters if r.river]
        gateways = [
            r for r in reporters if isinstance(r.model, GatewayModel) and "lel" in r.model.walks
        ]
        gateway = next(
            (g for g in gateways if g.code == LEAKING_GATEWAY), gateways[0] if gateways else None
        )
        return cls(
            river=POLLUTED_RIVER if POLLUTED_RIVER in rivers else (rivers[0] if rivers else ""),
            gateway=gateway.code if gateway else "",
            place=gateway.place if gateway else "",
        )

    def state(self, reporter: Reporter, elapsed: float):
        if isinstance(reporter.model, GatewayModel):
            return self.leak(elapsed) if reporter.code == self.gateway else None
        return self.pollution(elapsed) if reporter.river == self.river and self.river else 0.0

    @staticmethod
    def pollution(elapsed: float) -> float:
        """0 (usual water) .. 1 (the event at its height)."""
        start, height, recovering, over = POLLUTION
        if elapsed < start or elapsed >= over:
            return 0.0
        if elapsed < height:
            return (elapsed - start) / (height - start)
        if elapsed < recovering:
            return 1.0
        return (over - elapsed) / (over - recovering)

    @staticmethod
    def leak(elapsed: float) -> float | None:
        """The %LEL at the leak, or None when there is none."""
        if LEAK_LEVEL1 <= elapsed < LEAK_LEVEL2:
            return 30.0
        if LEAK_LEVEL2 <= elapsed < LEAK_OVER:
            return 60.0
        return None

    def timeline(self) -> list[tuple[float, str]]:
        lines = []
        if self.river:
            start, height, recovering, over = POLLUTION
            lines += [
                (start, f"污染事件：{self.river} 氨氮、化学需氧量开始上升"),
                (height, f"污染事件：{self.river} 水质降至劣Ⅴ类（氨氮约 6.5 mg/L）"),
                (recovering, f"污染事件：{self.river} 截污处置后水质开始恢复"),
                (over, f"污染事件：{self.river} 水质已恢复"),
            ]
        if self.gateway:
            lines += [
                (LEAK_LEVEL1, f"气体泄漏：{self.place} 可燃气体 30 %LEL（一级报警）"),
                (LEAK_LEVEL2, f"气体泄漏：{self.place} 可燃气体 60 %LEL（二级报警）"),
                (LEAK_OVER, f"气体泄漏：{self.place} 泄漏已处置，浓度回落"),
            ]
        return sorted(lines)

    def announce(self) -> None:
        for at, line in self.timeline():
            print(f"  计划 +{at / 60:g} 分钟  {line}", flush=True)

    def news(self, elapsed: float) -> list[str]:
        due = [item for item in self.timeline() if item[0] <= elapsed and item not in self.told]
        self.told |= set(due)
        return [f"+{at / 60:g} 分钟  {line}" for at, line in due]
