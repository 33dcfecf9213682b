"""The statistics workbook: the page's download and the API's, the same numbers, audited."""

import io
from datetime import datetime, timedelta
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from huying.calls import statistics
from huying.calls.excel import XLSX
from huying.core import clock
from huying.core.models import AuditEntry
from tests.calls.statistics_history import NOW, SHANGHAI, make_history

PAGE_EXPORT = "/calls/statistics/export.xlsx"
API_EXPORT = "/api/v1/statistics/calls.xlsx"
YEAR_START = datetime(2026, 1, 1, tzinfo=SHANGHAI)
HEADER_ROW = 5  # summary, period, generated at, a blank row, then the header


@pytest.fixture
def history(new_call, free_form, persona):
    return make_history(new_call, free_form, persona)


def workbook_of(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == XLSX
    return load_workbook(io.BytesIO(response.content))


def filename_of(response) -> str:
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=utf-8''")  # RFC 5987
    return unquote(disposition.split("''", 1)[1])


def table(sheet, header_row: int) -> tuple[list, list[list]]:
    rows = list(sheet.iter_rows(min_row=header_row, values_only=True))
    return list(rows[0]), [list(r) for r in rows[1:]]


def expected_figures(row: dict) -> list:
    seconds = row["average_response_seconds"]
    return [
        row["name"],
        *(row[k] for k in ("calls", "responded", "responded_on_time", "resolved", "closed")),
        row["on_time_resolution_rate"],
        None if seconds is None else timedelta(seconds=seconds),
        row["redos"],
        row["returns"],
        row["average_satisfaction"],
        row["perfunctory_flags"],
    ]


def test_page_export_holds_the_same_numbers_as_the_statistics(history, browser_client):
    with clock.frozen_at(NOW):
        response = browser_client("leader").get(PAGE_EXPORT, {"group_by": "town", "min_calls": 1})
    book = workbook_of(response)
    assert filename_of(response) == "呼叫统计_镇街_20260101-20261117.xlsx"
    figures, ranking = book["分组统计"], book["排名"]
    assert figures["A1"].value == "今年以来，镇街累计呼叫区直部门6次，已经响应办结2件"
    assert [figures["A2"].value, figures["B2"].value] == ["统计期间", "2026年1月1日至今"]
    assert [figures["A3"].value, figures["B3"].value] == ["生成时间", "2026-11-17 10:00"]
    header, rows = table(figures, HEADER_ROW)
    assert header[:3] == ["镇街", "呼叫次数", "已响应"] and header[-1] == "应付式响应标记"
    expected = statistics.statistics(group_by="town", start=YEAR_START)
    assert rows[:-1] == [expected_figures(r) for r in expected]
    assert rows[-1][:2] == ["全区合计", 6]
    assert figures.cell(HEADER_ROW + 1, 7).number_format == "0.0%"
    header, ranked = table(ranking, HEADER_ROW + 2)
    assert header == ["名次", "镇街", "呼叫次数", "按时办结率", "平均满意度"]
    expected_ranking = statistics.ranking(expected, min_calls=1)
    assert ranked == [
        [r["rank"], r["name"], r["calls"], r["on_time_resolution_rate"], r["average_satisfaction"]]
        for r in expected_ranking
    ]
    assert [r[1] for r in ranked] == ["云城街道", "鹤龙街道"]  # 人和镇: nothing resolved yet
    assert "呼叫少于 1 次" in ranking["A5"].value


def test_export_follows_the_period_and_the_minimum(history, browser_client):
    with clock.frozen_at(NOW):
        response = browser_client("supervisor").get(
            PAGE_EXPORT, {"period": "last_month", "min_calls": 2}
        )
    book = workbook_of(response)
    assert filename_of(response) == "呼叫统计_部门_20261001-20261031.xlsx"
    assert book["分组统计"]["A1"].value == "上月，镇街累计呼叫区直部门1次，已经响应办结1件"
    _, rows = table(book["分组统计"], HEADER_ROW)
    assert [r[:2] for r in rows] == [["区城市管理和综合执法局", 1], ["全区合计", 1]]
    assert table(book["排名"], HEADER_ROW + 2)[1] == []  # 1 call < 2: not ranked


def test_export_is_audited_without_personal_data(history, browser_client):
    with clock.frozen_at(NOW):
        browser_client("chengguan-head").get(PAGE_EXPORT, {"group_by": "domain"})
    entry = AuditEntry.objects.filter(action="calls.statistics_exported").get()
    assert entry.actor.username == "chengguan-head"
    assert entry.object_repr == "呼叫统计（按领域，2026年1月1日至今）"
    assert entry.after["group_by"] == "domain" and entry.after["period"] == "year"
    assert entry.after["min_calls"] == 5 and entry.after["rows"] == 2


def test_page_export_refuses_other_roles_and_bad_filters(history, browser_client):
    with clock.frozen_at(NOW):
        refused = browser_client("chengguan").get(PAGE_EXPORT)
        bad = browser_client("leader").get(PAGE_EXPORT, {"period": "custom"})
    assert refused.status_code == 404
    assert bad.status_code == 400 and "自定义期间请填写开始日期或结束日期" in bad.content.decode()
    assert not AuditEntry.objects.filter(action="calls.statistics_exported").exists()


def test_api_export_with_a_bearer_token(history, api):
    with clock.frozen_at(NOW):
        response = api("command").get(
            API_EXPORT, {"group_by": "department", "start": "2026-11-16T00:00:00+08:00"}
        )
    book = workbook_of(response)
    assert filename_of(response) == "呼叫统计_部门_20261116-20261117.xlsx"
    assert book["分组统计"]["A1"].value.startswith("2026年11月16日至今，镇街累计呼叫区直部门5次")
    _, rows = table(book["分组统计"], HEADER_ROW)
    start = datetime(2026, 11, 16, tzinfo=SHANGHAI)
    expected = statistics.statistics(group_by="department", start=start)
    assert rows[:-1] == [expected_figures(r) for r in expected]
    entry = AuditEntry.objects.filter(action="calls.statistics_exported").get()
    assert entry.actor.username == "command" and entry.after["period"] == "custom"


def test_api_refuses_other_roles_with_403_and_names_bad_filters(history, api):
    for path in ("/api/v1/statistics/calls", API_EXPORT):
        refused = api("chengguan").get(path)
        assert refused.status_code == 403, path
        assert refused.json()["errors"][0]["field"] == "actor"
        denial = AuditEntry.objects.filter(action="core.permission_denied").order_by("-seq")[0]
        assert (denial.actor.username, denial.object_repr) == ("chengguan", path)
    assert api().get(API_EXPORT).status_code == 401
    bad = api("leader").get(API_EXPORT, {"min_calls": -1})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "min_calls"
    bad = api("leader").get(API_EXPORT, {"period": "decade"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "period"
    assert not AuditEntry.objects.filter(action="calls.statistics_exported").exists()


def test_api_json_gives_the_same_report_as_the_page(history, api):
    with clock.frozen_at(NOW):
        body = api("yuncheng").get("/api/v1/statistics/calls", {"period": "month"}).json()
    assert body["summary"] == "本月以来，镇街累计呼叫区直部门5次，已经响应办结1件"
    assert body["period"]["kind"] == "month" and body["period"]["span"] == "2026年11月1日至今"
    assert body["total"]["calls"] == 5 and body["rows"][0]["calls"] == 4
    assert body["min_calls"] == 5 and body["ranking"] == []
