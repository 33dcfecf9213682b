"""The calls sweeper: climb each due call one rung of its alert ladder (see ladder.py).

A pass takes up to BATCH due calls, oldest alert first, and climbs them in chunks of CHUNK
calls, each chunk in its own transaction (sweep_batch.py: one claim, bulk writes). Idempotent
and safe to run twice at once: a chunk claims its calls with row locks that other sweepers skip
(PostgreSQL `SKIP LOCKED`; SQLite serialises write transactions), and the claim re-checks
`next_alert_at` (a compare-and-swap on the stored ladder position), so a rung is climbed once
whoever gets there first. A chunk that fails is rolled back and retried call by call, so one
bad call costs neither the other chunks' work nor its own chunk's.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction

from huying.calls import ladder, sweep_batch, sweep_notices
from huying.calls.choices import EventKind
from huying.calls.models import ActionItem, Call
from huying.calls.services import append_event
from huying.core import clock

log = logging.getLogger("huying.calls.sweeps")

# A pass stays bounded (the worker sweeps every CALLS_SWEEP_SECONDS): a chunk costs about a
# millisecond per call, so 2,000 calls take a few seconds at most, even with a cold cache.
BATCH = 2000
# Calls per transaction: big enough that the per-statement cost vanishes, small enough that
# the row locks are held briefly and a failure retries few calls one by one.
CHUNK = 250


@dataclass
class SweepReport:
    warned: int = 0
    urged: int = 0
    escalated: int = 0
    cases: int = 0
    skipped: int = 0
    overdue_actions: int = 0
    calls: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"提醒 {self.warned}，督办 {self.urged}，二级督办 {self.escalated}，"
            f"问责 {self.cases}，议定事项超期 {self.overdue_actions}，跳过 {self.skipped}"
        )

    def add(self, pks: list[int], climbs: list[sweep_batch.Climb]) -> None:
        for climb in climbs:
            if climb.stage in (ladder.WARN_50, ladder.WARN_80):
                self.warned += 1
            elif climb.stage == ladder.URGE_1:
                self.urged += 1
            else:
                self.escalated += 1
            self.cases += climb.case_event is not None
            self.calls.append(climb.call.pk)
        self.skipped += len(pks) - len(climbs)


def sweep(now: datetime | None = None) -> SweepReport:
    now = now or clock.now()
    report = SweepReport()
    due = list(
        Call.objects.filter(next_alert_at__lte=now)
        .order_by("next_alert_at")
        .values_list("pk", flat=True)[:BATCH]
    )
    errors, audiences = [], sweep_notices.Audiences()
    for start in range(0, len(due), CHUNK):
        errors += _climb(due[start : start + CHUNK], now, report, audiences)
    _flag_overdue_actions(now, report)
    if errors:
        raise errors[0]  # after the rest is done: the worker logs the failed sweep
    return report


def _climb(
    pks: list[int], now: datetime, report: SweepReport, audiences: sweep_notices.Audiences
) -> list[Exception]:
    """Climb a chunk; if it fails, each of its calls alone. The errors left over."""
    try:
        report.add(pks, sweep_batch.climb(pks, now, audiences))
        return []
    except Exception as error:
        if len(pks) == 1:
            log.exception("calls sweep: call %s failed", pks[0])
            return [error]
        log.warning("calls sweep: a chunk of %d calls failed; retrying one by one", len(pks))
        return [e for pk in pks for e in _climb([pk], now, report, audiences)]


# --- agreed actions of coordination meetings -------------------------------------------------


def _flag_overdue_actions(now: datetime, report: SweepReport) -> None:
    """Tell the owner (and the caller) once when an agreed action passes its due date undone."""
    due = list(
        ActionItem.objects.filter(
            done_at__isnull=True, overdue_notified_at__isnull=True, due_at__lte=now
        ).values_list("pk", flat=True)[:BATCH]
    )
    for pk in due:
        with transaction.atomic():
            # Compare-and-swap: only the sweeper whose UPDATE flips NULL → now goes on.
            flipped = ActionItem.objects.filter(
                pk=pk, done_at__isnull=True, overdue_notified_at__isnull=True
            ).update(overdue_notified_at=now)
            if not flipped:
                continue
            item = ActionItem.objects.select_related("call").get(pk=pk)
            call = Call.objects.select_for_update().get(pk=item.call_id)
            append_event(
                call,
                EventKind.ACTION_OVERDUE,
                None,
                now=now,
                note=f"议定事项“{item.description}”已超过完成期限",
                data={
                    "action_item_id": item.pk,
                    "owner_department_id": item.owner_department_id,
                    "automatic": True,
                },
            )
            report.overdue_actions += 1
