"""The calls API: the journey over HTTP, the call's shape, and each class of error."""

from datetime import datetime, timedelta

import pytest

from huying.calls.models import Call
from huying.core import clock
from tests.calls.api_client import (
    FREE_FORM_CALL,
    MONDAY_9,
    SHANGHAI,
    CallsApi,
    denials_since,
    error_fields,
    last_audit_seq,
)


@pytest.fixture
def calls(api, matter) -> CallsApi:
    return CallsApi(api)


def at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def test_the_journey_from_call_to_confirmation(calls):
    with clock.frozen_at(MONDAY_9):
        call = calls.create_ok("yuncheng", lat=23.1760124, lon="113.2877")
    cid = call["id"]
    assert (call["status"], call["status_label"]) == ("called", "待响应")
    assert call["lead_department"] == {"code": "440111-cgj", "name": "区城市管理和综合执法局"}
    assert call["caller_org"]["name"] == "云城街道" and call["caller_town"]["name"] == "云城街道"
    assert call["matter"] == {"code": "ZF-T01", "name": "占道经营整治"}
    assert (call["lat"], call["lon"]) == ("23.176012", "113.287700")  # kept to 6 decimals
    assert at(call["response_due_at"]) == MONDAY_9 + timedelta(hours=2)
    assert (call["seconds_left"], call["overdue"]) == (7200, False)
    assert (call["response_limit"], call["resolution_limit"]) == ("PT2H", 3)
    assert [(a["department"]["code"], a["role"], a["signed_at"]) for a in call["assignments"]] == [
        ("440111-cgj", "lead", None),
        ("440111-zjj", "co", None),
    ]

    with clock.frozen_at(MONDAY_9 + timedelta(minutes=20)):
        call = calls.act_ok("chengguan", cid, "respond", note="已安排执法中队到场")
    assert call["status"] == "responded"
    # 3 working days from Monday 09:20: the end of Thursday, now the running deadline.
    thursday_end = datetime(2026, 11, 20, 0, 0, tzinfo=SHANGHAI)
    assert at(call["resolution_due_at"]) == at(call["due_at"]) == thursday_end
    assert at(call["assignments"][0]["signed_at"]) == MONDAY_9 + timedelta(minutes=20)

    with clock.frozen_at(MONDAY_9 + timedelta(hours=2)):
        call = calls.act_ok("chengguan", cid, "progress", note="已约谈 5 家店主")
    assert call["status"] == "in_progress"
    with clock.frozen_at(MONDAY_9 + timedelta(days=1)):
        call = calls.act_ok("chengguan", cid, "resolve", result="已清理")
    assert (call["status"], call["due_at"], call["seconds_left"]) == ("resolved", None, None)
    with clock.frozen_at(MONDAY_9 + timedelta(days=1, hours=1)):
        call = calls.act_ok("yuncheng", cid, "reject", reason="仍有两家")
    assert (call["status"], call["redo_count"], call["resolved_at"]) == ("in_progress", 1, None)
    with clock.frozen_at(MONDAY_9 + timedelta(days=2)):
        call = calls.act_ok("chengguan", cid, "resolve", result="全部清理")
    with clock.frozen_at(MONDAY_9 + timedelta(days=2, hours=1)):
        call = calls.act_ok(
            "yuncheng", cid, "confirm", note="满意", satisfaction=5, timeliness=4, attitude=5
        )
    assert (call["status"], call["status_label"]) == ("closed", "已确认办结")
    assert call["rating"] == {
        "department": {"code": "440111-cgj", "name": "区城市管理和综合执法局"},
        "rated_at": call["closed_at"],
        "satisfaction": 5,
        "timeliness": 4,
        "attitude": 5,
        "perfunctory": False,
        "perfunctory_reason": "",
    }
    assert at(call["closed_at"]) == MONDAY_9 + timedelta(days=2, hours=1)

    timeline = calls.get("chengguan", cid).json()["events"]
    assert [(e["seq"], e["kind"], e["from_status"], e["to_status"]) for e in timeline] == [
        (1, "created", None, "called"),
        (2, "signed", "called", "responded"),
        (3, "progress", "responded", "in_progress"),
        (4, "resolved", "in_progress", "resolved"),
        (5, "rejected", "resolved", "in_progress"),
        (6, "resolved", "in_progress", "resolved"),
        (7, "confirmed", "resolved", "closed"),
    ]
    assert [e["kind_label"] for e in timeline] == [
        "发起呼叫",
        "签收响应",
        "进展反馈",
        "办结",
        "不满意退回重办",
        "办结",
        "确认办结",
    ]
    assert [e["actor_org"] for e in timeline[:2]] == ["云城街道", "区城市管理和综合执法局"]
    assert timeline[1]["actor_name"] and timeline[1]["note"] == "已安排执法中队到场"
    assert timeline[4]["note"] == "仍有两家" and timeline[4]["to_status_label"] == "办理中"
    assert at(timeline[6]["at"]) == MONDAY_9 + timedelta(days=2, hours=1)
    assert timeline[0]["data"]["departments"]  # what the event changed comes along
    stored = Call.objects.get(pk=cid)
    assert (stored.status, stored.redo_count, stored.event_count) == ("closed", 1, 7)


