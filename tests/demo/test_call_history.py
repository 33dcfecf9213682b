"""The demo's year of call history: ~450 calls made through the real services and sweeper.

The history is loaded once for the module, inside a transaction that is rolled back at the end
(pytest-django's per-test transactions nest inside it), so the rest of the suite keeps the
clean demo district.
"""

import random
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.db.models import F
from django.test import override_settings

from huying import cli
from huying.calls import statistics
from huying.calls.choices import OPEN_STATUSES, CallStatus, CaseReason, CaseStatus, EventKind
from huying.calls.models import AccountabilityCase, Call, CallEvent, Rating
from huying.core import audit, clock
from huying.demo import call_history, yuncheng_story
from huying.demo.call_history import HistorySummary, load_demo_history
from huying.demo.history_flows import Stage
from huying.demo.history_people import cast_of_the_history
from huying.demo.history_plan import Planner
from huying.notify.models import Notification, OutboxMessage
from huying.orgs.choices import OrgKind, Role
from huying.orgs.models import Org, User
from tests.calls.test_workflow import assert_replay_matches

NOW = datetime(2026, 11, 24, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(scope="module")
def history(django_db_setup, django_db_blocker):
    # A webhook is configured: the history's notices must still stay in the inbox.
    webhook = override_settings(NOTIFY_WEBHOOK_URL="http://127.0.0.1:9/hook")
    with django_db_blocker.unblock(), transaction.atomic(), webhook:
        summary = load_demo_history(now=NOW)
        yield summary
        transaction.set_rollback(True)


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def test_a_year_of_calls_from_every_town(history, db):
    calls = Call.objects.all()
    assert history.loaded and 400 <= calls.count() <= 500
    assert history.calls == calls.count()
    first = calls.order_by("called_at").first().called_at
    assert NOW - timedelta(days=366) < first and calls.filter(called_at__gte=NOW).count() == 0
    towns = {o.parent if o.is_village else o for o in Org.objects.filter(calls_made__isnull=False)}
    assert len(towns) == 24
    assert calls.filter(caller_org__kind__in=(OrgKind.VILLAGE, OrgKind.COMMUNITY)).count() > 20
    assert set(calls.values_list("domain", flat=True)) == {
        "law_enforcement",
        "key_work",
        "emergency",
    }
    free_form = calls.filter(matter__isnull=True)
    assert 0.05 < _share(free_form.count(), calls.count()) < 0.15
    assert not free_form.filter(lead_department__isnull=True).exclude(status="withdrawn").exists()


def test_most_calls_are_answered_and_resolved_on_time(history, db):
    calls = Call.objects.all()
    responded = calls.filter(responded_at__isnull=False)
    resolved = calls.filter(resolved_at__isnull=False)
    assert _share(calls.filter(status=CallStatus.CLOSED).count(), calls.count()) > 0.85
    on_time_response = responded.filter(responded_at__lte=F("response_due_at")).count()
    assert _share(on_time_response, responded.count()) > 0.88
    on_time_resolution = resolved.filter(resolved_at__lte=F("resolution_due_at")).count()
    assert 0.8 < _share(on_time_resolution, resolved.count()) < 0.97
    assert calls.filter(return_count__gt=0).count() >= 5
    assert calls.filter(redo_count__gt=0).count() >= 5
    assert calls.filter(status=CallStatus.WITHDRAWN).exists()


def test_late_calls_were_urged_by_the_sweeper(history, db):
    calls = Call.objects.all()
    urged = calls.filter(urge_level__gte=1).count()
    assert 0.06 < _share(urged, calls.count()) < 0.2
    assert calls.filter(urge_level=2).count() >= 5
    automatic = CallEvent.objects.filter(kind=EventKind.URGED, actor__isnull=True)
    assert automatic.count() >= urged  # every urging came from the sweeper
    assert CallEvent.objects.filter(kind=EventKind.WARNED).count() > 100


def test_a_few_accountability_cases_some_closed_with_an_outcome(history, db):
    cases = AccountabilityCase.objects.all()
    no_response = cases.filter(reason=CaseReason.NO_RESPONSE)
    assert 3 <= no_response.count() <= 6
    for case in no_response:  # opened by the sweeper, with the trail as evidence
        assert case.opened_by is None and case.evidence
        assert case.call.events.filter(kind=EventKind.CASE_OPENED).exists()
    closed = cases.filter(status=CaseStatus.CLOSED)
    assert closed.count() >= 3
    assert all(c.outcome and c.people and c.people[0]["name"] for c in closed)
    assert cases.filter(status=CaseStatus.OPEN).exists()
    assert cases.filter(reason=CaseReason.PERFUNCTORY, status=CaseStatus.CLOSED).count() == 1


def test_ratings_mostly_good_with_a_perfunctory_flag_or_two(history, db):
    ratings = Rating.objects.all()
    assert ratings.count() > 0.85 * Call.objects.filter(status=CallStatus.CLOSED).count()
    scores = Counter(ratings.values_list("satisfaction", flat=True))
    assert _share(scores[4] + scores[5], ratings.count()) > 0.75
    assert scores[2] + scores[3] > 10
    flagged = ratings.filter(perfunctory=True)
    assert flagged.count() == 2
    assert flagged.filter(perfunctory_confirmed_at__isnull=True).count() == 1  # under review


def test_some_calls_are_open_today_and_some_overdue(history, db):
    calls = Call.objects.all()
    open_calls = calls.filter(status__in=OPEN_STATUSES)
    assert 0.03 < _share(open_calls.count(), calls.count()) < 0.08
    overdue = open_calls.filter(status=CallStatus.CALLED, response_due_at__lt=NOW)
    assert overdue.filter(urge_level=2, accountability_cases__isnull=False).exists()
    assert overdue.filter(urge_level=1).exists()
    assert open_calls.filter(status=CallStatus.IN_PROGRESS, resolution_due_at__lt=NOW).exists()
    assert open_calls.filter(status=CallStatus.RESOLVED).exists()
    assert open_calls.filter(status=CallStatus.RETURNED).exists()
    waiting = open_calls.filter(next_alert_at__isnull=False)
    assert not waiting.filter(next_alert_at__lte=NOW).exists()  # the sweeper is up to date


def test_the_yuncheng_north_second_road_story(history, db):
    call = Call.objects.get(title=yuncheng_story.TITLE)
    assert call.caller.username == "yuncheng" and call.matter.code == "ZD-001"
    assert call.status == CallStatus.CLOSED and call.rating.satisfaction == 5
    assert timedelta(days=90) < NOW - call.called_at < timedelta(days=150)
    assert call.resolved_at <= call.resolution_due_at
    (meeting,) = call.meetings.all()
    assert meeting.status == "held" and meeting.minutes
    invited = {i.department.code: i.confirmed_at for i in meeting.invitations.all()}
    assert set(invited) == {"440111-zjj", "440111-ghj", "440111-cgj"}
    assert all(invited.values())
    items = list(call.action_items.select_related("owner_department"))
    assert {i.owner_department.code for i in items} == set(invited)
    assert all(i.done_at and i.done_at <= i.due_at for i in items)
    kinds = list(call.events.order_by("seq").values_list("kind", flat=True))
    assert kinds.index(EventKind.CONVENED) < kinds.index(EventKind.MEETING_HELD)
    assert kinds.count(EventKind.ACTION_DONE) == 3
    assert kinds[-2:] == [EventKind.RESOLVED, EventKind.CONFIRMED]


def test_every_call_is_rebuilt_by_replaying_its_events(history, db):
    for call in Call.objects.all():
        assert_replay_matches(call)
        events = list(call.events.order_by("seq"))
        assert [e.seq for e in events] == list(range(1, call.event_count + 1))
        times = [e.at for e in events]
        assert times == sorted(times), call.number
    assert audit.verify().ok


def test_every_calling_unit_and_department_has_its_people(history, db):
    callers = User.objects.filter(role=Role.CALLER)
    calling = Org.objects.filter(has_calling_right=True)
    assert set(calling.values_list("pk", flat=True)) <= set(callers.values_list("org", flat=True))
    departments = Org.objects.filter(kind=OrgKind.DEPARTMENT)
    responders = User.objects.filter(role=Role.RESPONDER)
    assert set(departments.values_list("pk", flat=True)) == set(
        responders.values_list("org", flat=True)
    )
    made = User.objects.filter(username__in=("taihe", "taihe-village2", "gongan"))
    assert made.count() == 3 and not any(u.has_usable_password() for u in made)


def test_notices_stay_in_the_inbox_and_old_ones_are_read(history, db):
    assert not OutboxMessage.objects.exists()
    notices = Notification.objects.all()
    assert notices.count() > 1000
    week_ago = NOW - timedelta(days=7)
    assert not notices.filter(created_at__lt=week_ago, read_at__isnull=True).exists()
    assert notices.filter(created_at__gte=week_ago, read_at__isnull=True).exists()
    assert notices.filter(recipient__username="yuncheng", kind="call.resolved").exists()


def test_loading_again_adds_nothing(history, db):
    counts = (Call.objects.count(), CallEvent.objects.count(), User.objects.count())
    again = load_demo_history(now=NOW + timedelta(days=1))
    assert not again.loaded and "已存在" in again.describe()
    assert (Call.objects.count(), CallEvent.objects.count(), User.objects.count()) == counts


def test_the_plan_is_the_same_every_time(history, db):
    def plan():
        from faker import Faker

        faker = Faker("zh_CN")
        faker.seed_instance(1)
        stage = Stage(cast_of_the_history(faker), random.Random(1), faker)  # noqa: S311
        planner = Planner(stage, NOW)
        return [(s.new.title, s.called_at, s.caller.pk) for s in planner.set_pieces()]

    assert plan() == plan()


def test_the_statistics_summary_counts_this_year(history, db):
    start = datetime(2026, 1, 1, tzinfo=NOW.tzinfo)
    this_year = Call.objects.filter(called_at__gte=start)
    closed = this_year.filter(status=CallStatus.CLOSED).count()
    with clock.frozen_at(NOW):
        report = statistics.report(User.objects.get(username="leader"), period="year")
    assert (
        report.summary
        == f"今年以来，镇街累计呼叫区直部门{this_year.count()}次，已经响应办结{closed}件"
    )
    assert 350 < this_year.count() < 470 and closed > 0.85 * this_year.count()
    assert report.total["on_time_resolution_rate"] > 0.8
    assert report.ranking  # departments with enough calls are ranked


def test_huying_demo_loads_the_history_unless_told_not_to(db, monkeypatch, capsys):
    loads = []

    def load():
        loads.append(1)
        return HistorySummary(calls=451)

    monkeypatch.setenv("HUYING_SECRET_KEY", "demo-history-test-secret-" + "x" * 30)
    monkeypatch.setattr(call_history, "load_demo_history", load)
    assert cli.main(["demo", "--no-serve"]) == 0
    assert "载入一年的呼叫记录… 一年的呼叫记录已存在" in capsys.readouterr().out
    assert cli.main(["demo", "--no-serve", "--no-history"]) == 0
    assert "呼叫记录" not in capsys.readouterr().out and loads == [1]
