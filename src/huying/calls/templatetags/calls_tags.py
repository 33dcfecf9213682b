"""Small pieces every calls page shows the same way: time left, state badges."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from huying.calls import selectors
from huying.calls.choices import CallStatus
from huying.core import clock

register = template.Library()

# The badge colour of each state (app.css: .st-*).
STATUS_CLASS = {
    CallStatus.CALLED: "st-wait",
    CallStatus.RETURNED: "st-dispute",
    CallStatus.RESPONDED: "st-work",
    CallStatus.IN_PROGRESS: "st-work",
    CallStatus.RESOLVED: "st-check",
    CallStatus.CLOSED: "st-done",
    CallStatus.WITHDRAWN: "st-off",
}


def format_seconds(seconds: int) -> str:
    """'2天3小时' / '3小时5分' / '4分12秒' style; the caller adds 剩余 or 超期."""
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return _("%(d)s天%(h)s小时") % {"d": days, "h": hours}
    if hours:
        return _("%(h)s小时%(m)s分") % {"h": hours, "m": minutes}
    return _("%(m)s分%(s)s秒") % {"m": minutes, "s": secs}


@register.simple_tag
def time_left(call, now=None):
    """A live countdown to the running deadline (static/huying/countdown.js ticks it)."""
    due = selectors.current_due_at(call)
    if due is None:
        return mark_safe('<span class="countdown none">—</span>')  # a constant
    left = selectors.seconds_left(call, now or clock.now())
    text = (_("剩余%(t)s") if left >= 0 else _("超期%(t)s")) % {"t": format_seconds(left)}
    css = "late" if left < 0 else ("soon" if left < 3600 else "")
    return format_html(
        '<span class="countdown {}" data-due="{}" data-testid="time-left">{}</span>',
        css,
        due.isoformat(),
        text,
    )


@register.simple_tag
def status_badge(call):
    return format_html(
        '<span class="status {}" data-status="{}">{}</span>',
        STATUS_CLASS.get(call.status, ""),
        call.status,
        call.get_status_display(),
    )