def test_a_free_form_call_is_routed_by_the_command_centre(calls):
    call = calls.create_ok("yuncheng", **FREE_FORM_CALL)
    assert call["lead_department"] is None and call["assignments"] == []
    assert (call["domain"], call["domain_label"]) == ("key_work", "重点工作")
    call = calls.act_ok("command", call["id"], "transfer", department="440111-swj", note="排水")
    assert call["lead_department"]["code"] == "440111-swj"
    assert call["events"][-1]["kind"] == "transferred" and call["events"][-1]["note"] == "排水"
    call = calls.act_ok("shuiwu", call["id"], "respond")  # no body at all is fine
    assert call["status"] == "responded"


def test_return_and_arbitration_uphold_and_reroute(calls):
    cid = calls.create_ok()["id"]
    call = calls.act_ok("chengguan", cid, "return", reason="不属我局")
    assert (call["status"], call["return_count"], call["due_at"]) == ("returned", 1, None)
    call = calls.act_ok("command", cid, "arbitrate", uphold=True, note="属城管局职责")
    assert (call["status"], call["lead_department"]["code"]) == ("called", "440111-cgj")
    assert call["events"][-1]["kind_label"] == "裁决维持"
    calls.act_ok("chengguan", cid, "return", reason="仍不属我局")
    call = calls.act_ok("command", cid, "arbitrate", uphold=False, department="440111-ghj")
    assert (call["lead_department"]["code"], call["return_count"]) == ("440111-ghj", 2)
    current = [(a["department"]["code"], a["role"]) for a in call["assignments"] if a["is_active"]]
    assert current == [("440111-ghj", "lead"), ("440111-zjj", "co")]
    assert call["assignments"][0]["is_active"]  # the current lead comes first
    assert not call["assignments"][-1]["is_active"]  # 城管局's old lead, kept as history


def _resolved(calls) -> int:
    cid = calls.create_ok()["id"]
    calls.act_ok("chengguan", cid, "respond")
    calls.act_ok("chengguan", cid, "resolve", result="已清理")
    return cid


def test_confirming_without_a_rating_leaves_none(calls):
    call = calls.act_ok("yuncheng", _resolved(calls), "confirm")
    assert call["status"] == "closed" and call["rating"] is None


def test_a_perfunctory_flag_is_kept_with_its_reason(calls):
    rating = {"satisfaction": 1, "timeliness": 2, "attitude": 2, "perfunctory": True}
    call = calls.act_ok(
        "yuncheng", _resolved(calls), "confirm", **rating, perfunctory_reason="只劝离未处罚"
    )
    assert call["rating"]["perfunctory"] is True
    assert call["rating"]["perfunctory_reason"] == "只劝离未处罚"


