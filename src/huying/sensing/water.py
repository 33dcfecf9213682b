"""GB 3838-2002 surface-water classes by the single-factor method (环办[2011]22号).

Pure functions over values keyed by HJ 212 code; the spec is ../shared/data/sensing-standards.md.

Rules chosen where the standard leaves room (kept in one place so the docs can quote them):
- A value equal to a limit belongs to that class; where two classes share a limit (COD and
  BOD5 for I and II) the better class wins. Dissolved oxygen runs the other way (at least).
- pH 6–9 inclusive meets every class, so it counts as class I; outside it the site is 劣V.
- The site's class is the worst counted parameter; ties go to the first in table order.
- Rivers: total nitrogen, water temperature and fecal coliform do not count (they are listed
  as not evaluated). Lakes: total nitrogen is classed on its own (`total_nitrogen_class`)
  and does not change the main class. Fecal coliform counts for neither (环办[2011]22号).
- Any other code is ignored and listed as not evaluated. NaN or infinity is refused.
- `river_verdict`: over 5 sections, the share rule; 5 or fewer, the wording of the worst
  section's class (method "worst_section"): the standard averages concentrations across the
  sections there, which needs values, not classes; classify() the means for that.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from huying.core.errors import Invalid
from huying.sensing.choices import WaterBody

PH, DO, CODMN, COD, BOD5, NH3N, TP, TN = (
    "w01001", "w01009", "w01019", "w01018", "w01017", "w21003", "w21011", "w21001",
)  # fmt: skip
MIN_SECTIONS_FOR_SHARES = 6  # "more than 5 sections"


class WaterClass(models.IntegerChoices):
    I = 1, "I"  # noqa: E741 (the standard's own name)
    II = 2, "II"
    III = 3, "III"
    IV = 4, "IV"
    V = 5, "V"
    WORSE_THAN_V = 6, gettext_lazy("劣V")

    @property
    def roman(self) -> str:
        """The stable code in the API: "I" .. "V", "劣V" (the standard's notation)."""
        return ROMAN[self.value]

    @property
    def wording(self) -> str:
        return str(CLASS_WORDING[self].label)


ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "劣V"}


class Wording(models.TextChoices):
    EXCELLENT = "excellent", gettext_lazy("优")
    GOOD = "good", gettext_lazy("良好")
    LIGHT = "light", gettext_lazy("轻度污染")
    MODERATE = "moderate", gettext_lazy("中度污染")
    HEAVY = "heavy", gettext_lazy("重度污染")


CLASS_WORDING = {
    WaterClass.I: Wording.EXCELLENT,
    WaterClass.II: Wording.EXCELLENT,
    WaterClass.III: Wording.GOOD,
    WaterClass.IV: Wording.LIGHT,
    WaterClass.V: Wording.MODERATE,
    WaterClass.WORSE_THAN_V: Wording.HEAVY,
}


@dataclass(frozen=True)
class Parameter:
    code: str
    name: str  # lazy: shown in the user's language
    limits: tuple[float, float, float, float, float]  # classes I..V
    at_least: bool = False  # dissolved oxygen: more is better
    lake_limits: tuple[float, float, float, float, float] | None = None


LAKE_TP = (0.01, 0.025, 0.05, 0.1, 0.2)
PARAMETERS = (  # table order: it breaks ties for the deciding parameter
    Parameter(PH, "pH", (6, 6, 6, 6, 6)),  # limits unused: see _class_of
    Parameter(DO, gettext_lazy("溶解氧"), (7.5, 6, 5, 3, 2), at_least=True),
    Parameter(CODMN, gettext_lazy("高锰酸盐指数"), (2, 4, 6, 10, 15)),
    Parameter(COD, gettext_lazy("化学需氧量"), (15, 15, 20, 30, 40)),
    Parameter(BOD5, gettext_lazy("五日生化需氧量"), (3, 3, 4, 6, 10)),
    Parameter(NH3N, gettext_lazy("氨氮"), (0.15, 0.5, 1.0, 1.5, 2.0)),
    Parameter(TP, gettext_lazy("总磷"), (0.02, 0.1, 0.2, 0.3, 0.4), lake_limits=LAKE_TP),
)
TOTAL_NITROGEN = Parameter(TN, gettext_lazy("总氮"), (0.2, 0.5, 1.0, 1.5, 2.0))
BY_CODE = {p.code: p for p in (*PARAMETERS, TOTAL_NITROGEN)}


