"""Gas alarm levels at their set points (GB/T 50493-2019) and the enterprise risk colour."""

import math

import pytest

from huying.core.errors import Invalid
from huying.sensing.choices import RiskColour
from huying.sensing.gas import GasLevel, SetPoints, enterprise_risk, gas_level, set_points


@pytest.mark.parametrize(
    ("kind", "value", "level"),
    [
        ("combustible", 0, 0), ("combustible", 24.99, 0), ("combustible", 25, 1),
        ("combustible", 49.99, 1), ("combustible", 50, 2), ("combustible", 100, 2),
        ("toxic", 99.9, 0), ("toxic", 100, 1), ("toxic", 199.9, 1), ("toxic", 200, 2),
        ("toxic", -1.5, 0),  # zero drift reads below 0: no alarm, no error
    ],
)  # fmt: skip
def test_levels_at_the_standard_set_points(kind, value, level):
    assert gas_level(kind, value) == level


def test_a_sensor_may_set_lower_points():
    points = set_points("combustible", level1=20, level2=40)
    assert points == SetPoints(20.0, 40.0)
    assert gas_level("combustible", 19.9, points) == GasLevel.NORMAL
    assert gas_level("combustible", 20, points) == GasLevel.LEVEL1
    assert gas_level("combustible", 40, points) == GasLevel.LEVEL2
    assert gas_level("combustible", 40) == GasLevel.LEVEL1  # the standard's points


def test_unset_points_are_the_standards():
    assert set_points("toxic") == SetPoints(100.0, 200.0)
    assert set_points("toxic", level1=50) == SetPoints(50.0, 200.0)
    assert set_points("combustible", level1=25, level2=50) == SetPoints(25.0, 50.0)


@pytest.mark.parametrize(
    ("kind", "fields", "field"),
    [
        ("combustible", {"level1": 25.1}, "level1"),
        ("combustible", {"level2": 50.5}, "level2"),
        ("toxic", {"level1": 101}, "level1"),
        ("toxic", {"level2": 250}, "level2"),
    ],
)
def test_a_point_higher_than_the_standard_is_refused(kind, fields, field):
    with pytest.raises(Invalid) as refused:
        set_points(kind, **fields)
    assert refused.value.field == field
    assert "GB/T 50493-2019" in refused.value.message


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"level1": 30, "level2": 30}, "level1"),
        ({"level1": 20, "level2": 10}, "level1"),
        ({"level1": 0}, "level1"),
        ({"level2": -5}, "level2"),
        ({"level1": math.nan}, "level1"),
    ],
)
def test_points_out_of_order_or_not_positive_are_refused(fields, field):
    with pytest.raises(Invalid) as refused:
        set_points("combustible", **fields)
    assert refused.value.field == field


def test_an_unknown_kind_or_value_is_refused():
    with pytest.raises(Invalid) as refused:
        gas_level("smoke", 10)
    assert refused.value.field == "kind"
    with pytest.raises(Invalid) as refused:
        gas_level("toxic", math.inf)
    assert refused.value.field == "value"


@pytest.mark.parametrize(
    ("levels", "counts", "colour"),
    [
        ([2], {}, RiskColour.RED),
        ([1, 1], {}, RiskColour.RED),
        ([1], {"process_alarms": 3, "offline_devices": 1}, RiskColour.ORANGE),
        ([], {"process_alarms": 1}, RiskColour.ORANGE),
        ([], {"offline_devices": 1}, RiskColour.YELLOW),
        ([], {"alarms_last_24h": 2}, RiskColour.YELLOW),
        ([], {}, RiskColour.BLUE),
    ],
)
def test_enterprise_risk_colour(levels, counts, colour):
    assert enterprise_risk(levels, **counts) == colour


def test_risk_colours_are_labelled_in_chinese():
    labels = [str(c.label) for c in (RiskColour.RED, RiskColour.ORANGE, RiskColour.YELLOW,
                                     RiskColour.BLUE)]  # fmt: skip
    assert [label[0] for label in labels] == ["红", "橙", "黄", "蓝"]
    assert ["重大" in labels[0], "较大" in labels[1], "一般" in labels[2], "低" in labels[3]] == [
        True, True, True, True,
    ]  # fmt: skip


def test_risk_refuses_levels_and_counts_that_cannot_be():
    with pytest.raises(Invalid):
        enterprise_risk([3])
    with pytest.raises(Invalid):
        enterprise_risk([], alarms_last_24h=-1)
