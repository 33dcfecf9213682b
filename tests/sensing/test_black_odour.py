"""Black-odorous grading of a monitoring point: the bands, the 60% / 30% rule, shallow water."""

import math

import pytest

from huying.core.errors import Invalid
from huying.sensing.black_odour import ORP, TRANSPARENCY, BlackOdour, grade_point

DO, NH3N = "w01009", "w21003"
CLEAN = {TRANSPARENCY: 40.0, DO: 5.0, ORP: 120.0, NH3N: 1.0}
SEVERE = {TRANSPARENCY: 9.9, DO: 0.19, ORP: -201.0, NH3N: 15.1}


@pytest.mark.parametrize(
    ("code", "value", "level"),
    [
        (TRANSPARENCY, 25.01, "none"), (TRANSPARENCY, 25, "mild"), (TRANSPARENCY, 10, "mild"),
        (TRANSPARENCY, 9.99, "severe"),
        (DO, 2.01, "none"), (DO, 2.0, "mild"), (DO, 0.2, "mild"), (DO, 0.19, "severe"),
        (ORP, 50.1, "none"), (ORP, 50, "mild"), (ORP, -200, "mild"), (ORP, -200.1, "severe"),
        (NH3N, 7.99, "none"), (NH3N, 8.0, "mild"), (NH3N, 15, "mild"), (NH3N, 15.01, "severe"),
    ],
)  # fmt: skip
def test_each_indicator_band_edge(code, value, level):
    grade = grade_point([CLEAN | {code: value}])
    assert grade.level == level  # one sample: 100% severe is over 60%
    share = next(s for s in grade.indicators if s.code == code)
    assert (share.mild, share.severe) == (level == "mild", level == "severe")


def samples(n: int, severe: dict[str, int]) -> list[dict]:
    """n samples, clean except that indicator `code` is severe in the first severe[code]."""
    return [CLEAN | {c: SEVERE[c] for c, k in severe.items() if i < k} for i in range(n)]


def test_one_indicator_at_60_percent_severe_makes_the_point_severe():
    grade = grade_point(samples(10, {DO: 6}))
    assert (grade.level, grade.deciding) == (BlackOdour.SEVERE, (DO,))
    assert next(s for s in grade.indicators if s.code == DO).severe_share == 0.6


def test_one_indicator_just_under_60_percent_is_only_mild():
    grade = grade_point(samples(10, {DO: 5}))
    assert (grade.level, grade.deciding) == (BlackOdour.MILD, (DO,))


def test_two_indicators_at_30_percent_each_make_it_severe():
    grade = grade_point(samples(10, {DO: 3, NH3N: 3}))
    assert (grade.level, grade.deciding) == (BlackOdour.SEVERE, (DO, NH3N))


def test_two_indicators_one_under_30_percent_is_mild():
    assert grade_point(samples(10, {DO: 3, NH3N: 2})).level == BlackOdour.MILD


def test_one_mild_sample_makes_the_point_mild():
    clean = [CLEAN] * 9 + [CLEAN | {ORP: 0.0}]
    grade = grade_point(clean)
    assert (grade.level, grade.deciding) == (BlackOdour.MILD, (ORP,))
    assert grade_point([CLEAN] * 10).level == BlackOdour.NONE


def test_shares_count_each_indicator_over_the_samples_that_carry_it():
    # Transparency measured twice by hand, DO every time: 2 of 2 severe is 100%.
    readings = [{DO: 5.0, TRANSPARENCY: 5.0}, {DO: 5.0, TRANSPARENCY: 6.0}] + [{DO: 5.0}] * 8
    grade = grade_point(readings)
    assert grade.level == BlackOdour.SEVERE
    shares = {s.code: (s.samples, s.severe) for s in grade.indicators}
    assert shares == {TRANSPARENCY: (2, 2), DO: (10, 0)}


def test_shallow_water_uses_40_percent_of_the_depth():
    # 20 cm deep: mild limit 8 cm, severe limit 3.2 cm (scaled like 10 of 25).
    assert grade_point([CLEAN | {TRANSPARENCY: 8.01}], depth_cm=20).level == BlackOdour.NONE
    assert grade_point([CLEAN | {TRANSPARENCY: 8.0}], depth_cm=20).level == BlackOdour.MILD
    assert grade_point([CLEAN | {TRANSPARENCY: 3.2}], depth_cm=20).level == BlackOdour.MILD
    assert grade_point([CLEAN | {TRANSPARENCY: 3.19}], depth_cm=20).level == BlackOdour.SEVERE
    # The same 9 cm is severe in deep water.
    assert grade_point([CLEAN | {TRANSPARENCY: 9.0}]).level == BlackOdour.SEVERE
    share = grade_point([CLEAN], depth_cm=20).indicators[0]
    assert (share.mild_limit, share.severe_limit) == pytest.approx((8.0, 3.2))


def test_25_cm_or_deeper_keeps_the_standard_limits():
    for depth in (25, 300):
        share = grade_point([CLEAN | {TRANSPARENCY: 25.0}], depth_cm=depth).indicators[0]
        assert (share.mild_limit, share.severe_limit, share.mild) == (25.0, 10.0, 1)


@pytest.mark.parametrize("depth", [0, -5, math.nan, math.inf])
def test_a_depth_that_is_not_positive_is_refused(depth):
    with pytest.raises(Invalid) as refused:
        grade_point([CLEAN], depth_cm=depth)
    assert refused.value.field == "depth_cm"


def test_no_indicator_means_no_grade():
    grade = grade_point([{"w01010": 21.0}])
    assert (grade.level, grade.indicators, grade.label) == (None, (), None)
    assert grade_point([]).level is None


def test_a_value_that_is_not_a_number_names_its_code():
    with pytest.raises(Invalid) as refused:
        grade_point([CLEAN | {ORP: math.nan}])
    assert refused.value.field == ORP


def test_the_indicators_are_codes_the_devices_send():
    """The grading reads the codes the codec knows and the simulator sends (HJ 212 has no
    transparency or ORP code: both sides use the project's own)."""
    from huying.sensing import black_odour
    from huying.sensing.hj212.codes import KNOWN_CODES

    indicators = {black_odour.TRANSPARENCY, black_odour.ORP, black_odour.DO, black_odour.NH3N}
    assert indicators <= KNOWN_CODES
