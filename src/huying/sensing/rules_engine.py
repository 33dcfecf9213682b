"""The rules, evaluated in the ingest pipeline after each stored batch (`after_store`).

Per sample the work is a dict lookup (does any rule watch this device?) and a throttle check
for Device.last_seen_at. Where a rule applies, its state for (rule, device) lives in memory
(`rules.Held`), loaded once from the database (RuleState, the open alarm) the first time the
pair is seen, so steady readings cost no query. What a batch changes — alarms raised, repeated,
cleared, RuleState transitions, last_seen_at — is written in one transaction; calls for
dispatching rules are made after it commits (at most DISPATCH_INLINE_MAX per batch).
"""

import logging
import threading
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import transaction

from huying.core import clock
from huying.sensing import alarms, rules
from huying.sensing.alarms import Finding, Repeat
from huying.sensing.choices import SampleKind
from huying.sensing.models import Alarm, Device, RuleState
from huying.sensing.rules import CLEAR, RAISE, REPEAT, Check, Held
from huying.sensing.store import NewSample

log = logging.getLogger("huying.sensing.rules")

LAST_SEEN_STEP = timedelta(seconds=10)  # last_seen_at moves only by this much (one UPDATE)
# A call costs about 50 ms (measured, 2 cores): a few are made at once after the batch commits,
# more would hold the writer thread; the dispatch sweep (every 10 s) makes the others.
DISPATCH_INLINE_MAX = 5
Key = tuple[int, int]  # (rule id, device id)

_lock = threading.Lock()
_held: dict[Key, Held] = {}
_last_seen: dict[int, datetime] = {}


def after_store(samples: Sequence[NewSample]) -> None:
    """Evaluate the active rules against a stored batch; write what changed in one
    transaction; dispatch new alarms of dispatching rules after it commits."""
    index = rules.current()
    with _lock:  # one writer thread per pipeline, but tests and sweeps may share a process
        watched, seen, back = _scan(index, samples)
        if not watched and not seen and not back:
            return
        keys = {(c.rule_id, s.device_id) for c, s, _ in watched}
        _load_missing(keys)
        try:
            raised, touched = _evaluate_and_write(watched, seen, back, index)
        except Exception:
            for key in keys:  # the database did not take it: reload from it next time
                _held.pop(key, None)
            for device_id in seen:
                _last_seen.pop(device_id, None)
            raise
    _after_commit(raised, touched)


def _scan(index: rules.Index, samples: Sequence[NewSample]):
    """One pass: the (check, sample, value) the rules watch, the devices whose last_seen_at
    moved, the devices back from silence."""
    watched: list[tuple[Check, NewSample, float]] = []
    seen: dict[int, datetime] = {}
    by_device, silent = index.by_device, index.silent
    for s in samples:
        device = s.device_id
        last = _last_seen.get(device)
        moved = last is None or s.received_at - last >= LAST_SEEN_STEP
        if moved and (device not in seen or s.received_at > seen[device]):
            seen[device] = s.received_at
        checks = by_device.get(device)
        if checks is None or s.kind == SampleKind.DAY:
            continue
        for check in checks:
            pair = s.values.get(check.parameter)
            if pair is not None and rules.usable(pair[0]):
                watched.append((check, s, float(pair[0])))
    back = [silent[d] for d in {s.device_id for s in samples} if d in silent] if silent else []
    watched.sort(key=lambda item: item[1].time)
    return watched, seen, back


def _load_missing(keys: set[Key]) -> None:
    missing = keys - _held.keys()
    if not missing:
        return
    rule_ids, device_ids = {r for r, _ in missing}, {d for _, d in missing}
    since = {
        (r, d): t
        for r, d, t in RuleState.objects.filter(
            rule_id__in=rule_ids, device_id__in=device_ids
        ).values_list("rule_id", "device_id", "holding_since")
    }
    open_alarms = {
        (r, d): (pk, sev)
        for pk, r, d, sev in Alarm.objects.filter(
            alarms.OPEN, rule_id__in=rule_ids, device_id__in=device_ids
        ).values_list("pk", "rule_id", "device_id", "severity")
    }
    for key in missing:
        alarm_id, severity = open_alarms.get(key, (None, 4))
        _held[key] = Held(since.get(key), alarm_id, severity, None)


