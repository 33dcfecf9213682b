"""How the caller's pages write a matter's limits: "响应2小时 · 办结3个工作日", translated.

`Limit.describe()` writes the sheet's form ("3 个工作日") in Chinese only; pages need the
user's language, so the units are msgids here.
"""

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from huying.calls.limits import Limit

register = template.Library()

UNITS = (
    (86400, gettext_noop("%(n)s天")),
    (3600, gettext_noop("%(n)s小时")),
    (60, gettext_noop("%(n)s分钟")),
    (1, gettext_noop("%(n)s秒")),
)


@register.filter
def limit_label(limit: Limit) -> str:
    """'2小时', '1小时30分钟', '3个工作日' in the user's language."""
    if limit.working_days is not None:
        return _("%(n)s个工作日") % {"n": limit.working_days}
    seconds, parts = limit.seconds, []
    for size, unit in UNITS:
        if seconds >= size:
            parts.append(_(unit) % {"n": seconds // size})
            seconds %= size
    return "".join(parts)


@register.simple_tag
def matter_facts(matter) -> str:
    """'牵头：城管局 · 响应2小时 · 办结3个工作日' (autoescaped by the template)."""
    lead = matter.lead_department
    return _("牵头：%(lead)s · 响应%(response)s · 办结%(resolution)s") % {
        "lead": lead.short_name or lead.name,
        "response": limit_label(matter.response_limit),
        "resolution": limit_label(matter.resolution_limit),
    }
