"""The boards over HTTP: pages per role and scope, the polled fragments, acknowledge and clear
through the alarm list, the JSON endpoints (scene: tests/sensing/boards_scene.py)."""

import pytest

from huying.sensing.models import Alarm, AlarmEvent
from tests.sensing import boards_scene as scene

pytestmark = pytest.mark.django_db
# The scene's fixtures, under the names the tests ask for.
boards_scene, frozen = scene.boards_scene, scene.frozen
HTMX = {"HX-Request": "true"}
API = "/api/v1/sensing/boards"


def page(browser_client, username, url, **headers):
    return browser_client(username).get(url, headers=headers)


@pytest.mark.parametrize(
    ("username", "shown", "hidden"),
    [
        ("command", ["东风断面", "东风河二号点", "人和涌一号点"], []),
        ("leader", ["东风断面", "人和涌二号点"], []),
        ("yuncheng", ["东风断面", "东风河二号点"], ["人和涌一号点"]),
        ("shuiwu", ["东风断面", "人和涌一号点"], ["东风河二号点"]),
    ],
)
def test_water_board_shows_what_the_role_may_see(
    browser_client, boards_scene, username, shown, hidden
):
    response = page(browser_client, username, "/sensing/water/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="chart-water-map"' in html and "vendor/echarts/echarts.min.js" in html
    for name in shown:
        assert name in html
    for name in hidden:
        assert name not in html


@pytest.mark.parametrize("username", ["inspector", "renhe-village"])
@pytest.mark.parametrize("url", ["/sensing/water/", "/sensing/enterprises/", "/sensing/alarms/"])
def test_no_board_for_others(browser_client, boards_scene, username, url):
    assert page(browser_client, username, url).status_code == 404


def test_signed_out_goes_to_login_and_a_poll_reloads(client, boards_scene):
    assert client.get("/sensing/water/").status_code == 302
    polled = client.get("/sensing/alarms/", headers=HTMX)
    assert (polled.status_code, polled.headers["HX-Refresh"]) == (204, "true")


def test_water_poll_answers_the_live_parts_only(browser_client, boards_scene):
    html = page(browser_client, "command", "/sensing/water/", **HTMX).content.decode()
    assert "<html" not in html
    assert 'id="water-top"' in html and 'id="water-exceed"' in html
    assert 'data-testid="worse-than-v">1<' in html


def test_enterprise_board_risk_and_readings(browser_client, boards_scene):
    html = page(browser_client, "renhe", "/sensing/enterprises/").content.decode()
    assert "人和化工厂" in html and "云城仓储" not in html
    assert 'data-risk="red"' in html and "二级报警" in html
    fragment = page(browser_client, "yingji", "/sensing/enterprises/", **HTMX).content.decode()
    assert "<html" not in fragment and "人和化工厂" in fragment and "云城仓储" in fragment


def test_alarm_list_open_first_and_filtered(browser_client, boards_scene):
    a1, a2, a3 = boards_scene["alarms"]
    html = page(browser_client, "command", "/sensing/alarms/").content.decode()
    assert html.index(f'id="alarm-{a1.pk}"') < html.index(f'id="alarm-{a2.pk}"')
    assert f'id="alarm-{a3.pk}"' not in html
    everything = page(
        browser_client,
        "command",
        "/sensing/alarms/?status=all",
        **{"HX-Request": "true", "HX-Target": "alarm-list"},
    )
    text = everything.content.decode()
    assert "<html" not in text and f'id="alarm-{a3.pk}"' in text
    mine = page(browser_client, "renhe", "/sensing/alarms/?status=all").content.decode()
    assert f'id="alarm-{a1.pk}"' in mine and f'id="alarm-{a2.pk}"' not in mine


def test_acknowledge_then_clear_through_the_page(browser_client, boards_scene):
    a1 = boards_scene["alarms"][0]
    command = browser_client("command")
    url = f"/sensing/alarms/{a1.pk}/"
    response = command.post(url + "acknowledge/", {"note": "已通知企业"}, headers=HTMX)
    assert response.status_code == 200
    assert 'data-status="acknowledged"' in response.content.decode()
    a1.refresh_from_db()
    assert (a1.status, a1.acknowledged_by.username) == ("acknowledged", "command")
    event = AlarmEvent.objects.filter(alarm=a1).latest("id")
    assert (event.kind, event.note, event.actor.username) == (
        "acknowledged",
        "已通知企业",
        "command",
    )
    again = command.post(url + "acknowledge/", {"note": ""}, headers=HTMX)
    assert 'data-testid="alarm-error"' in again.content.decode()
    cleared = command.post(url + "clear/", {"note": "泄漏已处置"})
    assert cleared.status_code == 302
    assert Alarm.objects.get(pk=a1.pk).status == "cleared"


def test_a_department_clears_its_own_alarm_but_not_another(browser_client, boards_scene):
    a1, a2, _a3 = boards_scene["alarms"]
    shuiwu = browser_client("shuiwu")
    assert shuiwu.post(f"/sensing/alarms/{a2.pk}/clear/", headers=HTMX).status_code == 200
    assert shuiwu.post(f"/sensing/alarms/{a1.pk}/clear/", headers=HTMX).status_code == 404
    assert [Alarm.objects.get(pk=a.pk).status for a in (a1, a2)] == ["active", "cleared"]


def test_leaders_watch_but_do_not_act(browser_client, boards_scene):
    a1 = boards_scene["alarms"][0]
    leader = browser_client("leader")
    assert (
        'data-testid="alarm-actions"'
        not in leader.get(f"/sensing/alarms/{a1.pk}/").content.decode()
    )
    assert leader.post(f"/sensing/alarms/{a1.pk}/acknowledge/").status_code == 404
    assert Alarm.objects.get(pk=a1.pk).status == "active"


def test_history_on_expand(browser_client, boards_scene):
    a1 = boards_scene["alarms"][0]
    html = page(
        browser_client, "renhe", f"/sensing/alarms/{a1.pk}/events/", **HTMX
    ).content.decode()
    assert "产生告警" in html and 'data-testid="acknowledge"' in html
    assert page(browser_client, "yuncheng", f"/sensing/alarms/{a1.pk}/events/").status_code == 404


def test_water_api_points_and_summary(api, boards_scene):
    found = api("yuncheng").get(f"{API}/water").json()
    assert [(p["code"], p["water_class"], p["exceeds"]) for p in found["points"]] == [
        ("S1", "V", True), ("S2", "劣V", False),
    ]  # fmt: skip
    assert found["summary"]["per_class"]["劣V"] == 1
    assert api("inspector").get(f"{API}/water").status_code == 404


def test_trend_api(api, boards_scene):
    command = api("command")
    found = command.get(f"{API}/water/trend", {"station": "S1", "parameter": scene.NH3N}).json()
    assert (found["name"], found["unit"]) == ("氨氮", "mg/L")
    assert [p["value"] for p in found["points"]] == [1.0, 1.4]
    wrong = command.get(f"{API}/water/trend", {"station": "S1", "parameter": "lel"})
    assert (wrong.status_code, wrong.json()["errors"][0]["field"]) == (422, "parameter")
    backwards = command.get(f"{API}/water/trend", {
        "station": "S1", "parameter": scene.NH3N,
        "since": "2026-11-25T00:00:00+08:00", "until": "2026-11-24T00:00:00+08:00",
    })  # fmt: skip
    assert backwards.status_code == 422
    outside = api("renhe").get(f"{API}/water/trend", {"station": "S1", "parameter": scene.NH3N})
    assert outside.status_code == 404


def test_enterprises_api(api, boards_scene):
    found = api("command").get(f"{API}/enterprises").json()
    assert found["counts"] == {"red": 1, "orange": 0, "yellow": 0, "blue": 1}
    first = found["enterprises"][0]
    assert (first["code"], first["risk"], first["open_by_severity"]) == ("E1", "red", {"1": 1})
    assert [e["code"] for e in api("yuncheng").get(f"{API}/enterprises").json()["enterprises"]] == [
        "E2"
    ]


def test_navigation_by_role(browser_client, boards_scene):
    assert "/sensing/alarms/" in page(browser_client, "command", "/").content.decode()
    assert "/sensing/water/" in page(browser_client, "renhe", "/").content.decode()
    assert "/sensing/water/" not in page(browser_client, "inspector", "/").content.decode()
