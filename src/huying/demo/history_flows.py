"""How one call of the demo's history unfolds, step by step, through the real services.

A flow is a generator: it yields the moment of its next step, and when the timeline resumes
it (with the clock frozen at that moment) it takes the step. So the sweeper can run between
steps of all calls in time order, and a step that falls after "now" simply never happens:
the call stays open as it would be today.
"""

import random
from collections.abc import Generator
from dataclasses import dataclass
from datetime import datetime, timedelta

from faker import Faker

from huying.calls import accountability, services
from huying.calls.case_selectors import cases_visible_to, rating_for_call
from huying.calls.choices import AssignmentRole, CaseReason, Domain
from huying.calls.models import Call
from huying.core import clock, workdays
from huying.demo import history_texts as texts
from huying.demo.history_people import Cast
from huying.demo.history_time import between, later, past, within
from huying.orgs.models import Org, User

Flow = Generator[datetime, None, None]

# How the lead department answers, and how it finishes.
PROMPT, LATE, AFTER_CASE, NEVER = "prompt", "late", "after_case", "never"
ON_TIME, OVERDUE, FAR_OVERDUE, STALLED = "on_time", "overdue", "far_overdue", "stalled"
# How a return is settled: kept with the department, re-routed, or not yet.
UPHOLD, REROUTE, PENDING = "uphold", "reroute", "pending"


@dataclass
class Stage:
    """What every flow shares: who acts, the dice, and a source of names."""

    cast: Cast
    rng: random.Random
    faker: Faker


@dataclass
class Script:
    caller: User
    new: services.NewCall
    called_at: datetime
    route_to: Org | None = None  # a free-form call: the command centre routes it here
    dispute: str | None = None  # the lead returns it first; UPHOLD, REROUTE or PENDING
    reroute_to: Org | None = None
    response: str = PROMPT
    resolution: str = ON_TIME
    redo: bool = False  # the caller rejects the first result
    withdraw: bool = False
    perfunctory: bool = False  # the caller flags the response as perfunctory
    review: bool = False  # the commission confirms the flag
    case_outcome: bool = False  # the commission closes the call's case


def play(script: Script, stage: Stage) -> Flow:
    rng, cast = stage.rng, stage.cast
    yield script.called_at
    call = services.create_call(actor=script.caller, new=script.new)
    if script.withdraw:
        limit, due = call.response_limit, call.response_due_at
        yield within(rng, limit, call.called_at, due, 0.1, 0.4)
        services.withdraw(actor=script.caller, call=call, reason=rng.choice(texts.WITHDRAWS))
        return
    if script.route_to is not None:
        yield call.called_at + timedelta(minutes=rng.uniform(8, 50))
        note = texts.ROUTE.format(target=script.route_to.short_name)
        call = services.transfer(
            actor=cast.command, call=call, department=script.route_to, note=note
        )
    if script.dispute:
        call = yield from _dispute(call, script, stage)
        if call is None:
            return
    if script.response == NEVER:
        return
    call = yield from _respond(call, script, stage)
    call = yield from _work(call, script, stage)
    if call is None:
        return
    yield from _close(call, script, stage)


def _lead(call: Call, stage: Stage) -> User:
    return stage.cast.responder(call.lead_department_id)


def _respond_at(call: Call, kind: str, rng: random.Random) -> datetime:
    limit, start, due = call.response_limit, call.response_clock_from, call.response_due_at
    if kind == PROMPT:
        return within(rng, limit, start, due, 0.05, 0.45)
    return past(rng, limit, due, grace=kind == AFTER_CASE)


def _dispute(call: Call, script: Script, stage: Stage):
    """The lead returns the call; the command centre upholds or re-routes it."""
    yield _respond_at(call, PROMPT, stage.rng)
    if script.dispute == REROUTE:
        reason = texts.RETURN_TO.format(target=script.reroute_to.short_name)
    else:
        reason = texts.RETURN_LOCAL
    call = services.return_call(actor=_lead(call, stage), call=call, reason=reason)
    if script.dispute == PENDING:
        return None
    yield clock.now() + timedelta(minutes=stage.rng.uniform(30, 240))
    if script.dispute == REROUTE:
        note = texts.REROUTE.format(target=script.reroute_to.short_name)
        return services.arbitrate(
            actor=stage.cast.command,
            call=call,
            uphold=False,
            department=script.reroute_to,
            note=note,
        )
    return services.arbitrate(actor=stage.cast.command, call=call, uphold=True, note=texts.UPHOLD)


def _respond(call: Call, script: Script, stage: Stage):
    """The lead signs: the resolution clock starts."""
    yield _respond_at(call, script.response, stage.rng)
    note = stage.rng.choice(texts.RESPONSES[call.domain])
    return services.respond(actor=_lead(call, stage), call=call, note=note)


