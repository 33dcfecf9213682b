"""One village of the synthetic extract: its dwellings, landlords, tenants and former tenants.

Dwellings are filled one at a time to 40–100% of their max_occupants (a group rental: two
or more beyond it, up to twice it, all single workers, often of one employer, as in a
factory's unofficial dormitory). Landlords are the village's own families (Guangzhou ID
numbers, mostly one of two clan surnames, as in Baiyun's 城中村); a third of the dwellings
belong to a landlord who already has one, and one in twelve has its landlord's family living
in it. Everybody else rents: about one household in seven is local, the rest migrants.

What each source knows of a resident (independently, so some people are in one source only
and a few in none): public security 88%, a door card 81% (5% of them hold two), a migrant
registration 84% of migrants. People who moved out (5% as many as the residents) leave a
cancelled or expired registration behind, and half of them a public-security record at the
old address: persons with records but no place in the population.
"""

import math
import random
from datetime import date, timedelta

from huying.datahub import synthetic_errors as err
from huying.datahub.synthetic_people import Person, Populace
from huying.datahub.synthetic_places import CITY, Dwelling, Village
from huying.datahub.synthetic_records import Records

PUBLIC_SECURITY_SHARE = 0.88
CARD_SHARE = 0.81
TWO_CARDS_SHARE = 0.05
REGISTERED_SHARE = 0.84  # of migrants
DEPARTED_SHARE = 0.05  # former tenants, per resident
DEPARTED_IN_PUBLIC_SECURITY = 0.5
LOCAL_HOUSEHOLD_SHARE = 0.15
OWNER_LIVES_THERE_SHARE = 1 / 12
OWNER_OF_SEVERAL_SHARE = 1 / 3
CLAN_SHARE = 0.75  # landlords with one of the village's clan surnames
EMPLOYED_SHARE = 0.8
# Characters of rural place names, for the hukou addresses of migrants.
_PLACE_CHARS = "东南西北上下大小新石龙凤马牛田山水河江湖塘坑岭坪桥沙竹松桃李花岗头尾营"
_PLACE_NAMES = tuple(a + b for a in _PLACE_CHARS for b in _PLACE_CHARS if a != b)


