"""POST /api/v1/calls/batch: many calls in one request, all or nothing, errors naming the item."""

import pytest

from huying.calls.models import Call
from huying.core import clock
from huying.notify.models import Notification
from tests.calls.api_client import (
    FREE_FORM_CALL,
    MATTER_CALL,
    MONDAY_9,
    CallsApi,
    denials_since,
    error_fields,
    last_audit_seq,
)

BATCH = "/api/v1/calls/batch"


@pytest.fixture
def calls(api, matter) -> CallsApi:
    return CallsApi(api)


def post(calls: CallsApi, items, username="yuncheng"):
    return calls.client(username).post(BATCH, {"items": items}, content_type="application/json")


def test_a_batch_answers_201_with_each_calls_id_and_number_in_order(calls):
    items = [MATTER_CALL | {"title": f"占道 {i}"} for i in range(3)] + [FREE_FORM_CALL]
    with clock.frozen_at(MONDAY_9):
        response = post(calls, items)
    assert response.status_code == 201, response.content.decode()
    body = response.json()
    assert body["count"] == 4 and len(body["calls"]) == 4
    stored = {c.pk: c for c in Call.objects.filter(pk__in=[c["id"] for c in body["calls"]])}
    assert [stored[c["id"]].title for c in body["calls"]] == [i["title"] for i in items]
    assert [stored[c["id"]].number for c in body["calls"]] == [c["number"] for c in body["calls"]]
    # The same call as POST /api/v1/calls makes, read back through the API.
    one = calls.get("yuncheng", body["calls"][0]["id"]).json()
    single = calls.create_ok("yuncheng", title="占道 0")
    for name in ("status", "lead_department", "matter", "response_limit", "resolution_limit"):
        assert one[name] == single[name]
    assert [a["department"] for a in one["assignments"]] == [
        a["department"] for a in single["assignments"]
    ]
    assert Notification.objects.filter(kind="call.created").count() == 3 * 3 + 3


def test_a_schema_error_names_the_item_and_field_and_nothing_is_made(calls):
    before = Call.objects.count()
    items = [MATTER_CALL, MATTER_CALL, MATTER_CALL, MATTER_CALL | {"title": ""}]
    response = post(calls, items)
    assert response.status_code == 422
    assert error_fields(response) == ["items.3.title"]
    assert Call.objects.count() == before


def test_an_unknown_matter_names_its_item(calls):
    response = post(calls, [MATTER_CALL, MATTER_CALL | {"matter": "NO-SUCH"}])
    assert response.status_code == 422
    assert error_fields(response) == ["items.1.matter"]
    assert "NO-SUCH" in response.json()["detail"]


def test_a_rule_of_the_service_names_its_item(calls):
    free_without_domain = FREE_FORM_CALL | {"domain": None}
    response = post(calls, [FREE_FORM_CALL, MATTER_CALL, free_without_domain])
    assert response.status_code == 422
    assert error_fields(response) == ["items.2.domain"]
    assert response.json()["detail"] == "未选清单事项时请选择领域"


@pytest.mark.parametrize("size", [0, 501])
def test_a_batch_holds_1_to_500(calls, size):
    response = post(calls, [FREE_FORM_CALL] * size)
    assert response.status_code == 422
    assert error_fields(response) == ["items"]
    assert "1 到 500" in response.json()["detail"]


def test_the_body_must_hold_items(calls):
    response = calls.client("yuncheng").post(BATCH, [], content_type="application/json")
    assert response.status_code == 422


@pytest.mark.parametrize("username", ["chengguan", "command", "yuncheng-community"])
def test_only_callers_with_the_calling_right_may_batch_and_refusals_are_audited(calls, username):
    seq = last_audit_seq()
    response = post(calls, [MATTER_CALL], username)
    assert response.status_code == 403
    assert error_fields(response) == ["actor"]
    assert len(denials_since(seq)) == 1
    assert not Call.objects.filter(title=MATTER_CALL["title"]).exists()


def test_without_a_token_it_is_401(api, matter):
    response = api().post(BATCH, {"items": [MATTER_CALL]}, content_type="application/json")
    assert response.status_code == 401


def test_the_batch_is_documented_with_an_example(api):
    schema = api("yuncheng").get("/api/openapi.json").json()
    operation = schema["paths"][BATCH]["post"]
    assert set(operation["responses"]) >= {"201", "403", "422"}
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert body["examples"][0]["items"][0]["title"]
    assert "items.3.title" in body["properties"]["items"]["description"]
