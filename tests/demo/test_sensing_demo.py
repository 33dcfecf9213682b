"""The demo district's sensing registry (`huying demo`): 249 rivers each with its monitoring
points, the 4 assessment sections with their targets, key enterprises with their gas sensors,
cameras with GB/T 28181 ids, the rules with their special-list matters, and the device tokens
the simulator reads; a second run changes nothing."""

import hashlib
import json
import stat

import pytest
from django.db.models import Count

from huying.demo import sensing_facts
from huying.demo.sensing import load_demo_sensing
from huying.demo.sensing_tokens import tokens_path
from huying.sensing.choices import DeviceKind, Door, RuleKind, StationKind
from huying.sensing.models import Device, Enterprise, River, Rule, Sensor, Station


@pytest.fixture
def loaded(db, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return load_demo_sensing()


def test_every_one_of_the_249_rivers_has_a_monitoring_point_in_a_demo_town(loaded):
    rivers = River.objects.annotate(points=Count("stations")).order_by("code")
    assert rivers.count() == 249
    assert not rivers.filter(points=0).exists()
    assert River.objects.values("name").distinct().count() == 249
    assert {"流溪河", "白坭河", "石井河", "新市涌", "景泰涌", "沙坑涌"} <= set(
        rivers.values_list("name", flat=True)
    )
    points = Station.objects.filter(kind=StationKind.POINT)
    assert (
        points.values("town__parent__name").distinct().get()["town__parent__name"] == "广州市白云区"
    )
    assert not River.objects.filter(towns__isnull=True).exists()
    lat_low, lat_high = sensing_facts.LAT_RANGE
    assert not points.exclude(lat__gte=lat_low, lat__lte=lat_high).exists()


def test_the_four_assessment_sections_have_targets_and_a_class_exceedance_rule(loaded):
    sections = Station.objects.filter(kind=StationKind.SECTION)
    assert sections.count() == 4
    assert not sections.filter(target_class__isnull=True).exists()
    assert set(sections.values_list("river__name", flat=True)) <= {"流溪河", "白坭河", "石井河"}
    rules = Rule.objects.filter(kind=RuleKind.WATER_CLASS)
    assert set(rules.values_list("station__code", flat=True)) == set(
        sections.values_list("code", flat=True)
    )
    matter = rules.first().dispatch_matter
    assert matter.lead_department.short_name == "水务局"
    assert "生态环境分局" in {d.short_name for d in matter.co_departments.all()}


def test_every_station_has_an_hj212_analyser_with_a_unique_mn_and_water_sensors(loaded):
    analysers = Device.objects.filter(kind=DeviceKind.WATER_ANALYSER)
    assert analysers.count() == Station.objects.count()
    assert (
        analysers.filter(door=Door.HJ212, mn__isnull=False).exclude(hj212_password="").count()
        == analysers.count()
    )
    assert analysers.values("mn").distinct().count() == analysers.count()
    nh3 = Sensor.objects.filter(code="w21003", device__kind=DeviceKind.WATER_ANALYSER)
    assert nh3.count() == analysers.count()


def test_enterprises_have_gateways_on_both_doors_with_gas_sensors_at_their_set_points(loaded):
    assert Enterprise.objects.count() == 30
    gateways = Device.objects.filter(kind=DeviceKind.ENTERPRISE_GATEWAY)
    assert gateways.count() == 30
    assert gateways.filter(door=Door.HJ212, mn__isnull=False).count() == 15
    assert gateways.filter(door=Door.MQTT, mn__isnull=True, mqtt_client__isnull=False).count() == 15
    lel = Sensor.objects.filter(device__in=gateways, code__startswith="lel")
    assert lel.values("device").distinct().count() == 30
    assert set(lel.values_list("level1", "level2")) == {(25.0, 50.0)}
    gas = Rule.objects.filter(kind=RuleKind.GAS_LEVEL)
    watched = set(gas.values_list("parameter", flat=True))
    assert watched == set(
        Sensor.objects.filter(device__in=gateways, level1__isnull=False).values_list(
            "code", flat=True
        )
    )
    for rule in gas:
        assert rule.dispatch and rule.dispatch_matter.lead_department.short_name == "应急管理局"


def test_cameras_belong_to_urban_management_with_20_digit_ids_and_tokens_on_file(loaded):
    cameras = Device.objects.filter(kind=DeviceKind.CAMERA)
    assert cameras.count() == 60
    assert {c.department.short_name for c in cameras} == {"城管局"}
    ids = list(cameras.values_list("gb28181_id", flat=True))
    assert all(len(i) == 20 and i.isdigit() for i in ids) and len(set(ids)) == 60
    path = tokens_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    tokens = json.loads(path.read_text())
    senders = Device.objects.filter(door__in=(Door.MQTT, Door.HTTP))
    assert set(tokens) == set(senders.values_list("code", flat=True))
    for device in senders:
        assert hashlib.sha256(tokens[device.code].encode()).hexdigest() == device.token_hash


def test_a_second_run_changes_nothing(loaded):
    before = _snapshot()
    tokens = tokens_path().read_text()
    again = load_demo_sensing()
    assert not again.created
    assert again.existing["河涌"] == 249 and again.existing["视频摄像机"] == 60
    assert _snapshot() == before
    assert tokens_path().read_text() == tokens


def _snapshot():
    return {
        "rivers": list(River.objects.values_list("code", "name", "length_km")),
        "stations": list(Station.objects.values_list("code", "lat", "lon", "town_id")),
        "devices": list(Device.objects.values_list("code", "mn", "token_hash", "town_id")),
        "sensors": Sensor.objects.count(),
        "rules": list(Rule.objects.values_list("name", "threshold", "dispatch_matter_id")),
    }