@pytest.mark.parametrize(
    ("rating", "field"),
    [
        ({"satisfaction": 6, "timeliness": 4, "attitude": 5}, "satisfaction"),
        ({"satisfaction": 5, "timeliness": 0, "attitude": 5}, "timeliness"),
        ({"satisfaction": 5, "timeliness": 4}, "attitude"),  # a rating is whole or absent
        ({"perfunctory": True}, "satisfaction"),
        (
            {"satisfaction": 1, "timeliness": 1, "attitude": 1, "perfunctory": True},
            "perfunctory_reason",
        ),
        ({"satisfaction": "很好"}, "satisfaction"),
    ],
)
def test_a_bad_rating_is_422_naming_the_field_and_the_call_stays_resolved(calls, rating, field):
    cid = _resolved(calls)
    response = calls.act("yuncheng", cid, "confirm", **rating)
    assert response.status_code == 422, response.content
    assert error_fields(response) == [field]
    assert Call.objects.get(pk=cid).status == "resolved"


def test_withdraw_and_urge(calls):
    cid = calls.create_ok()["id"]
    call = calls.act_ok("supervisor", cid, "urge", level=2, note="请加快")
    assert call["urge_level"] == 2 and call["events"][-1]["data"] == {"level": 2}
    call = calls.act_ok("command", cid, "urge")  # level 1 by default
    assert call["urge_level"] == 2
    call = calls.act_ok("yuncheng", cid, "withdraw")
    assert call["status"] == "withdrawn" and call["withdrawn_at"]


# --- 409: the state does not allow it --------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "action", "body", "message"),
    [
        ("chengguan", "resolve", {"result": "x"}, "当前状态为「待响应」，不能办结"),
        ("chengguan", "progress", {"note": "x"}, "当前状态为「待响应」，不能进展反馈"),
        ("yuncheng", "confirm", {}, "当前状态为「待响应」，不能确认办结"),
        ("command", "arbitrate", {"uphold": True}, "当前状态为「待响应」，不能裁决维持"),
    ],
)
def test_an_action_the_state_does_not_allow_is_409_naming_the_state(
    calls, username, action, body, message
):
    cid = calls.create_ok()["id"]
    response = calls.act(username, cid, action, **body)
    assert response.status_code == 409
    assert response.json() == {
        "detail": message,
        "errors": [{"field": "status", "message": message}],
    }
    assert Call.objects.get(pk=cid).event_count == 1


def test_withdrawing_a_responded_call_is_409_naming_the_state(calls):
    cid = calls.create_ok()["id"]
    calls.act_ok("chengguan", cid, "respond")
    response = calls.act("yuncheng", cid, "withdraw", reason="不需要了")
    assert response.status_code == 409 and "已响应" in response.json()["detail"]


# --- 403: the role may not -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "action", "body", "message"),
    [
        ("yuncheng", "respond", {}, "只有承办部门的工作人员可以这样做"),
        ("command", "respond", {}, "只有承办部门的工作人员可以这样做"),
        ("zhujian", "return", {"reason": "x"}, "只有牵头部门可以这样做"),
        ("chengguan", "transfer", {"department": "440111-swj"}, "只有指挥中心可以这样做"),
        ("yuncheng", "urge", {}, "只有指挥中心和纪委监委可以督办"),
        ("leader", "withdraw", {}, "只有发起呼叫的单位可以这样做"),
    ],
)
def test_an_action_the_role_may_not_take_is_403_in_chinese(calls, username, action, body, message):
    cid = calls.create_ok()["id"]
    response = calls.act(username, cid, action, **body)
    assert response.status_code == 403
    assert response.json()["detail"] == message
    assert Call.objects.get(pk=cid).event_count == 1


def test_only_the_caller_confirms_and_only_the_lead_resolves(calls):
    cid = calls.create_ok()["id"]
    calls.act_ok("chengguan", cid, "respond")
    assert calls.act("zhujian", cid, "resolve", result="x").status_code == 403
    calls.act_ok("chengguan", cid, "resolve", result="done")
    response = calls.act("chengguan", cid, "confirm")
    assert (
        response.status_code == 403 and response.json()["detail"] == "只有发起呼叫的单位可以这样做"
    )


def test_a_department_cannot_call(calls):
    response = calls.create("chengguan")
    assert response.status_code == 403
    assert response.json()["detail"] == "只有镇街和村社干部可以发起呼叫"


