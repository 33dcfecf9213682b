"""Formalism cases (形式主义、官僚主义问题): only the commission writes; each piece of evidence is
checked (an overdue or perfunctory call, a flagged task, an unplanned assessment); an unguided
task that failed opens a case against its issuer as the guiding unit; who sees which case."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from huying.calls.models import Rating
from huying.core import clock
from huying.core.errors import Conflict, Forbidden, Invalid
from huying.core.models import AuditEntry
from huying.supervision import case_selectors, cases, tasks
from huying.supervision.choices import CaseStatus, EvidenceKind, SubmissionStatus
from huying.supervision.models import Assessment, Submission
from tests.calls.conftest import matter, new_call  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY_9 = datetime(2026, 11, 16, 9, 0, tzinfo=SHANGHAI)
CASES = "/api/v1/supervision/cases"


@pytest.fixture
def overdue_call(new_call):  # noqa: F811
    with clock.frozen_at(MONDAY_9):
        return new_call()


def make_task(persona, org, *, guidance="", due=date(2026, 10, 20), start=date(2026, 10, 1)):
    """A one-off 城管局 task to 云城街, registered on its first day."""
    data = {
        "title": "门前三包责任落实情况表",
        "basis": "区城管工作要点",
        "frequency": "once",
        "due_date": due,
        "starts_on": start,
        "guidance": guidance,
        "recipients": [org("云城街道").pk],
        "fields": [{"name": "落实户数", "meaning": "已签订门前三包的户数"}],
    }
    actor = persona("chengguan")
    with clock.frozen_at(datetime.combine(start, datetime.min.time(), SHANGHAI)):
        task = tasks.create_task(actor, data)
        for flag in tasks.check_task(task):
            tasks.justify(actor, flag, "口径不同")
        return tasks.register(actor, task)


def test_a_case_links_an_overdue_call_and_records_people_then_concludes(persona, org, overdue_call):
    supervisor = persona("supervisor")
    case = cases.open_case(
        supervisor,
        "多次超期未响应",
        org("440111-cgj"),
        [{"kind": EvidenceKind.OVERDUE_CALL, "call": overdue_call.pk}],
    )
    assert case.number.startswith(f"XS{clock.now().astimezone(SHANGHAI).year}-")
    assert case.evidence.get().call == overdue_call
    person = {"name": "张某", "position": "中队长", "level": "section", "measure": "admonishment"}
    cases.add_person(supervisor, case, person)
    cases.conclude(supervisor, case, "诫勉谈话")
    case.refresh_from_db()
    assert (case.status, case.outcome, case.people.get().name) == (
        CaseStatus.CONCLUDED,
        "诫勉谈话",
        "张某",
    )
    with pytest.raises(Conflict):
        cases.add_person(supervisor, case, person)
    actions = AuditEntry.objects.filter(
        object_id=str(case.pk), object_type="supervision.formalismcase"
    )
    assert {
        "supervision.case_opened",
        "supervision.case_person_added",
        "supervision.case_concluded",
    } <= set(actions.values_list("action", flat=True))


def test_evidence_that_does_not_hold_is_refused(persona, org, new_call):  # noqa: F811
    supervisor, cgj = persona("supervisor"), org("440111-cgj")
    fresh = new_call()  # just called: within its limits, and nobody rated it perfunctory
    for kind in (EvidenceKind.OVERDUE_CALL, EvidenceKind.PERFUNCTORY_CALL):
        with pytest.raises(Invalid) as err:
            cases.open_case(supervisor, "问题", cgj, [{"kind": kind, "call": fresh.pk}])
        assert err.value.field == "evidence.call"
    Rating.objects.create(
        call=fresh,
        department=cgj,
        rated_by=persona("yuncheng"),
        rated_at=clock.now(),
        satisfaction=2,
        timeliness=2,
        attitude=2,
        perfunctory=True,
    )
    case = cases.open_case(
        supervisor, "应付", cgj, [{"kind": EvidenceKind.PERFUNCTORY_CALL, "call": fresh.pk}]
    )
    assert case.evidence.get().kind == EvidenceKind.PERFUNCTORY_CALL
    planned = Assessment.objects.create(
        department=cgj,
        name="考评",
        kind="assessment",
        launched_on=date(2026, 5, 1),
        created_by=supervisor,
        created_at=clock.now(),
    )
    with pytest.raises(Invalid):
        cases.add_evidence(
            supervisor, case, {"kind": "unplanned_assessment", "assessment": planned.pk}
        )
    planned.unplanned = True
    planned.save()
    cases.add_evidence(supervisor, case, {"kind": "unplanned_assessment", "assessment": planned.pk})
    with pytest.raises(Invalid):
        cases.add_evidence(supervisor, case, {"kind": "task", "task": 10**9})
    assert case.evidence.count() == 2


def test_only_the_commission_writes(persona, org):
    for username in ("leader", "chengguan", "yuncheng", "admin"):
        with pytest.raises(Forbidden):
            cases.open_case(persona(username), "问题", org("440111-cgj"))


def test_an_unguided_task_that_failed_opens_a_case_against_the_guiding_unit(persona, org):
    task = make_task(persona, org)
    case = cases.open_guidance_case(persona("supervisor"), task)
    assert case.guiding_unit == case.unit == org("440111-cgj")
    assert case.evidence.get().kind == EvidenceKind.UNGUIDED_TASK
    assert "1 个填报单位逾期" in case.problem


def test_no_guidance_case_when_guided_or_when_the_towns_delivered(persona, org):
    guided = make_task(persona, org, guidance="按附件口径填报")
    with pytest.raises(Invalid):
        cases.open_guidance_case(persona("supervisor"), guided)
    delivered = make_task(persona, org)
    Submission.objects.create(
        task=delivered,
        org=org("云城街道"),
        period=delivered.starts_on,
        status=SubmissionStatus.SUBMITTED,
    )
    with pytest.raises(Invalid):
        cases.open_guidance_case(persona("supervisor"), delivered)
    not_due = make_task(persona, org, due=date.today() + timedelta(days=30))
    with pytest.raises(Invalid):
        cases.open_guidance_case(persona("supervisor"), not_due)


@pytest.fixture
def two_cases(persona, org):
    supervisor = persona("supervisor")
    note = [{"kind": "other", "note": "群众反映"}]
    return (
        cases.open_case(supervisor, "城管问题", org("440111-cgj"), note),
        cases.open_case(supervisor, "街道问题", org("云城街道"), note),
    )


@pytest.mark.parametrize(
    ("username", "seen"),
    [
        ("supervisor", {"城管问题", "街道问题"}),
        ("leader", {"城管问题", "街道问题"}),
        ("chengguan", {"城管问题"}),
        ("yuncheng", {"街道问题"}),
        ("zhujian", set()),
        ("inspector", set()),
    ],
)
def test_each_sees_the_cases_against_their_unit(two_cases, persona, api, username, seen):
    user = persona(username)
    assert set(case_selectors.case_list(user).values_list("problem", flat=True)) == seen
    for case in two_cases:
        response = api(username).get(f"{CASES}/{case.pk}")
        assert response.status_code == (200 if case.problem in seen else 404)


def test_the_api_opens_adds_people_and_concludes(api, org, overdue_call):
    client = api("supervisor")
    body = {
        "problem": "超期未办",
        "unit": "440111-cgj",
        "evidence": [{"kind": "overdue_call", "call": overdue_call.pk}],
    }
    created = client.post(CASES, body, content_type="application/json")
    assert created.status_code == 201, created.content
    case = created.json()
    assert case["evidence"][0]["call_number"] == overdue_call.number
    person = {"name": "李某", "position": "科员", "level": "staff", "measure": "criticism"}
    added = client.post(f"{CASES}/{case['id']}/people", person, content_type="application/json")
    assert added.json()["people"][0]["measure_label"] == "批评教育"
    done = client.post(
        f"{CASES}/{case['id']}/conclude", {"outcome": "批评教育"}, content_type="application/json"
    )
    assert done.json()["status"] == "concluded"
    refused = api("chengguan").post(CASES, body, content_type="application/json")
    assert refused.status_code == 403
    wrong = client.post(CASES, {**body, "unit": "nope"}, content_type="application/json")
    assert (wrong.status_code, wrong.json()["errors"][0]["field"]) == (422, "unit")


def test_the_register_list_takes_a_pinned_number_of_queries(
    api, persona, org, django_assert_num_queries
):
    client = api("supervisor")
    for n in range(6):
        cases.open_case(
            persona("supervisor"), f"问题{n}", org("440111-cgj"), [{"kind": "other", "note": "n"}]
        )
    with django_assert_num_queries(4):  # token, user, count, page
        response = client.get(CASES)
    assert response.json()["count"] == 6
