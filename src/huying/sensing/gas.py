"""Gas alarm levels (GB/T 50493-2019) and the risk colour of a key enterprise.

Pure functions; the spec is ../shared/data/sensing-standards.md. Rules chosen here:
- A reading at or above a set point is at that level (level 2 wins over level 1).
- A sensor may set its points lower than the standard's (25/50 %LEL, 100/200 %OEL), never
  higher; level 1 must stay below level 2, and both above 0.
- Risk colour of an enterprise, from plain counts so the alarm code can call it:
  red     an active level-2 gas alarm, or two or more active level-1 gas alarms;
  orange  one active level-1 gas alarm, or an active process alarm (temperature, pressure,
          level);
  yellow  a device offline or silent, or any alarm raised in the last 24 hours;
  blue    otherwise.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from huying.core.errors import Invalid
from huying.sensing.choices import RiskColour, SensorKind

COMBUSTIBLE, TOXIC = SensorKind.COMBUSTIBLE_GAS.value, SensorKind.TOXIC_GAS.value


class GasLevel(models.IntegerChoices):
    NORMAL = 0, gettext_lazy("正常")
    LEVEL1 = 1, gettext_lazy("一级报警")
    LEVEL2 = 2, gettext_lazy("二级报警")


@dataclass(frozen=True)
class SetPoints:
    level1: float
    level2: float


STANDARD = {COMBUSTIBLE: SetPoints(25.0, 50.0), TOXIC: SetPoints(100.0, 200.0)}
UNITS = {COMBUSTIBLE: "%LEL", TOXIC: "%OEL"}


def set_points(kind: str, level1: float | None = None, level2: float | None = None) -> SetPoints:
    """A sensor's set points: the standard's where not given; Invalid when one is above it."""
    standard = _standard(kind)
    points = SetPoints(
        _point(kind, "level1", level1, standard.level1),
        _point(kind, "level2", level2, standard.level2),
    )
    if points.level1 >= points.level2:
        raise Invalid(_("一级报警设定值应低于二级报警设定值"), field="level1")
    return points


def gas_level(kind: str, value: float, points: SetPoints | None = None) -> GasLevel:
    """The alarm level of one reading (%LEL for combustible, %OEL for toxic gas)."""
    points = points or _standard(kind)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise Invalid(_("应为有限的数字"), field="value")
    if value >= points.level2:
        return GasLevel.LEVEL2
    return GasLevel.LEVEL1 if value >= points.level1 else GasLevel.NORMAL


def _standard(kind: str) -> SetPoints:
    if kind not in STANDARD:
        raise Invalid(_("气体类型应为 combustible（可燃）或 toxic（有毒）"), field="kind")
    return STANDARD[kind]


def _point(kind: str, field: str, value: float | None, limit: float) -> float:
    if value is None:
        return limit
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise Invalid(_("应为有限的数字"), field=field)
    if value <= 0:
        raise Invalid(_("报警设定值应大于 0"), field=field)
    if value > limit:
        message = _("报警设定值不得高于 GB/T 50493-2019 规定的 %(limit)s %(unit)s") % {
            "limit": f"{limit:g}",
            "unit": UNITS[kind],
        }
        raise Invalid(message, field=field)
    return float(value)


def enterprise_risk(
    gas_levels: Iterable[int] = (),
    *,
    process_alarms: int = 0,
    offline_devices: int = 0,
    alarms_last_24h: int = 0,
) -> RiskColour:
    """The risk colour from the levels of the enterprise's active gas alarms and three counts:
    active process alarms, devices offline or silent, alarms raised in the last 24 hours."""
    levels = [int(level) for level in gas_levels]
    if any(level not in (1, 2) for level in levels):
        raise Invalid(_("气体报警级别应为 1 或 2"), field="gas_levels")
    if min(process_alarms, offline_devices, alarms_last_24h) < 0:
        raise Invalid(_("数量不能为负数"), field="process_alarms")
    if GasLevel.LEVEL2 in levels or levels.count(GasLevel.LEVEL1) >= 2:
        return RiskColour.RED
    if levels or process_alarms:
        return RiskColour.ORANGE
    if offline_devices or alarms_last_24h:
        return RiskColour.YELLOW
    return RiskColour.BLUE
