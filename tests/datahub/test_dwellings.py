"""Dwellings from the rental-housing extract, and who lives in them today (door cards and
migrant registrations valid now, of linked residents)."""

import re

import pytest
from django.urls import reverse

from huying.core import clock
from huying.datahub.choices import OccupancyBasis
from huying.datahub.dwellings import refresh_dwellings
from huying.datahub.models import Dwelling, Occupancy, Resident
from huying.orgs.models import Org
from tests.datahub.factories import beijing, load_extract, resident

NOW = beijing("2026-11-24 10:00")
CARDS, REGS = "door_access_cards", "migrant_registrations"


@pytest.fixture(autouse=True)
def hub_dir(settings, tmp_path):
    settings.DATAHUB_DIR = tmp_path / "hub"


@pytest.fixture
def places(db):
    yuncheng = Org.objects.get(name="云城街道")
    renhe = Org.objects.get(name="人和镇")
    a, b = yuncheng.children.order_by("code")[:2]
    return {"yuncheng": yuncheng, "a": a, "b": b, "renhe": renhe,
            "renhe_village": renhe.children.order_by("code").first()}  # fmt: skip


def dwelling_rows(places, **changes):
    rows = {
        "YC-1": {"dwelling_code": "YC-1", "address": "云城街甲巷 1 号", "town": "云城街道",
                 "village": places["a"].name, "owner_name": "陈房东",
                 "owner_id_number": "11010519491231002X", "owner_phone": "13800138000",
                 "rooms": "2", "max_occupants": "2"},
        "YC-2": {"dwelling_code": "YC-2", "address": "云城街乙巷 2 号", "town": "云城",
                 "village": places["b"].name, "max_occupants": "4"},
        "RH-1": {"dwelling_code": "RH-1", "address": "人和镇丙路 3 号", "town": "",
                 "village": places["renhe_village"].name},
        "X-1": {"dwelling_code": "X-1", "address": "火星镇 9 号", "town": "火星镇",
                "village": "环形山村"},
    }  # fmt: skip
    for code, fields in changes.items():
        rows[code] = {**rows[code], **fields}
    return list(rows.values())


CARD_ROWS = [
    {"card_id": "C1", "dwelling_code": "YC-1", "holder_name": "王伟"},  # no expiry: valid
    {"card_id": "C2", "dwelling_code": "YC-1", "holder_name": "张三",
     "expires_at": "2026-11-23T23:59:59+08:00"},  # expired yesterday
    {"card_id": "C3", "dwelling_code": "YC-2", "holder_name": "李丽",
     "issued_at": "2026-01-01", "expires_at": "2026-12-31"},
    {"card_id": "C4", "dwelling_code": "YC-2", "holder_name": "孙七",
     "issued_at": "2026-12-01"},  # not issued yet
    {"card_id": "C9", "dwelling_code": "YC-2", "holder_name": "无人链接"},  # never linked
]  # fmt: skip
REG_ROWS = [
    {"registration_no": "R1", "name": "王伟", "dwelling_code": "YC-2", "status": "有效",
     "expires_at": "2027-06-30"},
    {"registration_no": "R2", "name": "张三", "dwelling_code": "YC-1", "status": "已过期",
     "expires_at": "2026-10-01"},
    {"registration_no": "R3", "name": "赵敏", "dwelling_code": "YC-1", "status": "有效",
     "expires_at": "2026-11-24T09:00:00+08:00"},  # an hour ago
    {"registration_no": "R4", "name": "周八", "dwelling_code": "NOWHERE", "status": "有效",
     "expires_at": "2027-01-01"},  # a dwelling the registry does not know
]  # fmt: skip


@pytest.fixture
def loaded(tmp_path, places):
    load = load_extract(
        tmp_path / "x1", dwellings=dwelling_rows(places), door_access_cards=CARD_ROWS,
        migrant_registrations=REG_ROWS,
    )  # fmt: skip
    people = {
        "王伟": resident("王伟", (CARDS, "C1"), (REGS, "R1")),
        "张三": resident("张三", (CARDS, "C2"), (REGS, "R2")),
        "李丽": resident("李丽", (CARDS, "C3")),
        "孙七": resident("孙七", (CARDS, "C4")),
        "赵敏": resident("赵敏", (REGS, "R3")),
        "周八": resident("周八", (REGS, "R4")),
    }
    return load, people


