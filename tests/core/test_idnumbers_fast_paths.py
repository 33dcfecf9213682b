"""The shortcuts a load takes through core.idnumbers give the answers of the plain rules:
corrections found by arithmetic on the weighted sum, and the region table read in one walk."""

import random
from datetime import date, timedelta

from stdnum import numdb

from huying.core import idnumbers, regions
from huying.core.idnumbers import check_digit


def _numbers(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    numbers = []
    for i in range(count):
        first17 = "".join(rng.choice("0123456789") for _ in range(17))
        last = rng.choice("0123456789X") if i % 3 else check_digit(first17)
        number = first17 + last
        if i % 5 == 0:  # equal neighbours: no swap there
            number = number[:15] + number[14] + number[16:]
        if i % 7 == 0:  # the 17th digit equal to the check character
            number = number[:16] + number[17] + number[17]
        numbers.append(number)
    return [n for n in numbers if n[:17].isdigit()]


def test_sound_neighbours_are_the_neighbours_with_a_right_check_digit():
    numbers = _numbers(3000, seed=11)
    assert len(numbers) > 2500
    for number in numbers:
        slow = [
            (candidate, positions)
            for candidate, positions in idnumbers._neighbours(number)
            if candidate[:17].isdigit() and candidate[17] == check_digit(candidate[:17])
        ]
        assert list(idnumbers._sound_neighbours(number)) == slow, number


def test_corrections_are_the_neighbours_the_plain_rules_accept():
    rng = random.Random(3)  # noqa: S311 - test data, not secrets
    regions = ["110105", "440111", "110103", "430102", "999999", "512830"]
    for i in range(1500):
        born = date(1930, 1, 1) + timedelta(days=rng.randrange(90 * 365))
        first17 = f"{rng.choice(regions)}{born:%Y%m%d}{rng.randrange(1000):03d}"
        number = first17 + check_digit(first17)
        at = rng.randrange(18)
        number = number[:at] + rng.choice("0123456789") + number[at + 1 :]
        stated = born if i % 3 else None
        gender = rng.choice(["男", "女", None])
        plain = [
            idnumbers.Correction(candidate, positions)
            for candidate, positions in idnumbers._neighbours(number)
            if idnumbers._acceptable(candidate, stated, gender)
        ]
        assert idnumbers.corrections(number, birth_date=stated, gender=gender) == plain, number


def test_a_swap_of_the_check_character_x_into_the_body_is_never_offered():
    number = "11010519491231002X"
    swaps = [p for _c, p in idnumbers._sound_neighbours(number) if p == (17, 18)]
    assert swaps == []


def test_the_region_table_read_in_one_walk_agrees_with_asking_it_code_by_code():
    table = regions._county_table()
    assert table is not None and len(table) > 5000
    rng = random.Random(5)  # noqa: S311 - test data, not secrets
    codes = list(table) + [f"{rng.randrange(10**6):06d}" for _ in range(3000)]
    codes += [code[:2] + f"{rng.randrange(10**4):04d}" for code in list(table)[::5]]
    database = numdb.get("cn/loc")
    for code in codes:
        parts = database.info(code)
        asked = {k: v for _part, props in parts for k, v in props.items()}.get("county")
        assert table.get(code) == (asked or None), code


def test_a_region_code_abolished_before_the_birth_year_is_still_found_through_the_table():
    # Chongwen (110103) was merged into Dongcheng in 2010.
    assert idnumbers.region_finding("110103", 1980) is None
    assert "已撤销" in idnumbers.region_finding("110103", 2012).message
    assert "不存在" in idnumbers.region_finding("999999", 1980).message
