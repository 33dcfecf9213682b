import pytest

from huying.core.masking import mask_id_number, mask_in_text, mask_phone


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        ("020-81234567", "020*****4567"),
        ("12345", "*****"),
        ("", ""),
    ],
)
def test_phones_are_masked(phone, masked):
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("id_number", "masked"),
    [
        ("44011119900307123X", "440111********123X"),
        ("440111900307123", "440111*****7123"),
        ("123", "***"),
    ],
)
def test_id_numbers_keep_region_and_last_four_only(id_number, masked):
    assert mask_id_number(id_number) == masked
    assert id_number[6:14] not in masked or len(id_number) < 10  # never the birth date


def test_numbers_inside_free_text_are_masked():
    text = "店主13812345678，身份证44011119900101123X；订单号 202611160001 不动"
    assert (
        mask_in_text(text) == "店主138****5678，身份证440111********123X；订单号 202611160001 不动"
    )
    assert mask_in_text("") == ""
