"""The annual inspection plan: drafting, the refused responsibility agreement, the district's
approval flow with its 409s, and scoping (a department its own, the district all, a town 404)."""

import pytest
from django.http import Http404

from huying.core.errors import Conflict, Forbidden, Invalid
from huying.core.models import AuditEntry
from huying.core.scoping import get_visible_or_404
from huying.supervision import plan_selectors, plans
from huying.supervision.choices import PlanStatus

YEAR = 2026
CITY_ITEMS = "市容环境卫生\n占道经营\n违法建设治理\n户外广告招牌\n垃圾分类"
CIVIL_ITEMS = "市容环境卫生\n占道经营\n垃圾分类\n公益广告宣传\n志愿服务"


def item(name="城市管理综合考评", kind="assessment", items=CITY_ITEMS, **years):
    return plans.ItemData(
        name=name,
        kind=kind,
        scope="全区各镇街",
        items=items,
        frequency="quarterly",
        targets="各镇街",
        **years,
    )


def approved_plan(persona, org, username, code, *items, year=YEAR):
    """A department's plan with these items, submitted and approved by the district leader."""
    user = persona(username)
    plan = plans.create_plan(user, org(code), year)
    for data in items:
        plans.add_item(user, plan, data)
    plans.submit(user, plan)
    plans.approve(persona("leader"), plan, "同意")
    return plan


@pytest.fixture
def two_plans(persona, org):
    """城管局 with 城市管理综合考评, 住建局 with 创建文明城市考核, both approved."""
    city = approved_plan(persona, org, "chengguan", "440111-cgj", item())
    civil = approved_plan(
        persona, org, "zhujian", "440111-zjj", item("创建文明城市考核", items=CIVIL_ITEMS)
    )
    return city, civil


def test_responsibility_agreement_without_years_is_refused(persona, org):
    plan = plans.create_plan(persona("chengguan"), org("440111-cgj"), YEAR)
    with pytest.raises(Invalid) as missing_start:
        plans.add_item(persona("chengguan"), plan, item("门前三包责任书", kind="responsibility"))
    assert missing_start.value.field == "start_year"
    assert missing_start.value.message == "责任制事项须写明起止年度"
    with pytest.raises(Invalid) as missing_end:
        plans.add_item(
            persona("chengguan"),
            plan,
            item("门前三包责任书", kind="responsibility", start_year=2026),
        )
    assert missing_end.value.field == "end_year"
    with pytest.raises(Invalid) as backwards:
        plans.add_item(
            persona("chengguan"),
            plan,
            item("门前三包责任书", kind="responsibility", start_year=2027, end_year=2026),
        )
    assert backwards.value.field == "end_year"
    assert not plan.items.exists()
    kept = plans.add_item(
        persona("chengguan"),
        plan,
        item("门前三包责任书", kind="responsibility", start_year=2026, end_year=2028),
    )
    assert (kept.start_year, kept.end_year) == (2026, 2028)


def test_plan_is_submitted_returned_resubmitted_and_approved(persona, org):
    dept, leader = persona("chengguan"), persona("leader")
    plan = plans.create_plan(dept, org("440111-cgj"), YEAR)
    with pytest.raises(Invalid):  # nothing to submit yet
        plans.submit(dept, plan)
    plans.add_item(dept, plan, item())
    with pytest.raises(Conflict):  # the district decides only what was submitted
        plans.approve(leader, plan)
    plans.submit(dept, plan)
    assert plan.status == PlanStatus.SUBMITTED and plan.submitted_at
    with pytest.raises(Conflict):  # no changes while the district is deciding
        plans.add_item(dept, plan, item("另一项检查", kind="inspection"))
    with pytest.raises(Invalid) as no_note:
        plans.return_plan(leader, plan, "  ")
    assert no_note.value.field == "note"
    with pytest.raises(Forbidden):  # a department cannot approve its own plan
        plans.approve(dept, plan)
    plans.return_plan(leader, plan, "请压减考核频次")
    assert (plan.status, plan.decision_note) == (PlanStatus.RETURNED, "请压减考核频次")
    plans.add_item(dept, plan, item("另一项检查", kind="inspection", items="油烟排放"))
    plans.submit(dept, plan)
    plans.approve(leader, plan, "同意")
    assert plan.status == PlanStatus.APPROVED and plan.decided_by == leader
    with pytest.raises(Conflict):
        plans.submit(dept, plan)
    with pytest.raises(Conflict):
        plans.approve(leader, plan)
    actions = set(
        AuditEntry.objects.filter(object_type="supervision.inspectionplan").values_list(
            "action", flat=True
        )
    )
    assert {
        "supervision.plan_submitted",
        "supervision.plan_returned",
        "supervision.plan_approved",
    } <= actions


def test_one_plan_a_year_and_only_own_department(persona, org):
    plans.create_plan(persona("chengguan"), org("440111-cgj"), YEAR)
    with pytest.raises(Conflict):
        plans.create_plan(persona("chengguan-head"), org("440111-cgj"), YEAR)
    with pytest.raises(Forbidden):
        plans.create_plan(persona("chengguan"), org("440111-zjj"), YEAR)
    with pytest.raises(Forbidden):
        plans.create_plan(persona("yuncheng"), org("440111-cgj"), YEAR)


def test_scoping_department_own_district_all_town_none(two_plans, persona):
    city, civil = two_plans
    seen = {
        u: set(plan_selectors.plans_visible_to(persona(u)))
        for u in ("chengguan", "zhujian", "supervisor", "leader", "command", "yuncheng")
    }
    assert seen["chengguan"] == {city} and seen["zhujian"] == {civil}
    for district in ("supervisor", "leader", "command"):
        assert {city, civil} <= seen[district]
    assert seen["yuncheng"] == set()
    with pytest.raises(Http404):
        get_visible_or_404(
            plan_selectors.plans_visible_to(persona("yuncheng")), persona("yuncheng"), pk=civil.pk
        )
    assert AuditEntry.objects.filter(action="core.permission_denied").exists()
