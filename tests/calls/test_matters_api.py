"""/api/v1/matters: every signed-in user reads the special list; only administrators write it."""

import io

import pytest
from openpyxl import load_workbook

from huying.calls import excel, matters
from huying.calls.models import Matter
from huying.core.models import AuditEntry

PERSONAS = [
    "admin",
    "command",
    "supervisor",
    "leader",
    "yuncheng",
    "renhe-village",
    "chengguan",
    "chengguan-head",
    "inspector",
]
MATTER_FIELDS = {
    "code",
    "domain",
    "domain_label",
    "name",
    "description",
    "lead_department",
    "co_departments",
    "response_limit",
    "response_limit_label",
    "resolution_limit",
    "resolution_limit_label",
    "legal_basis",
    "is_active",
    "updated_at",
}
NEW = {
    "code": "ZF-T31",
    "domain": "law_enforcement",
    "name": "违规设置地桩地锁",
    "lead_department": "440111-cgj",
    "co_departments": ["440111-jjdd"],
    "response_limit": "PT30M",
    "resolution_limit": 3,
}


def post_json(client, url, body):
    return client.post(url, body, content_type="application/json")


def patch_json(client, url, body):
    return client.patch(url, body, content_type="application/json")


# --- reading -------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", PERSONAS)
def test_every_signed_in_persona_reads_the_whole_list(api, username):
    body = api(username).get("/api/v1/matters").json()
    assert body["count"] == Matter.objects.count() >= 60
    assert api(username).get("/api/v1/matters/YJ-001").status_code == 200
    assert api(username).get("/api/v1/matters/export.xlsx").status_code == 200


@pytest.mark.parametrize(
    "url", ["/api/v1/matters", "/api/v1/matters/ZF-001", "/api/v1/matters/export.xlsx"]
)
def test_anonymous_requests_are_401(api, url):
    response = api().get(url)
    assert response.status_code == 401
    assert "登录" in response.json()["detail"]


def test_a_matter_reads_with_its_departments_and_limits_as_the_api_writes_them(api):
    body = api("yuncheng").get("/api/v1/matters/ZF-001").json()
    assert set(body) == MATTER_FIELDS
    assert body["domain"] == "law_enforcement" and body["domain_label"] == "综合执法"
    assert body["lead_department"] == {
        "code": "440111-cgj",
        "name": "区城市管理和综合执法局",
        "short_name": "城管局",
    }
    assert [d["code"] for d in body["co_departments"]] == ["440111-scjgj"]
    assert (body["response_limit"], body["response_limit_label"]) == ("PT2H", "2小时")
    assert (body["resolution_limit"], body["resolution_limit_label"]) == (3, "3 个工作日")


def test_an_unknown_code_is_404(api):
    response = api("command").get("/api/v1/matters/NOPE-1")
    assert response.status_code == 404 and response.json()["detail"]


def test_the_list_filters_by_domain_department_text_and_state(api):
    client = api("command")
    emergency = client.get("/api/v1/matters", {"domain": "emergency", "limit": 100}).json()
    assert emergency["count"] == Matter.objects.filter(domain="emergency").count()
    assert {i["domain"] for i in emergency["items"]} == {"emergency"}
    water = client.get("/api/v1/matters", {"department": "440111-swj", "limit": 100}).json()
    codes = {i["code"] for i in water["items"]}
    assert {"YJ-001", "ZD-003", "ZF-010"} <= codes  # lead, lead, co-department
    assert all(
        i["lead_department"]["code"] == "440111-swj"
        or "440111-swj" in [d["code"] for d in i["co_departments"]]
        for i in water["items"]
    )
    found = client.get("/api/v1/matters", {"q": "积水"}).json()
    assert [i["code"] for i in found["items"]] == ["YJ-001"]
    Matter.objects.filter(code="ZF-002").update(is_active=False)
    inactive = client.get("/api/v1/matters", {"active": "false"}).json()
    assert [i["code"] for i in inactive["items"]] == ["ZF-002"]
    assert client.get("/api/v1/matters", {"domain": "weather"}).status_code == 422


