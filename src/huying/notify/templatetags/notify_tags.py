from django import template

from huying.notify import selectors

register = template.Library()


@register.inclusion_tag("notify/_badge.html", takes_context=True)
def unread_badge(context) -> dict:
    """The header's unread count; it refreshes itself by polling (see _badge.html)."""
    request = context.get("request")
    return {"unread": selectors.unread_count(getattr(request, "user", None))}
