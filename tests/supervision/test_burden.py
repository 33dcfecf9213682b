"""Each burden check: the rule on its own (pure), then through check_task on the database with
the evidence the issuer and the commission see."""

from collections import Counter
from datetime import date

import pytest

from huying.core import clock
from huying.supervision import burden, tasks
from huying.supervision.choices import FlagKind, TaskStatus
from huying.supervision.models import TaskField
from tests.supervision import test_tasks_scene as scene

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_shared_catalogue")]


@pytest.fixture(autouse=True)
def _now():
    with clock.frozen_at(scene.NOW):
        yield


def _kinds(flags) -> list[str]:
    return sorted(f.kind for f in flags)


# --- the rules -----------------------------------------------------------------------------------


def test_a_frequency_above_the_policy_is_flagged_and_the_policy_itself_is_not():
    assert burden.frequency_finding("weekly", "monthly").evidence["times_a_year"] == 52
    assert burden.frequency_finding("monthly", "monthly") is None
    assert burden.frequency_finding("monthly", "quarterly").kind == FlagKind.FREQUENCY


def test_months_asked_count_a_periodic_task_once_per_month_it_asks():
    start = date(2026, 2, 15)
    assert burden.months_asked("weekly", start, date(2026, 4, 1), None) == [
        (2026, 2), (2026, 3), (2026, 4)]  # fmt: skip
    assert burden.months_asked("quarterly", start, None, None) == [
        (2026, 2), (2026, 5), (2026, 8), (2026, 11)]  # fmt: skip
    assert burden.months_asked("yearly", start, None, None) == [(2026, 2)]
    assert burden.months_asked("once", start, None, date(2026, 6, 30)) == [(2026, 6)]
    assert len(burden.months_asked("daily", start, None, None)) == burden.HORIZON_MONTHS


def test_town_cap_names_the_towns_and_months_over_it():
    loads = Counter({(1, (2026, 3)): 2, (2, (2026, 3)): 1, (1, (2026, 4)): 1})
    found = burden.town_cap_finding([(2026, 3), (2026, 4)], [1, 2], loads, 2, {1: "甲", 2: "乙"})
    assert found.evidence["over"] == [{"town_id": 1, "town": "甲", "month": "2026-03", "count": 3}]
    assert burden.town_cap_finding([(2026, 4)], [1, 2], loads, 2, {}) is None


def test_overlap_share_is_the_part_of_this_tasks_fields_found_in_the_other():
    other = burden.OtherTask(7, "TB1", "旧表", "城管局", (("a", ""), ("b", "")))
    same = lambda x, y: x[0] == y[0]  # noqa: E731
    half = burden.overlap_findings([("a", ""), ("z", "")], [other], 0.5, same)
    assert half[0].evidence["share"] == 0.5 and half[0].other_task_id == 7
    assert burden.overlap_findings([("a", ""), ("y", ""), ("z", "")], [other], 0.5, same) == []


# --- through check_task --------------------------------------------------------------------------


def test_weekly_task_is_flagged_as_more_frequent_than_monthly(settings):
    settings.SUPERVISION_MAX_FREQUENCY = "monthly"
    task = scene.draft("yingji", [scene.town()], frequency="weekly")
    flags = tasks.check_task(task)
    assert _kinds(flags) == [FlagKind.FREQUENCY]
    assert flags[0].evidence["policy"] == "monthly" and "每周" in flags[0].message
    task.refresh_from_db()
    assert task.status == TaskStatus.CHECKED


def test_a_monthly_task_with_nothing_to_say_stays_a_draft():
    task = scene.draft("yingji", [scene.town()])
    assert tasks.check_task(task) == []
    task.refresh_from_db()
    assert task.status == TaskStatus.DRAFT and task.checked_at == clock.now()


def test_overlap_of_half_the_fields_with_an_active_task_proposes_a_merge():
    old = scene.registered("zhujian", [scene.town()], title="危房与安全检查表")
    fields = [*scene.FIELDS[:2], {"name": "床位数", "meaning": "养老机构床位"},
              {"name": "护理员人数", "meaning": "在岗护理员"}]  # fmt: skip
    task = scene.draft("yingji", [scene.town()], fields=fields)
    flags = tasks.check_task(task)
    assert _kinds(flags) == [FlagKind.OVERLAP]
    evidence = flags[0].evidence
    assert flags[0].other_task_id == old.pk and evidence["other_code"] == old.code
    assert evidence["share"] == 0.5
    assert [p["field"] for p in evidence["shared_fields"]] == ["企业名称", "隐患数量"]
    assert old.title in evidence["proposal"]


def test_overlap_below_the_share_or_with_a_withdrawn_task_is_not_flagged(settings):
    old = scene.registered("zhujian", [scene.town()])
    fields = [*scene.FIELDS[:1], {"name": "床位数"}, {"name": "护理员人数"}, {"name": "院长"}]
    assert tasks.check_task(scene.draft("yingji", [scene.town()], fields=fields)) == []
    tasks.withdraw(old.created_by, old)
    assert tasks.check_task(scene.draft("yingji", [scene.town()])) == []


def test_town_cap_counts_a_village_recipient_for_its_town(settings):
    settings.SUPERVISION_TOWN_MONTHLY_CAP = 2
    town = scene.town()
    village = scene.village_of(town)
    scene.registered("zhujian", [village], title="表一", fields=[{"name": "甲"}])
    scene.registered("shuiwu", [town, village], title="表二", fields=[{"name": "乙"}])
    task = scene.draft("yingji", [town], fields=[{"name": "丙"}])
    flags = tasks.check_task(task)
    assert _kinds(flags) == [FlagKind.TOWN_CAP]
    over = flags[0].evidence["over"]
    assert {o["town"] for o in over} == {town.name}
    assert over[0] == {"town_id": town.pk, "town": town.name, "month": "2026-03", "count": 3}
    assert len(over) == burden.HORIZON_MONTHS  # both registered tasks ask every month


def test_town_cap_leaves_other_towns_alone(settings):
    settings.SUPERVISION_TOWN_MONTHLY_CAP = 1
    scene.registered("zhujian", [scene.town()], fields=[{"name": "甲"}])
    other = scene.village_of(scene.town().__class__.objects.get(name="人和镇"))
    assert tasks.check_task(scene.draft("yingji", [other], fields=[{"name": "乙"}])) == []


def test_a_field_the_hub_holds_is_flagged_with_where_to_read_it():
    shared = scene.catalogue_field(
        "440111-scjgj", "企业登记信息", "企业名称", "市场主体登记的企业全称"
    )
    task = scene.draft("yingji", [scene.town()])
    flags = tasks.check_task(task)
    assert _kinds(flags) == [FlagKind.ALREADY_SHARED]
    flag = flags[0]
    owner = shared.category.owner.name
    assert flag.message == f"已由{owner}在企业登记信息中共享：请直接调取"
    ev = flag.evidence
    assert (ev["category_code"], ev["category_name"]) == (shared.category.code, "企业登记信息")
    assert (ev["owner_department"], ev["label"]) == (owner, "企业名称")
    assert ev["meaning"] == "市场主体登记的企业全称" and 0 < ev["score"] <= 1
    field = TaskField.objects.get(pk=flag.field_id)
    assert field.name == "企业名称" and field.shared_field_id == shared.pk
    assert field.match_score == pytest.approx(ev["score"])
