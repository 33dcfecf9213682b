"""Chinese names for the synthetic extract, and their homophone misspellings.

The parts come from Faker's zh_CN person provider, read once: its surnames with their
weights (王 7.17%, 李 7.0%, ...) and its given names for men and women. A given name is either
one of Faker's whole given names or one or two characters drawn from the characters of that
gender's names (weighted by how often they occur there), which gives far more distinct names
than Faker's list while keeping them plausible. Drawing from lists with `random.Random` is a
few hundred times faster than calling Faker per record.

Homophones are not a hand list: every given-name character is grouped by its toneless pinyin
(`pypinyin.lazy_pinyin(style=Style.NORMAL)`), so 丽/利/莉, 静/晶, 杰/洁, 英/莹/颖, ... fall out
of the data, the way a clerk typing pinyin picks the wrong candidate.
"""

import random
from bisect import bisect
from dataclasses import dataclass
from functools import cache
from itertools import accumulate

from faker.providers.person.zh_CN import Provider as _Names
from pypinyin import Style, lazy_pinyin

WHOLE_NAME_SHARE = 0.35  # a given name is one of Faker's whole names
SINGLE_CHAR_SHARE = 0.15  # of the composed ones: a one-character given name


@dataclass(frozen=True)
class _Pool:
    items: tuple[str, ...]
    cum: tuple[float, ...]

    @classmethod
    def weighted(cls, weights: dict[str, float]) -> "_Pool":
        items = tuple(weights)
        return cls(items, tuple(accumulate(weights[i] for i in items)))

    def draw(self, rng: random.Random) -> str:
        return self.items[bisect(self.cum, rng.random() * self.cum[-1])]


class NameParts:
    def __init__(self) -> None:
        self.surnames = _Pool.weighted(dict(_Names.last_names))
        self.whole = {True: tuple(_Names.first_names_male), False: tuple(_Names.first_names_female)}
        self.chars = {
            male: _Pool.weighted(_char_counts(names)) for male, names in self.whole.items()
        }
        self.homophones = _homophones(
            c for names in self.whole.values() for name in names for c in name
        )

    def surname(self, rng: random.Random) -> str:
        return self.surnames.draw(rng)

    def given(self, rng: random.Random, male: bool) -> str:
        if rng.random() < WHOLE_NAME_SHARE:
            names = self.whole[male]
            return names[int(rng.random() * len(names))]
        pool = self.chars[male]
        first = pool.draw(rng)
        if rng.random() < SINGLE_CHAR_SHARE:
            return first
        second = pool.draw(rng)
        return first + second

    def given_unlike(self, rng: random.Random, male: bool, taken: list[str]) -> str:
        """A given name none of `taken` (the rest of the household) already has."""
        while True:
            name = self.given(rng, male)
            if name not in taken:
                return name

    def homophone(self, rng: random.Random, given: str) -> str | None:
        """`given` with one character swapped for another of the same sound, or None when
        none of its characters has one."""
        positions = [i for i, c in enumerate(given) if c in self.homophones]
        if not positions:
            return None
        i = positions[int(rng.random() * len(positions))]
        options = self.homophones[given[i]]
        return given[:i] + options[int(rng.random() * len(options))] + given[i + 1 :]


def _char_counts(names) -> dict[str, float]:
    counts: dict[str, float] = {}
    for name in names:
        for c in name:
            counts[c] = counts.get(c, 0) + 1
    return counts


def _homophones(chars) -> dict[str, tuple[str, ...]]:
    by_sound: dict[str, list[str]] = {}
    for c in dict.fromkeys(chars):  # first-seen order: deterministic
        by_sound.setdefault(lazy_pinyin(c, style=Style.NORMAL)[0], []).append(c)
    return {
        c: tuple(o for o in group if o != c)
        for group in by_sound.values()
        if len(group) > 1
        for c in group
    }


@cache
def name_parts() -> NameParts:
    return NameParts()
