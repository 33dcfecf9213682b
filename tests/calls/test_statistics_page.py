"""The statistics page /calls/statistics/: figures, summary, filters, ranking, htmx, roles."""

import html
import json
import re
from datetime import date, datetime, time, timedelta

import pytest

from huying.calls.periods import Period
from huying.core import clock
from huying.core.models import AuditEntry
from huying.dashboard import navigation
from tests.calls.statistics_history import NOW, SHANGHAI, make_history

URL = "/calls/statistics/"
ALLOWED = [
    "leader",
    "command",
    "supervisor",
    "admin",
    "chengguan-head",
    "yuncheng",
    "renhe-village",
]
REFUSED = ["chengguan", "inspector"]


@pytest.fixture
def history(new_call, free_form, persona):
    return make_history(new_call, free_form, persona)


@pytest.fixture
def page(browser_client):
    """GET the page as a persona at NOW; returns the response."""

    def get(username="leader", headers=None, **params):
        with clock.frozen_at(NOW):
            return browser_client(username).get(URL, params, headers=headers or {})

    return get


def table(body: str, testid: str) -> dict[str, list[str]]:
    """The rows of a table, by data-key: the text of each cell."""
    found = re.search(rf'data-testid="{testid}">(.*?)</table>', body, re.S)
    assert found, f"no table {testid}"
    rows = {}
    for key, cells in re.findall(r'<tr data-key="([^"]+)">(.*?)</tr>', found.group(1), re.S):
        rows[key] = [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells_of(cells)]
    return rows


def cells_of(row: str) -> list[str]:
    return re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)


def summary(body: str) -> str:
    return re.search(r'data-testid="stats-summary">(.*?)</p>', body).group(1)


def test_page_shows_the_figures_of_this_year_by_default(history, page):
    response = page()
    body = response.content.decode()
    assert response.status_code == 200
    assert summary(body) == "今年以来，镇街累计呼叫区直部门6次，已经响应办结2件"
    assert "2026年1月1日至今" in body
    rows = table(body, "stats-table")
    # 城管局: 5 calls, 4 responded (3 on time), 2 resolved and closed, all on time; responses
    # took 30 min ×3 and 3 h: 4050 s on average; one redo; ratings 5 and 3.
    assert rows["440111-cgj"] == [
        "区城市管理和综合执法局",
        *("5", "4", "3", "2", "2", "100.0%", "1小时7分", "1", "0", "4.00", "0"),
    ]
    # The unrouted free-form call is in no department's row, but in the district total.
    assert rows["total"][:2] == ["全区合计", "6"]
    assert "另有 1 次呼叫尚未分派部门" in body
    chart = json.loads(re.search(r'id="stats-chart-data"[^>]*>(.*?)</script>', body).group(1))
    assert (chart["calls"], chart["resolved"], chart["on_time_rate"]) == ([5], [2], [100.0])
    assert chart["satisfaction"] == [4.0]


@pytest.mark.parametrize(
    "kind, now, first, last",
    [
        ("year", datetime(2026, 11, 17, 10), date(2026, 1, 1), None),
        ("quarter", datetime(2026, 11, 17, 10), date(2026, 10, 1), None),
        ("quarter", datetime(2026, 3, 31, 23, 59), date(2026, 1, 1), None),
        ("month", datetime(2026, 11, 1, 0, 0), date(2026, 11, 1), None),
        ("last_month", datetime(2027, 1, 5, 8), date(2026, 12, 1), date(2026, 12, 31)),
    ],
)
def test_named_periods_are_whole_local_days(kind, now, first, last):
    period = Period.of(kind, now=now.replace(tzinfo=SHANGHAI))
    assert (period.first_day, period.last_day) == (first, last)
    assert period.start.astimezone(SHANGHAI).time() == time(0, 0)


def test_own_dates_include_the_end_day():
    period = Period.of("custom", date(2026, 11, 16), date(2026, 11, 16))
    assert period.end - period.start == timedelta(days=1)
    assert period.since == "2026年11月16日至2026年11月16日"


def test_period_leaves_out_calls_outside_it(history, page):
    month = page(period="month").content.decode()
    assert summary(month) == "本月以来，镇街累计呼叫区直部门5次，已经响应办结1件"
    assert table(month, "stats-table")["440111-cgj"][1] == "4"
    last_month = page(period="last_month").content.decode()
    assert summary(last_month) == "上月，镇街累计呼叫区直部门1次，已经响应办结1件"
    assert "2026年10月1日至2026年10月31日" in last_month
    one_day = page(period="custom", start="2026-11-16", end="2026-11-16").content.decode()
    assert summary(one_day).startswith("2026年11月16日至2026年11月16日，镇街累计呼叫区直部门5次")
    # Dates count only for a period of one's own: with 本年 they are ignored.
    ignored = page(period="year", start="2026-11-16", end="2026-11-16").content.decode()
    assert summary(ignored).startswith("今年以来，镇街累计呼叫区直部门6次")