def occupancy_rows():
    return sorted(
        Occupancy.objects.values_list("dwelling__code", "resident__name", "basis", "source_key")
    )


def test_dwellings_are_upserted_with_their_places_resolved_by_name(loaded, places):
    load, _ = loaded
    with clock.frozen_at(NOW):
        result = refresh_dwellings()
    assert (result.dwellings, result.written) == (4, 4)
    homes = {d.code: d for d in Dwelling.objects.all()}
    assert (homes["YC-1"].town, homes["YC-1"].village) == (places["yuncheng"], places["a"])
    assert homes["YC-2"].town == places["yuncheng"]  # by the short name 云城
    assert homes["YC-2"].village == places["b"]
    # no town given: the village's name is unique in the district, so it places both
    assert (homes["RH-1"].town, homes["RH-1"].village) == (places["renhe"], places["renhe_village"])
    assert (homes["X-1"].town, homes["X-1"].village) == (None, None)
    assert (result.unknown_towns, result.unknown_villages) == (["火星镇"], ["环形山村"])
    yc1 = homes["YC-1"]
    assert (yc1.owner_name, yc1.owner_id_number, yc1.owner_phone) == (
        "陈房东", "11010519491231002X", "13800138000")  # fmt: skip
    assert (yc1.rooms, yc1.max_occupants, yc1.load_id) == (2, 2, load.pk)


def test_occupancy_is_who_holds_a_card_or_a_registration_valid_today(loaded, places):
    _, people = loaded
    with clock.frozen_at(NOW):
        result = refresh_dwellings()
    assert occupancy_rows() == [
        ("YC-1", "王伟", OccupancyBasis.DOOR_CARD, "C1"),
        ("YC-2", "李丽", OccupancyBasis.DOOR_CARD, "C3"),
        ("YC-2", "王伟", OccupancyBasis.REGISTRATION, "R1"),
    ]
    assert result.occupancies == result.occupancies_added == 3
    occupants = dict(Dwelling.objects.values_list("code", "occupants"))
    assert occupants == {"YC-1": 1, "YC-2": 2, "RH-1": 0, "X-1": 0}
    li_li_card = Occupancy.objects.get(source_key="C3")
    assert li_li_card.valid_until == beijing("2026-12-31 00:00")
    # The registration wins over the card for where the hub says a person lives.
    wang = Resident.objects.get(pk=people["王伟"].pk)
    assert wang.dwelling.code == "YC-2"
    assert (wang.town, wang.village) == (places["yuncheng"], places["b"])
    for name in ("张三", "孙七", "赵敏", "周八"):
        assert Resident.objects.get(pk=people[name].pk).dwelling is None


def test_a_second_refresh_writes_nothing(loaded):
    with clock.frozen_at(NOW):
        refresh_dwellings()
        before = list(Occupancy.objects.order_by("pk").values_list("pk", flat=True))
        again = refresh_dwellings()
    assert (again.written, again.occupancies_added, again.occupancies_removed) == (0, 0, 0)
    assert (again.residents_placed, again.residents_unplaced) == (0, 0)
    assert list(Occupancy.objects.order_by("pk").values_list("pk", flat=True)) == before


def test_a_newer_extract_and_the_passing_of_time_move_people(loaded, tmp_path, places):
    _, people = loaded
    with clock.frozen_at(NOW):
        refresh_dwellings()
    cancelled = [{**REG_ROWS[0], "status": "已注销"}]
    moved = dwelling_rows(places, **{"YC-1": {"address": "云城街甲巷 1 号之一"}})
    load_extract(tmp_path / "x2", dwellings=moved, migrant_registrations=cancelled)
    with clock.frozen_at(NOW):
        result = refresh_dwellings()
    assert result.written == 1
    assert Dwelling.objects.get(code="YC-1").address == "云城街甲巷 1 号之一"
    assert result.occupancies_removed == 1
    wang = Resident.objects.get(pk=people["王伟"].pk)
    assert (wang.dwelling.code, wang.village) == ("YC-1", places["a"])  # now by the card
    # A year on, 李丽's card has expired: no longer an occupant; her last place is kept.
    with clock.frozen_at(beijing("2027-01-05 10:00")):
        refresh_dwellings()
    li = Resident.objects.get(pk=people["李丽"].pk)
    assert li.dwelling is None and li.village == places["b"]
    # …and 孙七's card, issued in December, now counts.
    assert [r[:2] for r in occupancy_rows()] == [("YC-1", "王伟"), ("YC-2", "孙七")]
    assert dict(Dwelling.objects.values_list("code", "occupants"))["YC-2"] == 1


