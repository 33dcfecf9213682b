"""The batched sweeper writes exactly what climbing one call at a time through
`services.append_event` wrote: events, call state, cases, notices, outbox, audit rows."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from huying.calls import (
    accountability,
    ladder,
    notices,
    services,
    sweep_batch,
    sweep_notices,
    sweeps,
)
from huying.calls.choices import CaseReason, EventKind
from huying.calls.models import AccountabilityCase, Call, CallEvent
from huying.core import audit, clock
from huying.core.models import AuditEntry
from huying.notify.models import Notification, OutboxMessage
from huying.orgs.models import Org, User

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 16, 9, 0, tzinfo=SHANGHAI)  # a Monday


# --- the reference: the sweeper as it was, one transaction and append_event per step --------


def reference_sweep(now: datetime) -> dict:
    report = dict(warned=0, urged=0, escalated=0, cases=0, skipped=0, calls=[])
    due = Call.objects.filter(next_alert_at__lte=now).order_by("next_alert_at")
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            call = Call.objects.filter(pk=pk, next_alert_at__lte=now).select_for_update().first()
            stage = ladder.due_stage(call, now) if call else None
            if stage is None:
                report["skipped"] += 1
                continue
            _reference_act(call, stage, ladder.running_clock(call), now, report)
            call.alert_stage = stage + 1
            call.next_alert_at = ladder.stage_time(call, stage + 1)
            call.save(update_fields=["alert_stage", "next_alert_at"])
            report["calls"].append(pk)
    return report


def _reference_act(call, stage, clock_name, now, report) -> None:
    label = "响应时限" if clock_name == ladder.RESPONSE else "办结时限"
    data = {"clock": clock_name, "automatic": True}
    if stage in (ladder.WARN_50, ladder.WARN_80):
        pct = 50 if stage == ladder.WARN_50 else 80
        note = f"{label}已过 {pct}%"
        services.append_event(
            call, EventKind.WARNED, None, data=data | {"pct": pct}, now=now, note=note
        )
        report["warned"] += 1
        return
    level = 1 if stage == ladder.URGE_1 else 2
    call.urge_level = max(call.urge_level, level)
    note = f"{label}已超期，{'一' if level == 1 else '二'}级督办"
    services.append_event(
        call, EventKind.URGED, None, data=data | {"level": level}, now=now, note=note
    )
    if level == 1:
        report["urged"] += 1
        return
    report["escalated"] += 1
    if clock_name == ladder.RESPONSE and call.lead_department_id:
        reason = CaseReason.NO_RESPONSE
        accountability.open_case(call=call, department=call.lead_department, reason=reason)
        services.append_event(
            call,
            EventKind.CASE_OPENED,
            None,
            now=now,
            data={"reason": reason},
            note="超期未响应，移送区纪委监委",
        )
        report["cases"] += 1


# --- a mixed backlog ----------------------------------------------------------------------------


@pytest.fixture
def backlog(new_call, free_form, persona, settings):
    """Calls due at NOW on every rung, from several towns, for two departments."""
    settings.NOTIFY_WEBHOOK_URL = "http://127.0.0.1:9/hook"  # the outbox rows are compared too

    def made(minutes_ago, make=new_call, **kwargs):
        with clock.frozen_at(NOW - timedelta(minutes=minutes_ago)):
            return make(**kwargs)

    day = 24 * 60
    calls = [
        made(61),  # 50% of the 2-hour response limit
        made(100, username="helong"),  # 80%
        made(180, username="renhe"),  # breached: urging level 1
        made(30 * day),  # past the grace: urging level 2 and a case
        made(30 * day),  # (responded below) the resolution clock: urged, never referred
        made(60 * day),  # (a case already, then upheld) urged again: the case is not doubled
        made(30 * day, make=free_form),  # no lead department: urged, nobody to refer
        made(30 * day, make=free_form),  # (transferred below to 住建局) referred there
        made(10),  # (pushed below) due but no rung has come: skipped
        made(10),  # not due
    ]
    chengguan, command = persona("chengguan"), persona("command")
    with clock.frozen_at(NOW - timedelta(days=30) + timedelta(minutes=10)):
        services.respond(actor=chengguan, call=calls[4])
    sweeps.sweep(NOW - timedelta(days=50))  # calls[5] climbs to its case
    assert AccountabilityCase.objects.filter(call=calls[5]).count() == 1
    with clock.frozen_at(NOW - timedelta(days=45)):
        services.return_call(actor=chengguan, call=calls[5], reason="不属我局")
    with clock.frozen_at(NOW - timedelta(days=44)):
        services.arbitrate(actor=command, call=calls[5], uphold=True)
    with clock.frozen_at(NOW - timedelta(days=30) + timedelta(hours=1)):
        services.transfer(
            actor=command, call=calls[7], department=Org.objects.get(code="440111-zjj")
        )
    Call.objects.filter(pk=calls[8].pk).update(next_alert_at=NOW - timedelta(minutes=1))
    return calls


def snapshot(calls, since: dict) -> dict:
    """Everything a sweep wrote after `since`, without ids (sequences are not rolled back)."""

    def rows(model, order, exclude=("id",), **filters):
        names = [f.attname for f in model._meta.concrete_fields if f.attname not in exclude]
        return list(model.objects.filter(**filters).order_by(order).values(*names))

    outbox = rows(OutboxMessage, "pk", pk__gt=since["outbox"])
    for row in outbox:
        row["payload"].pop("notification_id")
    entries = rows(AuditEntry, "seq", ("id", "hash", "prev_hash"), seq__gt=since["audit"])
    for row in entries:
        if row["object_type"] == "calls.accountabilitycase":
            row["object_id"] = "case"
    return {
        "calls": rows(Call, "pk", ("updated_at",), pk__in=[c.pk for c in calls]),
        "events": rows(CallEvent, "pk", pk__gt=since["event"]),
        "cases": rows(AccountabilityCase, "pk", pk__gt=since["case"]),
        "notifications": rows(Notification, "pk", pk__gt=since["notification"]),
        "outbox": outbox,
        "audit": entries,
    }


def marks() -> dict:
    def last(model, field="pk"):
        return model.objects.order_by(f"-{field}").values_list(field, flat=True).first() or 0

    return {
        "event": last(CallEvent),
        "case": last(AccountabilityCase),
        "notification": last(Notification),
        "outbox": last(OutboxMessage),
        "audit": last(AuditEntry, "seq"),
    }


@pytest.mark.parametrize("chunk", [sweeps.CHUNK, 2])
def test_batched_sweep_writes_what_the_per_call_path_wrote(backlog, monkeypatch, chunk):
    since = marks()
    with transaction.atomic(), clock.frozen_at(NOW):
        expected_report = reference_sweep(NOW)
        expected = snapshot(backlog, since)
        transaction.set_rollback(True)
    monkeypatch.setattr(sweeps, "CHUNK", chunk)
    before = dict(
        Call.objects.filter(pk__in=[c.pk for c in backlog]).values_list("pk", "updated_at")
    )
    with clock.frozen_at(NOW):
        report = sweeps.sweep(NOW)
    got = snapshot(backlog, since)

    assert {k: getattr(report, k) for k in expected_report} == expected_report
    counts = {k: v for k, v in expected_report.items() if k != "calls"}
    assert counts == dict(warned=2, urged=1, escalated=5, cases=3, skipped=1)
    for table in expected:
        assert got[table] == expected[table], table
    # The mix is what the test means it to be: each kind of step, two departments, cases.
    assert [e["kind"] for e in got["events"]].count(EventKind.CASE_OPENED) == 3
    assert len(got["cases"]) == 2  # calls[5] keeps the case it had
    zhujian = User.objects.get(username="zhujian").pk  # 住建局, after the transfer
    assert zhujian in {n["recipient_id"] for n in got["notifications"]}
    assert len(got["outbox"]) == len(got["notifications"]) > 0
    assert audit.verify().ok
    after = dict(Call.objects.filter(pk__in=report.calls).values_list("pk", "updated_at"))
    assert all(after[pk] > before[pk] for pk in report.calls)  # saved, as `call.save()` did


# --- claims, failures ---------------------------------------------------------------------------


def test_a_chunk_claimed_again_climbs_nothing(backlog):
    due = [c.pk for c in backlog[:4]]
    with clock.frozen_at(NOW):
        first = sweep_batch.climb(due, NOW, sweep_notices.Audiences())
        events = CallEvent.objects.count()
        again = sweep_batch.climb(due, NOW, sweep_notices.Audiences())  # a stale list of ids
    assert [c.call.pk for c in first] == due
    assert again == [] and CallEvent.objects.count() == events


def test_a_failing_call_costs_only_itself(backlog, monkeypatch):
    bad = backlog[2]
    message = notices.message

    def failing(call, event, recipients):
        if call.pk == bad.pk:
            raise RuntimeError("boom")
        return message(call, event, recipients)

    monkeypatch.setattr(notices, "message", failing)
    monkeypatch.setattr(sweeps, "CHUNK", 3)
    stage_before = Call.objects.get(pk=bad.pk).alert_stage
    events_before = bad.events.count()
    with clock.frozen_at(NOW), pytest.raises(RuntimeError, match="boom"):
        sweeps.sweep(NOW)
    bad.refresh_from_db()
    # The failing call's chunk was rolled back: its events are gone with it.
    assert (bad.alert_stage, bad.events.count()) == (stage_before, events_before)
    assert bad.next_alert_at <= NOW
    # Every other due call, in its chunk and in the others, climbed once.
    others = [c for c in backlog[:8] if c.pk != bad.pk]
    for call in others:
        call.refresh_from_db()
        assert call.next_alert_at is None or call.next_alert_at > NOW, call.title
    monkeypatch.setattr(notices, "message", message)
    with clock.frozen_at(NOW):
        report = sweeps.sweep(NOW)  # fixed: the next pass climbs it
    assert report.calls == [bad.pk] and report.urged == 1
