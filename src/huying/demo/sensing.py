"""The demo district's sensing registry: 249 rivers and creeks with their monitoring points, the
4 assessment sections, key enterprises with their safety gateways, street cameras, the rules.

Idempotent: everything is generated from a seed first, then only what is missing (by code, or
by name for rules) is created, so a second run changes nothing. Tokens of the devices that send
over MQTT or HTTP are kept in var/sensing-demo-tokens.json (0600) for the simulator.
"""

import math
import random
from decimal import Decimal

from django.db import transaction
from faker import Faker

from huying.demo import district as district_facts
from huying.demo import sensing_facts as facts
from huying.demo.sensing_rules import load_rules
from huying.demo.sensing_tokens import ensure_tokens
from huying.demo.services import LoadSummary
from huying.orgs.models import Org
from huying.sensing.choices import DeviceKind, Door, SensorKind, StationKind
from huying.sensing.hj212.codes import CODES
from huying.sensing.models import Device, Enterprise, River, Sensor, Station

SEED = 20261125
SENSOR_KINDS = {
    "lel": SensorKind.COMBUSTIBLE_GAS,
    "oel": SensorKind.TOXIC_GAS,
    "temp": SensorKind.TEMPERATURE,
    "pres": SensorKind.PRESSURE,
    "level": SensorKind.LEVEL,
}


class Summary(LoadSummary):
    def describe(self) -> str:
        def fmt(d):
            return "，".join(f"{k} {v}" for k, v in d.items()) or "无"

        return f"感知设备：新建 {fmt(self.created)}；已存在 {fmt(self.existing)}。"


@transaction.atomic
def load_demo_sensing() -> Summary:
    summary = Summary()
    rng = random.Random(SEED)  # noqa: S311  (reproducible demo data, not secrets)
    faker = Faker("zh_CN")
    faker.seed_instance(SEED)
    orgs = _Orgs()
    rivers = _rivers(summary, rng, orgs)
    _sections(summary, rivers, orgs)
    _points(summary, rng, rivers, orgs)
    _analysers(summary, rng, orgs)
    _enterprises(summary, rng, faker, orgs)
    _cameras(summary, rng, orgs)
    load_rules(summary)
    ensure_tokens(summary)
    return summary


class _Orgs:
    """The towns (with their centres) and the departments the registry points at."""

    def __init__(self):
        names = [t[0] for t in district_facts.TOWNS]
        by_name = {o.name: o for o in Org.objects.filter(name__in=names)}
        self.towns = [by_name[n] for n in names]
        self.by_name = by_name
        self.water = _department("swj")
        self.safety = _department("yjj")
        self.urban = _department("cgj")

    def nearest(self, lat: float, lon: float) -> Org:
        return min(self.towns, key=lambda t: (float(t.lat) - lat) ** 2 + (float(t.lon) - lon) ** 2)


def _department(suffix: str) -> Org:
    return Org.objects.get(code=district_facts.department_code(suffix))


