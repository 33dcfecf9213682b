"""Warnings (提醒): raised by the commission or the checks, answered by the unit within working
days, closed by the commission; illegal steps are 409s naming the state; API round trip."""

from datetime import date

import pytest

from huying.core import clock
from huying.core.errors import Conflict, Forbidden
from huying.notify.models import Notification
from huying.orgs.models import Org
from huying.supervision import reminders
from huying.supervision.choices import WarningOrigin, WarningStatus
from tests.supervision import test_tasks_scene as scene

pytestmark = pytest.mark.django_db
BASE = "/api/v1/supervision/reminders"


@pytest.fixture(autouse=True)
def _now():
    with clock.frozen_at(scene.NOW):
        yield


def _cgj() -> Org:
    return Org.objects.get(code="440111-cgj")


def test_answer_is_due_after_working_days_skipping_the_weekend(settings, persona):
    settings.SUPERVISION_ANSWER_WORKING_DAYS = 5
    warning = reminders.raise_reminder(persona("supervisor"), _cgj(), "报表过多")
    assert warning.answer_due == date(2026, 3, 11)  # Wed 4 March + 5 working days
    assert warning.origin == WarningOrigin.MANUAL
    assert Notification.objects.filter(recipient=persona("chengguan"), title__contains="提醒")


def test_lifecycle_open_answered_closed_with_409s_naming_the_state(persona):
    warning = reminders.raise_reminder(None, _cgj(), "频次过高", flag_kind="frequency")
    with pytest.raises(Conflict) as err:
        reminders.close(persona("supervisor"), warning, "")
    assert "待答复" in err.value.message
    reminders.answer(persona("chengguan"), warning, "已改为每月")
    with pytest.raises(Conflict) as err:
        reminders.answer(persona("chengguan-head"), warning, "再答一次")
    assert "已答复" in err.value.message
    reminders.close(persona("supervisor"), warning, "属实")
    warning.refresh_from_db()
    assert (warning.status, warning.answer, warning.close_note) == (
        WarningStatus.CLOSED, "已改为每月", "属实")  # fmt: skip


def test_only_the_unit_answers_and_only_the_commission_raises_and_closes(persona):
    with pytest.raises(Forbidden):
        reminders.raise_reminder(persona("chengguan"), _cgj(), "自己提醒自己")
    warning = reminders.raise_reminder(None, _cgj(), "报表过多")
    with pytest.raises(Forbidden):
        reminders.answer(persona("zhujian"), warning, "不是我")
    reminders.answer(persona("chengguan"), warning, "已精简")
    with pytest.raises(Forbidden):
        reminders.close(persona("chengguan"), warning, "")


def test_api_round_trip_and_scoping(api):
    cgj = _cgj()
    made = api("supervisor").post(
        BASE, {"unit": cgj.pk, "text": "本月报表过多", "flag_kind": "town_cap"},
        content_type="application/json",
    )  # fmt: skip
    assert made.status_code == 201, made.json()
    rid = made.json()["id"]
    assert made.json()["status"] == "open" and made.json()["raised_by"]
    assert api("zhujian").get(f"{BASE}/{rid}").status_code == 404
    assert api("yuncheng").get(f"{BASE}/{rid}").status_code == 404
    assert api("zhujian").get(BASE).json()["count"] == 0
    assert [r["id"] for r in api("chengguan").get(BASE).json()["items"]] == [rid]
    forbidden = api("chengguan").post(BASE, {"unit": cgj.pk, "text": "x"},
                                      content_type="application/json")  # fmt: skip
    assert forbidden.status_code == 403
    answered = api("chengguan").post(f"{BASE}/{rid}/answer", {"text": "已合并两张报表"},
                                     content_type="application/json")  # fmt: skip
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    again = api("chengguan").post(f"{BASE}/{rid}/answer", {"text": "再答"},
                                  content_type="application/json")  # fmt: skip
    assert again.status_code == 409 and "已答复" in again.json()["detail"]
    closed = api("supervisor").post(f"{BASE}/{rid}/close", {"note": "答复属实"},
                                    content_type="application/json")  # fmt: skip
    assert closed.json()["status"] == "closed"
    listed = api("leader").get(BASE, {"status": "closed"}).json()
    assert [r["id"] for r in listed["items"]] == [rid]
