# ruff: noqa: F811  (the `scene` fixture is imported from plan_fixtures and taken as an argument)
"""The plan API and page over real HTTP: own plan, supervisors' `?inspector=`, 404 outside."""

import pytest

from huying.core.models import AuditEntry
from huying.patrol import plans
from huying.patrol.models import PlanItem
from tests.patrol.plan_fixtures import NOW, dwelling, scene, visit  # noqa: F401

TODAY = NOW.date()
URL = f"/api/v1/patrol/plans/{TODAY}"


def test_inspector_gets_own_plan_with_visited_state(scene, api):
    visit(scene["inspector"], scene["places"][1], NOW.replace(hour=7))
    body = api("inspector").get(URL).json()
    assert (body["inspector"], body["total"], body["visited"]) == ("inspector", 4, 1)
    first = body["items"][0]
    assert first["rank"] == 1 and first["dwelling"]["village"] == scene["v1"].name
    assert [i["visited"] for i in body["items"]].count(True) == 1


def test_supervisor_and_command_read_with_inspector_others_get_404(scene, api):
    assert api("yuncheng").get(URL, {"inspector": "inspector"}).status_code == 200
    assert api("command").get(URL, {"inspector": "inspector2"}).status_code == 200
    assert api("yuncheng").get(URL, {"inspector": "inspector2"}).status_code == 404
    assert api("inspector2").get(URL, {"inspector": "inspector"}).status_code == 404
    assert api("yuncheng").get(URL).status_code == 404  # not an inspector: no own plan
    assert AuditEntry.objects.filter(action="core.permission_denied").exists()


def test_no_plan_for_a_past_day_is_404(scene, api):
    assert api("inspector").get("/api/v1/patrol/plans/2026-11-01").status_code == 404


def test_add_reassign_skip_through_the_api(scene, api):
    dwelling("C01", scene["v1"].parent.children.order_by("code")[2])  # in neither area
    added = api("yuncheng").post(
        f"{URL}/items",
        {"inspector": "inspector", "dwelling": "C01", "note": "请核查"},
        content_type="application/json",
    )
    assert added.status_code == 201 and added.json()["reason"] == "added"
    item_id = added.json()["id"]
    # The inspector may not reassign; a stranger does not even see the item.
    assert (
        api("inspector")
        .post(
            f"{URL}/items/{item_id}/reassign", {"to": "inspector2"}, content_type="application/json"
        )
        .status_code
        == 403
    )
    assert (
        api("inspector2")
        .post(f"{URL}/items/{item_id}/skip", {"reason": "无人"}, content_type="application/json")
        .status_code
        == 404
    )
    moved = api("command").post(
        f"{URL}/items/{item_id}/reassign", {"to": "inspector2"}, content_type="application/json"
    )
    assert moved.status_code == 200
    assert PlanItem.objects.get(pk=item_id).plan.inspector.username == "inspector2"
    skipped = api("inspector2").post(
        f"{URL}/items/{item_id}/skip", {"reason": ""}, content_type="application/json"
    )
    assert skipped.status_code == 422 and skipped.json()["errors"][0]["field"] == "reason"


def test_skip_on_a_wrong_day_path_is_404(scene, api):
    plan = plans.plan_for(scene["inspector"], TODAY, NOW)
    item = plan.items.first()
    response = api("inspector").post(
        f"/api/v1/patrol/plans/2026-11-01/items/{item.pk}/skip",
        {"reason": "无人"},
        content_type="application/json",
    )
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["inspector", "yuncheng"])
def test_plan_page(scene, browser_client, who):
    visit(scene["inspector"], scene["places"][0], NOW.replace(hour=7))
    query = "?inspector=inspector" if who != "inspector" else ""
    page = browser_client(who).get(f"/patrol/{query}")
    html = page.content.decode()
    assert page.status_code == 200
    assert "已巡查 1 / 4" in html and html.count('data-testid="plan-row"') == 4
    assert f"/patrol/households/{scene['places'][0].pk}/" in html
    assert "日常巡查" in html


def test_plan_page_is_404_for_someone_elses_plan(scene, browser_client):
    assert browser_client("inspector2").get("/patrol/?inspector=inspector").status_code == 404


def test_inspector_nav_has_the_plan(scene, browser_client):
    assert 'href="/patrol/"' in browser_client("inspector").get("/").content.decode()
