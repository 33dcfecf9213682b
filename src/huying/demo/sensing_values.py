"""What the simulated devices measure: values that drift plausibly around a baseline chosen per
river (its usual water-quality class), with the day's rhythm, and the scripted incidents.

Each device has its own seeded random stream (from its code), so a run is reproducible. Values
are a mean-reverting walk: the baseline pulls, noise pushes, nothing runs away.
"""

import math
import random
import zlib
from dataclasses import dataclass
from datetime import datetime

# Usual values per water-quality class (GB 3838): NH3-N, COD, DO, TP, CODMn, TN. Kept inside
# their class with room to spare, so normal noise never trips the demo's V-class rules.
# fmt: off
CLASS_BASE = {
    2: {"w21003": 0.3, "w01018": 11.0, "w01009": 7.0, "w21011": 0.07, "w01019": 3.0, "w21001": 0.8},
    3: {"w21003": 0.7, "w01018": 16.0, "w01009": 5.8, "w21011": 0.15, "w01019": 4.8, "w21001": 1.4},
    4: {"w21003": 1.15, "w01018": 25.0, "w01009": 4.0, "w21011": 0.24, "w01019": 8.0,
        "w21001": 2.2},
}
# fmt: on
COMMON = {"w01001": 7.3, "w01010": 22.0, "trans": 55.0, "orp": 150.0}
NOISE = {"w01001": 0.03, "w01010": 0.02, "trans": 0.06, "orp": 0.08}  # relative, per step
DEFAULT_NOISE = 0.03
# A pollution event at its height: worse than class V (劣V) on NH3-N, COD and DO.
POLLUTED = {"w21003": 6.5, "w01018": 68.0, "w01009": 1.4, "w21011": 0.9, "w01019": 18.0}
GATEWAY_BASE = {"lel": 1.0, "oel": 4.0, "temp": 26.0, "pres": 0.45, "level": 2.6}
GATEWAY_NOISE = {"lel": 0.3, "oel": 0.2, "temp": 0.02, "pres": 0.01, "level": 0.01}


def stream(code: str) -> random.Random:
    return random.Random(zlib.crc32(code.encode()))  # noqa: S311 (simulation, not secrets)


def river_class(river_code: str, target: int | None = None) -> int:
    """A river's usual class: a section meets its target; creeks are mostly III and IV."""
    if target is not None:
        return max(2, min(target, 4))
    return (3, 3, 4, 4, 2)[zlib.crc32(river_code.encode()) % 5]


@dataclass
class Walk:
    """A mean-reverting random walk around a (moving) target."""

    value: float
    noise: float
    pull: float = 0.15

    def step(self, rng: random.Random, target: float) -> float:
        self.value += (target - self.value) * self.pull + rng.gauss(0, self.noise * target)
        return self.value


class WaterModel:
    def __init__(self, device_code: str, codes: list[str], water_class: int):
        self.rng = stream(device_code)
        self.base = {**COMMON, **CLASS_BASE[water_class]}
        self.walks = {
            code: Walk(self.base[code], NOISE.get(code, DEFAULT_NOISE))
            for code in codes
            if code in self.base
        }

    def values(self, at: datetime, pollution: float = 0.0) -> dict[str, float]:
        """Readings at `at`; `pollution` in 0..1 moves them toward POLLUTED."""
        hour = at.hour + at.minute / 60
        day = math.sin((hour - 9) / 24 * 2 * math.pi)  # warmest, most oxygen mid-afternoon
        out = {}
        for code, walk in self.walks.items():
            target = self.base[code]
            if code == "w01010":
                target += 2.0 * day
            elif code == "w01009":
                target *= 1 + 0.12 * day
            if pollution and code in POLLUTED:
                target += (POLLUTED[code] - target) * pollution
            out[code] = _round(code, max(walk.step(self.rng, target), 0.0))
        return out


class GatewayModel:
    def __init__(self, device_code: str, codes: list[str]):
        self.rng = stream(device_code)
        self.walks = {code: Walk(_gateway_base(code), _gateway_noise(code)) for code in codes}

    def values(self, at: datetime, leak: float | None = None) -> dict[str, float]:
        """Readings at `at`; `leak` is the %LEL the first combustible detector sees (its
        neighbours see less of it)."""
        out = {}
        for code, walk in self.walks.items():
            if leak is not None and code.startswith("lel"):
                # A leak is a step, not a drift, and steady: no noise across the set points.
                walk.value = (leak if code == "lel" else leak * 0.4) * self.rng.uniform(0.98, 1.02)
                out[code] = round(walk.value, 2)
                continue
            out[code] = round(max(walk.step(self.rng, _gateway_base(code)), 0.0), 2)
        return out


def _gateway_base(code: str) -> float:
    return GATEWAY_BASE.get(code.rstrip("0123456789"), 1.0)


def _gateway_noise(code: str) -> float:
    return GATEWAY_NOISE.get(code.rstrip("0123456789"), DEFAULT_NOISE)


def _round(code: str, value: float) -> float:
    if code in ("w01001", "w21011", "w21003"):
        return round(value, 3)
    return round(value, 1 if code in ("trans", "orp", "w01010") else 2)
