# ruff: noqa: F811  (the `scene` fixture is imported from plan_fixtures and taken as an argument)
"""The plan scene (tests/patrol/plan_fixtures.py) with two hub residents living in A01 (核定 2 人)
and a third, known to the hub, living elsewhere: the household page's and visit API's scene."""

from datetime import date

import pytest

from huying.core.idnumbers import check_digit, gender_of
from huying.datahub.choices import OccupancyBasis
from huying.datahub.models import Occupancy, Resident
from tests.patrol.plan_fixtures import NOW, scene  # noqa: F401


def id_number(born: str, seq: str = "123") -> str:
    first17 = f"440111{born}{seq}"
    return first17 + check_digit(first17)


def resident(name: str, number: str, village, dwelling=None, phone="13800138000") -> Resident:
    person = Resident.objects.create(
        name=name, name_pinyin=name, id_number=number, id_number_valid=True,
        gender=gender_of(number),
        birth_date=date(int(number[6:10]), int(number[10:12]), int(number[12:14])),
        phone=phone, dwelling=dwelling, town=village.parent, village=village, updated_at=NOW,
    )  # fmt: skip
    if dwelling is not None:
        Occupancy.objects.create(
            dwelling=dwelling, resident=person, basis=OccupancyBasis.REGISTRATION,
            source_key=f"R-{name}",
        )  # fmt: skip
    return person


@pytest.fixture
def home(scene):
    """A01 with 张三 and 李四; 王五 lives in A02."""
    a01, a02 = scene["places"][0], scene["places"][1]
    a01.max_occupants, a01.occupants, a01.owner_name = 2, 2, "房东甲"
    a01.owner_id_number, a01.owner_phone = id_number("19600101", "011"), "13900139000"
    a01.save()
    v1 = scene["v1"]
    return {
        **scene,
        "a01": a01,
        "zhang": resident("张三", id_number("19900307"), v1, a01),
        "li": resident("李四", id_number("19851212", "246"), v1, a01, phone="13700137000"),
        "wang": resident("王五", id_number("19920520", "358"), v1, a02),
    }
