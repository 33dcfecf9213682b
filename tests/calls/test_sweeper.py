"""The sweeper climbs each call's alert ladder once: warnings, urgings, escalation, cases."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from huying.calls import accountability, ladder, services, sweeps
from huying.calls.choices import CaseReason, CaseStatus, EventKind
from huying.calls.models import AccountabilityCase
from huying.core import clock
from huying.core.errors import Conflict, Forbidden, Invalid

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY_9 = datetime(2026, 11, 16, 9, 0, tzinfo=SHANGHAI)


def kinds(call):
    return list(call.events.order_by("seq").values_list("kind", "data"))


@pytest.fixture
def call(new_call):
    with clock.frozen_at(MONDAY_9):
        return new_call()  # 2-hour response limit


def test_response_ladder_warns_urges_escalates_and_opens_a_case(call):
    steps = [
        (MONDAY_9 + timedelta(minutes=59), None),
        (MONDAY_9 + timedelta(minutes=60), ("warned", 50)),
        (MONDAY_9 + timedelta(minutes=96), ("warned", 80)),
        (MONDAY_9 + timedelta(hours=2), ("urged", 1)),
        # Grace: 5 working days after the breach (Monday 11:00) → end of Monday 23 November.
        (datetime(2026, 11, 23, 23, 59, tzinfo=SHANGHAI), None),
        (datetime(2026, 11, 24, 0, 0, tzinfo=SHANGHAI), ("urged", 2)),
    ]
    for moment, expected in steps:
        before = call.events.count()
        sweeps.sweep(moment)
        call.refresh_from_db()
        new = list(call.events.order_by("seq")[before:])
        if expected is None:
            assert [e.kind for e in new] == [], moment
            continue
        kind, value = expected
        assert new[0].kind == kind
        assert new[0].data.get("pct" if kind == "warned" else "level") == value
    assert call.urge_level == 2
    case = AccountabilityCase.objects.get(call=call)
    assert (case.reason, case.department.code) == (CaseReason.NO_RESPONSE, "440111-cgj")
    assert [e["kind"] for e in case.evidence][:1] == ["created"]
    assert call.events.order_by("-seq").first().kind == EventKind.CASE_OPENED
    assert call.next_alert_at is None


def test_sweeping_again_does_nothing_more(call):
    late = MONDAY_9 + timedelta(days=30)
    sweeps.sweep(late)
    count = call.events.count()
    report = sweeps.sweep(late)
    assert call.events.count() == count
    assert report.urged == report.escalated == report.cases == 0
    assert AccountabilityCase.objects.filter(call=call).count() == 1


def test_a_late_sweeper_skips_stale_warnings(call):
    sweeps.sweep(MONDAY_9 + timedelta(hours=3))  # already past the breach
    urged = [e for e in call.events.all() if e.kind != EventKind.CREATED]
    assert [(e.kind, e.data["level"]) for e in urged] == [("urged", 1)]


def test_response_restarts_the_ladder_on_the_resolution_clock(call, persona):
    sweeps.sweep(MONDAY_9 + timedelta(minutes=61))  # 50% warning on the response clock
    with clock.frozen_at(MONDAY_9 + timedelta(minutes=70)):
        call = services.respond(actor=persona("chengguan"), call=call)
    assert call.alert_stage == ladder.WARN_50
    # Resolution: 3 working days from Monday → due end of Thursday; 50% of the working time.
    assert call.next_alert_at == ladder.stage_time(call, ladder.WARN_50)
    assert call.next_alert_at.astimezone(SHANGHAI).date().isoformat() == "2026-11-18"


def test_resolution_overdue_is_urged_but_not_referred(call, persona):
    with clock.frozen_at(MONDAY_9 + timedelta(minutes=10)):
        call = services.respond(actor=persona("chengguan"), call=call)
    sweeps.sweep(MONDAY_9 + timedelta(days=40))
    call.refresh_from_db()
    assert call.urge_level == 2
    assert not AccountabilityCase.objects.filter(call=call).exists()


def test_no_clock_runs_during_a_return_dispute(call, persona):
    call = services.return_call(actor=persona("chengguan"), call=call, reason="不属我局")
    assert call.next_alert_at is None
    report = sweeps.sweep(MONDAY_9 + timedelta(days=10))
    assert report.calls == []


def test_resolved_and_closed_calls_are_left_alone(call, persona):
    call = services.respond(actor=persona("chengguan"), call=call)
    call = services.resolve(actor=persona("chengguan"), call=call, result="done")
    assert call.next_alert_at is None
    call = services.reject(actor=persona("yuncheng"), call=call, reason="还没好")
    assert call.next_alert_at is not None  # back to work: the resolution ladder resumes


def test_rating_on_confirm_and_perfunctory_case(call, persona):
    call = services.respond(actor=persona("chengguan"), call=call)
    call = services.resolve(actor=persona("chengguan"), call=call, result="拍照了事")
    with pytest.raises(Invalid) as bad:
        services.confirm(actor=persona("yuncheng"), call=call, rating=services.RatingInput(6, 3, 3))
    assert bad.value.field == "satisfaction"
    rating_input = services.RatingInput(
        2, 3, 2, perfunctory=True, perfunctory_reason="只拍照未整改"
    )
    call = services.confirm(actor=persona("yuncheng"), call=call, rating=rating_input)
    rating = call.rating
    assert (rating.department.code, rating.satisfaction, rating.perfunctory) == (
        "440111-cgj",
        2,
        True,
    )
    with pytest.raises(Forbidden):
        accountability.confirm_perfunctory(actor=persona("command"), rating=rating)
    case = accountability.confirm_perfunctory(actor=persona("supervisor"), rating=rating)
    assert case.reason == CaseReason.PERFUNCTORY
    assert accountability.confirm_perfunctory(actor=persona("supervisor"), rating=rating) == case


def test_supervisor_records_the_outcome(call, persona):
    sweeps.sweep(MONDAY_9 + timedelta(days=30))
    case = AccountabilityCase.objects.get(call=call)
    with pytest.raises(Invalid) as bad:
        accountability.record_outcome(
            actor=persona("supervisor"),
            case=case,
            outcome="x",
            people=[{"name": "张三", "level": "枪毙"}],
        )
    assert bad.value.field == "people.0.level"
    case = accountability.record_outcome(
        actor=persona("supervisor"),
        case=case,
        outcome="约谈部门负责人",
        people=[{"name": "张三", "post": "城管局副局长", "level": "提醒谈话"}],
    )
    assert case.status == CaseStatus.CLOSED
    with pytest.raises(Conflict):
        accountability.record_outcome(
            actor=persona("supervisor"), case=case, outcome="再记", people=[]
        )
