"""Corrections back to the hub: a visit becomes `inspection` records through the hub's own load
path, settles the dwelling's discrepancies with an event naming it, and a sweep that fails
leaves it waiting. (Linkage of the records, for real: test_corrections_linkage.py.)"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from stdnum.cn import ric

from huying.core import clock
from huying.core.models import AuditEntry
from huying.core.worker import SWEEPS
from huying.datahub import discrepancies, store
from huying.datahub.choices import DiscrepancyKind as Kind
from huying.datahub.choices import DiscrepancyState as State
from huying.datahub.choices import LoadOrigin, LoadStatus
from huying.datahub.models import Discrepancy, DiscrepancyEvent, Dwelling, Load, Occupancy
from huying.orgs.models import Org
from huying.patrol import corrections, settle
from huying.patrol.choices import OccupantOutcome as Outcome
from huying.patrol.choices import VisitOrigin
from huying.patrol.visits import record_visit
from tests.datahub.factories import beijing, load_extract, resident

NOW = beijing("2026-11-24 15:00")


def sound_id(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")


LI_ID, ZHAO_ID, NEW_ID = (sound_id(b) for b in ("44011119851120456", "44011119900307123",
                                                  "44011119950505561"))  # fmt: skip
WANG_ID = sound_id("44011119800101123")
WANG_BAD = WANG_ID[:-1] + ("0" if WANG_ID[-1] != "0" else "1")


@pytest.fixture
def house(settings, tmp_path, persona):
    """YC-9 (one allowed) with three occupants the hub knows, and three open items on them."""
    settings.DATAHUB_DIR = tmp_path / "hub"
    community = persona("yuncheng-community").org
    town = Org.objects.get(name="云城街道")
    opened = NOW - timedelta(days=2)
    with clock.frozen_at(opened):
        load = load_extract(
            tmp_path / "extract",
            public_security_persons=[
                {"person_key": "P1", "name": "李丽", "id_number": LI_ID, "phone": "13712340099"},
                {"person_key": "P2", "name": "王伟", "id_number": WANG_BAD},
                {"person_key": "P3", "name": "赵敏", "id_number": ZHAO_ID},
            ],
        )
        home = Dwelling.objects.create(
            code="YC-9", address="云城街丁巷 9 号", town=town, village=community,
            max_occupants=1, occupants=3, load_id=load.pk, updated_at=opened,
        )  # fmt: skip
        people = {}
        for key, name, number, valid in (("P1", "李丽", LI_ID, True),
                                         ("P2", "王伟", WANG_BAD, False),
                                         ("P3", "赵敏", ZHAO_ID, True)):  # fmt: skip
            people[name] = resident(
                name, ("public_security_persons", key), id_number=number,
                id_number_valid=valid, town=town, village=community, dwelling=home,
            )  # fmt: skip
            Occupancy.objects.create(
                dwelling=home, resident=people[name], basis="door_card", source_key=f"C-{key}"
            )
        items = {}
        on = ((Kind.DWELLING_MISMATCH, people["李丽"]), (Kind.INVALID_ID, people["王伟"]),
              (Kind.OVER_OCCUPANCY, None))  # fmt: skip
        for kind, who in on:
            items[kind] = Discrepancy.objects.create(
                kind=kind, subject=f"resident:{who.pk}" if who else "dwelling:YC-9",
                summary=kind, town=town, village=community, dwelling=home, resident=who,
                opened_at=opened, updated_at=opened,
            )  # fmt: skip
    with clock.frozen_at(NOW):
        yield {"home": home, "people": people, "items": items}


def visit_all(inspector, house, **extra):
    """李丽 gone, 王伟's number put right, 赵敏 as the hub knows her, a new occupant."""
    people = house["people"]
    return record_visit(
        inspector, house["home"], NOW - timedelta(minutes=5), VisitOrigin.PAGE,
        checklist={"fire_exit": True, "not_overcrowded": False},
        occupants=[
            {"resident": people["李丽"].pk, "outcome": Outcome.MOVED_OUT},
            {"resident": people["王伟"].pk, "outcome": Outcome.DIFFERS, "id_number": WANG_ID},
            {"resident": people["赵敏"].pk, "outcome": Outcome.CONFIRMED},
            {"outcome": Outcome.NEW, "name": "钱多多", "id_number": NEW_ID,
             "phone": "13800001111"},
        ],
        **extra,
    )  # fmt: skip