# --- 422: a field is wrong -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"title": ""}, ["title"]),
        ({"title": "长" * 121}, ["title"]),
        ({"description": None}, ["description"]),
        ({"matter": "ZF-NONE"}, ["matter"]),
        ({"matter": None, "domain": None}, ["domain"]),
        ({"matter": None, "domain": "space"}, ["domain"]),
        ({"urgency": "whenever"}, ["urgency"]),
        ({"lat": 91}, ["lat"]),
        ({"lat": "north", "lon": -181}, ["lat", "lon"]),
        ({"title": "nul\x00", "address": "x\x00"}, ["title", "address"]),
        ({"lat": "1e999999999", "lon": "NaN"}, ["lat", "lon"]),
        ({"lat": True, "lon": "Infinity"}, ["lat", "lon"]),
        ({"address": "址" * 201}, ["address"]),
    ],
)
def test_a_bad_new_call_is_422_naming_the_field_and_creates_nothing(calls, fields, expected):
    before = Call.objects.count()
    response = calls.create("yuncheng", **fields)
    assert response.status_code == 422, response.content
    assert error_fields(response) == expected
    assert all(e["message"] for e in response.json()["errors"])
    assert Call.objects.count() == before


def test_an_unknown_matter_is_named_in_chinese(calls):
    response = calls.create("yuncheng", matter="ZF-NONE")
    assert response.json()["detail"] == "清单中没有编号为“ZF-NONE”的事项"


def test_an_inactive_matter_cannot_be_called(calls, matter):
    matter.is_active = False
    matter.save()
    response = calls.create("yuncheng")
    assert response.status_code == 422 and error_fields(response) == ["matter"]


@pytest.mark.parametrize(
    ("setup", "username", "action", "body", "field"),
    [
        ((), "chengguan", "return", {}, "reason"),
        ((), "chengguan", "return", {"reason": "   "}, "reason"),
        ((), "command", "transfer", {"department": "440111-none"}, "department"),
        ((), "command", "transfer", {"department": "440111014"}, "department"),  # a street
        ((), "command", "transfer", {"department": "440111-cgj"}, "department"),  # already lead
        ((), "command", "transfer", {}, "department"),
        ((), "command", "urge", {"level": 3}, "level"),
        ((), "command", "urge", {"level": "high"}, "level"),
        (("respond",), "chengguan", "progress", {"note": ""}, "note"),
        (("respond",), "chengguan", "resolve", {}, "result"),
        (("return",), "command", "arbitrate", {"uphold": False}, "department"),
        (("return",), "command", "arbitrate", {"uphold": False, "department": "x"}, "department"),
        (("return",), "command", "arbitrate", {"uphold": "perhaps"}, "uphold"),
        (("return",), "command", "arbitrate", {"note": "x"}, "uphold"),
    ],
)
def test_a_bad_action_body_is_422_naming_the_field(calls, setup, username, action, body, field):
    cid = calls.create_ok()["id"]
    for step in setup:
        calls.act_ok("chengguan", cid, step, **({"reason": "不属我局"} if step == "return" else {}))
    events = Call.objects.get(pk=cid).event_count
    response = calls.act(username, cid, action, **body)
    assert response.status_code == 422, response.content
    assert error_fields(response) == [field]
    assert Call.objects.get(pk=cid).event_count == events


@pytest.mark.parametrize("call_id", ["abc", "0", "-1", "99999999999999999999999"])
def test_a_call_id_that_cannot_be_one_is_422(calls, call_id):
    response = calls.client("command").get(f"/api/v1/calls/{call_id}")
    assert response.status_code == 422 and error_fields(response) == ["call_id"]


def test_an_unparsable_body_is_a_clear_error(calls):
    cid = calls.create_ok()["id"]
    response = calls.client("chengguan").post(
        f"/api/v1/calls/{cid}/return", "{bad", content_type="application/json"
    )
    assert response.status_code in (400, 422) and error_fields(response) == ["body"]


# --- 404: out of scope, audited --------------------------------------------------------------


