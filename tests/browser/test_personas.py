"""Every demo persona signs in through the real login page and sees its own part of the district.

What each persona must see is written out here as a spec (not derived from the navigation or
scoping code it checks); the district's facts (town order, village counts) come from
huying.demo.district. Village names are synthetic, so they are read once from the org pages
as `command`, who sees the whole district.
"""

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from huying.demo.district import COMMAND_CENTRE, COMMISSION, DEPARTMENTS, DISTRICT, TOWNS
from huying.orgs.choices import Role
from tests.browser.conftest import DESKTOP, login

pytestmark = pytest.mark.browser

TOWN_CODES = {name: f"440111{order:03d}" for order, (name, *_) in enumerate(TOWNS, start=1)}
VILLAGE_COUNT = {name: how_many for name, _, _, _, how_many, _ in TOWNS}
KEY_COUNT = {name: keys for name, _, _, _, _, keys in TOWNS}
DEPARTMENT_NAMES = {suffix: name for suffix, name, _ in DEPARTMENTS}
ALL_ORGS = 1 + 2 + len(DEPARTMENTS) + len(TOWNS) + sum(VILLAGE_COUNT.values())

HUB = ["数据目录", "实有人口", "数据差异"]  # the data hub: catalogue for all, registry by role
SENSING = ["水质看板", "企业风险", "告警列表", "视频研判"]  # boards scoped by role and place
SUPERVISION = ["考核计划", "填报任务", "统一填报", "提醒", "问题台账", "减负成效"]
NAV_BASE = ["首页", *HUB, "组织架构", "消息"]
NAV_INSPECTOR = ["首页", *HUB, "巡查计划", "巡查覆盖", "组织架构", "消息"]
NAV_COMMAND = [
    "首页",
    "指挥大屏",
    "督办问责",
    "统计分析",
    *HUB,
    "数据导入",
    "巡查覆盖",
    *SENSING,
    *SUPERVISION,
    "组织架构",
    "消息",
    "接口文档",
]
NAV_LEADER = [
    "首页",
    "指挥大屏",
    "督办问责",
    "统计分析",
    *HUB,
    "巡查覆盖",
    *SENSING,
    *SUPERVISION,
    "组织架构",
    "消息",
    "接口文档",
]
NAV_SUPERVISOR = [
    *["首页", "督办问责", "统计分析", *HUB, *SENSING, *SUPERVISION],
    *["组织架构", "消息", "审计日志", "接口文档"],
]
NAV_ADMIN = [*NAV_COMMAND[:-1], "审计日志", "接口文档", "后台管理"]
# A town's cadres: its boards and cameras, its one inbox of reporting tasks, its reminders.
NAV_TOWN = [
    *["首页", "呼叫工作台", "村社上报", "统计分析", *HUB, "巡查覆盖", *SENSING],
    *["统一填报", "提醒", "组织架构", "消息"],
]
NAV_KEY_VILLAGE = ["首页", "呼叫工作台", "统计分析", *HUB, "统一填报", "提醒", "组织架构", "消息"]
# Departments: their devices' boards (video review only for urban management, 城管局), their plan,
# the tasks they push down, the reminders they must answer; the head also sees cases against them.
WATCHING = ["水质看板", "企业风险", "告警列表"]
NAV_RESPONDER = [
    *["首页", "部门工作台", "数据目录", *WATCHING, "考核计划", "填报任务", "提醒"],
    *["组织架构", "消息"],
]
NAV_DEPARTMENT_HEAD = [
    *["首页", "部门工作台", "统计分析", "数据目录", *WATCHING, "考核计划", "填报任务"],
    *["提醒", "问题台账", "组织架构", "消息"],
]


@dataclass(frozen=True)
class Persona:
    username: str
    role: Role
    home: str  # "district" | "unit" | "department"
    org: str  # the org's name; "key-village" = the first key village of 人和镇
    title: str | None  # home title; None = the org's name
    nav: list[str]
    town: str | None = None  # unit personas: the town/street whose villages they see
    colleagues: int = 0  # department personas: how many people the department has


def district_wide(username: str, role: Role, org: str, title: str, nav: list[str]) -> Persona:
    return Persona(username, role, "district", org, title, nav)


def unit(username: str, role: Role, town: str, nav: list[str] = NAV_TOWN) -> Persona:
    return Persona(username, role, "unit", town, None, nav, town=town)


def department(username: str, role: Role, suffix: str, colleagues: int) -> Persona:
    nav = NAV_DEPARTMENT_HEAD if role == Role.DEPARTMENT_HEAD else NAV_RESPONDER
    if suffix == "cgj":  # urban management reviews the video events
        nav = [*nav[: nav.index("告警列表") + 1], "视频研判", *nav[nav.index("告警列表") + 1 :]]
    return Persona(
        username, role, "department", DEPARTMENT_NAMES[suffix], None, nav, None, colleagues
    )