def test_the_list_is_paginated_and_its_queries_do_not_grow_with_it(
    api, django_assert_max_num_queries
):
    client = api("command")
    first = client.get("/api/v1/matters", {"limit": 10}).json()
    assert len(first["items"]) == 10
    expected = list(Matter.objects.order_by("domain", "code").values_list("code", flat=True))
    assert [i["code"] for i in first["items"]] == expected[:10]
    with django_assert_max_num_queries(8):  # auth, count, page, lead (joined), co-departments
        body = client.get("/api/v1/matters", {"limit": 100}).json()
    assert len(body["items"]) == min(100, len(expected))


def test_export_answers_an_excel_workbook(api):
    response = api("chengguan").get("/api/v1/matters/export.xlsx", {"domain": "emergency"})
    assert response.status_code == 200
    assert response["Content-Type"] == excel.XLSX
    assert "attachment" in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.content))[excel.SHEET].values)
    assert len(rows) - 1 == Matter.objects.filter(domain="emergency").count()


# --- writing -------------------------------------------------------------------------------------


def test_an_administrator_creates_a_matter_and_reads_the_limits_back_as_written(api):
    response = post_json(api("admin"), "/api/v1/matters", NEW)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["response_limit"], body["resolution_limit"]) == ("PT30M", 3)
    assert body["response_limit_label"] == "30分钟"
    assert [d["code"] for d in body["co_departments"]] == ["440111-jjdd"]
    matter = Matter.objects.get(code="ZF-T31")
    assert matters.matter_history(matter).get().actor.username == "admin"


@pytest.mark.parametrize("username", ["chengguan", "command", "yuncheng", "leader"])
def test_others_may_not_write_403_in_chinese(api, username):
    client = api(username)
    response = post_json(client, "/api/v1/matters", NEW)
    assert response.status_code == 403
    assert response.json()["detail"] == "只有系统管理员可以修改专项清单"
    response = patch_json(client, "/api/v1/matters/ZF-001", {"name": "改"})
    assert response.status_code == 403
    assert not Matter.objects.filter(code="ZF-T31").exists()
    assert Matter.objects.get(code="ZF-001").name == "占道经营整治"


def test_anonymous_writes_are_401(api):
    assert post_json(api(), "/api/v1/matters", NEW).status_code == 401
    assert patch_json(api(), "/api/v1/matters/ZF-001", {"name": "改"}).status_code == 401


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"response_limit": "soon"}, "response_limit"),
        ({"response_limit": True}, "response_limit"),
        ({"response_limit": 1.5}, "response_limit"),
        ({"resolution_limit": 0}, "resolution_limit"),
        ({"lead_department": "440111014"}, "lead_department"),
        ({"lead_department": "440111-nope"}, "lead_department"),
        ({"co_departments": ["440111-cgj"]}, "co_departments"),
        ({"domain": "weather"}, "domain"),
        ({"code": "ZF-001"}, "code"),
        ({"code": "a/b"}, "code"),
        ({"name": "a\x00b"}, "name"),
        ({"lead_department": "a\x00b"}, "lead_department"),
    ],
)
def test_a_bad_matter_is_422_naming_the_field(api, changes, field):
    count = Matter.objects.count()
    response = post_json(api("admin"), "/api/v1/matters", NEW | changes)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]], response.json()
    assert Matter.objects.count() == count


def test_a_missing_limit_is_422_naming_it(api):
    body = {k: v for k, v in NEW.items() if k != "resolution_limit"}
    response = post_json(api("admin"), "/api/v1/matters", body)
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "resolution_limit", "message": "必填"}]


