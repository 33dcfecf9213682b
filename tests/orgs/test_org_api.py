"""The org API's shapes, filters and costs: /api/v1/orgs, /api/v1/orgs/{code}, /api/v1/auth/me."""

import pytest

from huying.orgs.models import Org

ORG_FIELDS = {
    "code",
    "name",
    "short_name",
    "kind",
    "kind_label",
    "parent",
    "is_key_village",
    "has_calling_right",
    "contact_name",
    "contact_phone",
    "address",
    "lat",
    "lon",
}


def test_org_list_is_paginated_fifty_at_a_time_in_tree_order(api):
    response = api("command").get("/api/v1/orgs")
    body = response.json()
    assert response.status_code == 200
    assert body["count"] == Org.objects.count()
    assert len(body["items"]) == 50
    expected = list(Org.objects.order_by("path").values_list("code", flat=True)[:50])
    assert [item["code"] for item in body["items"]] == expected
    second = api("command").get("/api/v1/orgs", {"offset": 50, "limit": 50}).json()
    assert [i["code"] for i in second["items"]] == list(
        Org.objects.order_by("path").values_list("code", flat=True)[50:100]
    )


def test_org_detail_carries_the_units_facts_in_chinese(api, persona):
    village = persona("renhe-village").org
    body = api("renhe-village").get(f"/api/v1/orgs/{village.code}").json()
    assert set(body) == ORG_FIELDS
    assert body["kind"] == "village" and body["kind_label"] == "村"
    assert body["parent"] == {"code": village.parent.code, "name": "人和镇"}
    assert body["is_key_village"] is True and body["has_calling_right"] is True
    assert body["contact_name"] == village.contact_name


def test_the_district_has_no_parent_in_the_api(api):
    body = api("leader").get("/api/v1/orgs/440111").json()
    assert body["parent"] is None and body["kind_label"] == "区"


def test_unknown_kind_filter_is_422_naming_the_field(api):
    response = api("command").get("/api/v1/orgs", {"kind": "planet"})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "kind", "message": "不是可选的值"}]


@pytest.mark.parametrize(
    ("username", "role", "org_name", "wide"),
    [
        ("renhe-village", "caller", None, False),
        ("yuncheng", "caller", "云城街道", False),
        ("chengguan", "responder", "区城市管理和综合执法局", False),
        ("command", "operator", "白云区综合指挥调度中心", True),
        ("supervisor", "supervisor", None, True),
        ("leader", "leader", "广州市白云区", True),
        ("admin", "admin", "广州市白云区", True),
        ("inspector", "inspector", "云城街道", False),
    ],
)
def test_me_returns_the_personas_role_and_org(api, persona, username, role, org_name, wide):
    user = persona(username)
    body = api(username).get("/api/v1/auth/me").json()
    assert body["username"] == username and body["full_name"] == user.full_name
    assert body["role"] == role
    assert body["role_label"] == user.get_role_display()
    assert body["org"] == {"code": user.org.code, "name": org_name or user.org.name}
    assert body["sees_whole_district"] is wide


def test_org_list_query_count_is_pinned(api, django_assert_max_num_queries):
    """Token lookup, its last-used stamp, the count, the page: never one query per row."""
    client = api("command")
    with django_assert_max_num_queries(4):
        response = client.get("/api/v1/orgs", {"limit": 1000})
    assert len(response.json()["items"]) == Org.objects.count()
    assert all(i["parent"] for i in response.json()["items"][1:])  # parents came along


def test_org_list_query_count_does_not_grow_with_the_page(api, django_assert_num_queries):
    client = api("leader")
    client.get("/api/v1/orgs", {"limit": 1})  # stamps last_used_at once
    with django_assert_num_queries(3):
        client.get("/api/v1/orgs", {"limit": 1})
    with django_assert_num_queries(3):
        client.get("/api/v1/orgs", {"limit": 400})


def test_org_list_page_query_count_is_pinned(browser_client, django_assert_max_num_queries):
    client = browser_client("command")
    client.get("/orgs/")  # the session's first touch
    with django_assert_max_num_queries(6):  # session, user, its org, unread badge, count, page
        response = client.get("/orgs/")
    assert len(response.context["page"].object_list) == 100


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/orgs/a%00b",
        "/api/v1/orgs?q=%00",
        "/api/v1/orgs?parent=%00",
        "/orgs/?q=%00",
        "/orgs/?kind=%00",
        "/orgs/a%00b/",
    ],
)
def test_a_nul_character_in_path_or_query_is_a_clear_400(api, browser_client, path):
    """PostgreSQL refuses NUL in text; it is turned away before any app sees it."""
    client = api("renhe") if path.startswith("/api/") else browser_client("renhe")
    response = client.get(path)
    assert response.status_code == 400
    text = response.json()["detail"] if path.startswith("/api/") else response.content.decode()
    assert "空字符" in text


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"offset": 10**30}, "offset"),
        ({"limit": 0}, "limit"),
        ({"limit": 10**6}, "limit"),
        ({"offset": -1}, "offset"),
    ],
)
def test_out_of_range_paging_is_a_chinese_422_naming_the_field(api, params, field):
    response = api("command").get("/api/v1/orgs", params)
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == field
    assert error["message"] in ("数值太小", "数值太大", "应为整数")
