"""GB 3838-2002 classes against the table's edges (sensing/water.py)."""

import math

import pytest
from django.utils import translation

from huying.core.errors import Invalid
from huying.sensing import water
from huying.sensing.water import WaterClass, classify, river_verdict, worse_than_target

I, II, III, IV, V, WORSE = (WaterClass(n) for n in range(1, 7))  # noqa: E741 (GB 3838's names)
# (code, limits for I..V) for rivers, straight from the standard's Table 1.
AT_MOST = [
    ("w01019", (2, 4, 6, 10, 15)),
    ("w01018", (15, 15, 20, 30, 40)),
    ("w01017", (3, 3, 4, 6, 10)),
    ("w21003", (0.15, 0.5, 1.0, 1.5, 2.0)),
    ("w21011", (0.02, 0.1, 0.2, 0.3, 0.4)),
]
LAKE_TP = (0.01, 0.025, 0.05, 0.1, 0.2)
LAKE_TN = (0.2, 0.5, 1.0, 1.5, 2.0)


def class_of(code: str, value: float, water_body: str = "river") -> WaterClass:
    return classify({code: value}, water_body).water_class


def best_class_at(limits, index: int) -> WaterClass:
    """The class a value exactly at limits[index] belongs to: the best class sharing it."""
    return WaterClass(limits.index(limits[index]) + 1)


@pytest.mark.parametrize(("code", "limits"), AT_MOST)
@pytest.mark.parametrize("index", range(5))
def test_a_value_at_a_limit_belongs_to_that_class(code, limits, index):
    assert class_of(code, limits[index]) == best_class_at(limits, index)


@pytest.mark.parametrize(("code", "limits"), AT_MOST)
@pytest.mark.parametrize("index", range(5))
def test_just_above_a_limit_is_the_next_class(code, limits, index):
    above = math.nextafter(limits[index], math.inf)
    expected = next((n for n, limit in enumerate(limits, 1) if above <= limit), 6)  # 6: 劣V
    assert expected > index + 1
    assert class_of(code, above) == WaterClass(expected)


def test_shared_limits_give_the_better_class():
    assert class_of("w01018", 15) == I
    assert class_of("w01017", 3) == I
    assert class_of("w01018", 15.01) == III


@pytest.mark.parametrize(
    ("value", "expected"),
    [(8.0, I), (7.5, I), (7.49, II), (6, II), (5.99, III), (5, III), (4.99, IV), (3, IV),
     (2.99, V), (2, V), (1.99, WORSE), (0, WORSE)],
)  # fmt: skip
def test_dissolved_oxygen_runs_the_other_way(value, expected):
    assert class_of("w01009", value) == expected


@pytest.mark.parametrize(
    ("value", "expected"), [(5.99, WORSE), (6, I), (7.5, I), (9, I), (9.01, WORSE)]
)
def test_ph_outside_6_to_9_is_worse_than_v(value, expected):
    assert class_of("w01001", value) == expected


@pytest.mark.parametrize("index", range(5))
def test_lakes_use_their_own_phosphorus_limits(index):
    limit = LAKE_TP[index]
    assert class_of("w21011", limit, "lake") == WaterClass(index + 1)
    assert class_of("w21011", math.nextafter(limit, 1), "lake") == WaterClass(index + 2)


def test_the_same_phosphorus_is_a_worse_class_in_a_lake():
    assert class_of("w21011", 0.1) == II
    assert class_of("w21011", 0.1, "lake") == IV


@pytest.mark.parametrize("index", range(5))
def test_lake_total_nitrogen_is_classed_on_its_own(index):
    found = classify({"w01009": 7.5, "w21001": LAKE_TN[index]}, "lake")
    assert found.total_nitrogen_class == WaterClass(index + 1)
    assert found.water_class == I  # the main class ignores total nitrogen
    nitrogen = found.parameters[-1]
    assert (nitrogen.code, nitrogen.counts) == ("w21001", False)


def test_lake_total_nitrogen_beyond_v_is_worse_than_v_but_not_the_site():
    found = classify({"w01009": 6, "w21001": 2.01}, "lake")
    assert (found.total_nitrogen_class, found.water_class) == (WORSE, II)