def _evaluate_and_write(watched, seen, back, index):
    ops: dict[Key, list] = defaultdict(list)  # per pair, in time order: [action, check, s, v]
    back_devices = {d: a for d, a in index.silent.items() if a in set(back)}
    states: dict[Key, datetime | None] = {}  # duration rules whose holding_since moved
    checks: dict[int, Check] = {}
    for check, sample, value in watched:
        key = (check.rule_id, sample.device_id)
        old = _held[key]
        new, action = rules.step(check, old, value, sample.time)
        _held[key] = new
        checks[check.rule_id] = check
        if check.duration_seconds and new.holding_since != old.holding_since:
            states[key] = new.holding_since
        if action is None:
            continue
        if action == REPEAT and ops.get(key) and ops[key][-1][0] in (RAISE, REPEAT):
            last = ops[key][-1]
            last[2], last[3], last[4] = sample, value, last[4] + 1
            continue
        ops[key].append([action, check, sample, value, 0, old.severity, new.severity])
    if not ops and not states and not back and not seen:
        return [], set()  # steady readings: nothing to write
    now = clock.now()
    raised: list[Alarm] = []
    with transaction.atomic():
        rounds = max((len(v) for v in ops.values()), default=0)
        for n in range(rounds):
            raised += _write_round({k: v[n] for k, v in ops.items() if len(v) > n}, now)
        _write_states(states)
        if back:
            alarms.clear_many(back, _note_back(), now)
            index.silent = {d: a for d, a in index.silent.items() if a not in set(back)}
        if seen:
            Device.objects.filter(pk__in=list(seen)).update(last_seen_at=max(seen.values()))
            _last_seen.update(seen)
    # The risk colour moves when an alarm opens, clears or rises, not on a plain repeat.
    touched = {d for (_, d), v in ops.items() if any(o[0] != REPEAT or o[6] < o[5] for o in v)}
    return raised, touched | {d for d, a in back_devices.items()}


def _note_back() -> str:
    from django.utils.translation import gettext as _

    return _("设备恢复上报数据")


def _write_round(ops: dict[Key, list], now: datetime) -> list[Alarm]:
    findings, repeats, clears = [], {}, []
    for key, (action, check, sample, value, count, old_severity, severity) in ops.items():
        finding = Finding(key[0], key[1], severity, check.parameter, value, sample.received_at,
                          repeats=count, note=_reading_note(check, sample, value))  # fmt: skip
        if action == RAISE:
            findings.append(finding)
        elif action == REPEAT:
            rose = severity < old_severity
            repeats[key] = (Repeat(_held[key].alarm_id, count + 1, value, severity, rose), finding)
        elif action == CLEAR:
            clears.append(key)
    findings += _closed_elsewhere(repeats)
    new = alarms.raise_many(findings, now)
    for alarm in new:
        key = (alarm.rule_id, alarm.device_id)
        if key in _held and _held[key].alarm_id == 0:
            _held[key] = _held[key]._replace(alarm_id=alarm.pk)
    for f in findings:  # a racing process had it open already: learn its id
        key = (f.rule_id, f.device_id)
        if _held.get(key, Held()).alarm_id == 0:
            _held.pop(key, None)
    alarms.repeat_many([r for r, _ in repeats.values()], now)
    if clears:
        open_ids = alarms.open_by_pair(set(clears))
        alarms.clear_many([a.pk for a in open_ids.values()], _cleared_note(), now)
    return new


def _closed_elsewhere(repeats: dict[Key, tuple[Repeat, Finding]]) -> list[Finding]:
    """Repeats of alarms someone cleared meanwhile (by hand, or a call closed): the condition
    still holds, so a new alarm is raised instead (one query per batch with repeats)."""
    if not repeats:
        return []
    ids = [r.alarm_id for r, _ in repeats.values()]
    still = set(Alarm.objects.filter(alarms.OPEN, pk__in=ids).values_list("pk", flat=True))
    reopened = []
    for key, (repeat, finding) in list(repeats.items()):
        if repeat.alarm_id not in still:
            del repeats[key]
            _held[key] = _held[key]._replace(alarm_id=0)
            reopened.append(finding)
    return reopened


def _cleared_note() -> str:
    from django.utils.translation import gettext as _

    return _("条件已消失，自动解除")


def _reading_note(check: Check, sample: NewSample, value: float) -> str:
    at = sample.time.astimezone(clock.now().tzinfo) if sample.time.tzinfo else sample.time
    return f"{check.parameter}={value:g} @ {at:%Y-%m-%d %H:%M:%S}"


def _write_states(states: dict[Key, datetime | None]) -> None:
    if not states:
        return
    RuleState.objects.bulk_create(
        [RuleState(rule_id=r, device_id=d, holding_since=t) for (r, d), t in states.items()],
        update_conflicts=True,
        unique_fields=["rule", "device"],
        update_fields=["holding_since"],
    )


def _after_commit(raised: list[Alarm], touched: set[int]) -> None:
    """Calls for dispatching rules and the enterprises' risk colour: after the alarms are
    committed, and failures here never undo them (the dispatch sweep retries)."""
    from huying.sensing import dispatch, risk

    try:
        if raised:
            wanted = [a.pk for a in raised if a.rule.dispatch]
            dispatch.dispatch_alarms(wanted[:DISPATCH_INLINE_MAX])  # the sweep takes the rest
        if touched:
            risk.recompute_for_devices(touched)
    except Exception:
        log.exception("after the alarms of a batch")


def forget() -> None:
    """Drop the in-memory state (tests; a restarted process starts the same way)."""
    with _lock:
        _held.clear()
        _last_seen.clear()
