"""The warning pages: the commission's list (overdue answers highlighted), one raised by hand,
closed after the answer; a unit's own warnings with the answer box; outsiders get 404."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from huying.core import clock
from huying.supervision import reminders
from huying.supervision.choices import WarningStatus
from huying.supervision.models import Reminder

pytestmark = pytest.mark.django_db
LIST = "/supervision/reminders/"
MARCH = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def overdue(persona, org):
    with clock.frozen_at(MARCH):  # due within 5 working days of March: long past now
        return reminders.raise_reminder(persona("supervisor"), org("440111-cgj"), "报表过多")


def test_the_commission_sees_every_warning_with_overdue_answers_highlighted(
    overdue, browser_client, persona, org
):
    reminders.raise_reminder(None, org("440111-zjj"), "频次过高", flag_kind="frequency")
    page = browser_client("supervisor").get(LIST)
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("data-reminder=") == 2
    assert html.count('data-testid="answer-overdue"') == 1
    assert 'data-testid="reminder-new"' in html
    only_open = browser_client("supervisor").get(LIST, {"status": "answered"}).content.decode()
    assert "data-reminder=" not in only_open


def test_the_commission_raises_one_by_hand(browser_client, org):
    client = browser_client("supervisor")
    response = client.post(
        f"{LIST}new/", {"unit": org("440111-cgj").pk, "text": "台账过多", "flag_kind": ""}
    )
    found = Reminder.objects.get(text="台账过多")
    assert response.status_code == 302 and response.url == f"{LIST}{found.pk}/"
    empty = client.post(f"{LIST}new/", {"unit": org("440111-cgj").pk, "text": ""})
    assert empty.status_code == 422
    assert browser_client("chengguan").post(f"{LIST}new/", {"text": "x"}).status_code == 404


def test_the_unit_answers_in_its_box_and_the_commission_closes(overdue, browser_client):
    unit = browser_client("chengguan")
    own = unit.get(LIST).content.decode()
    assert f'data-reminder="{overdue.pk}"' in own
    detail = unit.get(f"{LIST}{overdue.pk}/").content.decode()
    assert 'data-testid="answer-box"' in detail
    assert unit.post(f"{LIST}{overdue.pk}/answer/", {"text": ""}).status_code == 422
    assert unit.post(f"{LIST}{overdue.pk}/answer/", {"text": "已精简"}).status_code == 302
    commission = browser_client("supervisor")
    page = commission.get(f"{LIST}{overdue.pk}/").content.decode()
    assert "已精简" in page and 'data-testid="close-box"' in page
    assert commission.post(f"{LIST}{overdue.pk}/close/", {"note": "属实"}).status_code == 302
    overdue.refresh_from_db()
    assert overdue.status == WarningStatus.CLOSED


@pytest.mark.parametrize("username", ["zhujian", "yuncheng"])
def test_another_unit_gets_404(overdue, browser_client, username):
    client = browser_client(username)
    assert f'data-reminder="{overdue.pk}"' not in client.get(LIST).content.decode()
    assert client.get(f"{LIST}{overdue.pk}/").status_code == 404
    assert client.post(f"{LIST}{overdue.pk}/answer/", {"text": "x"}).status_code == 404
