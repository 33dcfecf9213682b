"""巡查覆盖 in a real browser: the town cadre on a desktop, the inspector on a phone; the chart is
drawn from the vendored ECharts, the tabs switch, the masked export downloads a workbook."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, login

pytestmark = pytest.mark.browser


def test_town_cadre_switches_tabs_and_sees_the_chart(new_tab, screenshots):
    tab = new_tab(viewport=DESKTOP)
    login(tab, "yuncheng")
    tab.get_by_role("link", name="巡查覆盖").click()
    expect(tab.locator("h1")).to_contain_text("巡查覆盖")
    tab.get_by_role("link", name="本周").click()
    tab.get_by_role("link", name="按村社").click()
    expect(tab.locator('[data-testid="period-tabs"] a.active')).to_have_text("本周")
    expect(tab.locator('[data-testid="level-tabs"] a.active')).to_have_text("按村社")
    expect(tab.locator('[data-testid="coverage-chart"] svg')).to_be_visible()
    expect(tab.locator('[data-testid="coverage-table"] tbody tr').first).to_be_visible()
    tab.screenshot(path=screenshots / "patrol-coverage-desktop.png", full_page=True)


def test_inspector_on_a_phone_exports_masked(new_tab, screenshots):
    tab = new_tab(viewport=PHONE)
    login(tab, "inspector")
    tab.goto("/patrol/coverage/")
    expect(tab.locator('[data-testid="coverage-table"]')).to_contain_text("计划")
    tab.screenshot(path=screenshots / "patrol-coverage-phone.png", full_page=True)
    with tab.expect_download() as download:
        tab.locator('[data-testid="export"] button[type="submit"]').click()
    assert download.value.suggested_filename.endswith(".xlsx")
