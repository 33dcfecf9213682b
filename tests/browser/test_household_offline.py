"""The household page on a phone with patchy signal: open it, confirm the occupants, type a
wrong ID (told which is wrong) then the right one, add a photo, preview, lose the signal, save
(kept on the phone, "有 1 条巡查记录待上传"), get the signal back: the visit is sent by itself,
and exactly one is stored, with its photo."""

import base64

import pytest
from playwright.sync_api import expect

from huying.core.idnumbers import check_digit
from tests.browser.conftest import PHONE, login
from tests.browser.live_households import seed_household

pytestmark = pytest.mark.browser

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
FIRST17 = "44011120000229111"
GOOD = FIRST17 + check_digit(FIRST17)
WRONG = GOOD[:10] + str((int(GOOD[10]) + 1) % 10) + GOOD[11:]


def household(live_huying) -> int:
    """One household of 云城街道 with one occupant, in the demo inspector's area."""
    return seed_household(
        "HH-BROWSER-1", "云城街测试巷 8 号", [("张三", "44011119900307123", "13800138000")]
    )


def test_a_visit_saved_offline_is_sent_once_when_the_signal_returns(
    new_tab, live_huying, screenshots
):
    dwelling = household(live_huying)
    tab = new_tab(viewport=PHONE)
    login(tab, "inspector")
    tab.goto(f"/patrol/households/{dwelling}/")
    expect(tab.get_by_test_id("household")).to_be_visible()
    occupants = tab.get_by_test_id("occupant")
    for i in range(occupants.count()):
        occupants.nth(i).get_by_role("button", name="信息一致").click()
    tab.screenshot(path=screenshots / "household-phone.png", full_page=True)

    tab.get_by_test_id("add-occupant").click()
    new = tab.get_by_test_id("new-occupant")
    new.locator("input[name=id_number]").fill(WRONG)
    expect(new.get_by_test_id("id-result")).to_contain_text("校验位")
    new.locator("input[name=id_number]").fill(GOOD)
    expect(new.get_by_test_id("id-result")).to_contain_text("平台")
    new.locator("input[name=name]").fill("赵六")
    tab.get_by_label("消防通道畅通").check()
    tab.get_by_test_id("photo-input").set_input_files(
        files=[{"name": "fire-exit.png", "mimeType": "image/png", "buffer": PNG}]
    )
    expect(tab.get_by_test_id("thumbs").locator("img")).to_have_count(1)
    tab.get_by_test_id("preview").click()
    preview = tab.get_by_test_id("visit-preview")
    expect(preview).to_contain_text("赵六 · 新增住户")
    expect(preview).to_contain_text("1 张")
    tab.screenshot(path=screenshots / "household-preview.png", full_page=True)

    tab.context.set_offline(True)
    tab.get_by_test_id("save").click()
    expect(tab.get_by_test_id("visit-done")).to_contain_text("当前无网络")
    expect(tab.get_by_test_id("queue-count")).to_have_text("有 1 条巡查记录待上传")
    expect(tab.get_by_test_id("queued-visit")).to_contain_text("等待网络")
    tab.screenshot(path=screenshots / "household-offline.png", full_page=True)

    tab.context.set_offline(False)
    expect(tab.get_by_test_id("visit-queue")).to_be_hidden()
    expect(tab.get_by_test_id("visit-done")).to_contain_text("已保存")
    visits = tab.request.get("/api/v1/patrol/visits", params={"dwelling": dwelling}).json()
    assert len(visits) == 1, visits
    assert visits[0]["origin"] == "offline" and len(visits[0]["photos"]) == 1
    assert visits[0]["occupants"][-1]["name"] == "赵六"
    tab.reload()  # nothing left on the phone to send again
    expect(tab.get_by_test_id("visit-queue")).to_be_hidden()
    again = tab.request.get("/api/v1/patrol/visits", params={"dwelling": dwelling}).json()
    assert len(again) == 1
