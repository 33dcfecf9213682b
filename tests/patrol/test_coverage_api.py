# ruff: noqa: F811  (fixtures are imported from the scene modules and taken as arguments)
"""The coverage API and page over HTTP: the same figures as the report, 404 outside, 422 named."""

import json

import pytest

from huying.core.models import AuditEntry
from tests.patrol.coverage_scene import coverage_scene, scene  # noqa: F401

URL = "/api/v1/patrol/coverage"
PAGE = "/patrol/coverage/"


def test_api_gives_rows_total_overdue_for_a_period_and_level(coverage_scene, api):
    body = api("yuncheng").get(URL, {"period": "week", "level": "village"}).json()
    assert (body["first_day"], body["last_day"], body["level"]) == (
        "2026-11-23", "2026-11-29", "village",
    )  # fmt: skip
    v2 = next(r for r in body["rows"] if r["key"] == coverage_scene["v2"].pk)
    assert (v2["visited"], v2["planned"], v2["visited_planned"], v2["outside_plan"]) == (2, 2, 2, 0)
    assert v2["plan_rate"] == 1.0 and v2["parent"] == "云城街道"
    assert body["total"]["visited"] == 4 and body["total"]["plan_rate"] == 0.8
    assert [o["code"] for o in body["overdue"]] == ["A05", "A03"] and body["overdue_count"] == 2


def test_api_inspector_sees_own_row_only(coverage_scene, api):
    body = api("inspector").get(URL, {"period": "today"}).json()
    assert [r["username"] for r in body["rows"]] == ["inspector"]
    assert body["rows"][0]["visited"] == 3 and body["rows"][0]["outside_plan"] == 1


@pytest.mark.parametrize("username", ["supervisor", "chengguan", "renhe-village"])
def test_api_and_page_are_404_outside(coverage_scene, api, browser_client, username):
    assert api(username).get(URL).status_code == 404
    assert browser_client(username).get(PAGE).status_code == 404
    assert AuditEntry.objects.filter(action="core.permission_denied").count() >= 2


def test_api_names_a_wrong_period(coverage_scene, api):
    r = api("command").get(URL, {"period": "year"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "period"


def test_page_renders_tabs_table_chart_and_overdue(coverage_scene, browser_client):
    r = browser_client("yuncheng").get(PAGE, {"period": "month", "level": "village"})
    html = r.content.decode()
    assert r.status_code == 200
    assert 'aria-current="page">本月' in html and 'aria-current="page">按村社' in html
    assert coverage_scene["v1"].name in html and "<progress" in html
    chart = json.loads(
        html.split('id="coverage-chart-data" type="application/json">')[1].split("</script>")[0]
    )
    at = chart["names"].index(coverage_scene["v1"].name)
    assert (chart["visited_planned"][at], chart["not_visited"][at], chart["outside_plan"][at]) == (
        3, 0, 1,
    )  # fmt: skip
    assert 'id="coverage-chart-data"' in html and "echarts.min.js" in html
    assert "A05" in html and "22 天" in html  # the overdue list
    assert 'name="unmasked"' not in html  # a town cadre may not reveal


def test_page_for_the_inspector_links_plan_and_track(coverage_scene, browser_client):
    html = browser_client("inspector").get(PAGE).content.decode()
    assert "/patrol/?inspector=inspector" in html
    assert f"/patrol/track/?inspector={coverage_scene['inspector'].pk}" in html
    assert 'name="unmasked"' in html  # inspectors may reveal, with a reason
