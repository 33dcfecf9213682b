"""The accountability-case API: who sees a case, the outcome, and the perfunctory referral."""

from datetime import timedelta

import pytest

from huying.calls import services, sweeps
from huying.calls.choices import CaseReason, CaseStatus
from huying.calls.models import AccountabilityCase
from huying.core import clock
from tests.calls.api_client import (
    MONDAY_9,
    CallsApi,
    denials_since,
    error_fields,
    last_audit_seq,
)
from tests.calls.test_api import _refs

CASES = "/api/v1/accountability-cases"
OUTCOME = {
    "outcome": "约谈城管局分管负责人，责令书面检查",
    "people": [{"name": "张三", "post": "城管局副局长", "level": "提醒谈话"}],
}


@pytest.fixture
def calls(api, matter) -> CallsApi:
    return CallsApi(api)


@pytest.fixture
def overdue_call(new_call):
    """A 城管局 call nobody answered, swept 30 days on: a no-response case is open."""
    with clock.frozen_at(MONDAY_9):
        call = new_call()
    sweeps.sweep(MONDAY_9 + timedelta(days=30))
    return call


@pytest.fixture
def case(overdue_call) -> AccountabilityCase:
    return AccountabilityCase.objects.get(call=overdue_call)


def get_case(calls, username, case_id):
    return calls.client(username).get(f"{CASES}/{case_id}")


def list_cases(calls, username, **params):
    return calls.client(username).get(CASES, {"limit": 1000, **params})


def post_outcome(calls, username, case_id, body):
    return calls.client(username).post(
        f"{CASES}/{case_id}/outcome", body, content_type="application/json"
    )


@pytest.mark.parametrize("username", ["supervisor", "command", "leader", "admin"])
def test_district_wide_roles_list_and_read_the_case_with_its_evidence(calls, case, username):
    listed = list_cases(calls, username)
    assert listed.status_code == 200
    assert case.pk in {item["id"] for item in listed.json()["items"]}
    response = get_case(calls, username, case.pk)
    assert response.status_code == 200, response.content.decode()
    body = response.json()
    assert body["call"] == {"id": case.call_id, "number": case.call.number, "title": "店外经营占道"}
    assert body["department"]["code"] == "440111-cgj"
    assert (body["reason"], body["status"]) == ("no_response", "open")
    assert body["reason_label"] == "超期未响应"
    kinds = [event["kind"] for event in body["evidence"]]
    assert kinds[0] == "created" and "urged" in kinds
    assert body["evidence"][0]["to_status"] == "called"


def test_list_filters_by_status_reason_and_department(calls, case):
    def ids(**params):
        return {item["id"] for item in list_cases(calls, "supervisor", **params).json()["items"]}

    assert case.pk in ids(status="open", reason="no_response", department="440111-cgj")
    assert case.pk not in ids(status="closed")
    assert case.pk not in ids(reason="perfunctory")
    assert case.pk not in ids(department="440111-zjj")
    bad = list_cases(calls, "supervisor", reason="nonsense")
    assert bad.status_code == 422
    assert error_fields(bad) == ["reason"]


def test_the_department_sees_the_cases_against_it(calls, case):
    for username in ("chengguan-head", "chengguan"):
        assert get_case(calls, username, case.pk).status_code == 200
        items = list_cases(calls, username).json()["items"]
        assert [item["id"] for item in items] == [case.pk]
    other = list_cases(calls, "zhujian")
    assert other.json()["items"] == []
    assert get_case(calls, "zhujian", case.pk).status_code == 404


@pytest.mark.parametrize("username", ["yuncheng", "helong"])
def test_callers_see_no_case(calls, case, username):
    seq = last_audit_seq()
    assert get_case(calls, username, case.pk).status_code == 404
    assert [d.object_id for d in denials_since(seq)] == [str(case.pk)]
    assert list_cases(calls, username).json() == {"items": [], "count": 0}
    response = post_outcome(calls, username, case.pk, OUTCOME)
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


def test_an_unknown_case_is_404(calls, case):
    assert get_case(calls, "supervisor", case.pk + 1000).status_code == 404


def test_only_the_commission_records_the_outcome(calls, case):
    seq = last_audit_seq()
    response = post_outcome(calls, "chengguan", case.pk, OUTCOME)
    assert response.status_code == 403
    assert [d.actor.username for d in denials_since(seq)] == ["chengguan"]
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


