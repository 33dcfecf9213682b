"""GET /api/v1/sensing/history/… over HTTP with real bearer tokens: trends across the Parquet
and database days, the partition list, who sees which station, and errors naming the field."""

from datetime import timedelta

import pytest

from huying.core import clock
from huying.sensing import history
from tests.sensing.history_scene import FIRST, NH3N, NOW, make_scene, readings_for, store_all

URL = "/api/v1/sensing/history"


@pytest.fixture
def scene(db, settings, tmp_path):
    settings.SENSING_DIR = tmp_path
    found = make_scene()
    store_all(readings_for(found))
    history.roll_up(FIRST)
    history.roll_up(FIRST + timedelta(days=1))
    with clock.frozen_at(NOW):
        yield found


def fields(response) -> list[str]:
    return [e["field"] for e in response.json()["errors"]]


def test_a_town_gets_the_trend_of_its_station_across_archived_and_recent_days(api, scene):
    response = api("yuncheng").get(
        f"{URL}/trend", {"station": "H-S1", "parameter": NH3N, "since": "2026-11-21",
                         "until": "2026-11-24", "bucket": "day", "kind": "rtd"},
    )  # fmt: skip
    assert response.status_code == 200, response.content.decode()
    found = response.json()
    assert (found["station"], found["kind"], found["bucket"]) == ("H-S1", "rtd", "day")
    assert [p["time"][:10] for p in found["points"]] == [
        "2026-11-21", "2026-11-22", "2026-11-23", "2026-11-24",
    ]  # fmt: skip
    assert all(p["time"].endswith("+08:00") for p in found["points"])
    assert all(0 < p["count"] <= 72 for p in found["points"])


def test_the_default_range_is_the_last_seven_days_and_auto_picks_hourly_data(api, scene):
    found = api("command").get(f"{URL}/trend", {"station": "H-S2", "parameter": NH3N}).json()
    assert (found["since"], found["until"], found["kind"]) == ("2026-11-18", "2026-11-24", "hour")
    assert len(found["points"]) == 3 * 24 + 12  # an hourly reading each hour until noon today


@pytest.mark.parametrize(
    ("username", "station", "status"),
    [("yuncheng", "H-S1", 200), ("yuncheng", "H-S2", 404), ("helong", "H-S2", 200),
     ("huanjing", "H-S1", 200), ("chengguan", "H-S1", 404), ("inspector", "H-S1", 404),
     ("command", "H-S2", 200), ("command", "NOPE", 404)],
)  # fmt: skip
def test_each_sees_only_the_stations_in_their_view(api, scene, username, station, status):
    response = api(username).get(f"{URL}/trend", {"station": station, "parameter": NH3N})
    assert response.status_code == status, response.content.decode()
    if status == 404:
        assert response.json()["detail"]


@pytest.mark.parametrize(
    ("query", "field"),
    [({"since": "2026-13-01"}, "since"), ({"until": "yesterday"}, "until"),
     ({"since": "2026-11-24", "until": "2026-11-20"}, "since"),
     ({"since": "2025-11-01", "until": "2026-11-24"}, "until"),
     ({"bucket": "week"}, "bucket"), ({"kind": "second"}, "kind"),
     ({"station": ""}, "station"), ({"parameter": None}, "parameter")],
)  # fmt: skip
def test_a_bad_field_is_422_naming_it(api, scene, query, field):
    params = {k: v for k, v in ({"station": "H-S1", "parameter": NH3N} | query).items() if v}
    response = api("command").get(f"{URL}/trend", params)
    assert response.status_code == 422, response.content.decode()
    assert field in fields(response)


def test_the_partitions_are_listed_for_the_district_only(api, scene):
    response = api("command").get(f"{URL}/days")
    assert response.status_code == 200
    days = response.json()
    assert [d["day"] for d in days] == ["2026-11-22", "2026-11-21"]
    assert all(d["rows"] == 336 and d["bytes"] > 0 for d in days)
    assert api("yuncheng").get(f"{URL}/days").status_code == 404
    assert api().get(f"{URL}/days").status_code == 401


def test_exceedances_are_scoped(api, scene):
    from huying.sensing.models import StationDay

    for station in (scene.yuncheng, scene.helong):
        StationDay.objects.create(station=station, day=FIRST, water_class=5, exceeds_target=True,
                                  computed_at=NOW)  # fmt: skip
    params = {"since": "2026-11-20", "until": "2026-11-24"}
    mine = api("yuncheng").get(f"{URL}/exceedances", params).json()
    assert [(r["station"], r["exceed_days"]) for r in mine] == [("H-S1", 1)]
    every = api("command").get(f"{URL}/exceedances", params).json()
    assert {"H-S1", "H-S2"} <= {r["station"] for r in every}


def test_without_a_bucket_each_reading_is_a_point(api, scene):
    params = {"station": "H-S1", "parameter": NH3N, "since": "2026-11-21", "until": "2026-11-21",
              "bucket": "none", "kind": "hour"}  # fmt: skip
    found = api("command").get(f"{URL}/trend", params).json()
    assert len(found["points"]) == 24
    assert all(p["count"] == 1 and p["min"] == p["value"] == p["max"] for p in found["points"])


def test_the_openapi_document_describes_the_trend_query(api, scene):
    document = api("command").get("/api/openapi.json").json()
    trend = document["paths"][f"{URL}/trend"]["get"]
    assert {p["name"] for p in trend["parameters"]} == {
        "station", "parameter", "since", "until", "bucket", "kind",
    }  # fmt: skip
    assert f"{URL}/days" in document["paths"] and f"{URL}/exceedances" in document["paths"]
