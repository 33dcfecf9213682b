"""The catalogue through the API (/api/v1/catalogue): search, a category with its fields and the
caller's access, and requests and grants with their errors (403, 404, 409, 422)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from huying.core import clock
from huying.core.models import AuditEntry
from huying.datahub.catalogue_demo import load_demo_catalogue
from huying.datahub.choices import AccessPolicy
from huying.datahub.formats import FORMATS
from huying.datahub.models import AccessGrant, AccessRequest, Category

BASE = "/api/v1/catalogue"
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(scope="module")
def loaded_once(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_demo_catalogue()


@pytest.fixture(autouse=True)
def demo_catalogue(db, loaded_once):
    with clock.frozen_at(NOW):
        yield


@pytest.fixture
def restricted() -> Category:
    """A restricted category of 城管局 (its head is chengguan-head), from the demo catalogue."""
    return (
        Category.objects.filter(owner__code="440111-cgj", access_policy=AccessPolicy.RESTRICTED)
        .order_by("code")
        .first()
    )


def post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def fields_of(response) -> list[str]:
    return [e["field"] for e in response.json()["errors"]]


def test_search_pages_through_the_catalogue(api):
    client = api("yuncheng")
    page = client.get(f"{BASE}/categories", {"q": "出租屋", "limit": 5}).json()
    assert page["count"] >= 5 and len(page["items"]) == 5
    dwellings = client.get(f"{BASE}/categories", {"q": "出租屋基本信息"}).json()["items"]
    hub = next(c for c in dwellings if c["hub_source"] == "dwellings")
    assert hub["owner"]["code"] == "440111-zjj"
    assert (hub["access_policy"], hub["access_policy_label"]) == ("on_request", "依申请")
    assert hub["field_count"] == len(FORMATS["dwellings"].columns)
    restricted = client.get(f"{BASE}/categories", {"policy": "restricted", "limit": 1000}).json()
    assert restricted["count"] == Category.objects.filter(access_policy="restricted").count()
    assert {c["access_policy"] for c in restricted["items"]} == {"restricted"}
    owned = client.get(f"{BASE}/categories", {"owner": "440111-lsj", "hub": "true"}).json()
    assert [c["hub_source"] for c in owned["items"]] == ["migrant_registrations"]
    bad = client.get(f"{BASE}/categories", {"min_sensitivity": 9})
    assert bad.status_code == 422 and fields_of(bad) == ["min_sensitivity"]


def test_summary_gives_the_catalogues_totals(api):
    body = api("yuncheng").get(f"{BASE}/summary").json()
    assert body["categories"] == 1250
    assert abs(body["records"] - 3_783_000_000) <= 3_783_000_000 * 0.005


def test_a_category_with_its_fields_and_the_callers_access(api):
    code = Category.objects.get(hub_source="public_security_persons").code
    body = api("yuncheng").get(f"{BASE}/categories/{code}").json()
    assert [f["name"] for f in body["fields"]] == FORMATS["public_security_persons"].names
    id_number = next(f for f in body["fields"] if f["name"] == "id_number")
    assert (id_number["label"], id_number["sensitivity"], id_number["sensitivity_label"]) == (
        "身份证号",
        4,
        "高度敏感",
    )
    assert (body["may_read"], body["readable_fields"]) == (False, [])
    district = api("command").get(f"{BASE}/categories/{code}").json()  # restricted: no grant
    assert district["may_read"] is False
    police = api("yuncheng").get(f"{BASE}/categories/{code}").json()["owner"]["code"]
    assert police == "440111-gaj"
    assert api("yuncheng").get(f"{BASE}/categories/NO-0000").status_code == 404
    assert api().get(f"{BASE}/categories/{code}").status_code == 401


def test_request_approve_and_read_over_http(api, restricted):
    made = post(
        api("yuncheng"),
        f"{BASE}/categories/{restricted.code}/requests",
        {"purpose": "核对辖内案件", "valid_until": "2027-06-30"},
    )
    assert made.status_code == 201, made.content
    request = made.json()
    assert (request["state"], request["org"]["name"], request["fields"]) == (
        "pending",
        "云城街道",
        [],
    )
    queue = api("chengguan-head").get(f"{BASE}/requests", {"box": "decide"}).json()
    assert [r["id"] for r in queue["items"]] == [request["id"]]
    none_declined = api("chengguan-head").get(f"{BASE}/requests", {"state": "declined"}).json()
    assert none_declined["count"] == 0
    mine = api("yuncheng").get(f"{BASE}/requests", {"box": "mine"}).json()
    assert [r["id"] for r in mine["items"]] == [request["id"]]

    denials = AuditEntry.objects.filter(action="core.permission_denied").count()
    wrong = post(api("chengguan"), f"{BASE}/requests/{request['id']}/approve")
    assert wrong.status_code == 403 and fields_of(wrong) == ["actor"]
    assert AuditEntry.objects.filter(action="core.permission_denied").count() == denials + 1

    head = api("chengguan-head")
    grant = post(head, f"{BASE}/requests/{request['id']}/approve", {"note": "同意"})
    assert grant.status_code == 200, grant.content
    assert (grant.json()["org"]["name"], grant.json()["valid_until"], grant.json()["active"]) == (
        "云城街道",
        "2027-06-30",
        True,
    )
    detail = api("yuncheng").get(f"{BASE}/categories/{restricted.code}").json()
    assert (detail["may_read"], detail["readable_fields"]) == (True, None)

    again = post(api("chengguan-head"), f"{BASE}/requests/{request['id']}/approve")
    assert again.status_code == 409 and fields_of(again) == ["state"]
    grants = api("yuncheng").get(f"{BASE}/grants", {"active": "true"}).json()
    assert [g["id"] for g in grants["items"]] == [grant.json()["id"]]


def test_bad_requests_name_the_field(api, restricted):
    url = f"{BASE}/categories/{restricted.code}/requests"
    client = api("yuncheng")
    missing = post(client, url, {})
    assert missing.status_code == 422 and fields_of(missing) == ["purpose"]
    blank = post(client, url, {"purpose": "   "})
    assert blank.status_code == 422 and fields_of(blank) == ["purpose"]
    unknown = post(client, url, {"purpose": "核对", "fields": ["no_such_field"]})
    assert unknown.status_code == 422 and fields_of(unknown) == ["fields"]
    assert "no_such_field" in unknown.json()["detail"]
    past = post(client, url, {"purpose": "核对", "valid_until": "2020-01-01"})
    assert past.status_code == 422 and fields_of(past) == ["valid_until"]
    open_code = Category.objects.filter(access_policy="open").order_by("code").first().code
    opened = post(client, f"{BASE}/categories/{open_code}/requests", {"purpose": "核对"})
    assert opened.status_code == 409
    assert not AccessRequest.objects.exists()


def test_decline_withdraw_and_revoke_over_http(api, restricted):
    url = f"{BASE}/categories/{restricted.code}/requests"
    first = post(api("yuncheng"), url, {"purpose": "核对"}).json()
    head = api("chengguan-head")
    no_reason = post(head, f"{BASE}/requests/{first['id']}/decline", {"reason": " "})
    assert no_reason.status_code == 422 and fields_of(no_reason) == ["reason"]
    declined = post(head, f"{BASE}/requests/{first['id']}/decline", {"reason": "用途不明"})
    assert (declined.json()["state"], declined.json()["decision_note"]) == ("declined", "用途不明")

    second = post(api("yuncheng"), url, {"purpose": "再次申请"}).json()
    other = post(api("inspector"), f"{BASE}/requests/{second['id']}/withdraw")
    assert other.status_code == 403
    withdrawn = post(api("yuncheng"), f"{BASE}/requests/{second['id']}/withdraw")
    assert withdrawn.json()["state"] == "withdrawn"

    third = post(api("yuncheng"), url, {"purpose": "第三次"}).json()
    grant = post(head, f"{BASE}/requests/{third['id']}/approve").json()
    revoked = post(head, f"{BASE}/grants/{grant['id']}/revoke", {"reason": "已完成"})
    assert revoked.status_code == 200
    assert (revoked.json()["active"], revoked.json()["revoke_reason"]) == (False, "已完成")
    twice = post(head, f"{BASE}/grants/{grant['id']}/revoke", {"reason": "再撤"})
    assert twice.status_code == 409
    assert AccessGrant.objects.get(pk=grant["id"]).revoked_at is not None


def test_out_of_view_is_404(api, restricted):
    request = post(
        api("yuncheng"), f"{BASE}/categories/{restricted.code}/requests", {"purpose": "核对"}
    ).json()
    for who in ("zhujian", "helong"):  # neither the unit, nor the owner, nor district-wide
        client = api(who)
        assert client.get(f"{BASE}/requests/{request['id']}").status_code == 404
        assert post(client, f"{BASE}/requests/{request['id']}/approve").status_code == 404
    assert api("command").get(f"{BASE}/requests/{request['id']}").status_code == 200
    assert api("yuncheng").get(f"{BASE}/requests/99999999").status_code == 404
    assert api("yuncheng").get(f"{BASE}/requests/0").status_code == 422
    assert post(api("zhujian"), f"{BASE}/grants/99999999/revoke", {"reason": "x"}).status_code == (
        404
    )


def test_openapi_documents_the_catalogue_with_examples(api):
    doc = api("admin").get("/api/openapi.json").json()
    paths = {p for p in doc["paths"] if p.startswith("/api/v1/catalogue")}
    assert {
        "/api/v1/catalogue/categories",
        "/api/v1/catalogue/categories/{code}",
        "/api/v1/catalogue/categories/{code}/requests",
        "/api/v1/catalogue/requests/{request_id}/approve",
        "/api/v1/catalogue/grants/{grant_id}/revoke",
    } <= paths
    approve = doc["paths"]["/api/v1/catalogue/requests/{request_id}/approve"]["post"]
    assert set(approve["responses"]) >= {"200", "403", "404", "409", "422"}
    assert doc["components"]["schemas"]["RequestIn"]["examples"]
