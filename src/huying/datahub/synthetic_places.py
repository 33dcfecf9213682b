"""Where the synthetic residents live: towns, villages, buildings and rental dwellings.

A dwelling is one rented flat in a 城中村 building (握手楼): a building on one of the village's
lanes holds one to four of them, one per floor, so neighbours share a building number, a
door and coordinates. Codes read `YC-0007-00123`: the town's initials (pinyin of its name
without 街道/镇), the village's number in the town, the dwelling's number in the village.
Coordinates are WGS-84 inside Baiyun (23.14–23.42 N, 113.20–113.43 E): each town gets a
centre, each village one within about 1.5 km of it, each building within about 400 m of that.
"""

import random
from dataclasses import dataclass, field

from pypinyin import Style, lazy_pinyin

CITY = "广州市白云区"
_BAIYUN_LAT = (23.14, 23.42)
_BAIYUN_LON = (113.20, 113.43)
_DIRECTIONS = ("东", "西", "南", "北", "中", "新", "")
_NUMERALS = "一二三四五六七八九十"
_LANE_KINDS = ("巷", "街", "横巷", "坊")
# Rooms in a rental flat: small ones are the most common (weights for 1..12 rooms).
_ROOM_WEIGHTS = (8, 14, 14, 13, 11, 10, 8, 7, 5, 4, 3, 3)


def town_initials(names: list[str]) -> list[str]:
    """`云城街道` -> `YC`; a clash between two towns gets a number (`YC2`)."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        stem = name.removesuffix("街道").removesuffix("镇").removesuffix("乡") or name
        base = "".join(lazy_pinyin(stem, style=Style.FIRST_LETTER)).upper()
        base = "".join(c for c in base if c.isalnum()) or "T"
        seen[base] = seen.get(base, 0) + 1
        out.append(base if seen[base] == 1 else f"{base}{seen[base]}")
    return out


@dataclass
class Dwelling:
    code: str
    address: str
    building: str  # the building's door id prefix, shared by its flats
    doors: tuple[str, ...]
    rooms: int
    max_occupants: int
    lat: float
    lon: float
    occupants: list = field(default_factory=list)  # the residents living here


@dataclass
class Village:
    town: str
    name: str
    prefix: str  # `YC-0007`
    lat: float
    lon: float
    lanes: tuple[str, ...]
    dwellings: list[Dwelling] = field(default_factory=list)
    _building: tuple | None = None  # (lane, number, lat, lon, floors left, floor)
    _numbers: dict = field(default_factory=dict)

    def new_dwelling(self, rng: random.Random) -> Dwelling:
        if self._building is None or self._building[4] == 0:
            lane = self.lanes[int(rng.random() * len(self.lanes))]
            number = self._numbers.get(lane, 0) + 1 + int(rng.random() * 3)
            self._numbers[lane] = number
            lat = self.lat + (rng.random() - 0.5) * 0.008
            lon = self.lon + (rng.random() - 0.5) * 0.008
            self._building = (lane, number, lat, lon, 1 + int(rng.random() * 4), 1)
        lane, number, lat, lon, left, floor = self._building
        floor += 1 + int(rng.random() * 2)
        self._building = (lane, number, lat, lon, left - 1, floor)
        index = len(self.dwellings) + 1
        rooms = 1 + _weighted_index(rng, _ROOM_WEIGHTS)
        building = f"{self.prefix}-{self.lanes.index(lane) + 1:02d}{number:03d}"
        flat = f"{floor}0{1 + int(rng.random() * 2)}"
        dwelling = Dwelling(
            code=f"{self.prefix}-{index:05d}",
            address=f"{CITY}{self.town}{self.name}{lane}{number}号{flat}房",
            building=building,
            doors=(f"{building}-1",) if number % 3 else (f"{building}-1", f"{building}-2"),
            rooms=rooms,
            max_occupants=rooms * 2,
            lat=lat,
            lon=lon,
        )
        self.dwellings.append(dwelling)
        return dwelling


def _weighted_index(rng: random.Random, weights: tuple[int, ...]) -> int:
    x = rng.random() * sum(weights)
    for i, w in enumerate(weights):
        x -= w
        if x < 0:
            return i
    return len(weights) - 1


def lay_out(rng: random.Random, towns) -> list[Village]:
    """Every village of every town, placed; lanes named after the village."""
    initials = town_initials([t for t, _v in towns])
    villages = []
    for (town, names), ini in zip(towns, initials, strict=True):
        t_lat = rng.uniform(*_BAIYUN_LAT)
        t_lon = rng.uniform(*_BAIYUN_LON)
        for number, name in enumerate(names, start=1):
            villages.append(
                Village(
                    town=town,
                    name=name,
                    prefix=f"{ini}-{number:04d}",
                    lat=t_lat + (rng.random() - 0.5) * 0.03,
                    lon=t_lon + (rng.random() - 0.5) * 0.03,
                    lanes=_lanes(rng),
                )
            )
    return villages


def _lanes(rng: random.Random) -> tuple[str, ...]:
    lanes: list[str] = []
    while len(lanes) < 4 + int(rng.random() * 8):
        lane = (
            _DIRECTIONS[int(rng.random() * len(_DIRECTIONS))]
            + _NUMERALS[int(rng.random() * len(_NUMERALS))]
            + _LANE_KINDS[int(rng.random() * len(_LANE_KINDS))]
        )
        if lane not in lanes:
            lanes.append(lane)
    return tuple(lanes)
