# ruff: noqa: F811  (the `two_plans` fixture is imported from test_plans and taken as an argument)
"""Assessments launched against the approved plan: planned ones linked, unplanned ones flagged
with a warning (提醒) to the department."""

from datetime import date

import pytest

from huying.core.errors import Invalid
from huying.supervision import assessments, merges
from huying.supervision.models import Reminder
from tests.supervision.test_plans import CITY_ITEMS, item, two_plans  # noqa: F401

DAY = date(2026, 5, 12)


def launch(persona, org, name, items="", **kw):
    return assessments.launch(
        persona("chengguan"),
        org("440111-cgj"),
        name,
        "assessment",
        items,
        [org("云城街道")],
        kw.pop("launched_on", DAY),
        **kw,
    )


def test_unplanned_assessment_is_flagged_with_a_reminder(two_plans, persona, org):
    a = launch(persona, org, "餐饮油烟专项检查", "油烟净化设施\n排放检测")
    assert a.unplanned and a.plan_item is None
    reminder = Reminder.objects.get(assessment=a)
    assert reminder.unit == org("440111-cgj") and reminder.flag_kind == "unplanned"
    assert "餐饮油烟专项检查" in reminder.text and reminder.raised_by is None


def test_planned_assessment_by_name_or_items_is_not_flagged(two_plans, persona, org):
    city, _ = two_plans
    planned_item = city.items.get()
    by_name = launch(persona, org, "城市管理综合考评")
    by_items = launch(persona, org, "二季度市容考核", "市容环境卫生\n占道经营\n垃圾分类")
    linked = launch(persona, org, "随便起的名字", plan_item=planned_item)
    for a in (by_name, by_items, linked):
        assert not a.unplanned and a.plan_item == planned_item
        assert not Reminder.objects.filter(assessment=a).exists()
    assert list(by_name.targets.values_list("name", flat=True)) == ["云城街道"]


def test_another_year_or_a_draft_plan_does_not_count(two_plans, persona, org):
    next_year = launch(persona, org, "城市管理综合考评", launched_on=date(2027, 3, 1))
    assert next_year.unplanned and Reminder.objects.filter(assessment=next_year).exists()


def test_another_departments_item_is_refused(two_plans, persona, org):
    _, civil = two_plans
    with pytest.raises(Invalid) as refused:
        launch(persona, org, "创建文明城市考核", plan_item=civil.items.get())
    assert refused.value.field == "plan_item"


def test_likeness_of_names_and_items():
    same = merges.likeness("城市管理综合考评", [], "城市管理综合考评", [])
    assert same.score == 1.0
    lines = merges.lines(CITY_ITEMS)
    unrelated = merges.likeness("餐饮油烟专项检查", ["油烟净化设施"], "城市管理综合考评", lines)
    assert unrelated.score < merges.threshold()
