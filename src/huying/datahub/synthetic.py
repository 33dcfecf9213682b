"""A synthetic departmental extract with known truth, for the demo, linkage tests and benches.

`write_extract(folder, spec, truth_folder)` writes the five files of the load format
(docs/load-format.md) into `folder`, and, into `truth_folder` (never the load folder), what
the hub is meant to find out: `persons.csv` (which person each record of the three person
sources is) and `errors.csv` (which injected error each record carries).

The choices that make it realistic, and where each lives:

- Places (synthetic_places.py): the spec's towns and villages; rental flats of 1–12 rooms
  (small ones most common), max_occupants = rooms × 2, one to four flats per building on
  the village's lanes, codes like `YC-0007-00123`, addresses like
  `广州市白云区云城街道萧岗社区东三巷12号302房`, coordinates inside Baiyun.
- People (synthetic_people.py): households of one to five (workers alone, couples, parents
  with grown children, siblings; twins), children with the father's surname, birth years
  1950–2008, migrants from Guangdong, Hunan, Guangxi, Sichuan, Henan, Jiangxi, Hubei,
  Guizhou, ..., locals with 4401xx numbers.
- ID numbers and phones (synthetic_ids.py): region codes that existed in the birth year in
  python-stdnum's table (so `stdnum.cn.ric.validate` accepts every clean one), the sequence
  digit's parity the gender, the right check digit; mobiles with real prefixes.
- Names (synthetic_names.py): Faker's zh_CN surnames (weighted) and given-name characters;
  homophones grouped by pypinyin.
- Who is in which source, landlords, former tenants (synthetic_village.py): public security
  ≈ 90% of residents, migrant registrations ≈ 75% (migrants only; former tenants' cancelled
  and expired ones among them), door cards ≈ 85% (some people hold two), so 1,000,000
  residents give about 2.5 million person records; each card swipes `events_per_card` times
  on average over the 30 days before `as_of`, mostly mornings and evenings.
- Injected errors and their rates (synthetic_errors.py, `ErrorRates`): mistyped and swapped
  ID digits, 15-digit numbers, cards without an ID, homophone names, another person's name,
  old and invalid phones, stale registration addresses, expired registrations of people
  still swiping, group rentals.
- Keys and rows (synthetic_records.py).

Deterministic: the same spec gives the same bytes (one `random.Random(seed)` drives
everything, and nothing iterates a set or a hash-ordered dict). Fast and bounded in memory:
rows are streamed to CSV village by village, and only the ID numbers already issued (to keep
them unique) outlive a village.
"""

import random
import re
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from faker.providers.company.zh_CN import Provider as _Companies

from huying.core import clock
from huying.datahub.synthetic_errors import Dealer, ErrorRates
from huying.datahub.synthetic_people import Populace
from huying.datahub.synthetic_places import lay_out
from huying.datahub.synthetic_records import HEADERS, TRUTH_HEADERS, Records
from huying.datahub.synthetic_village import VillageBuilder

__all__ = ["DEFAULT_TOWNS", "ErrorRates", "ExtractSpec", "ExtractSummary", "write_extract"]

DEFAULT_TOWNS = (
    ("云城街道", ("萧岗社区", "云城社区", "机场路社区", "白云大道社区")),
    ("三元里街道", ("三元里社区", "松柏社区", "瑶台社区")),
    ("人和镇", ("凤和村", "鹤亭村", "方石村", "东华村", "秀水村")),
)
_INDUSTRIES = ("服装", "皮具", "物流", "电子", "五金", "印刷", "家具", "化妆品", "建材", "餐饮管理")
_COMPANY_FORMS = (
    "广州市{p}{i}有限公司",
    "广州{p}{i}有限公司",
    "白云区{p}{i}厂",
    "广州市白云区{p}{i}商行",
)
_BRAND = re.compile(r"[\u4e00-\u9fff]{2}")
_SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class ExtractSpec:
    residents: int = 50_000
    # (town name, [village names]); the demo passes its own org tree's names.
    towns: Sequence[tuple[str, Sequence[str]]] = DEFAULT_TOWNS
    as_of: date | None = None  # the extract's date; None: today in Beijing (core.clock)
    seed: int = 0
    events_per_card: int = 6  # door swipes per card over the 30 days before as_of (mean)
    errors: ErrorRates = field(default_factory=ErrorRates)