def inspection_records() -> list[dict]:
    con = store.connect()
    try:
        if not store.current_relation(con, "inspection", "cur"):
            return []
        cur = con.execute(
            "SELECT _key, _source, _load_id, _loaded_at, outcome, name, id_number, phone, "
            "resident_id, dwelling_code, inspector FROM cur ORDER BY occupant_no"
        )
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    finally:
        con.close()


def test_a_visit_reaches_the_hub_as_inspection_records_with_provenance(house, persona):
    inspector = persona("inspector")
    visit = visit_all(inspector, house)
    result = corrections.sweep()
    load = Load.objects.get(pk=result["load"])
    assert (load.status, load.origin, load.changed) == (LoadStatus.SUCCEEDED, LoadOrigin.PATROL, 4)
    assert load.files.get().source == "inspection"
    people = house["people"]
    rows = inspection_records()
    assert [r["_key"] for r in rows] == [f"{visit.key}|{n}" for n in (1, 2, 3, 4)]
    assert {(r["_source"], r["_load_id"], r["dwelling_code"], r["inspector"]) for r in rows} == {
        ("inspection", load.pk, "YC-9", "inspector")
    }
    assert all(r["_loaded_at"] is not None for r in rows)
    gone, corrected, confirmed, new = rows
    # What the inspector did not type is the hub's (a wrong number is never "confirmed").
    assert (gone["outcome"], gone["name"], gone["id_number"]) == ("moved_out", "李丽", LI_ID)
    assert (corrected["outcome"], corrected["name"], corrected["id_number"]) == (
        "differs", "王伟", WANG_ID)  # fmt: skip
    assert (confirmed["name"], confirmed["id_number"], confirmed["resident_id"]) == (
        "赵敏", ZHAO_ID, people["赵敏"].pk)  # fmt: skip
    assert (new["outcome"], new["name"], new["id_number"], new["resident_id"]) == (
        "new", "钱多多", NEW_ID, None)  # fmt: skip
    # The changed load is linked next, as a load from the pages is.
    assert DBTaskResult.objects.filter(task_path__endswith="linkage.link_task").exists()


def test_the_visit_settles_the_dwellings_discrepancies_naming_itself(house, persona):
    inspector = persona("inspector")
    visit = visit_all(inspector, house)
    items = house["items"]
    # record_visit queued the settling in the visit's own transaction.
    queued = DBTaskResult.objects.get(task_path__endswith="corrections.settle_task")
    assert queued.args_kwargs["args"] == [visit.pk]
    assert corrections.settle_task.call(visit.pk) == 3
    expected = {Kind.DWELLING_MISMATCH: State.CORRECTED, Kind.INVALID_ID: State.CORRECTED,
                Kind.OVER_OCCUPANCY: State.CONFIRMED}  # fmt: skip
    for kind, state in expected.items():
        item = Discrepancy.objects.get(pk=items[kind].pk)
        assert item.state == state, kind
        event = item.events.get()
        assert event.actor == inspector and str(visit.key) in event.note
        assert (event.from_state, event.to_state) == (State.OPEN, state)
    gone = Discrepancy.objects.get(pk=items[Kind.DWELLING_MISMATCH].pk)
    assert gone.closed_at == NOW and "李丽已搬离YC-9" in gone.events.get().note
    entry = AuditEntry.objects.filter(action="datahub.discrepancy.correct").latest("seq")
    assert entry.after["visit"] == str(visit.key) and entry.actor == inspector
    # Settling again, by the task or by the sweep's safety net, changes nothing.
    events = DiscrepancyEvent.objects.count()
    assert corrections.settle_task.call(visit.pk) == 0
    assert corrections.sweep()["settled"] == 0
    assert DiscrepancyEvent.objects.count() == events


