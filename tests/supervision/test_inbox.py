"""A unit's inbox: who sees which tasks, periods and due dates, states, the month calendar."""

from datetime import date

import pytest

from huying.core import clock
from huying.supervision import filling, inbox
from huying.supervision.choices import Frequency, TaskStatus
from tests.supervision import filling_scene as scene

TODAY = scene.NOW.date()  # Wednesday 2026-11-25
FILLED = {"填报人": "王", "填报人电话": "13800138000", "负责人身份证号": "11010519491231002X",
          "统计日期": "2026-11-12"}  # fmt: skip


@pytest.fixture
def tasks(persona):
    village = persona("renhe-village").org
    renhe, yuncheng = village.parent, persona("yuncheng").org
    with clock.frozen_at(scene.NOW):
        return {
            "village": scene.task("T-V", [village]),
            "renhe": scene.task(
                "T-R", [renhe], frequency=Frequency.WEEKLY, due_day=5, starts_on=date(2026, 11, 1)
            ),
            "yuncheng": scene.task("T-Y", [yuncheng]),
            "draft": scene.task("T-D", [renhe, village, yuncheng], status=TaskStatus.CHECKED),
        }


def _codes(org, first=date(2026, 11, 1), last=date(2026, 11, 30)) -> set[str]:
    return {e.task.code for e in inbox.entries(org, first, last, TODAY)}


def test_a_town_sees_its_own_and_its_villages_never_unregistered(tasks, persona):
    assert _codes(persona("renhe").org) == {"T-V", "T-R"}
    assert _codes(persona("yuncheng").org) == {"T-Y"}
    assert _codes(persona("renhe-village").org) == {"T-V"}
    assert _codes(persona("yuncheng-community").org) == set()


def test_monthly_and_weekly_due_dates():
    monthly = scene.ReportingTask(
        frequency=Frequency.MONTHLY, due_day=31, starts_on=date(2026, 1, 1)
    )
    dues = [due for _, due in inbox.periods_between(monthly, date(2026, 1, 1), date(2026, 4, 30))]
    assert dues == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)]
    weekly = scene.ReportingTask(frequency=Frequency.WEEKLY, due_day=5, starts_on=date(2026, 11, 4))
    found = list(inbox.periods_between(weekly, date(2026, 11, 1), date(2026, 11, 30)))
    # the week of the start (Monday 2 November) counts; each due on its Friday
    assert found == [(date(2026, 11, d), date(2026, 11, d + 4)) for d in (2, 9, 16, 23)]
    quarterly = scene.ReportingTask(
        frequency=Frequency.QUARTERLY, due_day=5, starts_on=date(2026, 1, 1)
    )
    assert [d for _, d in inbox.periods_between(quarterly, date(2026, 1, 1), date(2026, 12, 31))] \
        == [date(2026, 3, 5), date(2026, 6, 5), date(2026, 9, 5), date(2026, 12, 5)]  # fmt: skip
    once = scene.ReportingTask(
        frequency=Frequency.ONCE, due_date=date(2026, 12, 1), starts_on=date(2026, 11, 1)
    )
    assert list(inbox.periods_between(once, date(2026, 11, 1), date(2026, 12, 31))) == [
        (date(2026, 11, 1), date(2026, 12, 1))
    ]  # fmt: skip


def test_states_overdue_pending_and_submitted(tasks, persona):
    cadre = persona("renhe")
    weekly = tasks["renhe"]
    with clock.frozen_at(scene.NOW):
        sent = filling.start_submission(cadre, weekly, date(2026, 11, 9))
        filling.submit(cadre, sent, FILLED)
    november = inbox.entries(cadre.org, date(2026, 11, 1), date(2026, 11, 30), TODAY)
    states = {e.due: e.state for e in november if e.task == weekly}
    assert states == {
        date(2026, 11, 6): inbox.OVERDUE,
        date(2026, 11, 13): inbox.SUBMITTED,
        date(2026, 11, 20): inbox.OVERDUE,
        date(2026, 11, 27): inbox.PENDING,
    }
    week = inbox.due_this_week(cadre.org, TODAY)
    assert [e.due for e in week if e.task == weekly] == [
        date(2026, 11, 6), date(2026, 11, 20), date(2026, 11, 27)
    ]  # fmt: skip


def test_month_calendar_places_each_due_date(tasks, persona):
    grid = inbox.month_grid(persona("renhe").org, 2026, 11, TODAY)
    assert grid[0][0].day == date(2026, 10, 26) and not grid[0][0].in_month
    days = {d.day: [e.task.code for e in d.entries] for week in grid for d in week}
    assert days[date(2026, 11, 10)] == ["T-V"]
    assert days[date(2026, 11, 27)] == ["T-R"]
    assert days[date(2026, 11, 11)] == []
    assert next(d for week in grid for d in week if d.is_today).day == TODAY
    assert inbox.shift_month(2026, 12, 1) == (2027, 1)
    assert inbox.shift_month(2026, 1, -1) == (2025, 12)


def test_inbox_api_scoping(tasks, api):
    with clock.frozen_at(scene.NOW):
        mine = api("yuncheng").get("/api/v1/supervision/submissions/inbox")
        assert mine.status_code == 200
        assert {e["task_code"] for e in mine.json()} <= {"T-Y"}
        other = api("yuncheng").get("/api/v1/supervision/submissions/inbox?org=440111001")
        renhe = api("renhe").get("/api/v1/supervision/submissions/inbox")
        assert "T-R" in {e["task_code"] for e in renhe.json()}
        assert api("supervisor").get(
            f"/api/v1/supervision/submissions/inbox?org={tasks['renhe'].recipients.get().code}"
        ).status_code == 200  # fmt: skip
    own_code = tasks["yuncheng"].recipients.get().code
    assert other.status_code == (200 if own_code == "440111001" else 404)
