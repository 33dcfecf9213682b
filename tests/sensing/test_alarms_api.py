"""The alarms API (/api/v1/sensing/alarms): scoping (404 outside it), filters, history,
acknowledge and clear with their 409s."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from huying.core.models import AuditEntry
from huying.sensing.choices import AlarmStatus
from huying.sensing.models import Alarm
from tests.sensing.alarm_world import (
    GAS,
    NH3N,
    at,
    feed,
    gas_rule,
    sample,
    threshold_rule,
    world_fixture,  # noqa: F401 (the `world` fixture)
)

URL = "/api/v1/sensing/alarms"


@pytest.fixture
def alarm(world):
    threshold_rule(world)
    feed(sample(world.analyser, at(0), **{NH3N: 2.8}))
    return Alarm.objects.get(device=world.analyser)


@pytest.mark.parametrize("who", ["command", "leader", "supervisor", "shuiwu", "yuncheng"])
def test_those_in_scope_see_it(api, alarm, who):
    response = api(who).get(f"{URL}/{alarm.pk}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["value"], body["parameter"]) == ("active", 2.8, NH3N)
    assert [e["kind"] for e in body["events"]] == ["raised"]
    assert any(item["id"] == alarm.pk for item in api(who).get(URL).json()["items"])


@pytest.mark.parametrize("who", ["helong", "yingji", "huanjing", "yuncheng-community"])
def test_outsiders_get_404_everywhere(api, alarm, who):
    client = api(who)
    assert client.get(f"{URL}/{alarm.pk}").status_code == 404
    assert client.post(f"{URL}/{alarm.pk}/acknowledge", {}, "application/json").status_code == 404
    assert client.post(f"{URL}/{alarm.pk}/clear", {}, "application/json").status_code == 404
    assert all(item["id"] != alarm.pk for item in client.get(URL).json()["items"])
    alarm.refresh_from_db()
    assert alarm.status == AlarmStatus.ACTIVE


def test_not_signed_in_is_401(alarm, client):
    assert client.get(URL).status_code == 401


def test_acknowledge_then_clear_then_409(api, alarm, persona):
    client, name = api("shuiwu"), persona("shuiwu").display_name
    ack = client.post(f"{URL}/{alarm.pk}/acknowledge", {"note": "已派人"}, "application/json")
    assert ack.status_code == 200 and ack.json()["status"] == "acknowledged"
    again = client.post(f"{URL}/{alarm.pk}/acknowledge", {}, "application/json")
    assert again.status_code == 409
    cleared = client.post(f"{URL}/{alarm.pk}/clear", {"note": "已处置"}, "application/json")
    assert cleared.status_code == 200
    body = cleared.json()
    assert body["status"] == "cleared"
    assert [(e["kind"], e["actor"]) for e in body["events"]][1:] == [
        ("acknowledged", name), ("cleared", name),
    ]  # fmt: skip
    for action in ("clear", "acknowledge"):
        late = client.post(f"{URL}/{alarm.pk}/{action}", {}, "application/json")
        assert late.status_code == 409, action
        assert late.json()["detail"]
    assert AuditEntry.objects.filter(action__startswith="sensing.alarm_").count() == 2


def test_filters_and_a_pinned_query_count(api, world):
    threshold_rule(world)
    gas_rule(world)
    feed(sample(world.analyser, at(0), **{NH3N: 2.8}), sample(world.gateway, at(0), **{GAS: 45.0}))
    client = api("command")
    mine = {world.analyser.pk, world.gateway.pk}

    def ids(query=""):
        items = client.get(f"{URL}?limit=1000{query}").json()["items"]
        return {i["device"] for i in items} & mine

    assert ids() == mine
    assert ids(f"&enterprise={world.enterprise.pk}") == {world.gateway.pk}
    assert ids(f"&station={world.station.pk}") == {world.analyser.pk}
    assert ids("&severity=1") == {world.gateway.pk}
    assert ids("&status=cleared") == set()
    assert ids(f"&town={world.town.pk}&since=2026-11-24T00:00:00Z") == mine
    assert client.get(f"{URL}?status=open").status_code == 422
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    few = len(queries)
    feed(sample(world.analyser, at(1), **{NH3N: 0.1}), sample(world.analyser, at(2), **{NH3N: 5.0}))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    assert len(queries) == few  # one more alarm, no more queries
