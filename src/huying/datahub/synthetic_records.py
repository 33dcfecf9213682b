"""Writing the synthetic extract's rows, one source record at a time, errors included.

Each method writes one record of one source (and, for a door card, its swipes), draws the
record's errors from the `Dealer`, and writes the truth beside it: which person the record is
(persons.csv) and which errors it carries (errors.csv). Keys look like the source systems'
own: card ids are 8 hex digits (a card's chip id), person keys and registration numbers are
numbers; they are a counter scrambled by a fixed bijection, so they are unique without a set
and say nothing about who is who.
"""

import csv
import random
from datetime import date, timedelta

from huying.datahub import synthetic_errors as err
from huying.datahub import synthetic_ids as ids
from huying.datahub.synthetic_errors import Dealer
from huying.datahub.synthetic_names import name_parts
from huying.datahub.synthetic_people import Person
from huying.datahub.synthetic_places import Dwelling

HEADERS = {
    "dwellings": (
        "dwelling_code", "address", "town", "village", "owner_name", "owner_id_number",
        "owner_phone", "rooms", "max_occupants", "lat", "lon",
    ),
    "door_access_cards": (
        "card_id", "dwelling_code", "holder_name", "id_number", "phone", "issued_at",
        "expires_at",
    ),
    "door_access_events": ("card_id", "dwelling_code", "door_id", "event_time"),
    "public_security_persons": (
        "person_key", "name", "id_number", "gender", "birth_date", "hukou_address",
        "current_address", "phone", "updated_at",
    ),
    "migrant_registrations": (
        "registration_no", "name", "id_number", "gender", "birth_date", "phone",
        "dwelling_code", "address", "employer", "registered_at", "expires_at", "status",
    ),
}  # fmt: skip
TRUTH_HEADERS = {"persons": ("source", "source_key", "person_id"),
                 "errors": ("source", "source_key", "error")}  # fmt: skip
CARDS, PS, MR = "door_access_cards", "public_security_persons", "migrant_registrations"

# How often each source has a phone for a person (an empty cell otherwise).
PHONE_PRESENT = {PS: 0.95, MR: 0.98, CARDS: 0.85, "dwellings": 0.97}
CARD_NO_EXPIRY = 0.25  # cards issued without an end date
VALID, EXPIRED, CANCELLED = "有效", "已过期", "已注销"
REGISTRATION_YEARS = 3  # a residence registration is valid for three years
EVENT_DAYS = 30  # the door-access extract holds the last 30 days of swipes
# Hours of the day people swipe in or out (weights per hour 0–23): leaving 6–9, back 17–23.
_HOUR_WEIGHTS = (1, 0, 0, 0, 0, 1, 4, 9, 9, 4, 2, 2, 3, 2, 2, 2, 2, 3, 6, 8, 9, 8, 6, 3)
_HOURS = tuple(h for h, w in enumerate(_HOUR_WEIGHTS) for _ in range(w))
_TIMES_OF_DAY = tuple(f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86400))


_DAYS: dict[int, str] = {}  # ordinal -> ISO date: a few thousand days, formatted once


def at(day: date, second: int) -> str:
    ordinal = day.toordinal()
    text = _DAYS.get(ordinal)
    if text is None:
        text = _DAYS[ordinal] = day.isoformat()
    return f"{text}T{_TIMES_OF_DAY[second]}+08:00"