@dataclass(frozen=True)
class ParameterClass:
    code: str
    name: str
    value: float
    water_class: WaterClass
    counts: bool = True  # False: classed on its own (lake total nitrogen)


@dataclass(frozen=True)
class Classification:
    water_body: str
    water_class: WaterClass | None  # None: no parameter that counts was given
    deciding: ParameterClass | None
    parameters: tuple[ParameterClass, ...]  # table order, lake total nitrogen last
    not_evaluated: tuple[str, ...]  # codes given but not used, sorted
    total_nitrogen_class: WaterClass | None = None

    @property
    def wording(self) -> str | None:
        return self.water_class.wording if self.water_class else None


def classify(values: Mapping[str, float], water_body: str = WaterBody.RIVER) -> Classification:
    """The GB 3838 class of one site from its values (mg/L, pH unitless) by HJ 212 code."""
    if water_body not in WaterBody.values:
        raise Invalid(_("水体类型应为 river（河流）或 lake（湖库）"), field="water_body")
    lake = water_body == WaterBody.LAKE
    counted = [_classed(p, values[p.code], lake) for p in PARAMETERS if p.code in values]
    tn = _classed(TOTAL_NITROGEN, values[TN], lake, counts=False) if lake and TN in values else None
    used = {p.code for p in counted} | ({TN} if tn else set())
    worst = max(counted, key=lambda p: p.water_class, default=None)  # max keeps the first
    return Classification(
        water_body=water_body,
        water_class=worst.water_class if worst else None,
        deciding=worst,
        parameters=(*counted, *([tn] if tn else [])),
        not_evaluated=tuple(sorted(set(values) - used)),
        total_nitrogen_class=tn.water_class if tn else None,
    )


def _classed(parameter: Parameter, value: float, lake: bool, counts=True) -> ParameterClass:
    number = finite_value(parameter.code, value)
    return ParameterClass(
        parameter.code, str(parameter.name), number, _class_of(parameter, number, lake), counts
    )


def finite_value(code: str, value: float) -> float:
    """The value as a float; Invalid naming the code for NaN, infinity or a non-number."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise Invalid(_("应为有限的数字"), field=code)
    return float(value)


def _class_of(parameter: Parameter, value: float, lake: bool) -> WaterClass:
    if parameter.code == PH:
        return WaterClass.I if 6 <= value <= 9 else WaterClass.WORSE_THAN_V
    limits = parameter.lake_limits if lake and parameter.lake_limits else parameter.limits
    for number, limit in enumerate(limits, start=1):
        if (value >= limit) if parameter.at_least else (value <= limit):
            return WaterClass(number)
    return WaterClass.WORSE_THAN_V


def worse_than_target(water_class: int | None, target: int | None) -> bool:
    """An exceedance: the day's class is worse than the section's target (unknowns are not)."""
    return water_class is not None and target is not None and water_class > target


@dataclass(frozen=True)
class RiverVerdict:
    wording: Wording
    sections: int
    good_share: float  # share of sections in classes I–III
    worse_than_v_share: float
    method: str  # "shares" (more than 5 sections) or "worst_section"

    @property
    def label(self) -> str:
        return str(self.wording.label)


def river_verdict(section_classes: Sequence[int]) -> RiverVerdict | None:
    """A river's wording from its sections' classes; None when no section has a class."""
    classes = [WaterClass(c) for c in section_classes if c is not None]
    if not classes:
        return None
    total = len(classes)
    good = sum(c <= WaterClass.III for c in classes)
    worst = sum(c == WaterClass.WORSE_THAN_V for c in classes)
    if total < MIN_SECTIONS_FOR_SHARES:
        wording, method = CLASS_WORDING[max(classes)], "worst_section"
    else:
        wording, method = _share_wording(good, worst, total), "shares"
    return RiverVerdict(wording, total, good / total, worst / total, method)


def _share_wording(good: int, worse_than_v: int, total: int) -> Wording:
    # Whole-number comparisons: 27/30 must be exactly 90%, whatever floats make of it.
    if good * 10 >= total * 9:
        return Wording.EXCELLENT
    if good * 4 >= total * 3:
        return Wording.GOOD
    if worse_than_v * 5 < total:
        return Wording.LIGHT
    if worse_than_v * 5 < total * 2:
        return Wording.MODERATE
    return Wording.HEAVY
