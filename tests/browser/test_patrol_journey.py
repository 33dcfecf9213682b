"""The inspector's round on a phone: sign in, open today's plan, open a household from it,
confirm one occupant, correct another's wrong ID (a typo in it first: the page names the digit
that is probably wrong), add a new occupant, preview, save; the visit is stored with those
outcomes and the plan shows the household visited."""

import pytest
from playwright.sync_api import expect

from huying.core.idnumbers import check_digit
from tests.browser.conftest import PHONE, login
from tests.browser.live_households import seed_household

pytestmark = pytest.mark.browser

ADDRESS = "云城街测试巷 12 号 301 房"
LI_SI = "44011119880512345" + check_digit("44011119880512345")  # as on the ID card
ON_FILE = LI_SI[:17] + ("0" if LI_SI[17] != "0" else "1")  # the hub's copy: check digit wrong
TYPO = LI_SI[:13] + "5" + LI_SI[14:]  # the 14th digit mistyped on the spot (2 → 5)
NEWCOMER = "44011120010615432" + check_digit("44011120010615432")
PHONE_CONTEXT = {"viewport": PHONE, "is_mobile": True, "has_touch": True}


def card_of(tab, name: str):
    return tab.get_by_test_id("occupant").filter(has_text=name)


def test_inspector_confirms_corrects_and_adds_occupants_from_the_plan(new_tab, screenshots):
    dwelling = seed_household(
        "HH-JOURNEY-1", ADDRESS,
        [("王五", "44011119850101234", "13800138001"), ("李四", ON_FILE, "13800138002")],
        max_occupants=4, on_plan=True,
    )  # fmt: skip
    tab = new_tab(**PHONE_CONTEXT)
    login(tab, "inspector")
    tab.goto("/patrol/")
    row = tab.get_by_test_id("plan-row").filter(has_text=ADDRESS)
    expect(row).to_be_visible()
    expect(row.locator(".tick")).to_have_count(0)
    tab.screenshot(path=screenshots / "patrol-plan-phone.png")
    row.get_by_role("link").tap()
    expect(tab.get_by_test_id("household")).to_be_visible()

    card_of(tab, "王五").get_by_role("button", name="信息一致").tap()
    li_si = card_of(tab, "李四")
    li_si.get_by_role("button", name="信息有误").tap()
    li_si.locator("input[name=id_number]").fill(TYPO)
    expect(li_si.get_by_test_id("id-result")).to_contain_text("第 14 位可能录错，应为 2")
    li_si.locator("input[name=id_number]").fill(LI_SI)
    expect(li_si.get_by_test_id("id-result")).to_have_text("号码有效")

    tab.get_by_test_id("add-occupant").tap()
    new = tab.get_by_test_id("new-occupant")
    new.locator("input[name=id_number]").fill(NEWCOMER)
    expect(new.get_by_test_id("id-result")).to_contain_text("平台中未找到")
    new.locator("input[name=name]").fill("钱七")
    tab.screenshot(path=screenshots / "patrol-household-phone.png", full_page=True)

    tab.get_by_test_id("preview").tap()
    preview = tab.get_by_test_id("visit-preview")
    expect(preview).to_contain_text("王五 · 信息一致")
    expect(preview).to_contain_text(f"李四 · 信息有误 · 身份证号 {LI_SI}")
    expect(preview).to_contain_text("钱七 · 新增住户")
    tab.get_by_test_id("save").tap()
    expect(tab.get_by_test_id("visit-done")).to_contain_text("已保存")

    visits = tab.request.get("/api/v1/patrol/visits", params={"dwelling": dwelling}).json()
    assert len(visits) == 1, visits
    found = {o["name"]: o for o in visits[0]["occupants"]}
    assert {n: o["outcome"] for n, o in found.items()} == {
        "王五": "confirmed", "李四": "differs", "钱七": "new"
    }  # fmt: skip
    assert found["李四"]["id_number"][-4:] == LI_SI[-4:]  # masked, but the corrected number
    assert LI_SI not in str(visits)

    tab.get_by_role("link", name="返回巡查计划").tap()
    expect(row.locator(".tick")).to_be_visible()
    tab.screenshot(path=screenshots / "patrol-plan-visited-phone.png")
