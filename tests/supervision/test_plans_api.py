# ruff: noqa: F811  (the `two_plans` fixture is imported from test_plans and taken as an argument)
"""The plans, assessments and merges API and the plans page over real HTTP."""

from huying.supervision.models import Reminder
from tests.supervision.test_plans import YEAR, two_plans  # noqa: F401

BASE = "/api/v1/supervision"
JSON = "application/json"
ITEM = {
    "name": "城市管理综合考评",
    "kind": "assessment",
    "scope": "全区各镇街",
    "items": "市容环境卫生\n占道经营",
    "frequency": "quarterly",
    "targets": "各镇街",
}


def test_draft_submit_and_approve_through_the_api(api):
    dept, leader = api("chengguan"), api("leader")
    plan = dept.post(f"{BASE}/plans", {"year": YEAR}, content_type=JSON)
    assert plan.status_code == 201, plan.content
    pid = plan.json()["id"]
    refused = dept.post(
        f"{BASE}/plans/{pid}/items", ITEM | {"kind": "responsibility"}, content_type=JSON
    )
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {"field": "start_year", "message": "责任制事项须写明起止年度"}
    ]
    added = dept.post(f"{BASE}/plans/{pid}/items", ITEM, content_type=JSON)
    assert added.status_code == 201 and added.json()["items"] == ["市容环境卫生", "占道经营"]
    iid = added.json()["id"]
    changed = dept.put(
        f"{BASE}/plans/{pid}/items/{iid}", ITEM | {"frequency": "yearly"}, content_type=JSON
    )
    assert changed.json()["frequency"] == "yearly"
    assert dept.post(f"{BASE}/plans/{pid}/submit").json()["status"] == "submitted"
    assert dept.delete(f"{BASE}/plans/{pid}/items/{iid}").status_code == 409
    assert dept.post(f"{BASE}/plans/{pid}/approve", {}, content_type=JSON).status_code == 403
    done = leader.post(f"{BASE}/plans/{pid}/approve", {"note": "同意"}, content_type=JSON)
    assert done.json()["status"] == "approved" and len(done.json()["items"]) == 1
    again = leader.post(f"{BASE}/plans/{pid}/return", {"note": "x"}, content_type=JSON)
    assert again.status_code == 409
    listed = api("supervisor").get(f"{BASE}/plans", {"year": YEAR}).json()
    assert pid in [p["id"] for p in listed["items"]]


def test_scoping_over_the_api(two_plans, api):
    city, civil = two_plans
    assert api("zhujian").get(f"{BASE}/plans/{city.pk}").status_code == 404
    assert api("yuncheng").get(f"{BASE}/plans/{civil.pk}").status_code == 404
    assert api("chengguan").get(f"{BASE}/plans/{city.pk}").status_code == 200
    assert api("supervisor").get(f"{BASE}/plans/{civil.pk}").status_code == 200
    own = api("chengguan").get(f"{BASE}/plans").json()["items"]
    assert [p["id"] for p in own] == [city.pk]
    assert api("yuncheng").get(f"{BASE}/plans").json()["count"] == 0
    item = civil.items.get().pk
    assert api("zhujian").delete(f"{BASE}/plans/{city.pk}/items/{item}").status_code == 404


def test_launch_proposals_and_merge_through_the_api(two_plans, api):
    city, civil = two_plans
    dept = api("chengguan")
    body = {
        "name": "餐饮油烟专项检查",
        "kind": "inspection",
        "items": "油烟净化设施",
        "targets": ["440111-cgj"],
        "launched_on": "2026-05-12",
    }
    bad = dept.post(f"{BASE}/assessments", body | {"targets": ["nowhere"]}, content_type=JSON)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "targets.0"
    flagged = dept.post(f"{BASE}/assessments", body, content_type=JSON)
    assert flagged.status_code == 201 and flagged.json()["unplanned"] is True
    assert Reminder.objects.filter(assessment_id=flagged.json()["id"]).exists()
    planned = dept.post(
        f"{BASE}/assessments", body | {"name": "城市管理综合考评", "items": ""}, content_type=JSON
    ).json()
    assert planned["unplanned"] is False and planned["plan_item_name"] == "城市管理综合考评"
    unplanned = api("supervisor").get(f"{BASE}/assessments", {"unplanned": True}).json()
    assert [a["name"] for a in unplanned["items"]] == ["餐饮油烟专项检查"]
    assert api("zhujian").get(f"{BASE}/assessments/{planned['id']}").status_code == 404

    found = api("leader").get(f"{BASE}/merges/proposals", {"year": YEAR}).json()
    pair = next(
        p
        for p in found
        if {p["first"]["name"], p["second"]["name"]} == {"城市管理综合考评", "创建文明城市考核"}
    )
    assert {"市容环境卫生", "占道经营", "垃圾分类"} <= set(pair["shared"])
    assert api("chengguan").get(f"{BASE}/merges/proposals", {"year": YEAR}).json() == []
    merge = {"kept": civil.items.get().pk, "merged": [city.items.get().pk], "reason": "内容重合"}
    # 住建局's item is out of 城管局's view (404); the commission sees it but may not merge (403).
    assert api("chengguan").post(f"{BASE}/merges", merge, content_type=JSON).status_code == 404
    assert api("supervisor").post(f"{BASE}/merges", merge, content_type=JSON).status_code == 403
    made = api("leader").post(f"{BASE}/merges", merge, content_type=JSON)
    assert made.status_code == 201 and made.json()["merged"][0]["name"] == "城市管理综合考评"
    assert api("leader").get(f"{BASE}/merges", {"year": YEAR}).json()["count"] == 1
    assert api("chengguan").get(f"{BASE}/merges").json()["count"] == 0  # 住建局's item kept


def test_plans_page_and_actions(two_plans, browser_client):
    city, civil = two_plans
    leader = browser_client("leader")
    page = leader.get("/supervision/plans/", {"year": YEAR})
    text = page.content.decode()
    assert page.status_code == 200
    assert "创建文明城市考核" in text and "市容环境卫生" in text and 'name="pair"' in text
    merged = leader.post(
        "/supervision/merges/",
        {
            "kept": civil.items.get().pk,
            "pair": f"{city.items.get().pk},{civil.items.get().pk}",
            "reason": "内容重合",
        },
    )
    assert merged.status_code == 302
    assert city.items.get().merged_into_id == civil.items.get().pk
    assert browser_client("yuncheng").get("/supervision/plans/").status_code == 404
    assert browser_client("zhujian").get(f"/supervision/plans/{city.pk}/").status_code == 404
    dept = browser_client("chengguan")
    assert dept.get(f"/supervision/plans/{city.pk}/").status_code == 200


def test_department_drafts_on_its_page(browser_client):
    dept = browser_client("chengguan")
    assert dept.post("/supervision/plans/new/", {"year": YEAR}).status_code == 302
    page = dept.get("/supervision/plans/", {"year": YEAR}).content.decode()
    assert "查看和编辑事项" in page
    from huying.supervision.models import InspectionPlan

    plan = InspectionPlan.objects.get(department__code="440111-cgj", year=YEAR)
    dept.post(f"/supervision/plans/{plan.pk}/items/", ITEM | {"kind": "responsibility"})
    assert not plan.items.exists()
    shown = dept.get(f"/supervision/plans/{plan.pk}/").content.decode()
    assert "责任制事项须写明起止年度" in shown
    dept.post(f"/supervision/plans/{plan.pk}/items/", ITEM)
    dept.post(f"/supervision/plans/{plan.pk}/submit/")
    plan.refresh_from_db()
    assert plan.status == "submitted" and plan.items.count() == 1
