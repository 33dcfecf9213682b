# ruff: noqa: F811  (the `hub` fixture is imported from hub_fixtures and taken as an argument)
"""谁查看过: a resident's page (and the API) list every lookup that concerns them — page views,
reveals, resident searches (page and API), source-record searches and village exports — with
who, which unit, when, why, which fields and the kind of look; a search writes one access and
its subjects in bulk."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from huying.datahub import privacy
from huying.datahub.models import AccessKind, AccessVia, PersonAccess, Resident
from tests.datahub.factories import resident
from tests.datahub.hub_fixtures import hub  # noqa: F401

BASE = "/api/v1/datahub"
ROW = re.compile(r'<tr data-testid="access-row" data-kind="(\w+)">(.*?)</tr>', re.S)


def access_rows(html: str) -> list[tuple[str, str]]:
    """(kind, the row's text) per row of the page's 谁查看过, newest first."""
    return [(kind, " ".join(re.sub(r"<[^>]+>", " ", body).split())) for kind, body in
            ROW.findall(html)]  # fmt: skip


def look_everywhere(hub, api, browser_client):
    """Every way a person's data goes out, each touching 李丽."""
    browser_client("inspector").post(reverse("datahub:residents"), {"q": "李丽"})
    api("yuncheng").post(f"{BASE}/residents/search", {"q": "lili"},
                         content_type="application/json")  # fmt: skip
    browser_client("supervisor").post(
        reverse("datahub:source-search", args=["public_security_persons"]), {"q": "P1"},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    browser_client("yuncheng").post(reverse("datahub:resident-export"),
                                    {"village": hub["community"].code})  # fmt: skip
    browser_client("command").post(reverse("datahub:resident-reveal", args=[hub["li"].pk]),
                                   {"field": "phone", "reason": "联系本人"})  # fmt: skip


def test_the_resident_page_lists_searches_and_exports_not_only_views(
    hub, api, browser_client, persona
):
    look_everywhere(hub, api, browser_client)
    page = browser_client("inspector").get(reverse("datahub:resident", args=[hub["li"].pk]))
    rows = access_rows(page.content.decode())
    kinds = [kind for kind, _text in rows]
    assert kinds == ["view", "reveal", "export", "search", "search", "search"]  # newest first
    text = dict(zip(["view", "reveal", "export", "src", "api", "page"], [t for _k, t in rows],
                    strict=True))  # fmt: skip
    assert "查看" in text["view"] and "查看人员详情" in text["view"]
    assert "显示完整号码" in text["reveal"] and "联系本人" in text["reveal"]
    assert "导出" in text["export"] and "导出村社实有人口" in text["export"]
    assert "搜索" in text["src"] and "数据源查询：平安白云" in text["src"]
    assert persona("supervisor").org.name in text["src"]  # the unit, as it was
    assert "接口" in text["api"] and "查询：姓名拼音" in text["api"]
    assert "页面" in text["page"] and "查询：姓名" in text["page"]
    # The fields returned, named as people name them, for a source's columns too.
    assert "姓名、性别、身份证号、电话" in text["page"]
    assert "源记录编号" in text["src"] or "人员编号" in text["src"]
    assert "person_key" not in text["src"]


def test_a_search_is_listed_only_for_those_it_returned(hub, api, browser_client):
    look_everywhere(hub, api, browser_client)
    page = browser_client("command").get(reverse("datahub:resident", args=[hub["zhao"].pk]))
    assert [kind for kind, _t in access_rows(page.content.decode())] == ["view"]


def test_a_search_of_fifty_writes_one_access_and_its_subjects_in_two_inserts(hub, persona):
    people, inspector = [resident(f"测{i}") for i in range(50)], persona("inspector")
    with CaptureQueriesContext(connection) as queries:
        privacy.log_access(
            inspector, [p.pk for p in people], kind=AccessKind.SEARCH,
            purpose="查询：姓名", fields=["name"], via=AccessVia.PAGE,
        )  # fmt: skip
    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    assert statements.count("INSERT") == 2 and "SELECT" not in statements
    entry = PersonAccess.objects.get()
    assert sorted(entry.residents.values_list("pk", flat=True)) == sorted(p.pk for p in people)
    assert list(Resident.objects.filter(accesses=entry).order_by("pk")) == people


def test_the_api_lists_the_same_log_and_is_scoped(hub, api, browser_client):
    look_everywhere(hub, api, browser_client)
    response = api("inspector").get(f"{BASE}/residents/{hub['li'].pk}/accesses")
    assert response.status_code == 200
    body = response.json()
    assert [e["kind"] for e in body] == ["reveal", "export", "search", "search", "search"]
    search = body[-1]
    assert search["kind_label"] == "搜索" and search["via"] == "page"
    assert search["org"]["name"] and search["user_name"]
    assert search["fields"][:2] == ["name", "gender"] and search["field_labels"][0] == "姓名"
    assert not PersonAccess.objects.filter(purpose__contains="谁查看过").exists()
    assert api("inspector").get(f"{BASE}/residents/{hub['zhao'].pk}/accesses").status_code == 404