def test_rivers_do_not_use_total_nitrogen_or_temperature():
    found = classify({"w21003": 0.4, "w21001": 9.9, "w01010": 31.0})
    assert found.water_class == II
    assert found.total_nitrogen_class is None
    assert found.not_evaluated == ("w01010", "w21001")
    assert [p.code for p in found.parameters] == ["w21003"]


def test_the_worst_parameter_decides():
    found = classify({"w01001": 7, "w01009": 4.2, "w21003": 2.1, "w21011": 0.15})
    assert (found.water_class, found.deciding.code) == (WORSE, "w21003")
    assert {p.code: p.water_class for p in found.parameters} == {
        "w01001": I, "w01009": IV, "w21003": WORSE, "w21011": III,
    }  # fmt: skip


def test_ties_go_to_the_first_parameter_in_table_order():
    # NH3-N and CODMn are both IV; CODMn comes first in the table whatever the dict order.
    found = classify({"w21003": 1.2, "w01019": 8})
    assert (found.water_class, found.deciding.code) == (IV, "w01019")


def test_unknown_codes_are_listed_not_evaluated():
    found = classify({"w01009": 6.1, "x99999": 1, "w01003": 12.0})
    assert found.water_class == II
    assert found.not_evaluated == ("w01003", "x99999")


def test_no_evaluable_parameter_is_not_enough_data():
    for values, body in (({}, "river"), ({"w01010": 20}, "river"), ({"w21001": 1}, "lake")):
        found = classify(values, body)
        assert found.water_class is None and found.deciding is None and found.wording is None


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, "4.2", True])
def test_a_value_that_is_not_a_finite_number_is_refused(bad):
    with pytest.raises(Invalid) as refused:
        classify({"w01009": 6, "w21003": bad})
    assert refused.value.field == "w21003"


def test_an_unknown_water_body_is_refused():
    with pytest.raises(Invalid) as refused:
        classify({"w01009": 6}, "sea")
    assert refused.value.field == "water_body"


def test_wording_and_roman_code_per_class():
    with translation.override("zh-hans"):
        wordings = [WaterClass(n).wording for n in range(1, 7)]
    assert wordings == ["优", "优", "良好", "轻度污染", "中度污染", "重度污染"]
    assert [WaterClass(n).roman for n in range(1, 7)] == ["I", "II", "III", "IV", "V", "劣V"]


def test_worse_than_target():
    assert worse_than_target(IV, III) is True
    assert worse_than_target(III, III) is False
    assert worse_than_target(II, III) is False
    assert worse_than_target(None, III) is False
    assert worse_than_target(WORSE, None) is False


def sections(good: int, four: int = 0, worse: int = 0) -> list[int]:
    return [II] * good + [IV] * four + [WORSE] * worse


@pytest.mark.parametrize(
    ("classes", "wording"),
    [
        (sections(9, 1), "excellent"),  # 90%: at least 90
        (sections(27, 3), "excellent"),  # 27/30 is exactly 90%
        (sections(17, 2), "good"),  # 89.5%
        (sections(3, 1), "worst_section"),  # 4 sections: not the share rule
        (sections(15, 5), "good"),  # 75%
        (sections(14, 6), "light"),  # 70%, no 劣V
        (sections(14, 2, 4), "moderate"),  # 20% 劣V
        (sections(14, 3, 3), "light"),  # 15% 劣V
        (sections(12, 0, 8), "heavy"),  # 40% 劣V
        (sections(12, 1, 7), "moderate"),  # 35% 劣V
    ],
)
def test_river_verdict_bands(classes, wording):
    verdict = river_verdict(classes)
    if wording == "worst_section":
        assert (verdict.method, verdict.wording) == ("worst_section", water.Wording.LIGHT)
    else:
        assert (verdict.method, verdict.wording) == ("shares", wording)


def test_five_sections_or_fewer_take_the_worst_section():
    assert river_verdict([I, II, III, III, III]).wording == water.Wording.GOOD
    assert river_verdict([I, I, I, I, WORSE]).wording == water.Wording.HEAVY
    assert river_verdict([I, I, I, I, I, WORSE]).method == "shares"  # six: 83% I–III
    assert river_verdict([I, I, I, I, I, WORSE]).wording == water.Wording.GOOD
    assert river_verdict([]) is None
