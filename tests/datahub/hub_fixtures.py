"""Shared scene for the hub page, API and privacy tests: a tiny load (one dwelling, two person
records) and residents linked to it, one in 云城街 (the inspector's), one in 人和镇."""

import pytest
from stdnum.cn import ric

from huying.core import clock
from huying.datahub.models import Discrepancy, Dwelling, Occupancy
from huying.orgs.models import Org
from tests.datahub.factories import load_extract, resident


def sound_id(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")


LI_ID = sound_id("44011119851120456")
LI_PHONE = "13712340099"
ZHAO_ID = sound_id("44011119900307123")
OWNER_ID = sound_id("44011119600101231")


@pytest.fixture
def hub(settings, tmp_path, persona):
    settings.DATAHUB_DIR = tmp_path / "hub"
    community = persona("yuncheng-community").org
    yuncheng = Org.objects.get(name="云城街道")
    renhe = Org.objects.get(name="人和镇")
    renhe_village = renhe.children.order_by("code").first()
    load = load_extract(
        tmp_path / "extract",
        dwellings=[
            {"dwelling_code": "YC-1", "address": "云城街甲巷 1 号", "town": "云城街道",
             "village": community.name, "owner_name": "陈建国", "owner_id_number": OWNER_ID,
             "owner_phone": "13900000021", "rooms": "2", "max_occupants": "1"},
        ],
        public_security_persons=[
            {"person_key": "P1", "name": "李丽", "id_number": LI_ID, "phone": LI_PHONE,
             "current_address": "云城街甲巷 1 号", "updated_at": "2026-11-01T09:00:00+08:00"},
            {"person_key": "P2", "name": "赵敏", "id_number": ZHAO_ID},
        ],
    )  # fmt: skip
    dwelling = Dwelling.objects.create(
        code="YC-1", address="云城街甲巷 1 号", town=yuncheng, village=community,
        owner_name="陈建国", owner_id_number=OWNER_ID, owner_phone="13900000021",
        max_occupants=1, occupants=2, load_id=load.pk, updated_at=clock.now(),
    )  # fmt: skip
    li = resident(
        "李丽", ("public_security_persons", "P1"), id_number=LI_ID, id_number_valid=True,
        phone=LI_PHONE, town=yuncheng, village=community, dwelling=dwelling, gender="女",
        provenance={"phone": {"source": "public_security_persons", "load": load.pk, "key": "P1",
                              "as_of": "2026-11-01"}},
    )  # fmt: skip
    li2 = resident("李四", town=yuncheng, village=community)
    zhao = resident(
        "赵敏", ("public_security_persons", "P2"), id_number=ZHAO_ID, id_number_valid=True,
        town=renhe, village=renhe_village,
    )  # fmt: skip
    Occupancy.objects.create(dwelling=dwelling, resident=li, basis="door_card", source_key="C1")
    item = Discrepancy.objects.create(
        kind="over_occupancy", subject="dwelling:YC-1", summary="核定 1 人，现住 2 人",
        evidence={"max_occupants": 1, "occupants": 2}, town=yuncheng, village=community,
        dwelling=dwelling, opened_at=clock.now(), updated_at=clock.now(),
    )  # fmt: skip
    return {"load": load, "dwelling": dwelling, "li": li, "li2": li2, "zhao": zhao,
            "community": community, "renhe": renhe, "item": item}  # fmt: skip