def test_the_supervisor_records_the_outcome_once(calls, case):
    response = post_outcome(calls, "supervisor", case.pk, OUTCOME)
    assert response.status_code == 200, response.content.decode()
    body = response.json()
    assert body["status"] == "closed" and body["closed_at"]
    assert body["outcome"] == OUTCOME["outcome"]
    assert body["people"] == OUTCOME["people"]
    again = post_outcome(calls, "supervisor", case.pk, OUTCOME)
    assert again.status_code == 409
    assert error_fields(again) == ["status"]
    closed = list_cases(calls, "chengguan-head", status="closed").json()["items"]
    assert [item["id"] for item in closed] == [case.pk]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"outcome": "", "people": []}, "outcome"),
        ({"people": []}, "outcome"),
        ({"outcome": "x", "people": [{"name": "张三", "level": "枪毙"}]}, "people.0.level"),
        ({"outcome": "x", "people": [{"name": "", "level": "诫勉"}]}, "people.0.name"),
        (
            {"outcome": "x", "people": [{"name": "李四", "level": "诫勉"}, {"name": "王五"}]},
            "people.1.level",
        ),
        ({"outcome": "   ", "people": []}, "outcome"),
        ({"outcome": "x", "people": [{"name": "  ", "level": "诫勉"}]}, "people.0.name"),
    ],
)
def test_a_bad_outcome_is_422_naming_the_field(calls, case, body, field):
    response = post_outcome(calls, "supervisor", case.pk, body)
    assert response.status_code == 422, response.content.decode()
    assert error_fields(response) == [field]
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


@pytest.fixture
def perfunctory_call(new_call, persona):
    call = new_call()
    call = services.respond(actor=persona("chengguan"), call=call)
    call = services.resolve(actor=persona("chengguan"), call=call, result="拍照了事")
    rating = services.RatingInput(2, 3, 2, perfunctory=True, perfunctory_reason="只拍照未整改")
    return services.confirm(actor=persona("yuncheng"), call=call, rating=rating)


def confirm_perfunctory(calls, username, call_id):
    return calls.client(username).post(f"/api/v1/ratings/{call_id}/confirm-perfunctory")


def test_confirming_a_perfunctory_rating_opens_a_case(calls, perfunctory_call):
    response = confirm_perfunctory(calls, "supervisor", perfunctory_call.pk)
    assert response.status_code == 201, response.content.decode()
    body = response.json()
    assert (body["reason"], body["status"]) == (CaseReason.PERFUNCTORY, "open")
    assert body["department"]["code"] == "440111-cgj"
    assert body["opened_by"]
    assert [e["kind"] for e in body["evidence"]][:1] == ["created"]
    case = AccountabilityCase.objects.get(call=perfunctory_call)
    assert case.pk == body["id"]
    perfunctory_call.rating.refresh_from_db()
    assert perfunctory_call.rating.perfunctory_confirmed_at is not None
    again = confirm_perfunctory(calls, "supervisor", perfunctory_call.pk)
    assert again.json()["id"] == case.pk  # one case per call, department and reason


def test_only_the_commission_confirms_a_perfunctory_rating(calls, perfunctory_call):
    assert confirm_perfunctory(calls, "command", perfunctory_call.pk).status_code == 403
    assert confirm_perfunctory(calls, "helong", perfunctory_call.pk).status_code == 404
    assert not AccountabilityCase.objects.filter(call=perfunctory_call).exists()


def test_a_rating_without_the_flag_or_no_rating_opens_nothing(calls, new_call, persona):
    call = new_call()
    assert confirm_perfunctory(calls, "supervisor", call.pk).status_code == 404  # not rated
    call = services.respond(actor=persona("chengguan"), call=call)
    call = services.resolve(actor=persona("chengguan"), call=call, result="已清理")
    rating = services.RatingInput(5, 5, 5)
    call = services.confirm(actor=persona("yuncheng"), call=call, rating=rating)
    response = confirm_perfunctory(calls, "supervisor", call.pk)
    assert response.status_code == 409
    assert error_fields(response) == ["rating"]


@pytest.mark.parametrize("username", ["supervisor", "chengguan-head", "yuncheng"])
def test_list_query_count_is_pinned(
    calls, new_call, username, persona, django_assert_max_num_queries
):
    """The token (with its user and unit), the count, the page: never one query per row."""
    for _ in range(4):
        with clock.frozen_at(MONDAY_9):
            new_call()
    sweeps.sweep(MONDAY_9 + timedelta(days=30))
    assert AccountabilityCase.objects.count() >= 4
    list_cases(calls, username)  # stamps the token's last use once
    with django_assert_max_num_queries(3):
        response = list_cases(calls, username, status="open")
    assert response.status_code == 200


def test_openapi_documents_the_case_operations_in_chinese_with_examples(calls):
    doc = calls.client("supervisor").get("/api/openapi.json").json()
    operations = {
        (path, method): op
        for path, item in doc["paths"].items()
        if path.startswith((CASES, "/api/v1/ratings"))
        for method, op in item.items()
    }
    assert set(operations) == {
        (CASES, "get"),
        (f"{CASES}/{{case_id}}", "get"),
        (f"{CASES}/{{case_id}}/outcome", "post"),
        ("/api/v1/ratings/{call_id}/confirm-perfunctory", "post"),
    }
    schemas = doc["components"]["schemas"]
    used = set()
    for op in operations.values():
        assert op["tags"] == ["问责"]
        assert op["summary"] and not op["summary"].isascii()
        used |= _refs(op, schemas)
        for parameter in op.get("parameters", []):
            if parameter["name"] not in ("limit", "offset"):
                assert "example" in parameter, parameter
    assert {"OutcomeIn", "PersonIn", "CaseOut", "CaseDetailOut", "EvidenceOut"} <= used
    for name in used - {"PagedCaseOut"}:
        assert schemas[name].get("examples"), name
