"""The issue's main journey, end to end in a real browser against a real server:
云城街 calls → 城管局 finds it on its workbench, responds and resolves → 云城街 confirms and
rates → the statistics and the Open311 feed show it."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login

pytestmark = pytest.mark.browser

CGJ = "区城市管理和综合执法局"


def district_figures(tab) -> dict:
    """城管局's row of this year's statistics, as the leader's session reads it."""
    body = tab.request.get("/api/v1/statistics/calls?group_by=department").json()
    return next((r for r in body["rows"] if r["name"] == CGJ), {"calls": 0, "closed": 0})


def test_town_calls_department_resolves_town_rates_and_the_district_sees_it(new_tab, screenshots):
    leader = new_tab()
    login(leader, "leader")
    before = district_figures(leader)

    # 云城街 calls, picking a matter of the special list that 城管局 leads.
    town = new_tab()
    login(town, "yuncheng")
    town.goto("/calls/new/")
    town.get_by_test_id("matter-search").fill("占道")
    town.locator('[data-code="ZF-001"]').click()
    town.get_by_label("标题").fill("云城西路夜间占道烧烤")
    town.get_by_label("情况描述").fill("云城西路 20 号至 40 号夜间烧烤摊占用人行道，油烟扰民。")
    town.get_by_label("地址").fill("云城西路 20 号")
    town.get_by_test_id("submit").click()
    expect(town).to_have_url(re.compile(r"/calls/\d+/$"))
    number = re.search(r"HY\d+", town.locator(".messages").inner_text()).group(0)
    detail_url = town.url

    # 城管局 sees it waiting on its workbench, with the time left, and works it.
    department = new_tab()
    login(department, "chengguan")
    department.get_by_role("navigation", name="主导航").get_by_role(
        "link", name="部门工作台"
    ).click()
    row = department.get_by_test_id("pile-to_respond").locator(f'[data-call="{number}"]')
    expect(row.get_by_test_id("time-left")).to_contain_text("剩余")
    department.screenshot(path=screenshots / "journey-workbench.png", full_page=True)
    row.get_by_role("link").first.click()
    expect(department).to_have_url(detail_url)
    department.get_by_test_id("action-respond").locator("summary").click()
    department.get_by_test_id("submit-respond").click()
    expect(department.locator(".messages")).to_contain_text("已签收")
    department.get_by_test_id("action-resolve").locator("summary").click()
    department.get_by_label("办理结果").fill("已取缔烧烤摊 6 处，落实每晚巡查")
    department.get_by_test_id("submit-resolve").click()
    expect(department.locator(".messages")).to_contain_text("已报办结")

    # 云城街 confirms and rates: five, four, five stars.
    town.goto(detail_url)
    confirm = town.get_by_test_id("action-confirm")
    confirm.locator("summary").click()
    for field, stars in (("satisfaction", 5), ("timeliness", 4), ("attitude", 5)):
        confirm.locator(f"[data-field={field}] label.choice").nth(stars - 1).click()
    confirm.get_by_role("button", name="确认办结并评价").click()
    expect(town.locator(".messages")).to_contain_text("已确认办结")
    kinds = town.locator("[data-testid=event]").evaluate_all(
        "events => events.map(e => e.dataset.kind)"
    )
    assert {"created", "signed", "resolved", "confirmed"} <= set(kinds)
    town.screenshot(path=screenshots / "journey-closed.png", full_page=True)

    # The district's statistics count it, on the page and in the figures behind it.
    after = district_figures(leader)
    assert after["calls"] == before["calls"] + 1
    assert after["closed"] == before["closed"] + 1
    leader.goto("/calls/statistics/")
    expect(leader.locator("main")).to_contain_text(CGJ)
    expect(leader.locator("main")).to_contain_text("今年以来")
    leader.screenshot(path=screenshots / "journey-statistics.png", full_page=True)

    # The public Open311 feed shows the request closed, with no one's name in it.
    feed = new_tab()
    feed.goto(f"/open311/v2/requests/{number}.json")
    request = feed.request.get(f"/open311/v2/requests/{number}.json").json()[0]
    assert request["status"] == "closed" and request["status_notes"] == "已确认办结"
    assert request["agency_responsible"] == CGJ and request["service_code"] == "ZF-001"
    xml = feed.request.get(f"/open311/v2/requests/{number}.xml").text()
    assert f"<service_request_id>{number}</service_request_id>" in xml
    assert "<status>closed</status>" in xml
