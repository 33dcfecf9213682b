"""What one step of a call records beside the call's own state: its event row and its audit row.

Built here for `services.append_event` (one step, one call) and for the writers that record
many steps at once (`creation.create_calls`, the sweeper), so a step reads the same whichever
way it was written. Pure but for `record`, with which every such writer ends.
"""

from datetime import datetime
from typing import Any

from huying.calls import read_cache
from huying.calls.models import Call, CallEvent
from huying.core import audit
from huying.orgs.models import User


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def event_row(
    call: Call,
    kind: str,
    actor: User | None,
    *,
    from_status: str,
    to_status: str | None,
    note: str,
    data: dict,
    now: datetime,
) -> CallEvent:
    """The (unsaved) event of the step that just brought `call` to its state: its `seq` is the
    call's `event_count`, already counted."""
    return CallEvent(
        call=call,
        seq=call.event_count,
        kind=kind,
        at=now,
        actor=actor,
        actor_name=audit.actor_display_name(actor),
        actor_org_id=getattr(actor, "org_id", None),
        from_status=from_status,
        to_status=to_status or "",
        note=note,
        data=data,
    )


def audit_entry(call: Call, event: CallEvent) -> dict[str, Any]:
    """The step's audit row, as `audit.record_many` takes it: the status before and after, and
    every field the event carries."""
    return {
        "action": f"calls.{event.kind}",
        "actor": event.actor,
        "obj": call,
        "before": {"status": event.from_status},
        "after": {"status": call.status, **event.data},
        "reason": event.note,
    }


def record(entries: list[dict[str, Any]]) -> None:
    """End a write of steps: make the cached reads old (`read_cache`), then append the audit
    rows. Last in the transaction, so the two rows every writer locks are held briefly."""
    read_cache.changed()
    audit.record_many(entries)
