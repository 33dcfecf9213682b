"""One chunk of the calls sweeper: claim its due calls together, climb each one rung.

A chunk is one transaction. Its calls are claimed in one query (PostgreSQL: `FOR UPDATE SKIP
LOCKED`, so a concurrent sweeper takes other calls; SQLite serialises write transactions), and
the claim re-checks `next_alert_at <= now`: a compare-and-swap on the stored ladder position,
so a rung is climbed once whoever gets there first. Each claimed call's rung is worked out in
Python (ladder.py says when, `_plan` says what a rung does) and the chunk is written in bulk
(sweep_writes.py): the same rows the per-step `services.append_event` would write.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction

from huying.calls import events, ladder, sweep_notices, sweep_writes
from huying.calls.choices import CaseReason, EventKind
from huying.calls.models import Call, CallEvent


@dataclass
class Climb:
    """One call climbing one rung: the events it appends, in order."""

    call: Call
    stage: int
    events: list[CallEvent] = field(default_factory=list)
    # The CASE_OPENED event: an accountability case is opened just before it is appended.
    case_event: CallEvent | None = None

    def append(self, kind: str, *, note: str, data: dict, now: datetime) -> CallEvent:
        """An automatic step (no actor, no change of status), as `services.append_event`
        records it: the next seq, the event, the ladder kept in step."""
        call = self.call
        call.event_count += 1
        event = events.event_row(
            call,
            kind,
            None,
            from_status=call.status,
            to_status=None,
            note=note,
            data=dict(data),
            now=now,
        )
        ladder.sync(call, restarted=False)
        self.events.append(event)
        return event


def climb(pks: list[int], now: datetime, audiences: sweep_notices.Audiences) -> list[Climb]:
    """Climb the due calls among `pks` one rung each, in one transaction; the climbs made
    (in the order of `pks`). Calls another sweeper holds or already moved on are left out."""
    with transaction.atomic():
        claimed = _claim(pks, now)
        climbs = [c for c in (_plan(claimed[pk], now) for pk in pks if pk in claimed) if c]
        sweep_writes.write(climbs, audiences)
    return climbs


def _claim(pks: list[int], now: datetime) -> dict[int, Call]:
    calls = Call.objects.filter(pk__in=pks, next_alert_at__lte=now)
    if connection.features.has_select_for_update_skip_locked:
        calls = calls.select_for_update(skip_locked=True)
    return {call.pk: call for call in calls}


def _plan(call: Call, now: datetime) -> Climb | None:
    """What the call's due rung does: a warning, an urging, and on the response clock's
    second urging an accountability case. None when no rung is due after all."""
    stage = ladder.due_stage(call, now)
    if stage is None:
        return None
    clock_name = ladder.running_clock(call)
    label = "响应时限" if clock_name == ladder.RESPONSE else "办结时限"
    data = {"clock": clock_name, "automatic": True}
    climb = Climb(call, stage)
    if stage in (ladder.WARN_50, ladder.WARN_80):
        pct = 50 if stage == ladder.WARN_50 else 80
        climb.append(
            EventKind.WARNED, note=f"{label}已过 {pct}%", data=data | {"pct": pct}, now=now
        )
    else:
        level = 1 if stage == ladder.URGE_1 else 2
        call.urge_level = max(call.urge_level, level)
        climb.append(
            EventKind.URGED,
            note=f"{label}已超期，{'一' if level == 1 else '二'}级督办",
            data=data | {"level": level},
            now=now,
        )
        if level == 2 and clock_name == ladder.RESPONSE and call.lead_department_id:
            climb.case_event = climb.append(
                EventKind.CASE_OPENED,
                note="超期未响应，移送区纪委监委",
                data={"reason": CaseReason.NO_RESPONSE},
                now=now,
            )
    call.alert_stage = stage + 1
    call.next_alert_at = ladder.stage_time(call, stage + 1)
    return climb
