"""The boards' selectors over real rows (the scene: tests/sensing/boards_scene.py)."""

from datetime import timedelta

import pytest

from huying.sensing import board_selectors as boards
from huying.sensing.models import Station
from tests.sensing import boards_scene as scene

pytestmark = pytest.mark.django_db
# The scene's fixtures, under the names the tests ask for.
boards_scene, frozen = scene.boards_scene, scene.frozen


def view_of(persona, username):
    return boards.view_for(persona(username))


def codes(rows):
    return [r.station.code for r in rows]


def test_every_visible_point_has_todays_class_or_none(persona, boards_scene):
    today = boards.water_today(view_of(persona, "command"), scene.NOW)
    found = {p.station.code: (p.roman, p.deciding) for p in today.points}
    assert found == {"S1": ("V", "氨氮"), "S2": ("劣V", "总磷"), "S3": ("II", "氨氮"),
                     "S4": ("", "")}  # fmt: skip
    assert codes(today.sections) == ["S1"]
    assert today.sections[0].target_roman == "III" and today.sections[0].exceeds


def test_exceedances_are_sections_over_target_first_then_worse_than_v(
    persona,
    boards_scene,
):
    today = boards.water_today(view_of(persona, "command"), scene.NOW)
    assert codes(today.exceedances) == ["S1", "S2"]
    assert today.exceedances[0].deciding_value == 1.8


def test_district_summary_counts_shares_and_rivers(persona, boards_scene):
    summary = boards.water_today(view_of(persona, "command"), scene.NOW).summary
    assert (summary["points"], summary["classed"], summary["no_data"]) == (4, 3, 1)
    assert summary["per_class"] == {1: 0, 2: 1, 3: 0, 4: 0, 5: 1, 6: 1}
    assert (summary["good"], summary["worse_than_v"]) == (1, 1)
    assert summary["good_share"] == pytest.approx(1 / 3)
    assert summary["exceeding_sections"] == 1
    # Three sections or fewer: the worst section's wording (water.river_verdict).
    assert summary["district"].label == "重度污染"
    assert dict(summary["river_wordings"])["重度污染"] == 1  # R1: V and 劣V
    assert dict(summary["river_wordings"])["优"] == 1  # R2: II (S4 has no class)


def test_a_town_sees_its_stations_a_department_its_own(persona, boards_scene):
    def seen(username):
        return codes(boards.water_today(view_of(persona, username), scene.NOW).points)

    assert seen("yuncheng") == ["S1", "S2"]
    assert seen("renhe") == ["S3", "S4"]
    assert seen("shuiwu") == ["S1", "S3", "S4"]
    assert seen("huanjing") == ["S2"]
    assert seen("leader") == ["S1", "S2", "S3", "S4"]


def test_no_board_for_an_inspector_or_a_village(persona):
    assert boards.view_for(persona("inspector")) is None
    assert boards.view_for(persona("renhe-village")) is None
    assert boards.may_view(persona("command")) and boards.may_view(persona("yuncheng"))


def test_trend_prefers_hourly_data_and_leaves_out_faulty_readings(boards_scene):
    s1 = boards_scene["stations"][0]
    points = boards.trend(s1, scene.NH3N, scene.NOW - timedelta(days=7), scene.NOW)
    assert [(p.time.astimezone(scene.NOW.tzinfo).hour, p.value) for p in points] == [
        (7, 1.0),
        (8, 1.4),
    ]


def test_trend_averages_minute_data_per_hour_when_no_hourly_data(boards_scene):
    s1 = boards_scene["stations"][0]
    points = boards.trend(s1, scene.NH3N, scene.NOW.replace(hour=9), scene.NOW)
    assert [(p.time.astimezone(scene.NOW.tzinfo).hour, p.value) for p in points] == [(9, 5.0)]


def test_trend_is_empty_for_a_station_without_devices(boards_scene):
    s3 = Station.objects.get(code="S3")
    assert boards.trend(s3, scene.NH3N, scene.NOW - timedelta(days=7), scene.NOW) == []


def test_enterprise_board_alarms_by_severity_and_gas_readings_now(persona, boards_scene):
    rows = boards.enterprise_board(view_of(persona, "command"))
    assert [r.enterprise.code for r in rows] == ["E1", "E2"]  # red before blue
    e1, e2 = rows
    assert (e1.open_by_severity, e1.open_alarms, e2.open_alarms) == ({1: 1}, 1, 0)
    found = {s.name: (s.value, s.level) for s in e1.sensors}
    assert found == {"罐区可燃气体": (45.0, 2), "反应釜温度": (30.0, 0)}
    assert e2.sensors == []
    counts = {colour: n for colour, _label, n in boards.risk_counts(rows)}
    assert counts == {"red": 1, "orange": 0, "yellow": 0, "blue": 1}


def test_enterprises_by_town_and_department(persona, boards_scene):
    def seen(username):
        return [r.enterprise.code for r in boards.enterprise_board(view_of(persona, username))]

    assert seen("renhe") == ["E1"]
    assert seen("yuncheng") == ["E2"]
    assert seen("yingji") == ["E1", "E2"]
    assert seen("shuiwu") == []


def test_alarm_list_open_first_then_severity_and_filters(persona, boards_scene):
    a1, a2, a3 = boards_scene["alarms"]
    view = view_of(persona, "command")
    assert list(boards.alarm_list(view)) == [a1, a2]
    assert list(boards.alarm_list(view, status="")) == [a1, a2, a3]
    assert list(boards.alarm_list(view, status="cleared")) == [a3]
    assert list(boards.alarm_list(view, status="", severity=3)) == [a2, a3]
    assert list(boards.alarm_list(view, status="", kind="gas_level")) == [a1]
    town = persona("renhe").org.code
    assert list(boards.alarm_list(view, status="", town=town)) == [a1]
    assert boards.alarm_counts(view) == {"active": 1, "acknowledged": 1, "critical": 1}


def test_alarms_scoped_by_device_town_and_department(persona, boards_scene):
    a1, a2, a3 = boards_scene["alarms"]

    def seen(username):
        return set(boards.alarm_list(view_of(persona, username), status=""))

    assert seen("renhe") == {a1}
    assert seen("yuncheng") == {a2, a3}
    assert seen("shuiwu") == {a2, a3}
    assert seen("yingji") == {a1}


def test_enterprise_board_costs_four_queries_whatever_the_count(
    persona, boards_scene, django_assert_num_queries
):
    view = view_of(persona, "command")
    with django_assert_num_queries(4):  # enterprises, alarm counts, devices now, their sensors
        boards.enterprise_board(view)


def test_water_board_costs_two_queries(persona, boards_scene, django_assert_num_queries):
    view = view_of(persona, "command")
    with django_assert_num_queries(2):  # stations with river and town, today's classes
        boards.water_today(view, scene.NOW)
