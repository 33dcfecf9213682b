"""The special list in Excel: export, template, and the all-or-nothing import."""

import io

import pytest
from openpyxl import load_workbook

from huying.calls import excel, matters
from huying.calls.limits import Limit
from huying.calls.models import Matter
from huying.core.errors import Forbidden, Invalid
from huying.core.models import AuditEntry
from huying.demo import special_list

HEADER = [
    "编号",
    "领域",
    "事项名称",
    "说明",
    "牵头部门",
    "协办部门",
    "响应时限",
    "办结时限",
    "依据",
    "启用",
]


@pytest.fixture
def admin(persona):
    return persona("admin")


def all_matters():
    return Matter.objects.select_related("lead_department").prefetch_related("co_departments")


def snapshot() -> dict[str, dict]:
    return {m.code: matters.matter_snapshot(m) for m in all_matters()}


def workbook(data: bytes):
    return load_workbook(io.BytesIO(data))


def save(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_export_has_the_header_and_one_row_per_matter_in_chinese(db):
    sheet = workbook(excel.export_workbook(all_matters().order_by("domain", "code")))[excel.SHEET]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    assert len(rows) - 1 == Matter.objects.count()
    row = next(r for r in rows if r[0] == "ZF-001")
    assert row[1:3] == ("综合执法", "占道经营整治")
    assert row[4:8] == ("城管局", "市场监管局", "2小时", "3 个工作日")
    assert row[9] == "是"


def test_export_then_import_changes_nothing(admin):
    before, audit_before = snapshot(), AuditEntry.objects.count()
    data = excel.export_workbook(all_matters())
    result = excel.import_workbook(admin, data)
    assert result.created == [] and result.updated == []
    assert len(result.unchanged) == Matter.objects.count() >= len(special_list.MATTERS)
    assert snapshot() == before
    assert AuditEntry.objects.count() == audit_before


def test_a_bad_sheet_reports_every_bad_row_and_imports_nothing(admin):
    book = workbook(excel.export_workbook(all_matters().order_by("domain", "code")))
    sheet = book[excel.SHEET]
    sheet["C2"] = "改过的名称（不应保存）"
    sheet["E5"] = "城建局"  # no such department
    sheet["G7"] = "很快"  # not a limit
    sheet.append(
        ["ZF-T99", "综合执法", "新事项（不应保存）", "", "城管局", "", "PT1H", 2, "", "是"]
    )
    before, audit_before, count = snapshot(), AuditEntry.objects.count(), Matter.objects.count()

    with pytest.raises(excel.ImportRejected) as caught:
        excel.import_workbook(admin, save(book))

    errors = caught.value.errors
    assert [(e.row, e.column, e.field) for e in errors] == [
        (5, "牵头部门", "lead_department"),
        (7, "响应时限", "response_limit"),
    ]
    assert "城建局" in errors[0].message
    assert "第 5 行“牵头部门”列" in str(errors[0])
    assert caught.value.message == "导入失败：2 行有误，未导入任何事项"
    assert Matter.objects.count() == count
    assert snapshot() == before
    assert AuditEntry.objects.count() == audit_before


def test_rules_the_services_enforce_are_reported_with_their_row_and_column(admin):
    book = workbook(excel.template_workbook())
    sheet = book[excel.SHEET]
    sheet.append(["ZF-T01", "综合执法", "甲", "", "城管局", "城管局", "PT1H", 2, "", "是"])
    sheet.append(["ZF-T02", "天气", "乙", "", "云城街道", "", "0", "1天", "", "也许"])
    sheet.append(["ZF-T01", "综合执法", "丙", "", "城管局", "", "PT1H", 2, "", ""])
    sheet.append(
        ["bad code", "重点工作", "丁", "", "440111-zjj", "水务局、不存在局", "P1D", 5, "", ""]
    )
    with pytest.raises(excel.ImportRejected) as caught:
        excel.import_workbook(admin, save(book))
    found = {(e.row, e.column) for e in caught.value.errors}
    assert found == {
        (2, "协办部门"),  # the lead itself (the service's rule)
        (3, "领域"),
        (3, "牵头部门"),  # a street, not a department
        (3, "响应时限"),
        (3, "启用"),
        (4, "编号"),  # the same code as row 2
        (5, "协办部门"),
    }
    row5 = next(e for e in caught.value.errors if e.row == 5)
    assert "不存在局" in row5.message
    assert not Matter.objects.filter(code__startswith="ZF-T0").exists()


def test_bad_code_is_reported_once_the_other_columns_are_good(admin):
    book = workbook(excel.template_workbook())
    book[excel.SHEET].append(["bad code", "重点工作", "丁", "", "住建局", "", "P1D", 5, "", ""])
    with pytest.raises(excel.ImportRejected) as caught:
        excel.import_workbook(admin, save(book))
    assert [(e.row, e.column) for e in caught.value.errors] == [(2, "编号")]


def test_the_template_explains_the_columns_and_imports_once_filled(admin, api):
    response = api("chengguan").get("/api/v1/matters/template.xlsx")
    assert response.status_code == 200
    book = workbook(response.content)
    assert book.sheetnames == [excel.SHEET, excel.NOTES]
    assert [c.value for c in book[excel.SHEET][1]] == HEADER
    assert book[excel.SHEET].max_row == 1
    notes = [row for row in book[excel.NOTES].iter_rows(values_only=True) if row[0]]
    assert {row[0] for row in notes} >= set(HEADER)
    assert any(row[:2] == ("区城市管理和综合执法局", "城管局") for row in notes)

    sheet = book[excel.SHEET]
    sheet.append(
        ["ZF-T50", "综合执法", "违规设置地桩地锁", "", "城管局", "交警大队", "4小时", 3, "", ""]
    )
    sheet.append(["ZF-001", "综合执法", "占道经营整治", "", "城管局", "市场监管局、公安分局",
                  "PT1H", "3个工作日", "《广州市市容环境卫生管理规定》", "是"])  # fmt: skip
    result = excel.import_workbook(admin, save(book))

    assert (result.created, result.updated) == (["ZF-T50"], ["ZF-001"])
    new = Matter.objects.get(code="ZF-T50")
    assert new.response_limit == Limit(seconds=4 * 3600)
    assert new.resolution_limit == Limit(working_days=3)
    assert [o.code for o in new.co_departments.all()] == ["440111-jjdd"]
    updated = matters.matter_history(Matter.objects.get(code="ZF-001")).last()
    assert updated.action == matters.UPDATED and updated.reason == "Excel 导入"
    assert updated.actor_id == admin.pk
    assert updated.after["co_departments"] == ["440111-gaj", "440111-scjgj"]
    assert updated.after["response_limit"] == "PT1H"


def test_blank_rows_are_skipped_and_departments_may_be_full_names_or_codes(admin):
    book = workbook(excel.template_workbook())
    sheet = book[excel.SHEET]
    sheet.append([None] * 10)
    sheet.append(["YJ-T50", "应急处置", "地面沉降", None, "区住房和城乡建设局", "440111-yjj",
                  "pt30m", "1天", None, False])  # fmt: skip
    result = excel.import_workbook(admin, save(book))
    assert result.created == ["YJ-T50"]
    matter = Matter.objects.get(code="YJ-T50")
    assert matter.lead_department.code == "440111-zjj" and matter.is_active is False
    assert matter.resolution_limit == Limit(seconds=86400)


def test_a_wrong_header_is_reported_on_row_one(admin):
    book = workbook(excel.template_workbook())
    book[excel.SHEET]["E1"] = "负责部门"
    with pytest.raises(excel.ImportRejected) as caught:
        excel.import_workbook(admin, save(book))
    assert [(e.row, e.column) for e in caught.value.errors] == [(1, "牵头部门")]


@pytest.mark.parametrize("data", [b"", b"not a workbook", b"PK\x03\x04broken zip"])
def test_a_file_that_is_not_a_workbook_is_refused_naming_the_file(admin, data):
    with pytest.raises(Invalid) as caught:
        excel.import_workbook(admin, data)
    assert caught.value.field == "file" and "Excel" in caught.value.message


def test_only_administrators_import(persona):
    with pytest.raises(Forbidden):
        excel.import_workbook(persona("chengguan"), excel.template_workbook())


# --- from the admin ------------------------------------------------------------------------------


def upload(book) -> io.BytesIO:
    out = io.BytesIO(save(book))
    out.name = "清单.xlsx"
    return out


def test_admin_downloads_the_export_and_the_template(browser_client):
    client = browser_client("admin")
    for url in ("/admin/calls/matter/export.xlsx", "/admin/calls/matter/template.xlsx"):
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == excel.XLSX
        assert [c.value for c in workbook(response.content)[excel.SHEET][1]] == HEADER


def test_admin_import_page_lists_the_bad_rows_and_imports_nothing(browser_client):
    client = browser_client("admin")
    assert client.get("/admin/calls/matter/import/").status_code == 200
    book = workbook(excel.template_workbook())
    book[excel.SHEET].append(["ZF-T70", "综合执法", "甲", "", "城管局", "", "PT1H", 2, "", "是"])
    book[excel.SHEET].append(["ZF-T71", "综合执法", "乙", "", "城建局", "", "PT1H", 2, "", "是"])
    response = client.post("/admin/calls/matter/import/", {"file": upload(book)})
    html = response.content.decode()
    assert response.status_code == 200
    assert "未导入任何事项" in html and "<td>3</td>" in html and "城建局" in html
    assert not Matter.objects.filter(code__in=["ZF-T70", "ZF-T71"]).exists()


def test_admin_import_page_imports_a_good_sheet(browser_client):
    book = workbook(excel.template_workbook())
    book[excel.SHEET].append(["ZF-T72", "综合执法", "甲", "", "城管局", "", "PT1H", 2, "", "是"])
    client = browser_client("admin")
    response = client.post("/admin/calls/matter/import/", {"file": upload(book)})
    assert response.status_code == 302
    assert Matter.objects.filter(code="ZF-T72").exists()
    assert "新建 1 项" in client.get(response["Location"]).content.decode()
