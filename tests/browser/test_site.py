"""The site around the personas: signing in and out, the language switch, phones, no internet."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, login

pytestmark = pytest.mark.browser

HOME = re.compile(r"^http://127\.0\.0\.1:\d+/$")
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def test_wrong_password_is_refused_in_chinese(tab):
    for username in ("leader", "no-such-user"):  # same answer: usernames are not revealed
        login(tab, username, "not-the-password")
        expect(tab).to_have_url(re.compile(r"/login/$"))
        expect(tab.get_by_test_id("login-error")).to_have_text("用户名或密码错误")
        expect(tab.get_by_test_id("whoami")).to_have_count(0)
        expect(tab.get_by_label("用户名")).to_have_value(username)
        expect(tab.get_by_label("密码")).to_have_value("")  # never echoed back
    login(tab, "leader")  # one failure does not lock the account
    expect(tab).to_have_url(HOME)
    expect(tab.get_by_test_id("home-title")).to_have_text("全区总览")


def test_a_page_asks_for_login_and_returns_to_it(tab):
    tab.goto("/orgs/")
    expect(tab).to_have_url(re.compile(r"/login/\?next=/orgs/$"))
    tab.get_by_label("用户名").fill("yuncheng")
    tab.get_by_label("密码").fill("huying-demo")
    tab.get_by_role("button", name="登录").click()
    expect(tab).to_have_url(re.compile(r"/orgs/$"))
    expect(tab.locator("main h1")).to_have_text("组织架构")


def test_logout(tab):
    login(tab, "chengguan")
    expect(tab.get_by_test_id("whoami")).to_be_visible()
    tab.get_by_role("button", name="退出").click()
    expect(tab).to_have_url(re.compile(r"/login/$"))
    expect(tab.locator(".messages")).to_contain_text("您已安全退出")
    expect(tab.get_by_test_id("whoami")).to_have_count(0)
    tab.goto("/")  # the session is really gone
    expect(tab).to_have_url(re.compile(r"/login/\?next=/$"))


def test_switch_to_english_and_back(tab):
    login(tab, "leader")
    html = tab.locator("html")
    expect(html).to_have_attribute("lang", "zh-CN")
    legend = tab.locator("#chart-villages svg text")
    expect(legend.filter(has_text=re.compile(r"^村社$"))).to_have_count(1)

    tab.get_by_role("button", name="English").click()
    expect(html).to_have_attribute("lang", "en")
    expect(tab).to_have_url(HOME)  # stays on the page it was on
    expect(tab.get_by_role("button", name="中文")).to_be_visible()
    expect(tab.get_by_role("button", name="English")).to_have_count(0)
    expect(legend.filter(has_text=re.compile(r"^Villages$"))).to_have_count(1)
    # The page itself is in English: the navigation and the title carry no Chinese.
    expect(tab.locator("nav.nav a").first).to_have_text("Home")
    expect(tab.get_by_test_id("home-title")).not_to_have_text(CHINESE)
    expect(tab.locator("nav.nav")).not_to_contain_text(CHINESE)
    tab.goto("/orgs/")  # the choice sticks across pages
    expect(html).to_have_attribute("lang", "en")

    tab.get_by_role("button", name="中文").click()
    expect(html).to_have_attribute("lang", "zh-CN")
    expect(tab).to_have_url(re.compile(r"/orgs/$"))
    expect(tab.get_by_role("button", name="English")).to_be_visible()
    expect(tab.locator("nav.nav")).to_contain_text("组织架构")
    expect(tab.locator("main h1")).to_have_text("组织架构")


def test_phone_menu(new_tab, screenshots):
    tab = new_tab(viewport=PHONE, is_mobile=True, has_touch=True)
    login(tab, "yuncheng")
    expect(tab.get_by_test_id("home-title")).to_have_text("云城街道")
    toggle = tab.locator("label.nav-toggle-label")
    nav = tab.locator("nav.nav")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_text("☰")
    expect(nav).to_be_hidden()
    expect(tab.get_by_test_id("whoami")).to_be_hidden()
    # Nothing is wider than the phone: no sideways scrolling.
    assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    toggle.tap()
    expect(nav).to_be_visible()
    expect(nav.get_by_role("link", name="组织架构")).to_be_visible()
    expect(tab.get_by_test_id("whoami")).to_be_visible()
    expect(tab.get_by_role("button", name="退出")).to_be_visible()
    tab.screenshot(path=screenshots / "yuncheng-phone.png", full_page=True)

    nav.get_by_role("link", name="组织架构").tap()
    expect(tab).to_have_url(re.compile(r"/orgs/$"))
    expect(tab.get_by_test_id("org-count")).to_have_text("共 12 个单位")


def test_every_request_stays_on_127_0_0_1(tab, requests_seen):
    """Pages with the most assets (charts, htmx, the API docs) ask nothing of the internet."""
    login(tab, "admin")
    expect(tab.locator("#chart-villages svg")).to_have_count(1)
    tab.goto("/orgs/")
    tab.get_by_label("按名称查找").fill("云城")  # htmx fetches the filtered rows
    expect(tab.get_by_test_id("org-count")).to_have_text("共 1 个单位")
    tab.goto("/api/docs")
    expect(tab.locator(".swagger-ui").first).to_be_visible()

    paths = [urlsplit(u).path for u in requests_seen.urls]
    for asset in ("/app.css", "/htmx.min.js", "/echarts.min.js", "/district-charts.js"):
        assert any(p.endswith(asset) for p in paths), f"{asset} was not requested"
    assert any("q=" in u for u in requests_seen.urls), "the htmx search did not run"
    hosts = {urlsplit(u).hostname for u in requests_seen.urls if u.startswith("http")}
    assert hosts == {"127.0.0.1"}, hosts
