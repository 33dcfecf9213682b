"""Identity numbers and phones for the synthetic extract: real region codes, correct check
digits, and the ways clerks get them wrong.

Region codes come from python-stdnum's copy of GB/T 2260 (`stdnum/cn/loc.dat`), filtered so
that a code existed in the person's birth year: that is what `stdnum.cn.ric.validate` demands,
so every clean number this module makes passes it (a stricter rule than the hub's own, see
`core.idnumbers`). The table is read once per process.
"""

import random
from datetime import date
from functools import cache
from importlib import resources

from faker.providers.phone_number.zh_CN import Provider as _PhoneProvider

_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]
_CHECK_CHARS = "10X98765432"
# A code that names a grouping rather than a county is never printed on a card.
_NOT_A_COUNTY = ("市辖区", "县")

# Where Baiyun's migrants come from (province code: weight), after the 2020 census pattern
# for Guangzhou: the rest of Guangdong first, then the neighbouring inland provinces.
ORIGIN_PROVINCES = {
    "44": 28,  # Guangdong (outside Guangzhou)
    "43": 18,  # Hunan
    "45": 14,  # Guangxi
    "51": 8,  # Sichuan
    "41": 7,  # Henan
    "36": 7,  # Jiangxi
    "42": 6,  # Hubei
    "52": 5,  # Guizhou
    "50": 3,  # Chongqing
    "53": 2,  # Yunnan
    "35": 1,  # Fujian
    "34": 1,  # Anhui
}
# A province created later (Chongqing, 1997): its people born before then carry the codes of
# the province it was part of.
PART_OF_BEFORE = {"50": "51"}
GUANGZHOU = "4401"
BAIYUN = "440111"

_MOBILE_PREFIXES = tuple(str(p) for p in _PhoneProvider.phonenumber_prefixes)


class Regions:
    """The county codes of `loc.dat` with the years each was in use, and their names."""

    def __init__(self) -> None:
        self.spans: dict[str, list[tuple[int, int]]] = {}
        self.names: dict[str, str] = {}  # code -> latest name (prefectures and provinces too)
        text = (resources.files("stdnum") / "cn" / "loc.dat").read_text(encoding="utf-8")
        province = ""
        for line in text.splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            code, _, rest = line.strip().partition(" ")
            value = rest.split("=", 1)[1].strip('"')
            if not line.startswith(" "):
                province = code
                self.names[province + "0000"] = value
                continue
            full = province + code
            spans, name = _parse_county(value)
            self.names[full] = name
            if not full.endswith("00") and name not in _NOT_A_COUNTY:
                self.spans[full] = spans
        self._by_prefix: dict[str, list[str]] = {}
        for code in sorted(self.spans):
            for prefix in (code[:2], code[:4]):
                self._by_prefix.setdefault(prefix, []).append(code)
        self._in_year: dict[tuple, tuple[str, ...]] = {}
        self._valid: dict[tuple[str, int], bool] = {}
        self._places: dict[str, str] = {}

    def valid_in(self, code: str, year: int) -> bool:
        found = self._valid.get((code, year))
        if found is None:
            spans = self.spans.get(code, ())
            found = self._valid[code, year] = any(a <= year <= b for a, b in spans)
        return found

    def codes(self, prefix: str, year: int, exclude: str = "") -> tuple[str, ...]:
        """County codes starting with `prefix` (a province or prefecture) in use in `year`."""
        key = (prefix, year, exclude)
        found = self._in_year.get(key)
        if found is None:
            found = self._in_year[key] = tuple(
                c
                for c in self._by_prefix.get(prefix, ())
                if not (exclude and c.startswith(exclude)) and self.valid_in(c, year)
            )
        return found

    def place(self, code: str) -> str:
        """The province, prefecture and county names of a code, as a hukou address starts."""
        found = self._places.get(code)
        if found is None:
            province = self.names.get(code[:2] + "0000", "")
            prefecture = self.names.get(code[:4] + "00", "")
            if prefecture == province:
                prefecture = ""
            found = self._places[code] = f"{province}{prefecture}{self.names.get(code, '')}"
        return found


