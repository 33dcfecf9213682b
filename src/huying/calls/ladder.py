"""The alert ladder of a call's running clock, as pure functions of the call and the calendar.

A call has one running clock: the response clock while it waits for the lead department,
the resolution clock once the lead has signed. Each clock climbs the same ladder:

    stage 0 → warning at 50% of the limit (working time for working-day limits)
    stage 1 → warning at 80%
    stage 2 → breach: urging level 1 (督办) to the department, copied to its head
    stage 3 → breach + grace (working days): urging level 2, copied to the leader;
              on the response clock (no response at all) also an accountability case
    stage 4 → nothing more

`Call.alert_stage` and `Call.next_alert_at` store where the call stands; the sweeper
(`calls.sweeps`) acts on calls whose `next_alert_at` has passed.
"""

from datetime import datetime

from django.conf import settings

from huying.calls.choices import CallStatus
from huying.calls.models import Call
from huying.core import workdays

WARN_50, WARN_80, URGE_1, URGE_2, DONE = range(5)
RESPONSE, RESOLUTION = "response", "resolution"


def running_clock(call: Call) -> str | None:
    if call.status == CallStatus.CALLED and call.response_due_at:
        return RESPONSE
    if call.status in (CallStatus.RESPONDED, CallStatus.IN_PROGRESS) and call.resolution_due_at:
        return RESOLUTION
    return None  # returned (in dispute), resolved, closed, withdrawn: no clock runs


def stage_time(call: Call, stage: int) -> datetime | None:
    clock = running_clock(call)
    if clock is None or stage >= DONE:
        return None
    if clock == RESPONSE:
        start, due, limit = call.response_clock_from, call.response_due_at, call.response_limit
    else:
        start, due, limit = call.responded_at, call.resolution_due_at, call.resolution_limit
    if stage == WARN_50:
        return limit.point(start, due, 0.5)
    if stage == WARN_80:
        return limit.point(start, due, 0.8)
    if stage == URGE_1:
        return due
    return workdays.add_working_days(due, settings.CALLS_URGE_GRACE_WORKING_DAYS)


def sync(call: Call, *, restarted: bool) -> None:
    """Point the ladder at the right step after a change (the caller saves the call)."""
    if running_clock(call) is None:
        call.alert_stage, call.next_alert_at = WARN_50, None
    elif restarted or call.next_alert_at is None:
        call.alert_stage, call.next_alert_at = WARN_50, stage_time(call, WARN_50)


def due_stage(call: Call, now: datetime) -> int | None:
    """The highest stage whose time has come: a sweeper that was down skips stale warnings."""
    found = None
    for stage in range(call.alert_stage, DONE):
        moment = stage_time(call, stage)
        if moment is None or moment > now:
            break
        found = stage
    return found