def test_a_later_decision_by_a_person_is_not_undone_by_the_visit(house, persona):
    inspector, item = persona("inspector"), house["items"][Kind.DWELLING_MISMATCH]
    visit = visit_all(inspector, house)
    settle.settle(visit)
    discrepancies.reopen(item, persona("admin"), "搬离未核实")
    assert corrections.sweep()["settled"] == 0
    assert Discrepancy.objects.get(pk=item.pk).state == State.OPEN


def test_a_visit_does_not_settle_an_item_opened_after_it(house, persona):
    inspector, item = persona("inspector"), house["items"][Kind.OVER_OCCUPANCY]
    Discrepancy.objects.filter(pk=item.pk).update(opened_at=NOW)
    visit = visit_all(inspector, house)
    settle.settle(visit)
    assert Discrepancy.objects.get(pk=item.pk).state == State.OPEN


def test_re_running_the_sweep_changes_nothing(house, persona):
    visit_all(persona("inspector"), house)
    first = corrections.sweep()
    loads, events = Load.objects.count(), DiscrepancyEvent.objects.count()
    again = corrections.sweep()
    assert first["records"] == 4 and again == {
        "visits": 0,
        "settled": 0,
        "records": 0,
        "load": None,
    }
    assert (Load.objects.count(), DiscrepancyEvent.objects.count()) == (loads, events)
    assert len(inspection_records()) == 4


def test_a_failing_hub_load_leaves_the_visit_queued(house, persona, monkeypatch):
    visit = visit_all(persona("inspector"), house)

    def disk_full(load_id):
        raise OSError("No space left on device")

    monkeypatch.setattr(store, "publish", disk_full)
    result = corrections.sweep()
    assert result["load"] is None
    assert Load.objects.get(origin=LoadOrigin.PATROL).status == LoadStatus.FAILED
    assert inspection_records() == []
    assert [v.pk for v in corrections.pending()] == [visit.pk]
    monkeypatch.undo()
    assert corrections.sweep()["status"] == LoadStatus.SUCCEEDED
    assert len(inspection_records()) == 4 and corrections.pending() == []


def test_a_visit_recorded_later_goes_with_the_next_load_only(house, persona):
    inspector = persona("inspector")
    first = visit_all(inspector, house)
    corrections.sweep()
    with clock.frozen_at(NOW + timedelta(hours=1)):
        later = record_visit(
            inspector, house["home"], NOW + timedelta(minutes=50), VisitOrigin.PAGE,
            occupants=[{"resident": house["people"]["赵敏"].pk, "outcome": Outcome.DIFFERS,
                        "phone": "13900002222"}],
        )  # fmt: skip
        assert [v.pk for v in corrections.pending()] == [later.pk]
        result = corrections.sweep()
    assert result["records"] == 1
    keys = {(r["_key"], r["_load_id"]) for r in inspection_records()}
    loads = list(Load.objects.filter(origin=LoadOrigin.PATROL).order_by("pk"))
    assert keys == {(f"{first.key}|{n}", loads[0].pk) for n in (1, 2, 3, 4)} | {
        (f"{later.key}|1", loads[1].pk)
    }


def test_the_worker_sends_corrections_periodically():
    assert SWEEPS["patrol.corrections"].run is corrections.sweep


def test_the_inspection_source_has_a_profile_page_without_personal_values(
    house, persona, browser_client
):
    visit_all(persona("inspector"), house)
    corrections.sweep()
    page = browser_client("command").get(reverse("datahub:source", args=["inspection"]))
    html = page.content.decode()
    assert page.status_code == 200 and "巡查核实" in html and "核查结果" in html
    assert NEW_ID not in html and "钱多多" not in html