@dataclass
class ExtractSummary:
    rows: dict[str, int]  # per file of the load (the header not counted)
    residents: int
    departed: int  # former tenants: records, but no longer living in the district
    dwellings: int
    errors: dict[str, int]  # injected errors by kind
    seconds: float
    as_of: date | None = None

    @property
    def person_records(self) -> int:
        return sum(self.rows[s] for s in HEADERS if s not in ("dwellings", "door_access_events"))


def write_extract(
    folder: Path, spec: ExtractSpec | None = None, truth_folder: Path | None = None
) -> ExtractSummary:
    """Write the five files into `folder` and, when given, the truth into `truth_folder`
    (which must lie outside the load folder: a load must not see its own answers)."""
    started = time.perf_counter()
    spec = spec or ExtractSpec()
    if not spec.towns or not all(villages for _t, villages in spec.towns):
        raise ValueError("the spec needs at least one town, each with at least one village")
    folder, truth_folder = Path(folder), Path(truth_folder) if truth_folder else None
    if truth_folder and folder.resolve() in (
        truth_folder.resolve(),
        *truth_folder.resolve().parents,
    ):
        raise ValueError("the truth must not be written into the load folder")
    as_of = spec.as_of or _today()
    rng = random.Random(spec.seed)  # noqa: S311 - synthetic data, not secrets
    villages = lay_out(rng, spec.towns)
    shares = _allocate(rng, spec.residents, len(villages))
    employers = _employers(rng, spec.residents)
    folder.mkdir(parents=True, exist_ok=True)
    if truth_folder:
        truth_folder.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:

        def opened(path: Path):
            return stack.enter_context(
                path.open("w", encoding="utf-8", newline="", buffering=1 << 20)
            )

        writers = {name: opened(folder / f"{name}.csv") for name in HEADERS}
        truth = (
            {name: opened(truth_folder / f"{name}.csv") for name in TRUTH_HEADERS}
            if truth_folder
            else {}
        )
        records = Records(rng, Dealer(rng, spec.errors), as_of, writers, truth, spec.seed)
        records.write_headers()
        builder = VillageBuilder(
            rng, Populace(rng), records, as_of, spec.events_per_card, employers
        )
        for village, residents in zip(villages, shares, strict=True):
            builder.build(village, residents)
    return ExtractSummary(
        rows=dict(records.rows),
        residents=builder.residents,
        departed=builder.departed,
        dwellings=builder.dwellings,
        errors=dict(sorted(records.errors.items())),
        seconds=round(time.perf_counter() - started, 2),
        as_of=as_of,
    )


def _today() -> date:
    return clock.now().astimezone(_SHANGHAI).date()


def _allocate(rng: random.Random, total: int, parts: int) -> list[int]:
    """`total` residents over `parts` villages of uneven size (largest remainders)."""
    weights = [0.4 + 1.2 * rng.random() for _ in range(parts)]
    exact = [total * w / sum(weights) for w in weights]
    shares = [int(x) for x in exact]
    by_remainder = sorted(range(parts), key=lambda i: (shares[i] - exact[i], i))
    for i in by_remainder[: total - sum(shares)]:
        shares[i] += 1
    return shares


def _employers(rng: random.Random, residents: int) -> list[str]:
    """A pool of employers (one per ~60 residents), from Faker's zh_CN company words."""
    # Faker's two-character brand names (超艺, 和泰, ...); the longer ones name an industry.
    prefixes = [p for p in dict.fromkeys(_Companies.company_prefixes) if _BRAND.fullmatch(p)]
    names: list[str] = []
    while len(names) < max(20, residents // 60):
        name = _COMPANY_FORMS[int(rng.random() * len(_COMPANY_FORMS))].format(
            p=prefixes[int(rng.random() * len(prefixes))],
            i=_INDUSTRIES[int(rng.random() * len(_INDUSTRIES))],
        )
        names.append(name)
    return names
