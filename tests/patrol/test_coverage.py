# ruff: noqa: F811  (fixtures are imported from the scene modules and taken as arguments)
"""Coverage: exact counts on the scenario of coverage_scene.py for each period and level,
overdue revisits by plan_selectors' rule, who is where, and who sees what."""

import pytest
from django.http import Http404

from huying.core.models import AuditEntry
from huying.patrol import coverage
from huying.patrol.coverage_scope import Period, require_scope, scope_of
from huying.patrol.models import TrackPoint
from tests.patrol.coverage_scene import NOW, at, coverage_scene, scene  # noqa: F401


def counts(user, period: str, level: str) -> dict:
    """{row name (an inspector's username): (visited, planned, visited_planned, outside_plan)}
    and the total."""
    got = coverage.report(user, scope_of(user), period, level, NOW)
    rows = {
        r.username or r.name: (r.visited, r.planned, r.visited_planned, r.outside_plan)
        for r in got.rows
    }
    t = got.total
    rows["合计"] = (t.visited, t.planned, t.visited_planned, t.outside_plan)
    return rows


def test_periods_are_whole_beijing_days_monday_to_sunday_and_the_calendar_month():
    week = Period.of("week", NOW)
    assert (week.first.isoformat(), week.last.isoformat()) == ("2026-11-23", "2026-11-29")
    month = Period.of("month", NOW)
    assert (month.first.day, month.last.day, month.start) == (1, 30, at(1, 0))
    assert Period.of("today", NOW).end == at(25, 0)


@pytest.mark.parametrize(
    ("period", "mine", "theirs", "total"),
    [
        ("today", (3, 3, 2, 1), (0, 1, 0, 0), (3, 4, 3, 0)),
        ("week", (4, 4, 3, 1), (0, 1, 0, 0), (4, 5, 4, 0)),
        ("month", (6, 4, 4, 2), (1, 1, 1, 0), (6, 5, 5, 1)),
    ],
)
def test_inspector_rows_count_households_against_their_own_plan(
    coverage_scene, persona, period, mine, theirs, total
):
    got = counts(persona("command"), period, "inspector")
    assert got["inspector"] == mine
    assert got["inspector2"] == theirs
    assert got["合计"] == total


@pytest.mark.parametrize(
    ("period", "v1", "v2"),
    [
        ("today", (2, 3, 2, 0), (1, 1, 1, 0)),  # B02: inspector2's plan, visited by inspector
        ("week", (2, 3, 2, 0), (2, 2, 2, 0)),
        ("month", (4, 3, 3, 1), (2, 2, 2, 0)),
    ],
)
def test_village_and_town_rows(coverage_scene, persona, period, v1, v2):
    user = persona("yuncheng")
    got = counts(user, period, "village")
    assert got[coverage_scene["v1"].name] == v1 and got[coverage_scene["v2"].name] == v2
    town = counts(user, period, "town")
    assert town["云城街道"] == town["合计"] == tuple(a + b for a, b in zip(v1, v2, strict=True))


def test_overdue_revisits_use_the_plan_rule_and_name_the_inspector(coverage_scene, persona):
    got = coverage.report(persona("yuncheng"), scope_of(persona("yuncheng")), "today", "town", NOW)
    assert [(o.code, o.days_overdue, o.due.isoformat()) for o in got.overdue] == [
        ("A05", 22, "2026-11-02"),
        ("A03", 1, "2026-11-23"),
    ]  # A04 is due today: not overdue yet
    assert got.overdue_count == 2
    assert [p["username"] for p in got.overdue[0].inspectors] == ["inspector"]


def test_inspector_sees_only_themself(coverage_scene, persona):
    other = persona("inspector2")
    got = counts(other, "month", "inspector")
    assert set(got) == {"inspector2", "合计"} and got["合计"] == (1, 1, 1, 0)
    assert coverage.report(other, scope_of(other), "month", "town", NOW).overdue == []


def test_another_town_sees_none_of_these_inspectors(coverage_scene, persona):
    got = counts(persona("helong"), "month", "inspector")
    assert got == {"合计": (0, 0, 0, 0)}


@pytest.mark.parametrize("username", ["supervisor", "chengguan", "renhe-village"])
def test_others_have_no_coverage_and_are_audited(coverage_scene, persona, username):
    with pytest.raises(Http404):
        require_scope(persona(username), "/patrol/coverage/")
    assert AuditEntry.objects.filter(
        action="core.permission_denied", actor_id=persona(username).pk
    ).exists()


def test_who_is_where_for_the_command_centre_not_the_leader(coverage_scene, persona):
    TrackPoint.objects.create(inspector=coverage_scene["inspector"], at=at(24, 7, 45),
                              lat=23.2, lon=113.3, received_at=NOW)  # fmt: skip
    command, leader = persona("command"), persona("leader")
    seen = coverage.report(command, scope_of(command), "today", "inspector", NOW).positions
    assert [p["inspector"] for p in seen] == [coverage_scene["inspector"].pk]
    assert coverage.report(leader, scope_of(leader), "today", "inspector", NOW).positions == []
    assert counts(leader, "today", "inspector")["合计"] == (3, 4, 3, 0)  # figures, yes
