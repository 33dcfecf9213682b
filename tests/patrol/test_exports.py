# ruff: noqa: F811  (fixtures are imported from the scene modules and taken as arguments)
"""Exports of a village's or an inspector's residents and visits: the cells (masked, unmasked),
the reason, the audit row and the lookup log, and who may export what."""

from datetime import datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook

from huying.core.models import AuditEntry
from huying.datahub.models import AccessKind, PersonAccess
from huying.patrol.models import Visit
from tests.datahub.factories import resident
from tests.patrol.coverage_scene import at, coverage_scene, scene  # noqa: F401
from tests.patrol.plan_fixtures import with_occupants

URL = "/api/v1/patrol/exports"
WANG_ID, WANG_PHONE = "440111199001011234", "13812345678"


@pytest.fixture
def people(coverage_scene):
    a01, a02 = coverage_scene["places"][:2]
    v1 = coverage_scene["v1"]
    wang = resident("王五", id_number=WANG_ID, phone=WANG_PHONE, dwelling=a01, village=v1)
    li = resident("李四", id_number="440111198502023456", phone="13900001111", dwelling=a02,
                  village=v1)  # fmt: skip
    today_a01 = Visit.objects.get(dwelling=a01, visited_at=at(24, 7))
    with_occupants(today_a01, {"resident": wang, "outcome": "differs", "name": "王五",
                               "id_number": WANG_ID, "phone": WANG_PHONE})  # fmt: skip
    return {**coverage_scene, "wang": wang, "li": li}


def post(api, username: str, **body):
    return api(username).post(URL, body, content_type="application/json")


def sheets(response) -> dict[str, list[tuple]]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(response.content))
    return {s.title: list(s.iter_rows(values_only=True)) for s in book.worksheets}


def test_masked_village_export_cells_audit_and_lookup_log(people, api):
    r = post(api, "yuncheng", village=people["v1"].code, period="month")
    assert r.status_code == 200
    book = sheets(r)
    assert list(book) == ["实有人口", "巡查记录", "核查住户"]
    header, *rows = book["实有人口"]
    assert header[:5] == ("姓名", "性别", "出生日期", "身份证号", "电话")
    assert [(row[0], row[3], row[4], row[6]) for row in rows] == [
        ("王五", "440111********1234", "138****5678", "A01"),
        ("李四", "440111********3456", "139****1111", "A02"),
    ]
    header, *visits = book["巡查记录"]
    assert header[:4] == ("巡查时间", "巡查员", "村社", "出租屋编码")
    # v1's households visited this month, oldest first, in Beijing time (22nd 23:59 stays 22nd).
    assert [(v[0], v[3], v[6]) for v in visits] == [
        (datetime(2026, 11, 20, 9, 0), "A03", "是"),
        (datetime(2026, 11, 21, 9, 0), "A04", "是"),
        (datetime(2026, 11, 22, 23, 59), "A02", "否"),
        (datetime(2026, 11, 23, 11, 0), "A01", "否"),
        (datetime(2026, 11, 24, 7, 0), "A01", "是"),  # an occupant's details differ
        (datetime(2026, 11, 24, 7, 10), "A02", "否"),
    ]
    assert visits[0][7] == "fire_exits：否"
    header, *found = book["核查住户"]
    assert found == [(datetime(2026, 11, 24, 7, 0), "A01", "信息有误", "王五",
                      "440111********1234", "138****5678")]  # fmt: skip
    access = PersonAccess.objects.get(kind=AccessKind.EXPORT, user__username="yuncheng")
    assert not access.unmasked
    assert set(access.residents.values_list("name", flat=True)) == {"王五", "李四"}
    entry = AuditEntry.objects.get(action="patrol.export")
    assert entry.after == {"kind": "village", "period": "month", "residents": 2, "visits": 6,
                           "unmasked": False}  # fmt: skip


def test_unmasked_needs_a_reason_and_a_role_that_may_reveal(people, api):
    code = people["v1"].code
    no_reason = post(api, "inspector", village=code, unmasked=True)
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reason"
    town = post(api, "yuncheng", village=code, unmasked=True, reason="核查")
    assert town.status_code == 403
    assert not PersonAccess.objects.filter(kind=AccessKind.EXPORT).exists()
    assert not AuditEntry.objects.filter(action="patrol.export").exists()
    r = post(api, "inspector", village=code, unmasked=True, reason="派出所协查")
    assert r.status_code == 200
    rows = sheets(r)["实有人口"][1:]
    assert (rows[0][3], rows[0][4]) == (WANG_ID, WANG_PHONE)
    assert sheets(r)["核查住户"][1][4] == WANG_ID
    access = PersonAccess.objects.get(kind=AccessKind.EXPORT)
    assert (access.unmasked, access.purpose) == (True, "派出所协查")
    assert AuditEntry.objects.get(action="patrol.export").reason == "派出所协查"


def test_inspector_export_is_their_area_and_their_visits(people, api):
    r = post(api, "command", inspector=people["other"].pk, period="month")
    book = sheets(r)
    assert book["实有人口"][1:] == []  # nobody lives in v2's households here
    assert [(v[0], v[3]) for v in book["巡查记录"][1:]] == [(datetime(2026, 11, 1, 0, 5), "B02")]
    mine = sheets(post(api, "yuncheng", inspector=people["inspector"].pk, period="today"))
    assert [row[0] for row in mine["实有人口"][1:]] == ["王五", "李四"]
    assert [v[3] for v in mine["巡查记录"][1:]] == ["A01", "A02", "B02"]


@pytest.mark.parametrize(
    ("username", "subject"),
    [
        ("inspector2", "village"),  # v1 is not in their area
        ("inspector2", "inspector"),  # a colleague
        ("helong", "village"),  # another town
        ("supervisor", "village"),  # no coverage at all
    ],
)
def test_export_outside_the_view_is_404_and_writes_nothing(people, api, username, subject):
    body = {"village": people["v1"].code} if subject == "village" else {
        "inspector": people["inspector"].pk
    }  # fmt: skip
    assert post(api, username, **body).status_code == 404
    assert not PersonAccess.objects.filter(kind=AccessKind.EXPORT).exists()
    assert not AuditEntry.objects.filter(action="patrol.export").exists()


def test_exactly_one_subject(people, api):
    both = post(api, "command", village=people["v1"].code, inspector=people["inspector"].pk)
    assert both.status_code == 422 and both.json()["errors"][0]["field"] == "village"
    assert post(api, "command").status_code == 422


def test_page_form_exports_and_refuses_without_reason(people, browser_client):
    client = browser_client("inspector")
    url = "/patrol/coverage/export/"
    ok = client.post(url, {"subject": f"village:{people['v1'].code}", "period": "week"})
    assert ok.status_code == 200 and len(sheets(ok)["巡查记录"]) == 1 + 3
    refused = client.post(url, {"subject": f"village:{people['v1'].code}", "period": "week",
                                "unmasked": "1", "reason": " "}, follow=True)  # fmt: skip
    assert "导出完整身份证号和电话须说明理由" in refused.content.decode()
    assert PersonAccess.objects.filter(kind=AccessKind.EXPORT).count() == 1