def _co_sign(call: Call, stage: Stage, done_at: datetime):
    """Most co-departments sign soon after the lead, well before the work is done."""
    rng = stage.rng
    window = min(timedelta(hours=2), (done_at - call.responded_at) * 0.3)
    co = call.assignments.filter(role=AssignmentRole.CO, is_active=True, signed_at__isnull=True)
    signing = [d for d in co.values_list("department_id", flat=True) if rng.random() < 0.85]
    moments = sorted(call.responded_at + window * rng.uniform(0.1, 1) for _ in signing)
    for department_id, moment in zip(signing, moments, strict=True):
        yield max(moment, clock.now())
        services.respond(actor=stage.cast.responder(department_id), call=call)


def _resolve_at(call: Call, kind: str, rng: random.Random) -> datetime:
    limit, start, due = call.resolution_limit, call.responded_at, call.resolution_due_at
    if kind == ON_TIME:
        return within(rng, limit, start, due, 0.2, 0.95)
    return past(rng, limit, due, grace=kind == FAR_OVERDUE)


def _work(call: Call, script: Script, stage: Stage):
    """Progress on longer work, the result, and a redo when the caller is not satisfied."""
    rng, lead = stage.rng, _lead(call, stage)
    done_at = _resolve_at(call, script.resolution, rng)
    yield from _co_sign(call, stage, done_at)
    long_work = call.resolution_limit.working_days and call.resolution_limit.working_days >= 5
    if long_work or script.resolution != ON_TIME or rng.random() < 0.3:
        limit = call.resolution_limit
        yield max(between(rng, limit, call.responded_at, done_at, 0.3, 0.7), clock.now())
        note = rng.choice(texts.PROGRESS[call.domain])
        call = services.report_progress(actor=lead, call=call, note=note)
    if script.resolution == STALLED:
        return None
    yield max(done_at, clock.now())
    call = services.resolve(actor=lead, call=call, result=rng.choice(texts.RESULTS[call.domain]))
    if script.redo:
        yield later(rng, clock.now(), 2, 30)
        call = services.reject(actor=script.caller, call=call, reason=rng.choice(texts.REJECTS))
        yield later(rng, clock.now(), 3, 20)
        call = services.report_progress(actor=lead, call=call, note="已重新组织处置。")
        yield later(rng, clock.now(), 8, 50)
        call = services.resolve(
            actor=lead, call=call, result=rng.choice(texts.RESULTS[call.domain])
        )
    return call


def _close(call: Call, script: Script, stage: Stage):
    """The caller confirms and rates; the commission follows up on flags and cases."""
    rng, cast = stage.rng, stage.cast
    hours = (1, 8) if call.domain == Domain.EMERGENCY else (2, 40)
    yield later(rng, clock.now(), *hours)
    rating = _rating(call, script, rng)
    services.confirm(actor=script.caller, call=call, note=rng.choice(texts.CONFIRMS), rating=rating)
    if script.review:
        yield later(rng, clock.now(), 40, 160)
        rated = rating_for_call(cast.supervisor, call.pk)
        accountability.confirm_perfunctory(actor=cast.supervisor, rating=rated)
    if script.case_outcome:
        yield from _outcome(call, stage)


def _rating(call: Call, script: Script, rng: random.Random) -> services.RatingInput | None:
    if script.perfunctory:
        reason = rng.choice(texts.PERFUNCTORY)
        return services.RatingInput(2, 2, 3, perfunctory=True, perfunctory_reason=reason)
    if rng.random() < 0.04:
        return None  # confirmed without a rating
    call.refresh_from_db()
    late = call.responded_at > call.response_due_at or call.resolved_at > call.resolution_due_at
    if late or script.redo:
        return services.RatingInput(
            rng.choice((2, 3, 3, 4)), rng.choice((2, 3)), rng.choice((3, 4))
        )
    return services.RatingInput(
        rng.choices((5, 4, 3), (62, 33, 5))[0],
        rng.choices((5, 4, 3), (65, 30, 5))[0],
        rng.choices((5, 4), (70, 30))[0],
    )


def _outcome(call: Call, stage: Stage):
    """The commission closes each case of the call some weeks after it was opened."""
    for case in cases_visible_to(stage.cast.supervisor).filter(call=call).order_by("pk"):
        opened = workdays.add_working_days(case.opened_at, stage.rng.randint(8, 15))
        yield later(stage.rng, max(opened, clock.now()), 1, 8)
        level = (
            "批评教育"
            if case.reason == CaseReason.PERFUNCTORY
            else stage.rng.choice(("提醒谈话", "批评教育", "责令检查"))
        )
        template = (
            texts.PERFUNCTORY_OUTCOME
            if case.reason == CaseReason.PERFUNCTORY
            else texts.LATE_RESPONSE_OUTCOME
        )
        name = case.department.short_name or case.department.name
        person = {
            "name": stage.faker.name(),
            "post": f"{name}{stage.rng.choice(texts.POSTS)}",
            "level": level,
        }
        accountability.record_outcome(
            actor=stage.cast.supervisor,
            case=case,
            outcome=template.format(department=name, level=level),
            people=[person],
        )