PERSONAS = [
    district_wide("admin", Role.ADMIN, DISTRICT["name"], "系统管理", NAV_ADMIN),
    district_wide("command", Role.OPERATOR, COMMAND_CENTRE["name"], "指挥中心总览", NAV_COMMAND),
    district_wide("supervisor", Role.SUPERVISOR, COMMISSION["name"], "监督总览", NAV_SUPERVISOR),
    district_wide("leader", Role.LEADER, DISTRICT["name"], "全区总览", NAV_LEADER),
    unit("yuncheng", Role.CALLER, "云城街道"),
    unit("helong", Role.CALLER, "鹤龙街道"),
    unit("renhe", Role.CALLER, "人和镇"),
    Persona("renhe-village", Role.CALLER, "unit", "key-village", None, NAV_KEY_VILLAGE),
    department("chengguan", Role.RESPONDER, "cgj", colleagues=2),
    department("chengguan-head", Role.DEPARTMENT_HEAD, "cgj", colleagues=2),
    department("zhujian", Role.RESPONDER, "zjj", colleagues=1),
    department("guihua", Role.RESPONDER, "ghj", colleagues=1),
    department("shuiwu", Role.RESPONDER, "swj", colleagues=1),
    department("huanjing", Role.RESPONDER, "sthj", colleagues=1),
    department("yingji", Role.RESPONDER, "yjj", colleagues=1),
    unit("inspector", Role.INSPECTOR, "云城街道", NAV_INSPECTOR),
]


def label(role: Role) -> str:
    return str(role.label)  # a lazy translation; Playwright needs a plain str


@dataclass(frozen=True)
class Village:
    code: str
    name: str
    is_key: bool


@pytest.fixture(scope="session")
def villages(chromium, live_huying) -> dict[str, list[Village]]:
    """The villages of the towns the personas live in, read from the org pages as `command`."""
    context = chromium.new_context(base_url=live_huying, locale="zh-CN", viewport=DESKTOP)
    tab = context.new_page()
    login(tab, "command")
    found = {}
    for town in ("云城街道", "鹤龙街道", "人和镇"):
        tab.goto(f"/orgs/{TOWN_CODES[town]}/")
        expect(tab.locator("h1")).to_contain_text(town)  # towns are numbered in TOWNS order
        found[town] = [
            Village(
                code=chip.locator("a").get_attribute("href").strip("/").rsplit("/", 1)[-1],
                name=chip.locator("a").inner_text(),
                is_key=chip.locator(".tag.warn").count() == 1,
            )
            for chip in tab.locator("ul.chips > li").all()
        ]
        assert len(found[town]) == VILLAGE_COUNT[town], town
    context.close()
    return found


def nav_labels(tab: Page) -> list[str]:
    """The entries' labels, without the unread badge (other tests may have sent messages)."""
    return [
        a.evaluate(
            "a => [...a.childNodes].filter(n => n.nodeType === Node.TEXT_NODE)"
            ".map(n => n.textContent).join('').trim()"
        )
        for a in tab.locator("nav.nav a").all()
    ]


def status_of(tab: Page, path: str) -> int:
    response = tab.goto(path)
    assert response is not None
    return response.status


def expect_not_found(tab: Page, path: str) -> None:
    assert status_of(tab, path) == 404, path
    expect(tab.get_by_test_id("not-found")).to_be_visible()
    expect(tab.get_by_test_id("not-found")).to_contain_text("不在您的可见范围内")


def expect_found(tab: Page, path: str, text: str) -> None:
    assert status_of(tab, path) == 200, path
    expect(tab.get_by_test_id("not-found")).to_have_count(0)
    expect(tab.locator("main h1")).to_contain_text(text)


