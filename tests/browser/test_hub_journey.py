"""The data hub's journey in a real browser against a real server and worker: the command
centre uploads a small departmental extract on the page → the worker loads it and links the
person records (a load that changes something is linked next, with no button to press) →
a resident found by name → the profile with the ID number masked → the ID revealed with a
reason → that look in the resident's access log; a discrepancy the refresh listed, confirmed,
its trail in Chinese. No full ID number ever in a URL."""

import csv
import re
from collections import Counter
from datetime import date

import pytest
from playwright.sync_api import expect
from stdnum.cn import ric

from huying.core.masking import mask_id_number
from huying.datahub.synthetic import ExtractSpec, write_extract
from tests.browser.conftest import login

pytestmark = pytest.mark.browser

SOURCES = ("dwellings", "door_access_cards", "door_access_events", "public_security_persons",
           "migrant_registrations")  # fmt: skip
REASON = "上门核查登记信息"


def write_small_extract(tab, folder):
    """150 residents of two of 云城街道's villages, by the names the server's org tree has
    (read through the API with the page's session: the test's own database is not the
    server's)."""
    towns = tab.request.get("/api/v1/orgs", params={"q": "云城街道"}).json()["items"]
    town = next(t for t in towns if t["name"] == "云城街道")
    children = tab.request.get("/api/v1/orgs", params={"parent": town["code"]}).json()["items"]
    villages = [o["name"] for o in children if o["kind"] in ("village", "community")][:2]
    spec = ExtractSpec(residents=150, towns=[(town["name"], villages)], seed=7,
                       as_of=date(2026, 11, 20))  # fmt: skip
    write_extract(folder, spec)
    return folder


def someone(folder) -> tuple[str, str]:
    """A public-security record's (name, ID number): a name no other record carries, and a
    number that is sound, so the resident linkage makes of it keeps both."""
    rows = []
    for source in ("public_security_persons", "migrant_registrations"):
        with (folder / f"{source}.csv").open(encoding="utf-8") as fh:
            rows += [(source, r) for r in csv.DictReader(fh)]
    names = Counter(r["name"] for _s, r in rows)
    return next(
        (r["name"], r["id_number"])
        for source, r in rows
        if source == "public_security_persons"
        and names[r["name"]] == 1
        and len(r["id_number"]) == 18
        and ric.is_valid(r["id_number"])
    )


def test_upload_link_find_reveal_and_see_the_access_log(new_tab, tmp_path, requests_seen,
                                                        screenshots):  # fmt: skip
    tab = new_tab()
    login(tab, "command")
    extract = write_small_extract(tab, tmp_path / "extract")
    name, id_number = someone(extract)

    # Upload the five files through the page; the load page follows the worker's progress.
    tab.goto("/datahub/loads/")
    tab.get_by_label("说明").fill("浏览器测试：云城街道")
    for source in SOURCES:
        tab.locator(f'input[name="{source}"]').set_input_files(extract / f"{source}.csv")
    tab.get_by_test_id("upload-submit").click()
    expect(tab).to_have_url(re.compile(r"/datahub/loads/\d+/$"))
    expect(tab.get_by_test_id("load-status")).to_have_text("已导入", timeout=30_000)
    tab.screenshot(path=screenshots / "hub-load.png", full_page=True)

    # The worker links what the load changed; search until the resident is there.
    tab.goto("/datahub/residents/")
    search = tab.get_by_test_id("resident-search")
    row = tab.get_by_test_id("resident-row").filter(has_text=name)
    for _attempt in range(30):
        search.get_by_role("searchbox").fill(name)
        search.get_by_role("button", name="查找").click()
        expect(tab.get_by_test_id("search-key")).to_contain_text("按姓名查询")
        if row.count():
            break
        tab.wait_for_timeout(1000)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(mask_id_number(id_number))
    assert tab.url.endswith("/datahub/residents/")  # the query stayed in the request body
    tab.screenshot(path=screenshots / "hub-search.png", full_page=True)

    # The profile: masked; revealed with a reason; the look logged on the page.
    row.get_by_role("link", name=name).click()
    expect(tab).to_have_url(re.compile(r"/datahub/residents/\d+/$"))
    expect(tab.get_by_test_id("field-id_number")).to_contain_text(mask_id_number(id_number))
    assert id_number not in tab.content()
    form = tab.get_by_test_id("reveal-form")
    form.get_by_label("查看完整").select_option("id_number")
    form.get_by_label("理由").fill(REASON)
    form.get_by_test_id("reveal-submit").click()
    expect(tab.get_by_test_id("revealed")).to_have_text(id_number)
    logged = tab.get_by_test_id("access-row").filter(has_text=REASON)
    expect(logged).to_have_count(1)
    expect(logged).to_contain_text("完整信息")
    expect(logged).to_contain_text("身份证号")
    tab.screenshot(path=screenshots / "hub-revealed.png", full_page=True)
    assert not [u for u in requests_seen.urls if id_number in u.upper()]

    # The refresh after linkage listed discrepancies: one confirmed, its trail in Chinese.
    tab.goto("/datahub/discrepancies/")
    tab.get_by_test_id("discrepancy-row").first.get_by_role("link").click()
    tab.get_by_test_id("discrepancy-actions").get_by_label("说明").first.fill("上门核实属实")
    tab.get_by_test_id("action-confirm").click()
    expect(tab.get_by_test_id("event").last).to_contain_text("待核实 → 已确认")
    expect(tab.get_by_test_id("discrepancy-events")).not_to_contain_text("confirmed")
    tab.screenshot(path=screenshots / "hub-discrepancy.png", full_page=True)
