"""The outsider walk: for every call made here, every persona outside its scope gets 404 on
every calls endpoint (audited), never sees it in a list, and changes nothing.

Who is inside is written out by hand per call, not computed with the code under test.
"""

import pytest

from huying.calls.models import Call
from tests.calls.api_client import (
    DISTRICT_WIDE,
    FREE_FORM_CALL,
    PERSONAS,
    CallsApi,
    denials_since,
    last_audit_seq,
)

# A valid body for each action, so that only the scope can refuse it.
ACTION_BODIES = {
    "respond": {},
    "return": {"reason": "不属我局"},
    "arbitrate": {"uphold": True},
    "transfer": {"department": "440111-swj"},
    "progress": {"note": "已到场"},
    "resolve": {"result": "已处理"},
    "confirm": {},
    "reject": {"reason": "不满意"},
    "withdraw": {},
    "urge": {"level": 1},
}
YUNCHENG_STREET = {"yuncheng", "inspector"}  # the street's caller and its inspector
CHENGGUAN = {"chengguan", "chengguan-head"}


@pytest.fixture
def walk(api, matter) -> dict[str, tuple[int, set[str]]]:
    """Calls of every kind of scope, each with the personas who may see it."""
    calls = CallsApi(api)
    made = {}
    made["street, matter"] = (
        calls.create_ok("yuncheng")["id"],
        YUNCHENG_STREET | CHENGGUAN | {"zhujian"},
    )
    made["street, free-form, unrouted"] = (
        calls.create_ok("yuncheng", **FREE_FORM_CALL)["id"],
        YUNCHENG_STREET,
    )
    made["key village"] = (
        calls.create_ok("renhe-village")["id"],
        {"renhe-village", "renhe"} | CHENGGUAN | {"zhujian"},
    )
    routed = calls.create_ok("renhe", **FREE_FORM_CALL)["id"]
    calls.act_ok("command", routed, "transfer", department="440111-swj")
    made["town, routed to 水务局"] = (routed, {"renhe", "shuiwu"})
    rerouted = calls.create_ok("helong")["id"]
    calls.act_ok("chengguan", rerouted, "return", reason="不属我局")
    calls.act_ok("command", rerouted, "arbitrate", uphold=False, department="440111-ghj")
    # 城管局 keeps seeing the call it once held; 住建局 is still the co-department.
    made["street, re-routed to 规划分局"] = (
        rerouted,
        {"helong", "guihua", "zhujian"} | CHENGGUAN,
    )
    calls.act_ok("guihua", rerouted, "respond")
    return {name: (cid, insiders | DISTRICT_WIDE) for name, (cid, insiders) in made.items()}


def test_every_outsider_gets_404_everywhere_and_changes_nothing(api, walk):
    calls = CallsApi(api)
    for persona in PERSONAS:
        calls.client(persona)  # tokens first: their audit rows are not what is counted here
    for name, (cid, insiders) in walk.items():
        outsiders = [p for p in PERSONAS if p not in insiders]
        assert outsiders, name
        events = Call.objects.get(pk=cid).event_count
        mark = last_audit_seq()
        for persona in outsiders:
            assert calls.get(persona, cid).status_code == 404, (name, persona)
            for action, body in ACTION_BODIES.items():
                response = calls.act(persona, cid, action, **body)
                assert response.status_code == 404, (name, persona, action, response.content)
            assert cid not in calls.ids(persona), (name, persona)
        denials = denials_since(mark)
        assert len(denials) == len(outsiders) * (1 + len(ACTION_BODIES)), name
        assert {(d.object_type, d.object_id) for d in denials} == {("calls.call", str(cid))}
        assert {d.actor.username for d in denials} == set(outsiders)
        assert Call.objects.get(pk=cid).event_count == events, name


def test_every_insider_reads_the_call_and_finds_it_in_the_list(api, walk):
    calls = CallsApi(api)
    for name, (cid, insiders) in walk.items():
        for persona in insiders:
            assert calls.get(persona, cid).status_code == 200, (name, persona)
            assert cid in calls.ids(persona), (name, persona)