@pytest.mark.parametrize("persona", PERSONAS, ids=lambda p: p.username)
def test_persona_sees_its_own_part_of_the_district(tab, persona, villages, screenshots):
    renhe_key = next(v for v in villages["人和镇"] if v.is_key)
    org_name = renhe_key.name if persona.org == "key-village" else persona.org
    foreign = {  # a village outside this persona's view
        "云城街道": villages["鹤龙街道"][0],
        "鹤龙街道": villages["云城街道"][0],
        "人和镇": villages["云城街道"][0],
    }

    login(tab, persona.username)
    expect(tab).to_have_url(re.compile(r"^http://127\.0\.0\.1:\d+/$"))
    expect(tab.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(tab.get_by_test_id("whoami")).to_have_text(
        re.compile(rf"^\S.* · {re.escape(label(persona.role))} · {re.escape(org_name)}$")
    )
    expect(tab.get_by_test_id("home-title")).to_have_text(persona.title or org_name)
    assert nav_labels(tab) == persona.nav
    expect(tab.locator("nav.nav a.active")).to_have_text("首页")

    if persona.home == "district":
        departments = tab.get_by_test_id("department-list").locator("li")
        expect(departments).to_have_count(len(DEPARTMENTS))
        expect(departments.first).to_have_text(DEPARTMENTS[0][1])
        # ECharts drew both charts as SVG: one bar per town and series, town names on the axis.
        bars = tab.locator("#chart-villages svg")
        expect(bars).to_have_count(1)
        expect(bars.locator("text", has_text="云城街道")).to_have_count(1)
        assert bars.locator("path").count() >= 2 * len(TOWNS)
        expect(tab.locator("#chart-map svg text", has_text="钟落潭镇")).to_have_count(1)
        expect(tab.get_by_test_id("village-list")).to_have_count(0)
        expect(tab.get_by_test_id("security-events")).to_have_count(
            1 if persona.role in (Role.SUPERVISOR, Role.ADMIN) else 0
        )
    else:
        expect(tab.get_by_test_id("department-list")).to_have_count(0)
        expect(tab.locator("#chart-villages")).to_have_count(0)
        expect(tab.get_by_test_id("security-events")).to_have_count(0)

    if persona.home == "unit":
        own = [renhe_key] if persona.org == "key-village" else villages[persona.town]
        chips = tab.get_by_test_id("village-list").locator("li")
        if persona.org == "key-village":
            # A village has nothing below it: its name is the title, no list of villages.
            expect(chips).to_have_count(0)
            expect(tab.get_by_text("本单位没有下级村社。")).to_have_count(1)
        else:
            assert [c.locator("a").inner_text() for c in chips.all()] == [v.name for v in own]
            expect(chips.locator(".tag.warn")).to_have_count(sum(v.is_key for v in own))
        if persona.town:
            assert sum(v.is_key for v in own) == KEY_COUNT[persona.town]
        body = tab.locator("body").inner_text()
        others = [v for town, vs in villages.items() if town != persona.town for v in vs]
        leaked = [v.name for v in others if v.name in body and v not in own]
        assert not leaked, f"{persona.username} sees villages outside its view: {leaked}"

    if persona.home == "department":
        colleagues = tab.get_by_test_id("colleagues").locator("li")
        expect(colleagues).to_have_count(persona.colleagues)
        me = tab.get_by_test_id("whoami").inner_text().split(" · ")[0]
        expect(colleagues.filter(has_text=me)).to_have_count(1)
        if persona.colleagues == 2:  # 城管局: the responder and the head
            expect(colleagues.filter(has_text=label(Role.RESPONDER))).to_have_count(1)
            expect(colleagues.filter(has_text=label(Role.DEPARTMENT_HEAD))).to_have_count(1)
        expect(tab.get_by_test_id("village-list")).to_have_count(0)

    tab.screenshot(path=screenshots / f"{persona.username}.png", full_page=True)

    # The org list holds exactly this persona's view.
    tab.goto("/orgs/")
    if persona.home == "district":
        expected_count = ALL_ORGS
    elif persona.town:
        expected_count = 1 + VILLAGE_COUNT[persona.town]
    else:  # a department, or a village
        expected_count = 1
    expect(tab.get_by_test_id("org-count")).to_have_text(f"共 {expected_count} 个单位")
    if expected_count == 1:
        rows = tab.locator("#org-rows tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first.locator("td").first).to_contain_text(org_name)

    # Out of view is 404 (never 403), and says so in Chinese.
    if persona.home == "district":
        other = villages["鹤龙街道"][0]
        expect_found(tab, f"/orgs/{other.code}/", other.name)
    elif persona.home == "unit" and persona.town:
        mine, theirs = villages[persona.town][0], foreign[persona.town]
        expect_found(tab, f"/orgs/{mine.code}/", mine.name)
        expect_not_found(tab, f"/orgs/{theirs.code}/")
        expect(tab.locator("body")).not_to_contain_text(theirs.name)
    elif persona.home == "unit":  # the key-village cadre: not even its own town
        expect_found(tab, f"/orgs/{renhe_key.code}/", renhe_key.name)
        expect_not_found(tab, f"/orgs/{TOWN_CODES['人和镇']}/")
        sibling = next(v for v in villages["人和镇"] if v != renhe_key)
        expect_not_found(tab, f"/orgs/{sibling.code}/")
    else:
        expect_not_found(tab, f"/orgs/{TOWN_CODES['云城街道']}/")
        other_dept = "440111-zjj" if persona.org != DEPARTMENT_NAMES["zjj"] else "440111-cgj"
        expect_not_found(tab, f"/orgs/{other_dept}/")

    if persona.role in (Role.SUPERVISOR, Role.ADMIN):
        expect_found(tab, "/audit/", "审计日志")
    else:
        expect_not_found(tab, "/audit/")
    if persona.role == Role.ADMIN:
        assert status_of(tab, "/admin/") == 200
        expect(tab.locator("body")).to_contain_text("组织、用户与基础数据")
    else:
        expect_not_found(tab, "/admin/")