class VillageBuilder:
    def __init__(self, rng: random.Random, populace: Populace, records: Records,
                 as_of: date, events_per_card: int, employers: list[str]) -> None:  # fmt: skip
        self.rng, self.populace, self.records = rng, populace, records
        self.as_of, self.events_per_card, self.employers = as_of, events_per_card, employers
        self.residents = self.departed = self.dwellings = 0

    def build(self, v: Village, residents: int) -> None:
        rng = self.rng
        clans = [self.populace.names.surname(rng) for _ in range(2)]
        owners: list[Person] = []
        left = residents
        while left > 0:
            dwelling = v.new_dwelling(rng)
            cap = dwelling.max_occupants
            group = self.records.dealer.due(err.GROUP_RENTAL) and left >= cap + 2
            if group:
                target = min(left, cap + 2 + int(rng.random() * (cap - 1)))
            else:
                low = math.ceil(cap * 0.4)
                target = min(left, low + int(rng.random() * (cap - low + 1)))
            owner, moved_in = self._fill(v, dwelling, target, group, clans, owners)
            dwelling.occupants = [p for p, _since in moved_in]
            self.records.dwelling(v, dwelling, owner, group)
            earlier = len(v.dwellings) - 1
            previous = v.dwellings[int(rng.random() * earlier)] if earlier else None
            for person, since in moved_in:
                self._resident_records(person, dwelling, since, previous)
            left -= target
            self.residents += target
            self.dwellings += 1
        self._departed(v, residents)
        v.dwellings.clear()  # the village is written: memory stays bounded by one village

    # --- who lives in a dwelling --------------------------------------------------------

    def _fill(self, v, dwelling: Dwelling, target: int, group: bool, clans, owners):
        """The dwelling's landlord, and its occupants with the day each moved in."""
        rng, populace = self.rng, self.populace
        occupants: list[tuple[Person, date]] = []
        owner = None
        if not group and rng.random() < OWNER_LIVES_THERE_SHARE:
            family = populace.household(
                populace.household_size(target), local=True, hukou=self._native(v),
                surname=self._clan(clans),
            )  # fmt: skip
            owner = family[0]
            owners.append(owner)
            occupants += self._moved_in(family, since_days=4000)
        elif owners and rng.random() < OWNER_OF_SEVERAL_SHARE:
            owner = owners[int(rng.random() * len(owners))]
        else:
            (owner,) = populace.household(
                1, local=True, hukou=self._native(v), surname=self._clan(clans),
                year=1950 + int(rng.random() * 36),
            )  # fmt: skip
            owners.append(owner)
        employer = self._employer()
        while len(occupants) < target:
            room = target - len(occupants)
            if group:
                people = populace.household(1, local=False, hukou=self._from_home)
                for p in people:
                    p.employer = employer if rng.random() < 0.7 else self._employer()
            else:
                local = rng.random() < LOCAL_HOUSEHOLD_SHARE
                people = populace.household(
                    populace.household_size(room), local=local,
                    hukou=self._local_home if local else self._from_home,
                )  # fmt: skip
                for p in people:
                    p.employer = self._employer() if rng.random() < EMPLOYED_SHARE else ""
            occupants += self._moved_in(people, since_days=2500)
        return owner, occupants

    def _moved_in(self, people: list[Person], since_days: int) -> list[tuple[Person, date]]:
        since = self.as_of - timedelta(days=20 + int(self.rng.random() * since_days))
        return [(p, since) for p in people]

    def _clan(self, clans: list[str]) -> str:
        if self.rng.random() < CLAN_SHARE:
            return clans[int(self.rng.random() * len(clans))]
        return self.populace.names.surname(self.rng)

    def _employer(self) -> str:
        # A few employers hire many: the index is skewed towards the front of the list.
        return self.employers[int(len(self.employers) * self.rng.random() ** 2)]

    # --- what the sources record ----------------------------------------------------------

    def _resident_records(self, person, dwelling, since, previous) -> None:
        rng, records = self.rng, self.records
        swipes = 0
        if rng.random() < CARD_SHARE:
            cards = 2 if rng.random() < TWO_CARDS_SHARE else 1
            issued = since + timedelta(days=int(rng.random() * 10))
            swipes = records.cards(person, dwelling, issued, cards, self.events_per_card)
        if rng.random() < PUBLIC_SECURITY_SHARE:
            records.public_security(person, dwelling, since)
        if not person.local and rng.random() < REGISTERED_SHARE:
            records.registration(person, dwelling, since, swipes=swipes > 0, previous=previous)

    def _departed(self, v: Village, residents: int) -> None:
        rng = self.rng
        expected = residents * DEPARTED_SHARE
        count = int(expected) + (1 if rng.random() < expected % 1 else 0)
        for _ in range(count):
            if not v.dwellings:
                return
            dwelling = v.dwellings[int(rng.random() * len(v.dwellings))]
            (person,) = self.populace.household(1, local=False, hukou=self._from_home)
            person.employer = self._employer()
            left = self.as_of - timedelta(days=40 + int(rng.random() * 700))
            since = left - timedelta(days=100 + int(rng.random() * 1000))
            self.records.registration(person, dwelling, since, swipes=False, previous=None,
                                      departed=True)  # fmt: skip
            if rng.random() < DEPARTED_IN_PUBLIC_SECURITY:
                self.records.public_security(person, dwelling, since)
            self.departed += 1

    # --- hukou addresses ------------------------------------------------------------------

    def _native(self, v: Village):
        def hukou(_region: str) -> str:
            lane = v.lanes[int(self.rng.random() * len(v.lanes))]
            return f"{CITY}{v.town}{v.name}{lane}{1 + int(self.rng.random() * 80)}号"

        return hukou

    def _local_home(self, region: str) -> str:
        place = self.populace.regions.place(region)
        return f"{place}{self._place_name()}路{1 + int(self.rng.random() * 300)}号"

    def _from_home(self, region: str) -> str:
        place = self.populace.regions.place(region)
        n = 1 + int(self.rng.random() * 60)
        return f"{place}{self._place_name()}镇{self._place_name()}村{n}号"

    def _place_name(self) -> str:
        return _PLACE_NAMES[int(self.rng.random() * len(_PLACE_NAMES))]
