"""The town's pages in a real browser: call with a picked matter, location and a photo; a
village raises a request, the town forwards it, the village follows the call."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, login

pytestmark = pytest.mark.browser

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 100
PHOTO = {"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": JPEG}
HERE = {"latitude": 23.1760123, "longitude": 113.2877311}  # 云城西路


def real_photo(tab) -> dict:
    """A decodable JPEG (the browser's own screenshot), so the thumbnails show something."""
    shot = tab.screenshot(
        type="jpeg", quality=70, clip={"x": 0, "y": 0, "width": 320, "height": 240}
    )
    return {"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": shot}


def test_a_town_calls_with_a_matter_location_and_photo(new_tab, screenshots):
    tab = new_tab(geolocation=HERE, permissions=["geolocation"])
    login(tab, "yuncheng")
    tab.get_by_role("navigation", name="主导航").get_by_role("link", name="呼叫工作台").click()
    expect(tab).to_have_url(re.compile(r"/calls/town/$"))
    tab.get_by_test_id("new-call").click()
    expect(tab.get_by_test_id("matter-option")).to_have_count(76)
    tab.get_by_test_id("matter-search").fill("占道")
    expect(tab.get_by_test_id("matter-option")).to_have_count(1)  # filtered by htmx
    option = tab.locator('[data-code="ZF-001"]')
    expect(option).to_contain_text("牵头：城管局 · 响应2小时 · 办结3个工作日")
    option.click()
    expect(tab.get_by_test_id("deadline-preview")).to_contain_text("前响应（2小时）")
    tab.get_by_test_id("matter-search").fill("违法建设")  # the choice survives a new search
    expect(tab.locator('[data-code="ZF-001"] input')).to_be_checked()
    tab.get_by_label("标题").fill("云城西路店外占道经营")
    tab.get_by_label("情况描述").fill("云城西路 12—30 号多家店铺长期占道经营，影响通行。")
    tab.get_by_label("地址").fill("云城西路 12 号")
    tab.get_by_role("button", name="使用当前位置").click()
    expect(tab.get_by_label("纬度")).to_have_value("23.176012")
    expect(tab.get_by_label("经度")).to_have_value("113.287731")
    tab.get_by_label("现场照片").set_input_files([PHOTO])
    tab.screenshot(path=screenshots / "town-new-call-desktop.png", full_page=True)
    tab.get_by_test_id("submit").click()
    expect(tab).to_have_url(re.compile(r"/calls/\d+/$"))
    expect(tab.locator(".messages")).to_contain_text("呼叫已发出：HY")
    number = re.search(r"HY\d+", tab.locator(".messages").inner_text()).group(0)

    tab.goto("/calls/town/?section=waiting")
    row = tab.locator(f'[data-call="{number}"]')
    expect(row).to_contain_text("占道经营整治")
    expect(row.get_by_test_id("time-left")).to_contain_text(
        re.compile(r"剩余(1小时5\d分|2小时0分)")
    )
    expect(row.get_by_test_id("time-left")).to_have_attribute("data-due", re.compile(r"^20"))
    tab.screenshot(path=screenshots / "town-workbench-desktop.png", full_page=True)


def test_the_workbench_and_form_on_a_phone(new_tab, screenshots):
    tab = new_tab(viewport=PHONE, is_mobile=True, has_touch=True)
    login(tab, "yuncheng")
    tab.goto("/calls/town/")
    expect(tab.get_by_test_id("tab-to_confirm")).to_be_visible()
    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the workbench scrolls sideways: {width}px"
    tab.screenshot(path=screenshots / "town-workbench-phone.png", full_page=True)
    tab.goto("/calls/new/")
    tab.locator('[data-testid="free-form"]').tap()
    expect(tab.get_by_test_id("deadline-preview")).to_contain_text("由指挥中心分派")
    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the form scrolls sideways: {width}px"
    tab.get_by_test_id("submit").tap()  # empty: the errors show at their fields
    expect(tab.locator(".field.has-error .error").first).to_be_visible()
    expect(tab.locator(".field.has-error").filter(has_text="标题")).to_contain_text("请填写标题")
    tab.screenshot(path=screenshots / "town-new-call-phone.png", full_page=True)


def test_a_village_raises_the_town_forwards_the_village_follows(new_tab, screenshots):
    village = new_tab(viewport=PHONE, is_mobile=True, has_touch=True)
    login(village, "yuncheng-community")
    village.goto("/calls/new/")  # no calling right: sent to the request form, told why
    expect(village).to_have_url(re.compile(r"/calls/requests/new/$"))
    expect(village.locator(".messages")).to_contain_text("没有呼叫权")
    village.locator('[data-testid="free-form"]').tap()
    village.get_by_label("紧急程度", exact=True).select_option("urgent")
    village.get_by_label("领域", exact=True).select_option("emergency")
    village.get_by_label("标题").fill("3号楼楼道堆放杂物")
    village.get_by_label("情况描述").fill("楼道堆满纸箱和旧家具，存在消防隐患。")
    village.get_by_label("现场照片").set_input_files([real_photo(village)])
    village.get_by_test_id("submit").tap()
    expect(village).to_have_url(re.compile(r"/calls/requests/\d+/$"))
    expect(village.get_by_test_id("outcome")).to_contain_text("等待云城街道处理")
    request_url = village.url

    town = new_tab()
    login(town, "yuncheng")
    town.goto("/calls/town/")
    pending = town.get_by_test_id("pending-requests")
    pending.get_by_role("link", name="3号楼楼道堆放杂物").first.click()
    expect(town).to_have_url(request_url)
    expect(town.get_by_test_id("photos").locator("img")).to_have_count(1)
    town.screenshot(path=screenshots / "village-request-town-desktop.png", full_page=True)
    forward = town.get_by_test_id("forward")
    forward.get_by_label("标题").fill("云城街某社区3号楼楼道堆放杂物")
    forward.get_by_test_id("forward-submit").click()
    expect(town).to_have_url(re.compile(r"/calls/\d+/$"))
    number = re.search(r"HY\d+", town.locator(".messages").inner_text()).group(0)

    village.goto("/calls/requests/")
    row = village.get_by_test_id("request-row").filter(has_text="3号楼楼道堆放杂物").first
    expect(row).to_contain_text(number)
    expect(row).to_contain_text("已转为呼叫")
    expect(row.get_by_test_id("time-left")).to_contain_text("剩余")
    village.screenshot(path=screenshots / "village-requests-phone.png", full_page=True)
    village.goto(request_url)
    expect(village.get_by_test_id("forwarded-call")).to_contain_text(number)
    village.screenshot(path=screenshots / "village-request-phone.png", full_page=True)
