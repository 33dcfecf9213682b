"""Statistics by department, town and domain; the summary sentence; rankings."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from huying.calls import services, statistics
from huying.core import clock
from huying.core.errors import Invalid

MONDAY_9 = datetime(2026, 11, 16, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def history(new_call, persona):
    """Four calls: one closed on time with a rating, one late response, one open, one redo."""
    chengguan, yuncheng = persona("chengguan"), persona("yuncheng")
    with clock.frozen_at(MONDAY_9):
        calls = [new_call(), new_call(), new_call(), new_call("renhe-village")]
    with clock.frozen_at(MONDAY_9 + timedelta(minutes=30)):
        services.respond(actor=chengguan, call=calls[0])
        services.respond(actor=chengguan, call=calls[3])
        services.resolve(actor=chengguan, call=calls[0], result="ok")
        services.confirm(actor=yuncheng, call=calls[0], rating=services.RatingInput(5, 4, 5))
        services.resolve(actor=chengguan, call=calls[3], result="ok")
        services.reject(actor=persona("renhe-village"), call=calls[3], reason="没好")
    with clock.frozen_at(MONDAY_9 + timedelta(hours=3)):  # past the 2-hour response limit
        services.respond(actor=chengguan, call=calls[1])
    return calls


def test_by_department(history):
    (row,) = statistics.statistics(group_by="department")
    assert (row["key"], row["calls"], row["responded"], row["responded_on_time"]) == (
        "440111-cgj",
        4,
        3,
        2,
    )
    assert (row["resolved"], row["closed"], row["redos"]) == (1, 1, 1)
    assert row["on_time_resolution_rate"] == 1.0
    assert row["average_response_seconds"] == (30 * 60 * 2 + 3 * 3600) // 3
    assert row["average_satisfaction"] == 5.0


def test_by_town_folds_villages_into_their_town(history):
    rows = {r["name"]: r["calls"] for r in statistics.statistics(group_by="town")}
    assert rows == {"云城街道": 3, "人和镇": 1}


def test_period_and_summary_sentence(history):
    rows = statistics.statistics(
        group_by="domain", start=MONDAY_9 - timedelta(days=1), end=MONDAY_9 + timedelta(days=1)
    )
    assert statistics.summary_sentence(rows) == "今年以来，镇街累计呼叫区直部门4次，已经响应办结1件"
    assert statistics.statistics(group_by="domain", start=MONDAY_9 + timedelta(days=1)) == []
    with pytest.raises(Invalid) as bad:
        statistics.statistics(group_by="domain", start=MONDAY_9, end=MONDAY_9)
    assert bad.value.field == "end"


def test_ranking_leaves_out_units_with_too_few_calls(history):
    rows = statistics.statistics(group_by="town")
    # 人和镇 (1 call) is below the minimum; 云城街道 (3) is ranked.
    assert [r["name"] for r in statistics.ranking(rows, min_calls=2)] == ["云城街道"]
    ranked = statistics.ranking(statistics.statistics(group_by="department"), min_calls=4)
    assert [(r["rank"], r["key"]) for r in ranked] == [(1, "440111-cgj")]
    assert statistics.ranking(statistics.statistics(group_by="department"), min_calls=5) == []


def test_statistics_api_this_year_by_default(history, api):
    with clock.frozen_at(MONDAY_9 + timedelta(days=1)):
        body = api("leader").get("/api/v1/statistics/calls", {"min_calls": 1}).json()
    assert body["summary"] == "今年以来，镇街累计呼叫区直部门4次，已经响应办结1件"
    assert body["rows"][0]["key"] == "440111-cgj"
    assert body["ranking"][0]["rank"] == 1
    with clock.frozen_at(datetime(2027, 3, 1, tzinfo=ZoneInfo("Asia/Shanghai"))):
        next_year = api("leader").get("/api/v1/statistics/calls").json()
    assert next_year["rows"] == []
    bad = api("leader").get("/api/v1/statistics/calls", {"group_by": "colour"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "group_by"