def test_another_towns_call_is_404_and_the_attempt_is_audited(calls, persona):
    cid = calls.create_ok("yuncheng")["id"]
    mark = last_audit_seq()
    response = calls.get("helong", cid)
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到，或不在您的可见范围内", "errors": []}
    [denial] = denials_since(mark)
    assert (denial.actor, denial.object_type, denial.object_id) == (
        persona("helong"),
        "calls.call",
        str(cid),
    )


def test_a_department_cannot_read_a_call_not_addressed_to_it(calls, persona):
    cid = calls.create_ok("yuncheng", **FREE_FORM_CALL)["id"]
    mark = last_audit_seq()
    assert calls.get("chengguan", cid).status_code == 404  # not routed yet
    assert calls.act("chengguan", cid, "respond").status_code == 404
    denials = denials_since(mark)
    assert [(d.actor, d.object_id) for d in denials] == [(persona("chengguan"), str(cid))] * 2
    calls.act_ok("command", cid, "transfer", department="440111-cgj")
    assert calls.get("chengguan", cid).status_code == 200


def test_a_call_that_does_not_exist_is_404_without_an_audit_row(calls):
    mark = last_audit_seq()
    assert calls.get("command", 987654321).status_code == 404
    assert calls.act("command", 987654321, "urge").status_code == 404
    assert denials_since(mark) == []


def test_without_a_token_it_is_401(client, matter):
    assert client.get("/api/v1/calls").status_code == 401
    assert client.post("/api/v1/calls", {}, content_type="application/json").status_code == 401


# --- OpenAPI ---------------------------------------------------------------------------------


def test_openapi_documents_every_calls_operation_in_chinese_with_examples(calls):
    doc = calls.client("command").get("/api/openapi.json").json()
    operations = {
        (path, method): op
        for path, item in doc["paths"].items()
        if path.startswith("/api/v1/calls")
        for method, op in item.items()
    }
    actions = {p.rsplit("/", 1)[1] for p, m in operations if p.count("/") == 5}
    assert actions == {
        "respond",
        "return",
        "arbitrate",
        "transfer",
        "progress",
        "resolve",
        "confirm",
        "reject",
        "withdraw",
        "urge",
        "convene",
        "meetings",
    }
    schemas = doc["components"]["schemas"]
    used = set()
    for op in operations.values():
        assert op["tags"] == ["呼叫"]
        assert op["summary"] and not op["summary"].isascii()
        used |= _refs(op, schemas)
        for parameter in op.get("parameters", []):
            if parameter["name"] in ("limit", "offset"):  # Ninja's pagination, with defaults
                continue
            assert "example" in parameter, parameter  # OpenAPI: one value (`examples` is a map)
    assert {"CallIn", "CallOut", "CallDetailOut", "EventOut", "CallError"} <= used
    for name in used - {"PagedCallOut"}:  # Ninja's page wrapper: CallOut inside has examples
        assert schemas[name].get("examples"), name


def _refs(node, schemas, seen=None) -> set[str]:
    seen = set() if seen is None else seen
    if isinstance(node, dict):
        ref = node.get("$ref", "")
        if ref.startswith("#/components/schemas/"):
            name = ref.rsplit("/", 1)[1]
            if name not in seen:
                seen.add(name)
                _refs(schemas[name], schemas, seen)
        for value in node.values():
            _refs(value, schemas, seen)
    elif isinstance(node, list):
        for value in node:
            _refs(value, schemas, seen)
    return seen


def test_a_demo_matter_routes_the_call_to_its_departments(calls):
    call = calls.create_ok("yuncheng", matter="ZF-001")
    assert call["matter"]["name"] == "占道经营整治"
    assert [(a["department"]["code"], a["role"]) for a in call["assignments"]] == [
        ("440111-cgj", "lead"),
        ("440111-scjgj", "co"),
    ]


def test_the_browser_session_reads_the_api_too(browser_client, calls):
    cid = calls.create_ok()["id"]
    client = browser_client("yuncheng")
    assert cid in {item["id"] for item in client.get("/api/v1/calls").json()["items"]}
    assert client.get(f"/api/v1/calls/{cid}").json()["id"] == cid