def test_group_by_town_and_domain(history, page, org):
    towns = table(page(group_by="town").content.decode(), "stats-table")
    calls = {row[0]: row[1] for key, row in towns.items() if key != "total"}
    assert calls == {"云城街道": "4", "人和镇": "1", "鹤龙街道": "1"}  # the village folds in
    assert org("云城街道").code in towns
    domains = table(page(group_by="domain").content.decode(), "stats-table")
    assert {row[0]: row[1] for key, row in domains.items() if key != "total"} == {
        "综合执法": "5",
        "重点工作": "1",
    }
    assert "尚未分派部门" not in page(group_by="domain").content.decode()


def test_ranking_leaves_out_units_under_the_minimum(history, page, settings):
    ranked = table(page(group_by="town", min_calls=2).content.decode(), "stats-ranking")
    assert [row[:3] for row in ranked.values()] == [["1", "云城街道", "4"]]
    # Tied on the on-time rate (100%), 云城街道 (5) ranks above 鹤龙街道 (3) on satisfaction;
    # 人和镇 has nothing resolved and is not ranked.
    ranked = table(page(group_by="town", min_calls=1).content.decode(), "stats-ranking")
    assert [row[1] for row in ranked.values()] == ["云城街道", "鹤龙街道"]
    # The minimum defaults to the setting.
    settings.CALLS_RANKING_MIN_CALLS = 6
    body = page().content.decode()
    assert table(body, "stats-ranking") == {} and "暂无达到排名条件的单位" in body
    assert "呼叫少于 6 次" in body
    settings.CALLS_RANKING_MIN_CALLS = 5
    assert list(table(page().content.decode(), "stats-ranking")) == ["440111-cgj"]


def test_htmx_filter_change_returns_the_results_fragment_only(history, page):
    response = page(headers={"HX-Request": "true"}, group_by="town")
    body = response.content.decode()
    assert response.status_code == 200
    names = [t.name for t in response.templates]
    assert names[0] == "calls/statistics/_results.html" and "base.html" not in names
    assert "<html" not in body and 'id="stats-results"' not in body and "<form" not in body
    assert "云城街道" in body and 'id="stats-chart-data"' in body
    assert "HX-Request" in response["Vary"]
    assert 'export.xlsx?group_by=town" data-testid="stats-export"' in body
    # A history restore (back button, cache miss) wants the whole page.
    restore = page(headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restore.content.decode()


def test_export_link_carries_the_filters(history, page):
    body = page(group_by="domain", period="month").content.decode()
    link = html.unescape(re.search(r'href="([^"]+)" data-testid="stats-export"', body).group(1))
    assert link.startswith("/calls/statistics/export.xlsx?")
    assert "group_by=domain" in link and "period=month" in link


@pytest.mark.parametrize(
    "params, message",
    [
        (
            {"period": "custom", "start": "2026-11-16", "end": "2026-11-15"},
            "结束时间应晚于开始时间",
        ),
        ({"period": "custom"}, "自定义期间请填写开始日期或结束日期"),
        ({"min_calls": "-1"}, "参与排名最少呼叫次数"),
        ({"group_by": "colour"}, "分组"),
    ],
)
def test_bad_filters_are_named_and_show_no_figures(history, page, params, message):
    response = page(**params)
    body = response.content.decode()
    assert response.status_code == 400
    errors = re.search(r'data-testid="stats-errors">(.*?)</div>', body, re.S).group(1)
    assert message in errors
    assert 'data-testid="stats-summary"' not in body
    # The htmx fragment carries the same errors with a 200, which htmx swaps in.
    fragment = page(headers={"HX-Request": "true"}, **params)
    assert fragment.status_code == 200 and message in fragment.content.decode()


@pytest.mark.parametrize("username", ALLOWED)
def test_allowed_roles_see_the_page_and_its_nav_entry(history, page, persona, username):
    response = page(username)
    assert response.status_code == 200
    assert summary(response.content.decode()).endswith("6次，已经响应办结2件")
    nav = navigation.items_for(persona(username), URL)
    assert {"label": "统计分析", "url": URL, "active": True, "badge": False} in nav


@pytest.mark.parametrize("username", REFUSED)
def test_other_roles_get_404_audited_and_no_nav_entry(history, page, persona, username):
    response = page(username)
    assert response.status_code == 404
    assert "镇街累计呼叫" not in response.content.decode()
    denial = AuditEntry.objects.filter(action="core.permission_denied").order_by("-seq").first()
    assert (denial.actor.username, denial.object_repr) == (username, URL)
    assert all(item["url"] != URL for item in navigation.items_for(persona(username), "/"))


def test_signed_out_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/login" in response["Location"]