def test_an_administrator_updates_given_fields_and_the_history_shows_it(api):
    client = api("admin")
    response = patch_json(
        client,
        "/api/v1/matters/ZF-001",
        {"response_limit": "PT1H", "resolution_limit": "P2D", "reason": "夜市季节"},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["response_limit"], body["resolution_limit"]) == ("PT1H", "P2D")
    assert body["name"] == "占道经营整治"
    history = client.get("/api/v1/matters/ZF-001/history").json()
    assert [h["action"] for h in history] == [matters.CREATED, matters.UPDATED]
    assert history[-1]["reason"] == "夜市季节"
    assert history[-1]["before"]["response_limit"] == "PT2H"
    assert history[-1]["after"]["resolution_limit"] == "P2D"


def test_renaming_a_code_through_the_api(api):
    response = patch_json(api("admin"), "/api/v1/matters/ZF-002", {"code": "ZF-002A"})
    assert response.status_code == 200 and response.json()["code"] == "ZF-002A"
    assert api("admin").get("/api/v1/matters/ZF-002").status_code == 404


def test_a_bad_update_is_422_and_changes_nothing(api):
    client = api("admin")
    before = AuditEntry.objects.count()
    response = patch_json(client, "/api/v1/matters/ZF-001", {"co_departments": ["440111-cgj"]})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "co_departments"
    assert AuditEntry.objects.count() == before


# --- import --------------------------------------------------------------------------------------


def sheet_with(*rows) -> io.BytesIO:
    book = load_workbook(io.BytesIO(excel.template_workbook()))
    for row in rows:
        book[excel.SHEET].append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "清单.xlsx"
    return out


def test_an_administrator_imports_a_sheet(api):
    upload = sheet_with(["ZF-T60", "综合执法", "地桩地锁", "", "城管局", "", "PT1H", 2, "", "是"])
    response = api("admin").post("/api/v1/matters/import", {"file": upload})
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "detail": "导入成功：新建 1 项，更新 0 项，未变 0 项",
        "created": ["ZF-T60"],
        "updated": [],
        "unchanged": [],
    }
    assert Matter.objects.filter(code="ZF-T60").exists()


def test_a_bad_import_is_422_listing_each_row(api):
    upload = sheet_with(
        ["ZF-T61", "综合执法", "甲", "", "城管局", "", "PT1H", 2, "", "是"],
        ["ZF-T62", "综合执法", "乙", "", "城建局", "", "PT1H", 2, "", "是"],
        ["ZF-T63", "综合执法", "丙", "", "城管局", "", "很快", 2, "", "是"],
    )
    response = api("admin").post("/api/v1/matters/import", {"file": upload})
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "导入失败：2 行有误，未导入任何事项"
    assert [(e["row"], e["column"], e["field"]) for e in body["errors"]] == [
        (3, "牵头部门", "lead_department"),
        (4, "响应时限", "response_limit"),
    ]
    assert not Matter.objects.filter(code__in=["ZF-T61", "ZF-T62", "ZF-T63"]).exists()


def test_import_is_for_administrators_only(api):
    upload = sheet_with(["ZF-T64", "综合执法", "甲", "", "城管局", "", "PT1H", 2, "", "是"])
    response = api("chengguan").post("/api/v1/matters/import", {"file": upload})
    assert response.status_code == 403
    assert not Matter.objects.filter(code="ZF-T64").exists()
    assert api().post("/api/v1/matters/import", {"file": sheet_with()}).status_code == 401


def test_import_without_a_file_or_with_a_bad_one_is_422_naming_the_file(api):
    response = api("admin").post("/api/v1/matters/import", {})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "file"
    junk = io.BytesIO(b"hello")
    junk.name = "x.xlsx"
    response = api("admin").post("/api/v1/matters/import", {"file": junk})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "file"


def test_openapi_documents_the_matter_endpoints_with_examples(api):
    schema = api("admin").get("/api/openapi.json").json()
    assert {"/api/v1/matters", "/api/v1/matters/{code}", "/api/v1/matters/import"} <= set(
        schema["paths"]
    )
    components = schema["components"]["schemas"]
    assert components["MatterIn"]["examples"][0]["response_limit"] == "PT4H"
    assert components["MatterOut"]["examples"][0]["code"] == "ZF-001"