def _coord(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")


# --- rivers and stations -------------------------------------------------------------------


def river_specs(rng: random.Random, orgs: _Orgs) -> list[dict]:
    """All 249 rivers as (code, name, line, length, points), the same on every run."""
    specs = [
        {"name": name, "line": (a, b), "length": length, "points": points}
        for name, a, b, length, points in facts.BIG_RIVERS
    ]
    used = {s["name"] for s in specs} | {name for name, _ in facts.KNOWN_CREEKS}
    anchored = [(name, orgs.by_name[town]) for name, town in facts.KNOWN_CREEKS]
    n = 0
    while len(specs) + len(anchored) < facts.RIVER_COUNT:
        anchored.append((_creek_name(rng, used), orgs.towns[n % len(orgs.towns)]))
        n += 1
    for name, town in anchored:
        line, length = _creek_line(rng, float(town.lat), float(town.lon))
        specs.append({"name": name, "line": line, "length": length, "points": rng.randint(1, 3)})
    for i, spec in enumerate(specs, start=1):
        spec["code"] = f"BYR{i:03d}"
    return specs


def _creek_name(rng: random.Random, used: set[str]) -> str:
    while True:
        name = rng.choice(facts.CREEK_FIRST) + rng.choice(facts.CREEK_SECOND) + "涌"
        if name not in used:
            used.add(name)
            return name


def _creek_line(rng: random.Random, lat: float, lon: float):
    """A short straight run through a point near the town's centre, kept inside the district."""
    length = round(rng.uniform(1.2, 9.0), 2)
    angle = rng.uniform(0, math.pi)
    half = length / 2 / 111  # km to degrees, near enough at this latitude
    lat += rng.uniform(-0.02, 0.02)
    lon += rng.uniform(-0.02, 0.02)
    dlat, dlon = half * math.sin(angle), half * math.cos(angle)
    ends = [(lat - dlat, lon - dlon), (lat + dlat, lon + dlon)]
    a, b = [(_clamp(y, facts.LAT_RANGE), _clamp(x, facts.LON_RANGE)) for y, x in ends]
    return (a, b), length


def _clamp(value: float, bounds: tuple[float, float]) -> float:
    return min(max(value, bounds[0]), bounds[1])


def _along(line, count: int) -> list[tuple[float, float]]:
    """`count` points evenly spaced inside the line (never at its very ends)."""
    (lat1, lon1), (lat2, lon2) = line
    steps = [(i + 1) / (count + 1) for i in range(count)]
    return [(lat1 + (lat2 - lat1) * s, lon1 + (lon2 - lon1) * s) for s in steps]


def _rivers(summary: Summary, rng: random.Random, orgs: _Orgs) -> list[dict]:
    specs = river_specs(rng, orgs)
    existing = set(River.objects.values_list("code", flat=True))
    new = [s for s in specs if s["code"] not in existing]
    River.objects.bulk_create(
        River(code=s["code"], name=s["name"], length_km=Decimal(f"{s['length']:.2f}")) for s in new
    )
    by_code = River.objects.in_bulk([s["code"] for s in new], field_name="code")
    links = []
    for spec in new:
        towns = {orgs.nearest(*p).pk for p in _along(spec["line"], max(spec["points"], 3))}
        links += [River.towns.through(river=by_code[spec["code"]], org_id=t) for t in towns]
    River.towns.through.objects.bulk_create(links)
    for spec in specs:
        summary.count("河涌", created=spec["code"] not in existing)
    return specs


def _sections(summary: Summary, rivers: list[dict], orgs: _Orgs) -> None:
    river_code = {s["name"]: s["code"] for s in rivers}
    for code, name, river, level, target, (lat, lon) in facts.SECTIONS:
        exists = Station.objects.filter(code=code).exists()
        summary.count("考核断面", created=not exists)
        if not exists:
            Station.objects.create(
                code=code, name=name, kind=StationKind.SECTION, section_level=level,
                target_class=target, river=River.objects.get(code=river_code[river]),
                town=orgs.nearest(lat, lon), department=orgs.water,
                lat=_coord(lat), lon=_coord(lon),
            )  # fmt: skip


def _points(summary: Summary, rng: random.Random, rivers: list[dict], orgs: _Orgs) -> None:
    existing = set(Station.objects.filter(kind=StationKind.POINT).values_list("code", flat=True))
    river_ids = dict(River.objects.values_list("code", "pk"))
    new = []
    for spec in rivers:
        for n, (lat, lon) in enumerate(_along(spec["line"], spec["points"]), start=1):
            code = f"{spec['code']}-{n}"
            depth = rng.randint(30, 300)  # drawn for every point so the sequence stays stable
            summary.count("河涌监测点", created=code not in existing)
            if code not in existing:
                new.append(
                    Station(
                        code=code, name=f"{spec['name']}{n}号监测点", kind=StationKind.POINT,
                        river_id=river_ids[spec["code"]], town=orgs.nearest(lat, lon),
                        department=orgs.water, lat=_coord(lat), lon=_coord(lon), depth_cm=depth,
                    )
                )  # fmt: skip
    Station.objects.bulk_create(new)


def _analysers(summary: Summary, rng: random.Random, orgs: _Orgs) -> None:
    """One water analyser per station, sending HJ 212 over TCP."""
    have = set(Device.objects.filter(kind=DeviceKind.WATER_ANALYSER).values_list("code", flat=True))
    new = []
    for n, station in enumerate(Station.objects.order_by("code"), start=1):
        password = f"{rng.randint(0, 999999):06d}"
        code = f"WQ-{station.code}"
        summary.count("水质监测仪", created=code not in have)
        if code not in have:
            new.append(
                Device(
                    code=code, name=f"{station.name}水质自动监测仪",
                    kind=DeviceKind.WATER_ANALYSER, door=Door.HJ212, station=station,
                    town_id=station.town_id, department_id=station.department_id,
                    lat=station.lat, lon=station.lon, mn=f"44011100W{n:06d}",
                    hj212_password=password,
                )
            )  # fmt: skip
    Device.objects.bulk_create(new)
    created = Device.objects.filter(code__in=[d.code for d in new]).select_related("station")
    _sensors(created, lambda d: [(c, 1) for c in _water_codes(d.station)])


def _water_codes(station: Station) -> list[str]:
    return facts.SECTION_CODES if station.kind == StationKind.SECTION else facts.POINT_CODES


def _sensors(devices, codes_of) -> None:
    rows = []
    for device in devices:
        for code, count in codes_of(device):
            for i in range(1, count + 1):
                rows.append(_sensor(device, code, i, count))
    Sensor.objects.bulk_create(rows)


def _sensor(device: Device, code: str, i: int, count: int) -> Sensor:
    known = CODES[code]
    # A gateway with several detectors of one kind reports them as lel, lel2, lel3, ...
    full = code if i == 1 else f"{code}{i}"
    level1, level2 = facts.GAS_SET_POINTS.get(code, (None, None))
    return Sensor(
        device=device, code=full, kind=SENSOR_KINDS.get(code, SensorKind.WATER),
        name=known.name if count == 1 else f"{known.name}{i}", unit=known.unit,
        level1=level1, level2=level2,
    )  # fmt: skip


# --- enterprises and cameras -----------------------------------------------------------------


def _enterprises(summary: Summary, rng: random.Random, faker: Faker, orgs: _Orgs) -> None:
    for n in range(1, facts.ENTERPRISE_COUNT + 1):
        suffix, sensors = facts.ENTERPRISE_KINDS[(n - 1) % len(facts.ENTERPRISE_KINDS)]
        town = orgs.towns[rng.randrange(len(orgs.towns))]
        lat = float(town.lat) + rng.uniform(-0.025, 0.025)
        lon = float(town.lon) + rng.uniform(-0.025, 0.025)
        code = "91440111" + "".join(
            rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(10)
        )
        fields = {
            "name": f"广州{faker.company_prefix()}{suffix}",
            "address": f"广州市白云区{town.name}{rng.choice(facts.ROADS)}{rng.randint(1, 300)}号",
            "contact_name": faker.name(), "contact_phone": faker.phone_number(),
            "password": f"{rng.randint(0, 999999):06d}",
        }  # fmt: skip
        enterprise = Enterprise.objects.filter(code=code).first()
        summary.count("重点企业", created=enterprise is None)
        if enterprise is None:
            enterprise = Enterprise.objects.create(
                code=code, name=fields["name"], address=fields["address"], town=town,
                department=orgs.safety, lat=_coord(lat), lon=_coord(lon),
                contact_name=fields["contact_name"], contact_phone=fields["contact_phone"],
            )  # fmt: skip
        _gateway(summary, n, enterprise, fields["password"], sensors)


def _gateway(summary: Summary, n: int, enterprise: Enterprise, password: str, sensors) -> None:
    """Half the gateways speak HJ 212 over TCP, the other half MQTT (with a token)."""
    code = f"GW-{n:03d}"
    if Device.objects.filter(code=code).exists():
        summary.count("企业采集仪", created=False)
        return
    hj212 = n % 2 == 1
    device = Device.objects.create(
        code=code, name=f"{enterprise.name}安全监测采集仪", kind=DeviceKind.ENTERPRISE_GATEWAY,
        door=Door.HJ212 if hj212 else Door.MQTT, enterprise=enterprise, town=enterprise.town,
        department=enterprise.department, lat=enterprise.lat, lon=enterprise.lon,
        address=enterprise.address, mn=f"44011100E{n:06d}" if hj212 else None,
        hj212_password=password if hj212 else "",
        mqtt_client=None if hj212 else f"huying-gw-{n:03d}",
    )  # fmt: skip
    _sensors([device], lambda d: sensors)
    summary.count("企业采集仪", created=True)


def _cameras(summary: Summary, rng: random.Random, orgs: _Orgs) -> None:
    have = set(Device.objects.filter(kind=DeviceKind.CAMERA).values_list("code", flat=True))
    new = []
    for n in range(1, facts.CAMERA_COUNT + 1):
        town = orgs.towns[(n - 1) % len(orgs.towns)]
        place = rng.choice(facts.CAMERA_PLACES)
        street = rng.choice(facts.ROADS)
        lat = float(town.lat) + rng.uniform(-0.015, 0.015)
        lon = float(town.lon) + rng.uniform(-0.015, 0.015)
        code = f"CAM-{n:03d}"
        summary.count("视频摄像机", created=code not in have)
        if code not in have:
            new.append(
                Device(
                    code=code, name=f"{town.short_name}{street}{place}摄像机",
                    kind=DeviceKind.CAMERA, door=Door.HTTP, town=town, department=orgs.urban,
                    lat=_coord(lat), lon=_coord(lon),
                    address=f"广州市白云区{town.name}{street}{place}",
                    # GB/T 28181: region 44011100, industry 00, type 132 (IP camera), serial.
                    gb28181_id=f"4401110000132{n:07d}",
                )
            )  # fmt: skip
    Device.objects.bulk_create(new)
