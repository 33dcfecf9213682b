# ruff: noqa: F811  (the `two_plans` fixture is imported from test_plans and taken as an argument)
"""Merge proposals across departments and a recorded merge."""

import pytest

from huying.core.errors import Conflict, Forbidden, Invalid
from huying.core.models import AuditEntry
from huying.supervision import merges, plan_selectors
from huying.supervision.models import Merge
from tests.supervision.test_plans import YEAR, approved_plan, item, two_plans  # noqa: F401


def test_city_and_civilised_city_assessments_are_proposed(two_plans, persona, org):
    approved_plan(
        persona,
        org,
        "shuiwu",
        "440111-swj",
        item("河长制工作考核", items="河涌巡查\n排水设施\n黑臭水体治理"),
    )
    found = merges.propose_merges(YEAR)
    names = [{p.first.name, p.second.name} for p in found]
    assert {"城市管理综合考评", "创建文明城市考核"} in names
    assert not any("河长制工作考核" in n for n in names)
    pair = found[names.index({"城市管理综合考评", "创建文明城市考核"})]
    assert set(pair.shared) == {"市容环境卫生", "占道经营", "垃圾分类"}
    assert pair.similarity >= merges.threshold()


def test_merge_is_recorded_and_merged_item_no_longer_counts(two_plans, persona):
    city, civil = two_plans
    kept, merged = civil.items.get(), city.items.get()
    counted = plan_selectors.counted_items(YEAR)
    assert {kept, merged} <= set(counted)
    with pytest.raises(Forbidden):
        merges.merge(persona("chengguan"), kept, [merged], "合并")
    with pytest.raises(Invalid):
        merges.merge(persona("leader"), kept, [merged], " ")
    record = merges.merge(persona("leader"), kept, [merged], "考核内容大部分重合")
    merged.refresh_from_db()
    assert merged.merged_into == kept
    assert list(record.merged.all()) == [merged] and record.similarity >= 0.6
    assert merged not in set(plan_selectors.counted_items(YEAR))
    assert not any(merged in (p.first, p.second) for p in merges.propose_merges(YEAR))
    assert AuditEntry.objects.filter(action="supervision.assessments_merged").exists()
    with pytest.raises(Conflict):
        merges.merge(persona("leader"), kept, [merged], "再合并一次")
    assert Merge.objects.count() == 1


def test_launch_of_a_merged_assessment_counts_under_the_kept_one(two_plans, persona, org):
    from datetime import date

    from huying.supervision import assessments

    city, civil = two_plans
    merges.merge(persona("leader"), civil.items.get(), [city.items.get()], "合并")
    a = assessments.launch(
        persona("chengguan"),
        org("440111-cgj"),
        "城市管理综合考评",
        "assessment",
        "",
        [],
        date(2026, 6, 1),
        plan_item=city.items.get(),
    )
    assert not a.unplanned and a.plan_item == civil.items.get()
