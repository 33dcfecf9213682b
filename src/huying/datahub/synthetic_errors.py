"""The errors the synthetic extract carries on purpose, and how often.

Each rate is a share of the records it can apply to (its *denominator*, given per field).
Some errors need a record of a certain kind (a name with a character that has a homophone, a
person born before 1980, someone who swipes a card); a draw that lands on a record that does
not qualify is carried to the next one that does, so the realised rate stays close to the
spec instead of shrinking by the share of records that qualify.
"""

import random
from dataclasses import dataclass, fields

# The error names written to the truth's errors.csv.
ID_CHECK_DIGIT = "id_check_digit"
ID_MISTYPED_DIGIT = "id_mistyped_digit"
ID_SWAPPED_DIGITS = "id_swapped_digits"
ID_15_DIGIT = "id_15_digit"
CARD_MISSING_ID = "card_missing_id"
NAME_HOMOPHONE = "name_homophone"
NAME_OTHER_PERSON = "name_other_person"
PHONE_OLD = "phone_old"
PHONE_INVALID = "phone_invalid"
STALE_ADDRESS = "stale_address"
EXPIRED_REGISTRATION = "expired_registration"
GROUP_RENTAL = "group_rental"

# The errors that leave an ID number that fails validation (a 15-digit number is valid once
# upgraded; a missing one is not a number at all).
ID_ERRORS = (ID_CHECK_DIGIT, ID_MISTYPED_DIGIT, ID_SWAPPED_DIGITS)


@dataclass(frozen=True)
class ErrorRates:
    """Per-record rates of each injected error (0 turns one off)."""

    # One of the 17 digits mistyped / the check digit wrong (together ≈1%). Denominator:
    # every ID number written (person records with one, and dwelling owners).
    id_mistyped_digit: float = 0.006
    id_check_digit: float = 0.004
    # Two neighbouring digits swapped. Denominator: every ID number written.
    id_swapped_digits: float = 0.003
    # The old 15-digit number still on file. Denominator: public-security records; only
    # people born before 1980 carry one (numbers issued before 1999).
    id_15_digit: float = 0.01
    # A door card issued without an ID number. Denominator: door cards.
    card_missing_id: float = 0.08
    # One given-name character typed as another of the same sound (丽/莉). Denominator:
    # person records.
    name_homophone: float = 0.02
    # The person's ID number recorded under someone else's name (a housemate's, as a clerk
    # copying a list gets it). Denominator: person records with an ID number.
    name_other_person: float = 0.002
    # The person's previous phone instead of the current one. Denominator: person records
    # with a phone.
    phone_old: float = 0.10
    # A phone with a digit dropped or doubled, or a wrong prefix. Denominator: records with a
    # phone (person records and dwelling owners).
    phone_invalid: float = 0.005
    # A migrant registration still at the previous dwelling while the person swipes cards at
    # the current one. Denominator: registrations; only people holding a card carry one.
    stale_address: float = 0.03
    # An expired registration of someone still swiping. Denominator: registrations; only
    # people holding a card carry one.
    expired_registration: float = 0.02
    # More occupants than max_occupants. Denominator: dwellings.
    group_rental: float = 0.02

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not 0 <= value <= 1:
                raise ValueError(f"{f.name} must be between 0 and 1, not {value}")


class Dealer:
    """Decides which records carry which error: a Bernoulli draw per record, with a draw
    that falls on a record that cannot carry the error owed to the next one that can."""

    def __init__(self, rng: random.Random, rates: ErrorRates) -> None:
        self.rng = rng
        self.rates = {f.name: getattr(rates, f.name) for f in fields(rates)}
        self.owed = dict.fromkeys(self.rates, 0)

    def due(self, kind: str) -> bool:
        """One record of the error's denominator: is the error owed now?"""
        if self.rng.random() < self.rates[kind]:
            self.owed[kind] += 1
        return self.owed[kind] > 0

    def dealt(self, kind: str) -> None:
        self.owed[kind] -= 1
