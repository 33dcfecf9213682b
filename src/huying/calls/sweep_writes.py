"""Write a chunk of sweeper climbs (sweep_batch.py) in bulk, inside the chunk's transaction.

The rows are those the per-step path (`services.append_event`, `accountability.open_case`)
writes, in the same order: the events, the accountability cases with their evidence, the
calls' changed columns, the notices (sweep_notices.py) and one audit row per event and per
case. A handful of statements for the whole chunk instead of ~15 per call.
"""

from collections import defaultdict

from django.db import connection

from huying.calls import events, sweep_notices
from huying.calls.choices import CaseReason
from huying.calls.models import AccountabilityCase, Call, CallEvent
from huying.core import clock
from huying.notify.services import notify_many
from huying.orgs.models import Org

# What a climb changes on the call (alert_stage and next_alert_at; the events' count; the
# urging level; `updated_at`, as a save would). Nothing else is touched: the row is locked.
CHANGED = ["event_count", "urge_level", "alert_stage", "next_alert_at", "updated_at"]


def write(climbs, audiences: sweep_notices.Audiences) -> None:
    if not climbs:
        return
    CallEvent.objects.bulk_create([event for c in climbs for event in c.events])
    cases = _open_cases([c for c in climbs if c.case_event is not None])
    _update_calls([c.call for c in climbs])
    steps = [(c.call, event) for c in climbs for event in c.events]
    notify_many(sweep_notices.notices_for(steps, audiences))
    events.record([row for c in climbs for row in _audit_rows(c, cases.get(c.call.pk))])


def _update_calls(calls: list[Call]) -> None:
    """Store the CHANGED columns of each call: one `UPDATE … FROM (VALUES …)` per batch
    (`bulk_update`'s CASE per column and row costs more Python than the rest of the chunk)."""
    updated_at = Call._meta.get_field("updated_at")
    for call in calls:
        updated_at.pre_save(call, add=False)  # auto_now, as `call.save()` sets it
    fields = [Call._meta.pk, *(Call._meta.get_field(name) for name in CHANGED)]
    size = connection.ops.bulk_batch_size(fields, calls)
    with connection.cursor() as cursor:
        for start in range(0, len(calls), size):
            batch = calls[start : start + size]
            cursor.execute(
                _update_sql(fields, len(batch)),
                [
                    f.get_db_prep_save(getattr(call, f.attname), connection)
                    for call in batch
                    for f in fields
                ],
            )


def _update_sql(fields, rows: int) -> str:
    """`WITH v (id, a, …) AS (VALUES (…), …) UPDATE calls_call SET a = v.a, … FROM v …`.
    Only the model's own table and column names are spelled into it; values are parameters."""
    quote = connection.ops.quote_name
    table, pk = quote(Call._meta.db_table), quote(fields[0].column)
    # PostgreSQL types a VALUES list from its parameters: spell the column types out. SQLite
    # stores what it is given (and a CAST would turn its datetime text into a number).
    typed = connection.vendor == "postgresql"
    row = ", ".join(f"CAST(%s AS {f.db_type(connection)})" if typed else "%s" for f in fields)
    columns = ", ".join(quote(f.column) for f in fields)
    assignments = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in fields[1:])
    values = ", ".join([f"({row})"] * rows)
    return (
        f"WITH v ({columns}) AS (VALUES {values}) "  # noqa: S608 (names from the model)
        f"UPDATE {table} SET {assignments} FROM v WHERE {table}.{pk} = v.{pk}"
    )


def _audit_rows(climb, case: AccountabilityCase | None) -> list[dict]:
    """One row per event (as `append_event`), the new case's row just before its event
    (as `accountability.open_case`)."""
    rows = []
    for event in climb.events:
        if case is not None and event is climb.case_event:
            department, reason = case.department.name, case.reason
            after = {"call": climb.call.number, "department": department, "reason": reason}
            rows.append({"action": "calls.case_opened", "obj": case, "after": after})
        rows.append(events.audit_entry(climb.call, event))
    return rows


def _open_cases(climbs) -> dict[int, AccountabilityCase]:
    """The no-response cases these climbs open, by call id: one per call, department and
    reason (a call that already has one keeps it, as `open_case` returns the first). The
    calls are locked by the chunk's claim, so no other sweeper can open the same case."""
    if not climbs:
        return {}
    reason = CaseReason.NO_RESPONSE
    existing = set(
        AccountabilityCase.objects.filter(
            call_id__in=[c.call.pk for c in climbs], reason=reason
        ).values_list("call_id", "department_id")
    )
    climbs = [c for c in climbs if (c.call.pk, c.call.lead_department_id) not in existing]
    if not climbs:
        return {}
    departments = Org.objects.in_bulk({c.call.lead_department_id for c in climbs})
    trails = _trails(climbs)
    opened_at = clock.now()
    cases = [
        AccountabilityCase(
            call=c.call,
            department=departments[c.call.lead_department_id],
            reason=reason,
            opened_at=opened_at,
            opened_by=None,
            evidence=trails[c.call.pk],
        )
        for c in climbs
    ]
    AccountabilityCase.objects.bulk_create(cases)
    return {case.call_id: case for case in cases}


def _trails(climbs) -> dict[int, list[dict]]:
    """Each call's events before its CASE_OPENED one, as `accountability._trail` gives them
    when the case is opened (the urging that opens it included)."""
    cut = {c.call.pk: c.case_event.seq for c in climbs}
    trails = defaultdict(list)
    events = CallEvent.objects.filter(call_id__in=cut).order_by("call_id", "seq")
    for call_id, seq, kind, at, actor, from_status, to_status, note in events.values_list(
        "call_id", "seq", "kind", "at", "actor_name", "from_status", "to_status", "note"
    ):
        if seq < cut[call_id]:
            trails[call_id].append(
                {
                    "seq": seq,
                    "kind": kind,
                    "at": at.isoformat(),
                    "actor": actor,
                    "from": from_status,
                    "to": to_status,
                    "note": note,
                }
            )
    return trails
