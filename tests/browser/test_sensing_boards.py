"""The sensing boards in a real browser: the water board's chart drawn from the vendored
ECharts with today's class on a section card; an alarm acknowledged from the alarm list without
a reload. Rows the demo registry lacks (today's classes, an open alarm) are written in the live
server's own database, as the ingest and the rules engine would write them."""

import json
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, login
from tests.live import LIVE_ENV

pytestmark = pytest.mark.browser

SEED = """
import django, json
django.setup()
from django.db import transaction
from django.utils import timezone
from huying.core import clock
from huying.sensing import alarms
from huying.sensing.models import Device, Rule, Station, StationDay
now = clock.now()
section = Station.objects.filter(kind="section").order_by("code").first()
StationDay.objects.update_or_create(station=section, day=timezone.localdate(now), defaults=dict(
    water_class=5, deciding_parameter="w21003", means={"w21003": 1.9}, samples=24,
    exceeds_target=True, computed_at=now))
rule = Rule.objects.filter(kind="gas_level").order_by("pk").first()
device = Device.objects.filter(kind=rule.device_kind).order_by("code").first()
with transaction.atomic():
    alarms.raise_many([alarms.Finding(rule.pk, device.pk, 1, rule.parameter, 47.0)], now)
print(json.dumps({"section": section.name}))
"""


@pytest.fixture(scope="module")
def seeded(live_huying):
    done = subprocess.run([sys.executable, "-c", SEED], env=LIVE_ENV, check=True,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_water_board_draws_the_map_and_a_section_card(new_tab, seeded, screenshots):
    tab = new_tab(viewport=DESKTOP)
    login(tab, "command")
    tab.get_by_role("link", name="水质看板").click()
    expect(tab.locator("h1")).to_contain_text("水质看板")
    card = tab.locator('[data-testid="sections"] article', has_text=seeded["section"])
    expect(card.locator('[data-testid="section-class"]')).to_have_text("V")
    expect(tab.locator("#chart-water-map canvas")).to_be_visible()
    expect(tab.locator("#chart-water-trend canvas")).to_be_visible()
    tab.screenshot(path=screenshots / "sensing-water-desktop.png", full_page=True)


def test_operator_acknowledges_an_alarm_in_place(new_tab, seeded, screenshots):
    tab = new_tab(viewport=DESKTOP)
    login(tab, "command")
    tab.goto("/sensing/alarms/")
    row = tab.locator('tbody.alarm[data-status="active"]').first
    alarm_id = row.get_attribute("data-alarm")
    row.locator("[data-alarm-toggle]").click()
    expect(row.locator('[data-testid="alarm-events"]')).to_contain_text("产生告警")
    row.locator('input[name="note"]').fill("已电话通知企业")
    row.locator('[data-testid="acknowledge"]').click()
    done = tab.locator(f'#alarm-{alarm_id}[data-status="acknowledged"]')
    expect(done.locator('[data-testid="alarm-events"]')).to_contain_text("已电话通知企业")
    tab.screenshot(path=screenshots / "sensing-alarms-desktop.png", full_page=True)


def test_enterprise_board_on_a_phone(new_tab, seeded, screenshots):
    tab = new_tab(viewport=PHONE)
    login(tab, "yingji")
    tab.goto("/sensing/enterprises/")
    expect(tab.locator('[data-testid="risk-counts"] .stat')).to_have_count(4)
    expect(tab.locator("#chart-enterprise-map canvas")).to_be_visible()
    tab.screenshot(path=screenshots / "sensing-enterprises-phone.png", full_page=True)
