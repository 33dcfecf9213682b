"""The synthetic residents themselves: who lives with whom, born when, from where.

A household is one worker alone (42%), a couple (22%), or parents with one to three grown
children (36%); one in ten households of two or more is instead brothers and sisters working
together. Children take the father's surname and the mother keeps her own (as in China), so a
father and his children, or siblings, share a surname and a dwelling, and twins even a birth
date: distinct people the hub must keep apart. Birth years run 1950–2008, mostly the working
ages; children are born 20–40 years after their parents. A migrant family comes from one
county (the mother often from a neighbouring one); a child born after the county's code was
replaced carries a code of the same prefecture that existed in the child's birth year.
Locals carry Guangzhou (4401xx) numbers, Baiyun's 440111 most often.
"""

import random
from datetime import date, timedelta

from huying.datahub import synthetic_ids as ids
from huying.datahub.synthetic_names import name_parts

_SIZES = ((1, 0.42), (2, 0.22), (3, 0.17), (4, 0.12), (5, 0.07))
SIBLINGS_SHARE = 0.10  # of households of two or more
TWINS_SHARE = 0.05  # of families with two or more children
MALE_SHARE = 0.56  # of single migrant workers
_PROVINCES = tuple(ids.ORIGIN_PROVINCES)
_PROVINCE_CUM = tuple(
    sum(list(ids.ORIGIN_PROVINCES.values())[: i + 1]) for i in range(len(_PROVINCES))
)


class Person:
    __slots__ = (
        "born",
        "born_s",
        "employer",
        "given",
        "hukou",
        "id_number",
        "local",
        "male",
        "old_phone",
        "phone",
        "pid",
        "surname",
    )

    def __init__(self, pid, surname, given, male, born, id_number, phone, local, hukou):
        self.pid = pid
        self.surname = surname
        self.given = given
        self.male = male
        self.born = born
        self.born_s = born.isoformat()
        self.id_number = id_number
        self.phone = phone
        self.local = local
        self.hukou = hukou
        self.employer = ""
        self.old_phone = ""

    @property
    def name(self) -> str:
        return self.surname + self.given


class Populace:
    """Makes people with unique ID numbers (a collision is redrawn, never written twice)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.names = name_parts()
        self.regions = ids.regions()
        self._first17: set[int] = set()
        self.count = 0

    # --- one person -----------------------------------------------------------------------

    def person(self, *, surname, male, born, region, local, hukou, taken=()) -> Person:
        rng = self.rng
        while True:
            number = ids.id_number(region, born, ids.seq_for(rng, male))
            key = int(number[:17])
            if key not in self._first17:
                self._first17.add(key)
                break
        self.count += 1
        given = self.names.given_unlike(rng, male, list(taken))
        return Person(self.count, surname, given, male, born, number, ids.mobile(rng), local, hukou)

    def _born(self, year: int) -> date:
        start = date(year, 1, 1)
        days = (date(year + 1, 1, 1) - start).days
        return start + timedelta(days=int(self.rng.random() * days))

    def _origin(self, year: int, local: bool) -> str:
        rng = self.rng
        if local:
            if rng.random() < 0.6 and self.regions.valid_in(ids.BAIYUN, year):
                return ids.BAIYUN
            return _pick(rng, self.regions.codes(ids.GUANGZHOU, year))
        province = _PROVINCES[_cum_index(_PROVINCE_CUM, rng.random() * _PROVINCE_CUM[-1])]
        exclude = ids.GUANGZHOU if province == "44" else ""
        codes = self.regions.codes(province, year, exclude) or self.regions.codes(
            ids.PART_OF_BEFORE[province], year
        )
        return _pick(rng, codes)

    def _kin_region(self, region: str, year: int, local: bool) -> str:
        """The family's county if it existed in `year`, else one of its prefecture's."""
        if self.regions.valid_in(region, year):
            return region
        near = self.regions.codes(region[:4], year) or self.regions.codes(region[:2], year)
        return _pick(self.rng, near) if near else self._origin(year, local)

    # --- households -----------------------------------------------------------------------

    def household_size(self, room: int) -> int:
        x = self.rng.random()
        for size, share in _SIZES:
            x -= share
            if x < 0:
                return min(size, room)
        return min(_SIZES[-1][0], room)

    def household(self, size: int, *, local: bool, hukou, surname: str | None = None,
                  year: int | None = None):  # fmt: skip
        """`size` people living together; `hukou(region)` gives a member's hukou address
        (`year`: a one-person household's birth year, when not a worker's)."""
        rng = self.rng
        surname = surname or self.names.surname(rng)
        if size == 1:
            year = year or _working_year(rng)
            region = self._origin(year, local)
            male = rng.random() < MALE_SHARE
            return [self._member(surname, male, year, region, local, hukou, [])]
        if rng.random() < SIBLINGS_SHARE:
            return self._siblings(size, local, hukou, surname)
        father_year = 1955 + int(rng.random() * (30 if size > 2 else 50))
        father_year = min(father_year, 2004)
        region = self._origin(father_year, local)
        father = self._member(surname, True, father_year, region, local, hukou, [])
        mother_year = max(1950, min(father_year - 2 + int(rng.random() * 7), 2006))
        if rng.random() < 0.7:
            mother_region = self._kin_region(region, mother_year, local)
        else:
            mother_region = self._origin(mother_year, local)
        mother = self._member(
            self.names.surname(rng), False, mother_year, mother_region, local, hukou, []
        )
        people = [father, mother]
        first = max(father_year, mother_year) + 20
        last = min(2008, min(father_year, mother_year) + 40)
        twins_at = None
        if size >= 4 and rng.random() < TWINS_SHARE:
            twins_at = self._born(first + int(rng.random() * (last - first + 1)))
        for i in range(size - 2):
            born = twins_at if twins_at and i < 2 else None
            year = born.year if born else first + int(rng.random() * (last - first + 1))
            kid_region = self._kin_region(region, year, local)
            taken = [p.given for p in people]
            people.append(
                self._member(
                    surname, rng.random() < 0.5, year, kid_region, local, hukou, taken, born
                )
            )
        return people

    def _siblings(self, size, local, hukou, surname):
        rng = self.rng
        eldest = 1975 + int(rng.random() * 28)
        region = self._origin(eldest, local)
        people: list[Person] = []
        for _ in range(size):
            year = min(2008, eldest + int(rng.random() * 9))
            people.append(
                self._member(
                    surname,
                    rng.random() < 0.6,
                    year,
                    self._kin_region(region, year, local),
                    local,
                    hukou,
                    [p.given for p in people],
                )
            )
        return people

    def _member(self, surname, male, year, region, local, hukou, taken, born=None):
        return self.person(
            surname=surname,
            male=male,
            born=born or self._born(year),
            region=region,
            local=local,
            hukou=hukou(region),
            taken=taken,
        )


def _working_year(rng: random.Random) -> int:
    """A single worker's birth year: mostly 18–40 years old, some older."""
    x = rng.random()
    if x < 0.68:
        return 1986 + int(rng.random() * 23)
    if x < 0.92:
        return 1970 + int(rng.random() * 16)
    return 1950 + int(rng.random() * 20)


def _cum_index(cum: tuple, x: float) -> int:
    for i, c in enumerate(cum):
        if x < c:
            return i
    return len(cum) - 1


def _pick(rng: random.Random, items):
    return items[int(rng.random() * len(items))]