def test_without_any_extract_nothing_breaks(db):
    result = refresh_dwellings()
    assert (result.dwellings, result.occupancies) == (0, 0)
    assert not Dwelling.objects.exists()


def _history(html: str) -> list[str]:
    """The dwelling page's history rows as text, newest first."""
    rows = re.findall(r'<tr data-testid="history-row"[^>]*>(.*?)</tr>', html, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


def test_the_dwelling_page_shows_what_each_load_and_time_changed(tmp_path, persona, browser_client):
    community = persona("yuncheng-community").org
    home = {"dwelling_code": "YC-1", "address": "云城街甲巷 1 号", "town": "云城街道",
            "village": community.name, "owner_name": "陈房东", "owner_phone": "13800138000",
            "rooms": "2", "max_occupants": "4"}  # fmt: skip
    regs = [
        {"registration_no": "R1", "name": "王伟", "dwelling_code": "YC-1", "status": "有效",
         "expires_at": "2027-06-30"},
        {"registration_no": "R3", "name": "赵敏", "dwelling_code": "YC-1", "status": "有效",
         "expires_at": "2027-03-01"},
        {"registration_no": "R6", "name": "孙七", "dwelling_code": "YC-1", "status": "有效",
         "expires_at": "2026-11-22T00:00:00+08:00"},  # runs out between the load and today
    ]  # fmt: skip
    cards = [{"card_id": "C1", "dwelling_code": "YC-1", "holder_name": "王伟"}]
    with clock.frozen_at(beijing("2026-11-01 10:00")):
        first = load_extract(tmp_path / "x1", dwellings=[home], migrant_registrations=regs,
                             door_access_cards=cards)  # fmt: skip
    people = {
        "王伟": resident("王伟", (REGS, "R1"), (CARDS, "C1")),
        "赵敏": resident("赵敏", (REGS, "R3")),
        "孙七": resident("孙七", (REGS, "R6")),
    }
    expired = {**regs[1], "status": "已过期", "expires_at": "2026-11-15"}
    with clock.frozen_at(beijing("2026-11-20 10:00")):
        second = load_extract(
            tmp_path / "x2", dwellings=[{**home, "owner_phone": "13900139000", "rooms": "3"}],
            migrant_registrations=[regs[0], expired, regs[2]],
        )  # fmt: skip
    with clock.frozen_at(NOW):
        refresh_dwellings()
        dwelling = Dwelling.objects.get(code="YC-1")
        page = browser_client("inspector").get(reverse("datahub:dwelling", args=[dwelling.pk]))
    html = page.content.decode()
    assert [o.resident_id for o in dwelling.occupancies.all()] == [people["王伟"].pk] * 2
    rows = _history(html)
    assert rows[0].startswith("2026-11-22 00:00 到期") and "R6" in rows[0] and "孙七" in rows[0]
    load2 = [r for r in rows if f"第 {second.pk} 批" in r]
    assert any("房东电话 138****8000 → 139****9000" in r and "房间数 2 → 3" in r for r in load2)
    assert any("R3" in r and "登记状态 有效 → 已过期" in r and "2027-03-01 → 2026-11-15" in r
               for r in load2)  # fmt: skip
    assert all(r.startswith("2026-11-20 10:00") for r in load2) and len(load2) == 2
    load1 = [r for r in rows if f"第 {first.pk} 批" in r]
    assert len(load1) == 5 and all("新增" in r for r in load1)  # the dwelling, 3 regs, 1 card
    assert rows[-len(load1) :] == load1  # newest first
    for number in ("13800138000", "13900139000"):
        assert number not in html
    assert reverse("datahub:resident", args=[people["赵敏"].pk]) in html  # who, linked
