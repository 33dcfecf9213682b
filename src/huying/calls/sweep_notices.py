"""The notices of the sweeper's steps: the messages `notices.announce` would send.

Who hears of what stays in `notices.RECIPIENTS`. The sweeper's steps (warned, urged, case
opened) pick their people by the call's lead department and the urging level alone, so a
sweep pass asks the table once per (kind, department, level) rather than once per event.
"""

from huying.calls import notices
from huying.calls.choices import EventKind
from huying.calls.models import Call, CallEvent
from huying.notify.services import Notice

# The kinds whose recipients depend on nothing but `_audience` below (see notices.RECIPIENTS).
SWEEP_KINDS = frozenset({EventKind.WARNED, EventKind.URGED, EventKind.CASE_OPENED})


def _audience(call: Call, event: CallEvent) -> tuple:
    if event.kind not in SWEEP_KINDS:
        raise ValueError(f"not a sweeper step: {event.kind}")
    return event.kind, call.lead_department_id, event.data.get("level")


class Audiences(dict):
    """The recipients found so far in one sweep pass, by `_audience`: a pass lasts seconds."""


def notices_for(steps: list[tuple[Call, CallEvent]], audiences: Audiences) -> list[Notice]:
    """The messages for these (call, event) steps, in order."""
    found = []
    for call, event in steps:
        pick = notices.RECIPIENTS.get(event.kind)
        if pick is None:
            continue
        key = _audience(call, event)
        if key not in audiences:
            audiences[key] = list(pick(call, event))
        found.append(notices.message(call, event, audiences[key]))
    return found
