"""The calls sweeper: climb each due call one rung of its alert ladder (see ladder.py).

Idempotent and safe to run twice at once: each call is claimed with a row lock that other
sweepers skip (PostgreSQL `SKIP LOCKED`; SQLite serialises write transactions), and the
claim re-checks `next_alert_at` (a compare-and-swap on the stored ladder position), so a rung
is climbed once whoever gets there first.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction

from huying.calls import accountability, ladder
from huying.calls.choices import CaseReason, EventKind
from huying.calls.models import ActionItem, Call
from huying.calls.services import append_event
from huying.core import clock

BATCH = 500


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


def sweep(now: datetime | None = None) -> SweepReport:
    now = now or clock.now()
    report = SweepReport()
    due = list(
        Call.objects.filter(next_alert_at__lte=now)
        .order_by("next_alert_at")
        .values_list("pk", flat=True)[:BATCH]
    )
    for pk in due:
        _climb(pk, now, report)
    _flag_overdue_actions(now, report)
    return report


def _claim(pk: int, now: datetime) -> Call | None:
    calls = Call.objects.filter(pk=pk, next_alert_at__lte=now)
    if connection.features.has_select_for_update_skip_locked:
        return calls.select_for_update(skip_locked=True).first()
    return calls.first()


def _climb(pk: int, now: datetime, report: SweepReport) -> None:
    with transaction.atomic():
        call = _claim(pk, now)
        stage = ladder.due_stage(call, now) if call else None
        if stage is None:
            report.skipped += 1
            return
        clock_name = ladder.running_clock(call)
        _act(call, stage, clock_name, now, report)
        call.alert_stage = stage + 1
        call.next_alert_at = ladder.stage_time(call, stage + 1)
        call.save(update_fields=["alert_stage", "next_alert_at"])
        report.calls.append(pk)


def _act(call: Call, stage: int, clock_name: str, now: datetime, report: SweepReport) -> None:
    data = {"clock": clock_name, "automatic": True}
    if stage in (ladder.WARN_50, ladder.WARN_80):
        pct = 50 if stage == ladder.WARN_50 else 80
        append_event(
            call,
            EventKind.WARNED,
            None,
            data=data | {"pct": pct},
            now=now,
            note=f"{_clock_label(clock_name)}已过 {pct}%",
        )
        report.warned += 1
        return
    level = 1 if stage == ladder.URGE_1 else 2
    call.urge_level = max(call.urge_level, level)
    append_event(
        call,
        EventKind.URGED,
        None,
        data=data | {"level": level},
        now=now,
        note=f"{_clock_label(clock_name)}已超期，{'一' if level == 1 else '二'}级督办",
    )
    if level == 1:
        report.urged += 1
        return
    report.escalated += 1
    if clock_name == ladder.RESPONSE and call.lead_department_id:
        accountability.open_case(
            call=call, department=call.lead_department, reason=CaseReason.NO_RESPONSE
        )
        append_event(
            call,
            EventKind.CASE_OPENED,
            None,
            now=now,
            data={"reason": CaseReason.NO_RESPONSE},
            note="超期未响应，移送区纪委监委",
        )
        report.cases += 1


def _clock_label(clock_name: str) -> str:
    return "响应时限" if clock_name == ladder.RESPONSE else "办结时限"


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
