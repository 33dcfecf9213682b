"""Small helpers of the call page (calls/templates/calls/detail/): labels and lookups that read
what the page already holds, so rendering spends no query."""

from django import template

from huying.calls import selectors
from huying.calls.choices import CallStatus
from huying.calls.limit_text import limit_text

register = template.Library()


@register.filter
def status_label(value: str) -> str:
    """A stored state ("in_progress") as the user reads it ("办理中"); "" stays ""."""
    return CallStatus(value).label if value in CallStatus.values else value


@register.filter
def has_running_clock(call) -> bool:
    """Whether a response or resolution clock runs (not in a return dispute, nor once done)."""
    return selectors.current_due_at(call) is not None


@register.filter
def is_image(attachment) -> bool:
    return attachment.content_type.startswith("image/")


@register.filter
def department_on(department_id, call) -> str:
    """The name of a department on the call (from its prefetched assignments, past or
    present: every department an event names was assigned when it happened)."""
    for assignment in call.assignments.all():
        if assignment.department_id == department_id:
            return assignment.department.name
    return ""


@register.filter
def limit_of(call, which: str) -> str:
    """The call's response or resolution limit as people write it ("2小时", "3 个工作日")."""
    return limit_text(call.response_limit if which == "response" else call.resolution_limit)


@register.filter
def stars(value: int) -> str:
    """A 1-5 score as filled and empty stars."""
    return "★" * int(value) + "☆" * (5 - int(value))
