"""Masking of personal data (ID numbers, phones): the default everywhere it is shown or sent.

An unmasked view or export is a separate, audited path in the app that offers it.
"""


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
