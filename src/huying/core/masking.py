"""Masking of personal data (ID numbers, phones): the default everywhere it is shown or sent.

An unmasked view or export is a separate, audited path in the app that offers it.
"""

import re


def mask_phone(phone: str) -> str:
    """138****5678: enough for a person to recognise, useless to a harvester."""
    digits = (phone or "").strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def mask_id_number(id_number: str) -> str:
    """440111********1234: region code and the last four, never the birth date."""
    value = (id_number or "").strip()
    if len(value) < 10:
        return "*" * len(value)
    return f"{value[:6]}{'*' * (len(value) - 10)}{value[-4:]}"


# A mainland mobile number or an 18/15-character ID number written inside free text.
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
_PHONE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d{9})(?!\d)")


def mask_in_text(text: str) -> str:
    """Free text with every ID number and mobile number in it masked (for public feeds)."""
    text = _ID_IN_TEXT.sub(lambda m: mask_id_number(m.group(1)), text or "")
    return _PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group(1)), text)
