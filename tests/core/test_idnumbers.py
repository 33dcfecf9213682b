"""ID numbers (GB 11643-1999) and phones: the standard's examples, every single-digit error
and adjacent swap caught, and findings that say what is wrong in words."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from huying.core import idnumbers
from huying.core.idnumbers import check_digit, check_id_number, check_phone, corrections


def test_the_standards_examples_have_the_right_check_digit():
    # GB 11643-1999 gives these two worked examples.
    assert check_digit("11010519491231002") == "X"
    assert check_digit("44052418800101001") == "4"


def test_a_valid_number_has_no_findings_and_tells_birth_date_and_gender():
    result = check_id_number("11010519491231002x")
    assert result.valid and result.findings == ()
    assert result.number == "11010519491231002X"
    assert result.birth_date == date(1949, 12, 31)
    assert result.gender == "女"


# Region codes that exist for every birth year drawn below (checked against python-stdnum).
REGIONS = ["110105", "440111", "440106", "430102", "450102", "510104", "410105", "360102"]


@st.composite
def valid_numbers(draw):
    region = draw(st.sampled_from(REGIONS))
    born = draw(st.dates(min_value=date(1950, 1, 1), max_value=date(2008, 12, 31)))
    sequence = draw(st.integers(min_value=0, max_value=999))
    first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_digit(first17)


@given(valid_numbers())
def test_generated_numbers_are_valid(number):
    assert check_id_number(number).valid
    if ric.is_valid(number):  # stdnum also wants the code to exist in the birth year
        assert ric.validate(number) == number


@given(valid_numbers(), st.integers(min_value=0, max_value=17), st.sampled_from("0123456789X"))
def test_every_single_character_error_is_caught(number, position, typed):
    if typed == number[position] or (typed == "X" and position != 17):
        return
    wrong = number[:position] + typed + number[position + 1 :]
    assert not check_id_number(wrong).valid


@given(valid_numbers(), st.integers(min_value=0, max_value=16))
def test_every_adjacent_swap_is_caught(number, position):
    a, b = number[position], number[position + 1]
    if a == b:
        return
    swapped = number[:position] + b + a + number[position + 2 :]
    assert not check_id_number(swapped).valid


def test_wrong_check_digit_says_a_digit_was_probably_mistyped():
    result = check_id_number("440111199003071234")
    assert result.codes == ["checksum"]
    assert result.findings[0].message.startswith("校验位错误，可能有一位录错")


def test_with_the_records_birth_date_the_message_names_the_wrong_digit():
    good = "4401111990030712" + "3"
    good = good[:17] + check_digit(good[:17])
    typo = good[:9] + "7" + good[10:]  # 1990 typed as 1997
    result = check_id_number(typo, birth_date=date(1990, 3, 7))
    checksum = next(f for f in result.findings if f.code == "checksum")
    assert "第 10 位可能录错，应为 0" in checksum.message
    assert "birth_mismatch" in result.codes


def test_corrections_find_the_original_among_the_single_edits():
    good = "110105194912310021"
    good = good[:17] + check_digit(good[:17])
    swapped = good[:12] + good[13] + good[12] + good[14:]  # 19491231 typed as 19491213
    assert good in [c.number for c in corrections(swapped)]


@pytest.mark.parametrize(
    ("raw", "code", "words"),
    [
        ("", "missing", "缺少身份证号"),
        ("4401111990030712", "length", "这里是 16 位"),
        ("44011119900307123A", "format", "不该出现的字符"),
        ("440111199002301232", "birth_date", "1990-02-30 不存在"),
        ("999999199003071234", "region", "地区码 999999 不存在"),
    ],
)
def test_each_kind_of_problem_is_said_in_words(raw, code, words):
    result = check_id_number(raw)
    finding = next(f for f in result.findings if f.code == code)
    assert words in finding.message
    assert not result.valid


def test_a_region_code_abolished_before_the_birth_year_is_found():
    # 110103 (崇文区) was merged away in 2010: fine for someone born in 1980, not in 2015.
    old = "1101031980010100" + "1"
    old = old[:17] + check_digit(old[:17])
    assert "region" not in check_id_number(old).codes
    late = "1101032015010100" + "1"
    late = late[:17] + check_digit(late[:17])
    finding = next(f for f in check_id_number(late).findings if f.code == "region")
    assert "2015" in finding.message


def test_gender_disagreeing_with_the_sequence_digit_is_a_warning():
    result = check_id_number("11010519491231002X", gender="男")
    gender = next(f for f in result.findings if f.code == "gender")
    assert gender.severity == idnumbers.WARNING
    assert "偶数" in gender.message
    assert result.valid  # a warning: the number itself is sound


def test_a_region_code_created_after_the_birth_year_is_accepted():
    # 白云区 (440111) dates from 1987; numbers issued later carry it for people born before.
    number = "4401111982010100" + "0"
    number = number[:17] + check_digit(number[:17])
    assert check_id_number(number).valid


def test_fifteen_digit_numbers_are_upgraded():
    result = check_id_number("110105491231002")
    assert result.number == "11010519491231002X"
    assert result.codes == ["upgraded"] and result.valid


@pytest.mark.parametrize(
    ("raw", "normalised", "ok"),
    [
        ("138 0013 8000", "13800138000", True),
        ("+8613800138000", "13800138000", True),
        ("020-86001234", "02086001234", True),
        ("1380013800", "1380013800", False),
        ("12345678901", "12345678901", False),
        ("", "", True),
    ],
)
def test_phones(raw, normalised, ok):
    phone, finding = check_phone(raw)
    assert phone == normalised
    assert (finding is None) == ok
