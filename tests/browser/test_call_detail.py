"""The call page in a real browser: the department signs and reports with a photo from a phone,
the town's open page picks it up by itself (the htmx poll), and the town rates with the stars."""

import re
import struct
import zlib

import pytest
from playwright.sync_api import expect

from huying.demo.services import DEMO_PASSWORD
from tests.browser.conftest import PHONE, login

pytestmark = pytest.mark.browser


def png(width=64, height=48, rgb=(40, 90, 160)) -> bytes:
    """A real (decodable) PNG, so the thumbnail test proves the browser can draw it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def api_call(tab) -> int:
    """云城街 calls on 背街小巷整治 (城管局 leads) through the API, as an integrator would."""
    token = tab.request.post(
        "/api/v1/auth/token", data={"username": "yuncheng", "password": DEMO_PASSWORD}
    ).json()["token"]
    created = tab.request.post(
        "/api/v1/calls",
        data={"title": "云城西路夜市占道", "description": "每晚摊点占用人行道", "matter": "ZD-022"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert created.status == 201, created.text()
    return created.json()["id"]


def test_a_department_works_a_call_and_the_town_sees_it_and_rates(new_tab, screenshots):
    town = new_tab()
    pk = api_call(town)
    login(town, "yuncheng")
    town.clock.install()  # so the 20 s poll can be run without waiting 20 s
    town.goto(f"/calls/{pk}/")
    expect(town.locator("[data-testid=event]")).to_have_count(1)
    expect(town.get_by_test_id("running-clock")).to_contain_text("剩余")

    phone = new_tab(viewport=PHONE)
    login(phone, "chengguan")
    phone.goto(f"/calls/{pk}/")
    phone.get_by_test_id("action-respond").locator("summary").click()
    phone.get_by_test_id("submit-respond").click()
    expect(phone.locator(".messages")).to_contain_text("已签收")
    progress = phone.get_by_test_id("action-progress")
    progress.locator("summary").click()
    progress.get_by_label("进展情况").fill("已约谈店主，明晚复查")
    progress.get_by_label("照片或文件").set_input_files(
        [{"name": "现场.png", "mimeType": "image/png", "buffer": png()}]
    )
    progress.get_by_role("button", name="反馈进展").click()
    expect(phone.locator(".messages")).to_contain_text("已反馈进展")
    thumbnail = phone.locator("[data-kind=progress] img")
    expect(thumbnail).to_have_attribute("alt", "现场.png")
    assert thumbnail.evaluate("img => img.decode().then(() => img.naturalWidth)") == 64
    phone.screenshot(path=screenshots / "call-detail-department-phone.png", full_page=True)

    town.clock.fast_forward(21_000)  # the poll swaps in the new timeline, no reload
    expect(town.locator("[data-testid=event]")).to_have_count(3)
    expect(town.get_by_test_id("state-changed")).to_contain_text("办理中")
    town.screenshot(path=screenshots / "call-detail-town-desktop.png", full_page=True)

    phone.get_by_test_id("action-resolve").locator("summary").click()
    phone.get_by_label("办理结果").fill("摊点已全部清理")
    phone.get_by_test_id("submit-resolve").click()
    expect(phone.locator(".messages")).to_contain_text("已报办结")

    rater = new_tab(viewport=PHONE)
    login(rater, "yuncheng")
    rater.goto(f"/calls/{pk}/")
    confirm = rater.get_by_test_id("action-confirm")
    confirm.locator("summary").click()
    for field, stars in (("satisfaction", 5), ("timeliness", 4), ("attitude", 5)):
        confirm.locator(f"[data-field={field}] label.choice").nth(stars - 1).click()
    confirm.get_by_role("button", name="确认办结并评价").click()
    expect(rater.locator(".messages")).to_contain_text("已确认办结")
    expect(rater.get_by_test_id("rating")).to_contain_text("★★★★☆")
    expect(rater.locator("[data-status]").first).to_have_attribute("data-status", "closed")
    expect(rater).to_have_url(re.compile(rf"/calls/{pk}/$"))
