"""A village without the calling right raises a matter; its town forwards or declines it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from huying.calls import attachments, services, village_requests
from huying.calls.choices import Source, VillageRequestStatus
from huying.core.errors import Conflict, Forbidden, Invalid
from huying.core.models import AuditEntry
from huying.notify.models import Notification

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 100


def raise_one(persona, username="yuncheng-community", **overrides):
    fields = {
        "title": "小区门口路灯坏了",
        "description": "松柏社区门口三盏路灯不亮",
        "domain": "key_work",
    }
    return village_requests.raise_request(
        actor=persona(username), new=services.NewCall(**(fields | overrides))
    )


def test_a_village_without_the_calling_right_cannot_call_but_can_raise(persona):
    community = persona("yuncheng-community")
    assert not community.org.has_calling_right
    with pytest.raises(Forbidden, match="请向所属镇街反映"):
        services.create_call(
            actor=community,
            new=services.NewCall(title="路灯", description="不亮", domain="key_work"),
        )
    request = raise_one(persona)
    assert request.status == VillageRequestStatus.PENDING
    assert request.town == community.org.parent and request.number.startswith("SB")
    told = Notification.objects.filter(recipient=persona("yuncheng"), kind="calls.request_raised")
    assert told.get().link == f"/calls/requests/{request.pk}/"


def test_a_key_village_calls_directly_instead(persona):
    with pytest.raises(Forbidden, match="请直接发起呼叫"):
        raise_one(persona, "renhe-village")


def test_a_bad_request_names_the_field(persona):
    with pytest.raises(Invalid) as caught:
        raise_one(persona, title="  ")
    assert caught.value.field == "title"


def test_the_town_forwards_it_as_its_own_call_with_the_photos(persona):
    photo = attachments.stage(
        actor=persona("yuncheng-community"), upload=SimpleUploadedFile("a.jpg", JPEG)
    )
    request = raise_one(persona, attachment_ids=[photo.pk])
    call = village_requests.forward_request(actor=persona("yuncheng"), request=request)
    request.refresh_from_db()
    assert request.status == VillageRequestStatus.FORWARDED and request.call == call
    assert call.caller_org == persona("yuncheng").org and call.source == Source.FORWARDED
    assert call.title == "小区门口路灯坏了"
    assert [a.pk for a in call.events.get(seq=1).attachments.all()] == [photo.pk]
    assert Notification.objects.filter(
        recipient=persona("yuncheng-community"), kind="calls.request_forwarded"
    ).exists()
    assert AuditEntry.objects.filter(action="calls.request_forwarded").exists()


def test_the_town_may_reword_before_forwarding(persona):
    request = raise_one(persona)
    edits = services.NewCall(
        title="云城街松柏社区路灯故障", description="三盏不亮", domain="key_work"
    )
    call = village_requests.forward_request(actor=persona("yuncheng"), request=request, edits=edits)
    assert call.title == "云城街松柏社区路灯故障" and call.source == Source.FORWARDED


def test_declining_needs_a_reason_and_tells_the_village(persona):
    request = raise_one(persona)
    with pytest.raises(Invalid) as caught:
        village_requests.decline_request(actor=persona("yuncheng"), request=request, reason=" ")
    assert caught.value.field == "reason"
    village_requests.decline_request(
        actor=persona("yuncheng"), request=request, reason="属物业管理范围，已转物业"
    )
    request.refresh_from_db()
    assert request.status == VillageRequestStatus.DECLINED and request.call is None
    assert Notification.objects.filter(
        recipient=persona("yuncheng-community"), kind="calls.request_declined"
    ).exists()


def test_a_request_is_decided_once_and_only_by_its_town(persona):
    request = raise_one(persona)
    with pytest.raises(Forbidden, match="只有所属镇街"):
        village_requests.forward_request(actor=persona("helong"), request=request)
    village_requests.decline_request(actor=persona("yuncheng"), request=request, reason="重复上报")
    with pytest.raises(Conflict, match="已处理"):
        village_requests.forward_request(actor=persona("yuncheng"), request=request)


# --- over HTTP ---------------------------------------------------------------------------------


def test_the_api_walks_raise_forward_and_the_village_follows_the_call(api):
    village, town = api("yuncheng-community"), api("yuncheng")
    body = {"title": "垃圾堆放", "description": "社区后巷垃圾堆放三天未清", "domain": "key_work"}
    raised = village.post("/api/v1/village-requests", body, content_type="application/json")
    assert raised.status_code == 201, raised.content
    rid = raised.json()["id"]
    pending = town.get("/api/v1/village-requests?status=pending").json()["items"]
    assert rid in [r["id"] for r in pending]
    assert api("helong").get(f"/api/v1/village-requests/{rid}").status_code == 404
    assert api("chengguan").get(f"/api/v1/village-requests/{rid}").status_code == 404

    url = f"/api/v1/village-requests/{rid}/forward"
    refused = village.post(url, {}, content_type="application/json")
    assert refused.status_code == 403
    forwarded = town.post(url, {}, content_type="application/json")
    assert forwarded.status_code == 200, forwarded.content
    seen = village.get(f"/api/v1/village-requests/{rid}").json()
    assert seen["status"] == "forwarded" and seen["call_status"] == "called"
    assert seen["call_number"].startswith("HY")
    again = town.post(
        f"/api/v1/village-requests/{rid}/decline", {"reason": "x"}, content_type="application/json"
    )
    assert again.status_code == 409


def test_decline_over_the_api_without_a_reason_is_422(api):
    body = {"title": "噪音", "description": "夜间施工噪音", "domain": "law_enforcement"}
    rid = (
        api("yuncheng-community")
        .post("/api/v1/village-requests", body, content_type="application/json")
        .json()["id"]
    )
    response = api("yuncheng").post(
        f"/api/v1/village-requests/{rid}/decline", {"reason": ""}, content_type="application/json"
    )
    assert response.status_code == 422