def _parse_county(value: str) -> tuple[list[tuple[int, int]], str]:
    """`[1983-1986]郊区,[1987-]白云区` -> spans [(1983, 1986), (1987, 9999)], name 白云区."""
    spans, name = [], value
    for part in value.split(","):
        if not part.startswith("["):
            spans.append((0, 9999))
            name = part
            continue
        span, name = part[1:].split("]", 1)
        start, end = span.split("-")
        spans.append((int(start) if start else 0, int(end) if end else 9999))
    return spans, name


@cache
def regions() -> Regions:
    return Regions()


def _weighted_sum(digits: str, start: int) -> int:
    return sum((ord(c) - 48) * w for c, w in zip(digits, _WEIGHTS[start:], strict=False))


def check_digit(first17: str) -> str:
    return _CHECK_CHARS[_weighted_sum(first17, 0) % 11]


# The weighted sum is taken in three parts, each computed once: a million numbers share a few
# thousand regions, some twenty thousand birth dates and a thousand sequence numbers.
_REGION_SUMS: dict[str, int] = {}
_DATE_PARTS: dict[date, tuple[str, int]] = {}
_SEQ_PARTS = [(f"{s:03d}", _weighted_sum(f"{s:03d}", 14)) for s in range(1000)]


def id_number(region: str, born: date, seq: int) -> str:
    """The 18-character number; `seq` (0–999) is the sequence, its parity the gender."""
    region_sum = _REGION_SUMS.get(region)
    if region_sum is None:
        region_sum = _REGION_SUMS[region] = _weighted_sum(region, 0)
    day = _DATE_PARTS.get(born)
    if day is None:
        text = f"{born:%Y%m%d}"
        day = _DATE_PARTS[born] = (text, _weighted_sum(text, 6))
    seq_text, seq_sum = _SEQ_PARTS[seq]
    return f"{region}{day[0]}{seq_text}{_CHECK_CHARS[(region_sum + day[1] + seq_sum) % 11]}"


def old_15(number: str) -> str:
    """The 15-digit form issued before 1999 (no century, no check digit)."""
    return number[:6] + number[8:17]


def seq_for(rng: random.Random, male: bool) -> int:
    """A sequence number whose last digit is odd for men, even for women (GB 11643)."""
    return int(rng.random() * 100) * 10 + 2 * int(rng.random() * 5) + (1 if male else 0)


# --- the ways a number is mistyped (each always breaks the check digit) ---------------------


def wrong_check_digit(rng: random.Random, number: str) -> str:
    options = [c for c in "0123456789X" if c != number[17]]
    return number[:17] + options[int(rng.random() * len(options))]


def mistyped_digit(rng: random.Random, number: str) -> str:
    """One of the first 17 digits replaced: a weighted sum mod 11 always notices."""
    i = int(rng.random() * 17)
    wrong = (int(number[i]) + 1 + int(rng.random() * 9)) % 10
    return f"{number[:i]}{wrong}{number[i + 1 :]}"


def swapped_digits(rng: random.Random, number: str) -> str:
    """Two different neighbouring digits among the first 17 swapped (also always noticed)."""
    pairs = [i for i in range(16) if number[i] != number[i + 1]]
    i = pairs[int(rng.random() * len(pairs))]
    return f"{number[:i]}{number[i + 1]}{number[i]}{number[i + 2 :]}"


# --- phones ---------------------------------------------------------------------------------


def mobile(rng: random.Random) -> str:
    prefix = _MOBILE_PREFIXES[int(rng.random() * len(_MOBILE_PREFIXES))]
    return f"{prefix}{int(rng.random() * 100_000_000):08d}"


def invalid_phone(rng: random.Random, phone: str) -> str:
    """A mobile the way forms get it wrong: a digit dropped, one too many, or a bad prefix."""
    kind = int(rng.random() * 3)
    i = 3 + int(rng.random() * 8)
    if kind == 0:
        return phone[:i] + phone[i + 1 :]
    if kind == 1:
        return phone[:i] + phone[i] + phone[i:]
    return "12" + phone[2:]