class Records:
    def __init__(self, rng: random.Random, dealer: Dealer, as_of: date, writers, truth, seed: int):
        self.rng, self.dealer, self.as_of = rng, dealer, as_of
        self.out = {name: csv.writer(f, lineterminator="\n") for name, f in writers.items()}
        self.truth = {name: csv.writer(f, lineterminator="\n") for name, f in truth.items()}
        self.rows = dict.fromkeys(HEADERS, 0)
        self.errors: dict[str, int] = {}
        self._counters = dict.fromkeys((CARDS, PS, MR), 0)
        self._offset = random.Random(seed).randrange(10**8)  # noqa: S311 - not a secret
        self._window = as_of - timedelta(days=EVENT_DAYS)
        self._event_days = [
            (self._window + timedelta(days=d)).isoformat() for d in range(EVENT_DAYS)
        ]

    def write_headers(self) -> None:
        for name, w in self.out.items():
            w.writerow(HEADERS[name])
        for name, w in self.truth.items():
            w.writerow(TRUTH_HEADERS[name])

    # --- keys -----------------------------------------------------------------------------

    def _next(self, source: str) -> int:
        self._counters[source] += 1
        return self._counters[source]

    def _card_id(self) -> str:
        return f"{(self._next(CARDS) * 2_654_435_761 + self._offset) % 2**32:08X}"

    def _person_key(self) -> str:
        return f"{(self._next(PS) * 6_364_136_223 + self._offset) % 10**10:010d}"

    def _registration_no(self, year: int) -> str:
        return f"LS{year}{(self._next(MR) * 48_271_013 + self._offset) % 10**8:08d}"

    # --- errors and truth -----------------------------------------------------------------

    def _error(self, source: str, key: str, kind: str) -> None:
        self.dealer.dealt(kind)
        self.errors[kind] = self.errors.get(kind, 0) + 1
        if self.truth:
            self.truth["errors"].writerow((source, key, kind))

    def _person(self, source: str, key: str, person: Person) -> None:
        if self.truth:
            self.truth["persons"].writerow((source, key, f"P{person.pid:07d}"))

    def _id(self, source, key, person: Person, *, card=False, old_form=False) -> str:
        d, rng, number = self.dealer, self.rng, person.id_number
        if card and d.due(err.CARD_MISSING_ID):
            self._error(source, key, err.CARD_MISSING_ID)
            return ""
        fifteen = old_form and d.due(err.ID_15_DIGIT)
        check = d.due(err.ID_CHECK_DIGIT)
        typo = d.due(err.ID_MISTYPED_DIGIT)
        swap = d.due(err.ID_SWAPPED_DIGITS)
        if fifteen and person.born.year < 1980:
            self._error(source, key, err.ID_15_DIGIT)
            return ids.old_15(number)
        if typo:
            self._error(source, key, err.ID_MISTYPED_DIGIT)
            return ids.mistyped_digit(rng, number)
        if check:
            self._error(source, key, err.ID_CHECK_DIGIT)
            return ids.wrong_check_digit(rng, number)
        if swap:
            self._error(source, key, err.ID_SWAPPED_DIGITS)
            return ids.swapped_digits(rng, number)
        return number

    def _name(self, source, key, person: Person, id_written: bool, housemates) -> str:
        d = self.dealer
        other = id_written and d.due(err.NAME_OTHER_PERSON)
        homophone = d.due(err.NAME_HOMOPHONE)
        if other:
            names = [p.name for p in housemates if p.name != person.name]
            if names:
                self._error(source, key, err.NAME_OTHER_PERSON)
                return names[int(self.rng.random() * len(names))]
        if homophone:
            given = name_parts().homophone(self.rng, person.given)
            if given:
                self._error(source, key, err.NAME_HOMOPHONE)
                return person.surname + given
        return person.name

    def _phone(self, source, key, phone: str, person: Person | None = None) -> str:
        if self.rng.random() >= PHONE_PRESENT[source]:
            return ""
        d = self.dealer
        invalid = d.due(err.PHONE_INVALID)
        old = person is not None and d.due(err.PHONE_OLD)
        if invalid:
            self._error(source, key, err.PHONE_INVALID)
            return ids.invalid_phone(self.rng, phone)
        if old:
            self._error(source, key, err.PHONE_OLD)
            if not person.old_phone:
                person.old_phone = ids.mobile(self.rng)
            return person.old_phone
        return phone

    def _when(self, start: date, end: date, first_hour=9, hours=9) -> str:
        rng = self.rng
        ordinal = start.toordinal()
        ordinal += int(rng.random() * (max(end.toordinal() - ordinal, 0) + 1))
        text = _DAYS.get(ordinal)
        if text is None:
            text = _DAYS[ordinal] = date.fromordinal(ordinal).isoformat()
        return f"{text}T{_TIMES_OF_DAY[first_hour * 3600 + int(rng.random() * hours * 3600)]}+08:00"

    # --- the sources ----------------------------------------------------------------------

    def dwelling(self, v, dwelling: Dwelling, owner: Person, group_rental: bool) -> None:
        key, src = dwelling.code, "dwellings"
        owner_id = self._id(src, key, owner)
        self.out[src].writerow((
            key, dwelling.address, v.town, v.name, owner.name, owner_id,
            self._phone(src, key, owner.phone), dwelling.rooms, dwelling.max_occupants,
            f"{dwelling.lat:.6f}", f"{dwelling.lon:.6f}",
        ))  # fmt: skip
        self.rows[src] += 1
        if group_rental:
            self._error(src, key, err.GROUP_RENTAL)

    def public_security(self, person: Person, dwelling: Dwelling, since: date) -> None:
        key = self._person_key()
        self._person(PS, key, person)
        number = self._id(PS, key, person, old_form=True)
        self.out[PS].writerow((
            key, self._name(PS, key, person, bool(number), dwelling.occupants), number,
            "男" if person.male else "女", person.born_s, person.hukou,
            dwelling.address,
            self._phone(PS, key, person.phone, person),
            self._when(since, self.as_of - timedelta(days=1), 0, 24),
        ))  # fmt: skip
        self.rows[PS] += 1

    def cards(
        self, person: Person, dwelling: Dwelling, since: date, count: int, events: int
    ) -> int:
        """Write `count` cards and their swipes; returns how many swipes."""
        rng, as_of = self.rng, self.as_of
        swipes = 0
        for n in range(count):
            key = self._card_id()
            self._person(CARDS, key, person)
            number = self._id(CARDS, key, person, card=True)
            issued = since if n == 0 else since + timedelta(days=int(rng.random() * 300))
            issued = min(issued, as_of - timedelta(days=1))
            expires = (
                ""
                if rng.random() < CARD_NO_EXPIRY
                else at(as_of + timedelta(days=10 + int(rng.random() * 700)), 86399)
            )
            name = self._name(CARDS, key, person, bool(number), dwelling.occupants)
            self.out[CARDS].writerow((
                key, dwelling.code, name, number, self._phone(CARDS, key, person.phone, person),
                self._when(issued, issued, 8, 12), expires,
            ))  # fmt: skip
            self.rows[CARDS] += 1
            swipes += self._events(key, dwelling, events, (issued - self._window).days + 1)
        return swipes

    def _events(self, card: str, dwelling: Dwelling, mean: int, first_day: int) -> int:
        """About `mean` swipes (half to one and a half times) on the window's days from
        `first_day` on (a card swipes only after it was issued)."""
        rng = self.rng
        first_day = max(first_day, 0)
        days_open = EVENT_DAYS - first_day
        if mean <= 0 or days_open <= 0:
            return 0
        low = max(1, mean // 2)
        count = low + int(rng.random() * (mean + mean // 2 - low + 1))
        times = sorted(
            {
                (first_day + int(rng.random() * days_open)) * 86400
                + _HOURS[int(rng.random() * len(_HOURS))] * 3600
                + int(rng.random() * 3600)
                for _ in range(count)
            }
        )
        doors, days, tod = dwelling.doors, self._event_days, _TIMES_OF_DAY
        code = dwelling.code
        self.out["door_access_events"].writerows(
            (card, code, doors[int(rng.random() * len(doors))],
             f"{days[t // 86400]}T{tod[t % 86400]}+08:00")
            for t in times
        )  # fmt: skip
        self.rows["door_access_events"] += len(times)
        return len(times)

    def registration(self, person: Person, dwelling: Dwelling, since: date, *, swipes: bool,
                     previous: Dwelling | None, departed: bool = False) -> None:  # fmt: skip
        rng, as_of, d = self.rng, self.as_of, self.dealer
        stale = d.due(err.STALE_ADDRESS) and swipes and previous is not None
        expired = d.due(err.EXPIRED_REGISTRATION) and swipes
        errors, status, where = [], VALID, dwelling
        valid_for = timedelta(days=365 * REGISTRATION_YEARS)
        if departed:
            status = CANCELLED if rng.random() < 0.6 else EXPIRED
            registered = as_of - timedelta(days=(1100 if status == EXPIRED else 200)
                                           + int(rng.random() * 700))  # fmt: skip
            ends = registered + valid_for
        elif stale:
            errors, where = [err.STALE_ADDRESS], previous
            registered = since - timedelta(days=30 + int(rng.random() * 400))
            ends = as_of + timedelta(days=30 + int(rng.random() * 700))  # renewed, same address
        elif expired:
            errors, status = [err.EXPIRED_REGISTRATION], EXPIRED  # ran out since moving in
            registered = min(since + timedelta(days=int(rng.random() * 20)),
                             as_of - timedelta(days=2))  # fmt: skip
            latest = min(as_of - timedelta(days=1), registered + valid_for)
            ends = registered + timedelta(days=1 + int(rng.random() * (latest - registered).days))
        else:
            registered = max(since, as_of - timedelta(days=int(rng.random() * 1000)))
            registered += timedelta(days=int(rng.random() * 20))
            registered = min(registered, as_of - timedelta(days=1))
            ends = registered + valid_for
        key = self._registration_no(registered.year)
        self._person(MR, key, person)
        for kind in errors:
            self._error(MR, key, kind)
        number = self._id(MR, key, person)
        self.out[MR].writerow((
            key, self._name(MR, key, person, bool(number), dwelling.occupants), number,
            "男" if person.male else "女", person.born_s,
            self._phone(MR, key, person.phone, person), where.code, where.address,
            person.employer, self._when(registered, registered), at(ends, 86399), status,
        ))  # fmt: skip
        self.rows[MR] += 1
