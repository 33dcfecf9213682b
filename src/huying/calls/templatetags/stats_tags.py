"""How the statistics page shows its figures: rates as %, times as 小时/分, "—" for no data."""

from django import template
from django.utils.translation import gettext as _

from huying.calls import statistics

register = template.Library()

NO_DATA = "—"  # nothing to measure (no call responded, resolved or rated): not a zero


@register.filter
def percent(rate: float | None) -> str:
    return NO_DATA if rate is None else f"{rate * 100:.1f}%"


@register.filter
def hours_minutes(seconds: int | None) -> str:
    """'3小时5分'; hours keep counting past a day, as the district's reports write it."""
    if seconds is None:
        return NO_DATA
    hours, rest = divmod(int(seconds), 3600)
    return _("%(h)s小时%(m)s分") % {"h": hours, "m": rest // 60}


@register.filter
def score(value: float | None) -> str:
    return NO_DATA if value is None else f"{value:.2f}"


@register.filter
def group_label(group_by: str) -> str:
    """部门 / 镇街 / 领域: what the rows of a report are."""
    return _(statistics.GROUP_LABELS[group_by])
