"""Discrepancies: each detector opens what it should and nothing for clean data; detection
is idempotent; fixed data closes items as corrected; people move items on; person data is
masked; each user sees their part of the district."""

import json
import re
from datetime import timedelta

import pytest
from django.http import Http404
from django.urls import reverse
from stdnum.cn import ric

from huying.core import clock
from huying.core.errors import Conflict, Invalid, NotFound
from huying.core.masking import mask_id_number
from huying.core.models import AuditEntry
from huying.datahub import discrepancies
from huying.datahub.choices import DiscrepancyKind as Kind
from huying.datahub.choices import DiscrepancyState as State
from huying.datahub.discrepancies import detect
from huying.datahub.dwellings import refresh_dwellings
from huying.datahub.evidence import EVIDENCE_LABELS, evidence_lines
from huying.datahub.models import Discrepancy, DiscrepancyEvent
from huying.datahub.registry_refresh import refresh_registry
from huying.orgs.models import Org
from tests.datahub.factories import beijing, load_extract, resident

NOW = beijing("2026-11-24 10:00")
PERSONS, REGS, CARDS = "public_security_persons", "migrant_registrations", "door_access_cards"


def sound_id(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")  # it wants a (placeholder) check digit


WANG_ID = sound_id("11010519900307123")
WANG_BAD = WANG_ID[:-1] + ("0" if WANG_ID[-1] != "0" else "1")  # a wrong check digit
LI_ID = sound_id("11010519851120456")
ZHANG_ID = sound_id("11010519780615789")


@pytest.fixture(autouse=True)
def hub_dir(settings, tmp_path):
    settings.DATAHUB_DIR = tmp_path / "hub"
    settings.DATAHUB_SWIPE_WINDOW_DAYS = 30


@pytest.fixture
def places(persona):
    yuncheng = Org.objects.get(name="云城街道")
    a = persona("yuncheng-community").org  # a community of 云城街道 with its own account
    b = yuncheng.children.exclude(pk=a.pk).order_by("code").first()
    renhe = Org.objects.get(name="人和镇")
    return {"yuncheng": yuncheng, "a": a, "b": b, "renhe": renhe,
            "r": renhe.children.order_by("code").first()}  # fmt: skip


def swipes(card: str, dwelling: str, times: int, days_ago: int = 1) -> list[dict]:
    start = NOW - timedelta(days=days_ago)
    return [
        {"card_id": card, "dwelling_code": dwelling, "door_id": "D1",
         "event_time": (start - timedelta(hours=i)).isoformat()}
        for i in range(times)
    ]  # fmt: skip


def extract(places, **overrides):
    """The scenario: one person or dwelling for each kind, and clean people beside them."""
    data = {
        "dwellings": [
            {"dwelling_code": "YC-1", "address": "云城街甲巷 1 号", "town": "云城街道",
             "village": places["a"].name, "max_occupants": "4"},
            {"dwelling_code": "YC-2", "address": "云城街乙巷 2 号", "town": "云城街道",
             "village": places["b"].name, "max_occupants": "10"},
            {"dwelling_code": "RH-1", "address": "人和镇丙路 3 号", "town": "人和镇",
             "village": places["r"].name, "max_occupants": "1"},
        ],
        PERSONS: [
            {"person_key": "P1", "name": "王伟", "id_number": WANG_BAD},
            {"person_key": "P2", "name": "李丽", "id_number": LI_ID},
            {"person_key": "P3", "name": "张三", "id_number": ZHANG_ID},
        ],
        REGS: [
            {"registration_no": "R1", "name": "王伟", "dwelling_code": "YC-1", "status": "有效",
             "expires_at": "2027-06-30"},
            {"registration_no": "R2", "name": "李莉", "id_number": LI_ID, "dwelling_code": "YC-2",
             "status": "有效", "expires_at": "2027-06-30"},
            {"registration_no": "R3", "name": "赵敏", "dwelling_code": "YC-2", "status": "已过期",
             "expires_at": "2026-10-01"},
            {"registration_no": "R4", "name": "孙七", "dwelling_code": "YC-1", "status": "已注销",
             "expires_at": "2027-03-01"},
            {"registration_no": "R5", "name": "张三", "id_number": ZHANG_ID,
             "dwelling_code": "YC-2", "status": "有效", "expires_at": "2027-06-30"},
            {"registration_no": "R6", "name": "郑十", "dwelling_code": "YC-1", "status": "有效",
             "expires_at": "2027-06-30"},
        ],
        CARDS: [
            {"card_id": "C1", "dwelling_code": "YC-2", "holder_name": "王伟"},
            {"card_id": "C3", "dwelling_code": "YC-2", "holder_name": "赵敏"},
            {"card_id": "C4", "dwelling_code": "YC-1", "holder_name": "孙七"},
            {"card_id": "C5", "dwelling_code": "YC-2", "holder_name": "张三"},
            {"card_id": "C6", "dwelling_code": "RH-1", "holder_name": "周八"},
            {"card_id": "C7", "dwelling_code": "RH-1", "holder_name": "吴九"},
            {"card_id": "C9", "dwelling_code": "YC-2", "holder_name": "郑十"},
        ],
        "door_access_events": [
            *swipes("C1", "YC-2", 14),  # 王伟: registered in YC-1, lives in YC-2
            *swipes("C3", "YC-2", 9),  # 赵敏: registration expired
            *swipes("C4", "YC-1", 3),  # 孙七: registration cancelled
            *swipes("C5", "YC-2", 20),  # 张三: registered where he swipes
            *swipes("C9", "YC-2", 5, days_ago=40),  # 郑十: long ago, outside the window
        ],
    }  # fmt: skip
    data.update(overrides)
    return data


@pytest.fixture
def people(places, tmp_path):
    load_extract(tmp_path / "x1", **extract(places))
    return {
        "王伟": resident("王伟", (PERSONS, "P1"), (REGS, "R1"), (CARDS, "C1")),
        "李丽": resident("李丽", (PERSONS, "P2"), (REGS, "R2")),
        "赵敏": resident("赵敏", (REGS, "R3"), (CARDS, "C3")),
        "孙七": resident("孙七", (REGS, "R4"), (CARDS, "C4")),
        "张三": resident("张三", (PERSONS, "P3"), (REGS, "R5"), (CARDS, "C5")),
        "周八": resident("周八", (CARDS, "C6")),
        "吴九": resident("吴九", (CARDS, "C7")),
        "郑十": resident("郑十", (REGS, "R6"), (CARDS, "C9")),
    }


def run_registry():
    with clock.frozen_at(NOW):
        return refresh_registry()


def open_items() -> dict[tuple[str, str], Discrepancy]:
    return {(d.kind, d.subject): d for d in Discrepancy.objects.filter(state__in=(State.OPEN,))}


def test_each_detector_opens_exactly_what_it_should(people, places):
    result = run_registry()
    items = open_items()
    wang, zhao, sun = people["王伟"], people["赵敏"], people["孙七"]
    by_kind = {k: [d for (kind, _s), d in items.items() if kind == k] for k in Kind.values}
    assert {k: len(v) for k, v in by_kind.items()} == {k: 1 for k in Kind.values} | {
        Kind.EXPIRED_STILL_SWIPING: 2
    }
    assert result.discrepancies.opened == 6
    invalid = items[(Kind.INVALID_ID, f"resident:{wang.pk}")]
    assert invalid.summary.startswith(f"王伟的身份证号有误（平安白云 {WANG_BAD[:6]}")
    assert "校验位错误" in invalid.summary
    assert invalid.evidence["records"][0]["key"] == "P1"
    (conflict,) = by_kind[Kind.ID_NAME_CONFLICT]
    assert conflict.summary == (
        f"身份证号 {LI_ID[:6]}********{LI_ID[-4:]} 在各系统中的姓名不一致："
        "李丽（平安白云）、李莉（来穗登记）"
    )
    assert conflict.resident_id == people["李丽"].pk
    assert conflict.evidence["names"] == ["李丽", "李莉"]
    moved = items[(Kind.DWELLING_MISMATCH, f"resident:{wang.pk}")]
    assert moved.summary == "王伟的来穗登记在 YC-1，近 30 天却在 YC-2 刷卡 14 次"
    # The item goes to where the person is found: YC-2, in village b of 云城街道.
    assert (moved.dwelling.code, moved.town, moved.village) == (
        "YC-2", places["yuncheng"], places["b"])  # fmt: skip
    expired = items[(Kind.EXPIRED_STILL_SWIPING, f"resident:{zhao.pk}")]
    assert expired.summary == "赵敏的来穗登记已于 2026-10-01 过期，近 30 天仍在 YC-2 刷卡 9 次"
    cancelled = items[(Kind.EXPIRED_STILL_SWIPING, f"resident:{sun.pk}")]
    assert cancelled.summary == "孙七的来穗登记已注销，近 30 天仍在 YC-1 刷卡 3 次"
    assert cancelled.village == places["a"]
    crowded = items[(Kind.OVER_OCCUPANCY, "dwelling:RH-1")]
    assert crowded.summary == "RH-1（人和镇丙路 3 号）核定居住 1 人，现有 2 人（群租风险）"
    assert (crowded.town, crowded.village) == (places["renhe"], places["r"])
    assert {p["name"] for p in crowded.evidence["residents"]} == {"周八", "吴九"}
    # Nothing about 张三 (registered where he swipes) or 郑十 (swipes outside the window).
    named = {d.resident_id for d in items.values()}
    assert people["张三"].pk not in named and people["郑十"].pk not in named
    for item in items.values():
        assert list(item.events.values_list("to_state", "actor")) == [(State.OPEN, None)]


def test_clean_data_opens_nothing(places, tmp_path):
    clean = extract(places)
    load_extract(
        tmp_path / "clean",
        dwellings=clean["dwellings"],
        public_security_persons=[clean[PERSONS][2]],
        migrant_registrations=[clean[REGS][4]],
        door_access_cards=[clean[CARDS][3]],
        door_access_events=swipes("C5", "YC-2", 20),
    )
    resident("张三", (PERSONS, "P3"), (REGS, "R5"), (CARDS, "C5"))
    result = run_registry()
    assert result.discrepancies.opened == 0
    assert not Discrepancy.objects.exists()


def test_detecting_again_changes_nothing(people):
    run_registry()
    before = list(Discrepancy.objects.order_by("pk").values())
    events, audits = DiscrepancyEvent.objects.count(), AuditEntry.objects.count()
    with clock.frozen_at(NOW):
        again = detect()
    assert (again.opened, again.updated, again.closed, again.unchanged) == (0, 0, 0, 6)
    assert list(Discrepancy.objects.order_by("pk").values()) == before
    assert (DiscrepancyEvent.objects.count(), AuditEntry.objects.count()) == (events, audits)


def test_a_repeat_detection_updates_the_open_item(people, places, tmp_path):
    run_registry()
    item = Discrepancy.objects.get(kind=Kind.DWELLING_MISMATCH)
    load_extract(tmp_path / "x2", door_access_events=swipes("C1", "YC-2", 16, days_ago=0))
    with clock.frozen_at(NOW + timedelta(hours=1)):
        result = detect()
    assert (result.opened, result.updated) == (0, 1)
    item.refresh_from_db()
    assert item.state == State.OPEN
    assert item.summary.endswith("刷卡 30 次")
    assert Discrepancy.objects.filter(kind=Kind.DWELLING_MISMATCH).count() == 1


def test_a_condition_fixed_by_a_newer_load_closes_as_corrected(people, places, tmp_path):
    run_registry()
    wang = people["王伟"]
    fixed = extract(places)
    fixed[PERSONS] = [{**fixed[PERSONS][0], "id_number": WANG_ID}, *fixed[PERSONS][1:]]
    fixed[REGS] = [{**fixed[REGS][0], "dwelling_code": "YC-2"}, *fixed[REGS][1:]]
    load = load_extract(tmp_path / "x2", **fixed)
    with clock.frozen_at(NOW + timedelta(days=1)):
        result = refresh_registry()
    assert result.discrepancies.closed == 2
    for kind in (Kind.INVALID_ID, Kind.DWELLING_MISMATCH):
        item = Discrepancy.objects.get(kind=kind, subject=f"resident:{wang.pk}")
        assert item.state == State.CORRECTED
        assert item.closed_at == NOW + timedelta(days=1)
        last = item.events.last()
        assert (last.from_state, last.to_state, last.actor) == (State.OPEN, State.CORRECTED, None)
        assert f"第 {load.pk} 批导入" in last.note
    assert Discrepancy.objects.filter(state=State.OPEN).count() == 4


def test_people_move_items_on_and_each_step_is_evented_and_audited(people, persona):
    run_registry()
    inspector = persona("leader")
    item = Discrepancy.objects.get(kind=Kind.OVER_OCCUPANCY)
    with clock.frozen_at(NOW + timedelta(hours=2)):
        discrepancies.confirm(item, inspector, "已上门，确有 2 人居住")
        assert item.state == State.CONFIRMED
        discrepancies.correct(item, inspector, "房东已办理变更")
    item.refresh_from_db()
    assert (item.state, item.closed_at) == (State.CORRECTED, NOW + timedelta(hours=2))
    trail = list(item.events.values_list("from_state", "to_state", "actor", "note"))
    assert trail[1:] == [
        (State.OPEN, State.CONFIRMED, inspector.pk, "已上门，确有 2 人居住"),
        (State.CONFIRMED, State.CORRECTED, inspector.pk, "房东已办理变更"),
    ]
    audits = AuditEntry.objects.filter(object_type="datahub.discrepancy", object_id=str(item.pk))
    assert list(audits.order_by("seq").values_list("action", "reason")) == [
        ("datahub.discrepancy.confirm", "已上门，确有 2 人居住"),
        ("datahub.discrepancy.correct", "房东已办理变更"),
    ]
    discrepancies.reopen(item, inspector, "复查仍超员")
    assert item.state == State.OPEN and item.closed_at is None


def test_illegal_moves_are_conflicts_naming_the_state(people, persona):
    run_registry()
    leader = persona("leader")
    item = Discrepancy.objects.get(kind=Kind.OVER_OCCUPANCY)
    with pytest.raises(Invalid):
        discrepancies.dismiss(item, leader, "  ")
    with pytest.raises(Conflict) as refused:
        discrepancies.reopen(item, leader)
    assert refused.value.status == 409
    assert "待核实" in refused.value.message
    discrepancies.dismiss(item, leader, "员工宿舍，已备案")
    for move in (discrepancies.confirm, discrepancies.correct):
        with pytest.raises(Conflict) as refused:
            move(item, leader, "")
        assert "已排除" in refused.value.message
    assert Discrepancy.objects.get(pk=item.pk).state == State.DISMISSED


def test_a_dismissed_condition_is_not_opened_again_while_its_data_is_the_same(people, persona):
    run_registry()
    item = Discrepancy.objects.get(kind=Kind.OVER_OCCUPANCY)
    discrepancies.dismiss(item, persona("leader"), "员工宿舍，已备案")
    with clock.frozen_at(NOW + timedelta(hours=1)):
        result = detect()
    assert (result.opened, result.kept_closed) == (0, 1)
    assert not Discrepancy.objects.filter(kind=Kind.OVER_OCCUPANCY, state=State.OPEN).exists()
    # Reopening works while no other item is open for the same dwelling...
    discrepancies.reopen(item, persona("leader"), "")
    # ...and not when one is: the detector would have opened it after an automatic close.
    discrepancies.dismiss(item, persona("leader"), "再次排除")
    Discrepancy.objects.create(
        kind=item.kind, subject=item.subject, summary="x", opened_at=NOW, updated_at=NOW
    )
    with pytest.raises(Conflict):
        discrepancies.reopen(item, persona("leader"))


def test_person_data_in_summaries_and_evidence_is_masked(people):
    run_registry()
    text = json.dumps(
        list(Discrepancy.objects.values_list("summary", "evidence")), ensure_ascii=False
    )
    for number in (WANG_ID, WANG_BAD, LI_ID, ZHANG_ID):
        assert number not in text
    assert f"{LI_ID[:6]}********{LI_ID[-4:]}" in text


def test_a_town_sees_its_villages_items_and_a_village_its_own(people, persona, places):
    run_registry()
    by_subject = {d.kind + d.subject: d for d in Discrepancy.objects.all()}
    crowded = Discrepancy.objects.get(kind=Kind.OVER_OCCUPANCY)  # in 人和镇
    town = set(discrepancies.visible_to(persona("yuncheng")).values_list("pk", flat=True))
    assert crowded.pk not in town
    assert town == {d.pk for d in by_subject.values() if d.town_id == places["yuncheng"].pk}
    village = discrepancies.visible_to(persona("yuncheng-community"))
    assert set(village.values_list("village", flat=True)) == {places["a"].pk}
    # 孙七 swiping in YC-1, and 王伟's wrong ID number: he is registered in YC-1.
    assert sorted(village.values_list("kind", flat=True)) == [
        Kind.EXPIRED_STILL_SWIPING, Kind.INVALID_ID]  # fmt: skip
    assert discrepancies.visible_to(persona("leader")).count() == len(by_subject)
    assert not discrepancies.visible_to(persona("chengguan")).exists()
    with pytest.raises(Http404):
        discrepancies.discrepancy_for(persona("yuncheng"), crowded.pk)
    assert AuditEntry.objects.filter(action="core.permission_denied").exists()
    with pytest.raises(NotFound):
        discrepancies.confirm(crowded, persona("yuncheng"), "")


def test_the_refresh_command_runs_the_whole_registry(people, capsys):
    from huying import cli

    with clock.frozen_at(NOW):
        assert cli.main(["datahub", "refresh"]) == 0
    out = capsys.readouterr().out
    assert "出租屋 3 处" in out and "新发现 6" in out
    assert Discrepancy.objects.filter(state=State.OPEN).count() == 6


def test_refresh_dwellings_alone_leaves_the_work_list_alone(people):
    with clock.frozen_at(NOW):
        refresh_dwellings()
    assert not Discrepancy.objects.exists()


def test_the_linkage_run_keeps_the_refresh_figures(people):
    from tests.datahub.factories import linkage_run

    run = linkage_run()
    with clock.frozen_at(NOW):
        refresh_registry(run)
    run.refresh_from_db()
    figures = run.figures["registry"]
    assert figures["dwellings"]["dwellings"] == 3
    assert figures["discrepancies"]["opened"] == 6
    assert set(figures["seconds"]) == {"read", "dwellings", "discrepancies", "total"}
    assert run.stage == "查找数据差异"


def _keys(value) -> set[str]:
    """Every key in a piece of evidence, at any depth."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_every_key_the_detectors_write_has_a_chinese_label(people):
    run_registry()
    written = set().union(*(_keys(d.evidence) for d in Discrepancy.objects.all()))
    assert written - set(EVIDENCE_LABELS) == {"fingerprint"}  # not shown: the item's identity
    shown = written - {"fingerprint"}
    assert all(re.search(r"[\u4e00-\u9fff]", str(EVIDENCE_LABELS[k])) for k in shown)


def test_the_evidence_reads_as_a_chinese_list_masked(people, browser_client):
    run_registry()
    client = browser_client("command")
    for item in Discrepancy.objects.all():
        page = client.get(reverse("datahub:discrepancy", args=[item.pk])).content.decode()
        evidence = page.split('data-testid="evidence"')[1].split("</section>")[0]
        shown = re.sub(r"<[^>]+>", " ", evidence)
        english = {k for k in _keys(item.evidence) if re.search(rf"\b{k}\b", shown)}
        assert not english, (item.kind, english)
        assert "{" not in shown and "fingerprint" not in shown
        for number in (WANG_ID, WANG_BAD, LI_ID, ZHANG_ID):
            assert number not in page
    invalid = Discrepancy.objects.get(kind=Kind.INVALID_ID)
    page = client.get(reverse("datahub:discrepancy", args=[invalid.pk])).content.decode()
    assert "身份证号" in page and mask_id_number(WANG_BAD) in page and "校验位错误" in page
    assert "平安白云" in page and "记录编号" in page
    lapsed = Discrepancy.objects.filter(kind=Kind.EXPIRED_STILL_SWIPING).first()
    page = client.get(reverse("datahub:discrepancy", args=[lapsed.pk])).content.decode()
    assert "近 30 天" in page and "刷卡次数" in page and "来穗登记" in page


def test_an_unknown_key_falls_back_to_itself_and_is_still_masked():
    lines = evidence_lines({"note_from_patrol": f"核实 {LI_ID}", "fingerprint": "x"})
    assert [(line.label, line.text) for line in lines] == [
        ("note_from_patrol", f"核实 {mask_id_number(LI_ID)}")
    ]
