"""Urban black-odorous water grading of one monitoring point (城市黑臭水体整治工作指南, 2015).

Pure functions over samples keyed by parameter code; the spec is
../shared/data/sensing-standards.md. Rules chosen where the guide leaves room:
- Bands are closed at the mild end: transparency 10–25 cm, DO 0.2–2.0 mg/L, ORP −200–50 mV,
  NH3-N 8–15 mg/L are mild (both ends included); beyond the far end is severe.
- Water shallower than 25 cm: the mild limit is 40% of the depth and the severe limit is
  scaled the same way (10/25 of it, 16% of the depth), so both grades stay reachable.
- Severe: one indicator with at least 60% of its samples severe, or two with at least 30%
  each. Otherwise mild when any sample of any indicator is at mild or worse. Shares count
  each indicator over the samples that carry it; a point with no indicator at all is
  ungraded (level None).
- HJ 212-2017 has no codes for transparency and ORP: TRANSPARENCY and ORP below are this
  project's own, chosen in gaps of the standard's w01 table; devices must be set to send them.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from huying.core.errors import Invalid
from huying.sensing.water import DO, NH3N, finite_value

TRANSPARENCY = "trans"  # cm; project-local code (HJ 212-2017 has none): hj212/codes.py
ORP = "orp"  # mV; project-local code (HJ 212-2017 has none): hj212/codes.py
STANDARD_DEPTH_CM = 25.0
SHALLOW_SHARE = 0.4  # of the depth: the transparency limit in shallow water


class BlackOdour(models.TextChoices):
    NONE = "none", gettext_lazy("不黑臭")
    MILD = "mild", gettext_lazy("轻度黑臭")
    SEVERE = "severe", gettext_lazy("重度黑臭")


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    mild: float  # the limit at which the mild band starts
    severe: float  # beyond this it is severe
    higher_is_worse: bool = False

    def level(self, value: float) -> BlackOdour:
        if self.higher_is_worse:
            worse_than_severe, at_least_mild = value > self.severe, value >= self.mild
        else:
            worse_than_severe, at_least_mild = value < self.severe, value <= self.mild
        if worse_than_severe:
            return BlackOdour.SEVERE
        return BlackOdour.MILD if at_least_mild else BlackOdour.NONE


INDICATORS = (
    Indicator(TRANSPARENCY, gettext_lazy("透明度"), mild=25.0, severe=10.0),
    Indicator(DO, gettext_lazy("溶解氧"), mild=2.0, severe=0.2),
    Indicator(ORP, gettext_lazy("氧化还原电位"), mild=50.0, severe=-200.0),
    Indicator(NH3N, gettext_lazy("氨氮"), mild=8.0, severe=15.0, higher_is_worse=True),
)


@dataclass(frozen=True)
class IndicatorShare:
    code: str
    name: str
    samples: int
    mild: int  # samples in the mild band
    severe: int  # samples at the severe level
    mild_limit: float  # the limits used (transparency depends on the depth)
    severe_limit: float

    @property
    def severe_share(self) -> float:
        return self.severe / self.samples

    @property
    def mild_or_worse_share(self) -> float:
        return (self.mild + self.severe) / self.samples


@dataclass(frozen=True)
class Grade:
    level: BlackOdour | None  # None: no sample carried any indicator
    indicators: tuple[IndicatorShare, ...]  # in INDICATORS order, only those sampled
    deciding: tuple[str, ...]  # codes that made the level (empty for none)

    @property
    def label(self) -> str | None:
        return str(self.level.label) if self.level else None


def grade_point(samples: Sequence[Mapping[str, float]], depth_cm: float | None = None) -> Grade:
    """The grade of one monitoring point from its samples (one mapping per sampling)."""
    indicators = _indicators_for(depth_cm)
    shares = tuple(
        share for i in indicators if (share := _share(i, samples)) is not None
    )  # fmt: skip
    if not shares:
        return Grade(None, (), ())
    severe_60 = [s.code for s in shares if s.severe * 10 >= s.samples * 6]
    severe_30 = [s.code for s in shares if s.severe * 10 >= s.samples * 3]
    if severe_60 or len(severe_30) >= 2:
        return Grade(BlackOdour.SEVERE, shares, tuple(severe_60 or severe_30))
    mild = tuple(s.code for s in shares if s.mild + s.severe)
    return Grade(BlackOdour.MILD if mild else BlackOdour.NONE, shares, mild)


def _indicators_for(depth_cm: float | None) -> tuple[Indicator, ...]:
    if depth_cm is None:
        return INDICATORS
    if isinstance(depth_cm, bool) or not math.isfinite(depth_cm) or depth_cm <= 0:
        raise Invalid(_("水深应为大于 0 的数字（厘米）"), field="depth_cm")
    if depth_cm >= STANDARD_DEPTH_CM:
        return INDICATORS
    standard = INDICATORS[0]
    mild = SHALLOW_SHARE * depth_cm
    shallow = Indicator(
        standard.code, standard.name, mild=mild, severe=mild * standard.severe / standard.mild
    )
    return (shallow, *INDICATORS[1:])


def _share(indicator: Indicator, samples: Sequence[Mapping[str, float]]) -> IndicatorShare | None:
    levels = [indicator.level(finite_value(indicator.code, s[indicator.code]))
              for s in samples if indicator.code in s]  # fmt: skip
    if not levels:
        return None
    return IndicatorShare(
        indicator.code, str(indicator.name), len(levels),
        levels.count(BlackOdour.MILD), levels.count(BlackOdour.SEVERE),
        indicator.mild, indicator.severe,
    )  # fmt: skip
