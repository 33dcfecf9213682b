"""The list and the detail are rendered from rows (`calls/api_render.py`), not through their
schemas: here the two are held byte for byte equal on calls in every state, as each kind of user
sees them, in both languages. A field added to `CallOut` or `CallDetailOut` but not to the
rendering fails here."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from huying.calls import api_render, attachments, selectors, sweeps
from huying.calls.api import PagedCallOut
from huying.calls.api_schemas import CallDetailOut
from huying.core import clock
from huying.core.pagination import COUNT_CAP, CappedCountLimitOffset
from huying.core.renderers import ReadableJSONRenderer
from tests.calls.api_client import FREE_FORM_CALL, MONDAY_9, CallsApi

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200
VIEWERS = ("yuncheng", "renhe", "renhe-village", "chengguan", "zhujian", "command")


def schema_json(schema, obj) -> str:
    """What Ninja answers for `obj` through `schema`: validate, dump, the API's renderer."""
    return ReadableJSONRenderer().render(
        None, schema.model_validate(obj).model_dump(), response_status=200
    )


def rendered_json(data) -> str:
    return api_render.json_response(data).content.decode()


@pytest.fixture
def calls(api, matter) -> CallsApi:
    return CallsApi(api)


@pytest.fixture
def every_state(calls, persona) -> list[int]:
    """Calls in each state and shape: matter and free-form, a village's, coordinates, files on
    steps, returned, overdue, urged, withdrawn, redone, rated; some at whole seconds, some not."""
    photo = attachments.stage(
        actor=persona("chengguan"),
        upload=SimpleUploadedFile("现场.jpg", JPEG, content_type="image/jpeg"),
    )
    made = []
    with clock.frozen_at(MONDAY_9):
        made.append(calls.create_ok("yuncheng", lat="23.1", lon="113.287731")["id"])  # overdue
        made.append(calls.create_ok("yuncheng", **FREE_FORM_CALL)["id"])  # no matter, no lead
        returned = calls.create_ok("yuncheng")["id"]
        calls.act_ok("chengguan", returned, "return", reason="不属我局")
        made.append(returned)
    sweeps.sweep(MONDAY_9 + timedelta(hours=3))  # the first call urged by no one (actor_org null)
    village = calls.create_ok("renhe-village")["id"]  # the real clock: microseconds
    calls.act_ok("chengguan", village, "respond", note="已签收")
    calls.act_ok("chengguan", village, "progress", note="已到场", attachment_ids=[photo.pk])
    calls.act_ok("command", village, "urge", level=2, note="抓紧")
    made.append(village)
    done = calls.create_ok("yuncheng")["id"]
    calls.act_ok("chengguan", done, "respond")
    calls.act_ok("chengguan", done, "resolve", result="已清理")
    calls.act_ok("yuncheng", done, "reject", reason="仍有两家")
    calls.act_ok("chengguan", done, "resolve", result="全部清理")
    calls.act_ok(
        "yuncheng",
        done,
        "confirm",
        satisfaction=2,
        timeliness=3,
        attitude=4,
        perfunctory=True,
        perfunctory_reason="只劝离",
    )
    made.append(done)
    unrated = calls.create_ok("renhe")["id"]
    calls.act_ok("chengguan", unrated, "respond")
    calls.act_ok("chengguan", unrated, "resolve", result="已清理")
    calls.act_ok("renhe", unrated, "confirm")
    made.append(unrated)
    withdrawn = calls.create_ok("yuncheng")["id"]
    calls.act_ok("yuncheng", withdrawn, "withdraw", reason="已自行解决")
    made.append(withdrawn)
    return made


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_list_page_is_what_the_schema_gives(calls, every_state, persona, language):
    for username in VIEWERS:
        user = persona(username)
        with clock.frozen_at(clock.now() + timedelta(days=1)), translation.override(language):
            listed = selectors.call_list(user, selectors.CallFilter())
            ours = api_render.call_page(None, listed, CappedCountLimitOffset.Input(limit=1000))
            expected = {
                "items": list(listed[:1000]),
                "count": min(listed.count(), COUNT_CAP),
                "count_capped": listed.count() > COUNT_CAP,
            }
            assert rendered_json(ours) == schema_json(PagedCallOut, expected), username
        shown = {item["id"] for item in ours["items"]} & set(every_state)
        assert shown == {
            c for c in every_state if selectors.calls_visible_to(user).filter(pk=c).exists()
        }
    assert any(item["overdue"] for item in ours["items"])  # the command centre sees them all
    assert any(item["caller_town"] != item["caller_org"] for item in ours["items"])


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_detail_is_what_the_schema_gives(calls, every_state, persona, language):
    user = persona("command")
    with clock.frozen_at(clock.now() + timedelta(hours=3)), translation.override(language):
        for cid in every_state:
            expected = schema_json(CallDetailOut, selectors.call_detail_with_timeline(user, cid))
            assert rendered_json(api_render.call_detail(user, cid)) == expected, cid
    detail = api_render.call_detail(user, every_state[3])
    files = [f for event in detail["events"] for f in event["attachments"]]
    assert [f["name"] for f in files] == ["现场.jpg"]
    assert api_render.call_detail(user, every_state[4])["rating"]["perfunctory"] is True
    swept = api_render.call_detail(user, every_state[0])["events"][-1]
    assert (swept["kind"], swept["actor_org"]) == ("urged", None)


def test_the_http_answers_are_the_rendering(calls, every_state):
    """Over HTTP: the same JSON and the API's content type, page and detail."""
    listed = calls.client("chengguan").get("/api/v1/calls", {"limit": 3})
    assert listed["Content-Type"] == "application/json; charset=utf-8"
    assert len(listed.json()["items"]) == 3 and listed.json()["count"] >= 5
    detail = calls.get("chengguan", every_state[3])
    assert detail["Content-Type"] == "application/json; charset=utf-8"
    assert detail.json()["events"][2]["attachments"][0]["url"].startswith("/api/v1/attachments/")


def test_a_departments_own_workbench_is_its_scope_and_its_filter(calls, every_state, persona):
    """Filtering on its own department, a department's list skips the scope's EXISTS (the
    filter implies it): still exactly the calls it may see that it holds now."""
    moved = calls.create_ok("yuncheng")["id"]  # addressed to 城管局, then re-routed away
    calls.act_ok("chengguan", moved, "return", reason="不属我局")
    calls.act_ok("command", moved, "arbitrate", uphold=False, department="440111-ghj")
    elsewhere = calls.create_ok("yuncheng", **FREE_FORM_CALL)["id"]  # never 城管局's
    calls.act_ok("command", elsewhere, "transfer", department="440111-ghj")
    chengguan, command = persona("chengguan"), persona("command")

    def ids(user, department):
        listed = selectors.call_list(user, selectors.CallFilter(department=department))
        return set(listed.values_list("pk", flat=True))

    visible = set(selectors.calls_visible_to(chengguan).values_list("pk", flat=True))
    own = ids(chengguan, "440111-cgj")
    assert own == ids(command, "440111-cgj") & visible
    assert moved in visible and moved not in own and set(every_state) & own
    assert ids(chengguan, "440111-ghj") == ids(command, "440111-ghj") & visible == {moved}
    assert elsewhere in ids(command, "440111-ghj")
    assert calls.ids("chengguan", department="440111-cgj") == own
