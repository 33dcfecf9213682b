"""Village requests (村社上报) in pages: raise, the town forwards or declines, the village
follows the outcome (/calls/requests/...)."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile

from huying.calls import services, village_requests
from huying.calls.choices import CallStatus, Domain, Source, Urgency, VillageRequestStatus
from huying.calls.models import Attachment, Call, VillageRequest
from huying.core import clock
from huying.notify.models import Notification

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY_9 = datetime(2026, 11, 16, 9, 0, tzinfo=SHANGHAI)
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 100
VILLAGE = "yuncheng-community"  # a community of 云城街道 without the calling right


def told(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def field_errors(body: str, name: str) -> list[str]:
    for block in re.findall(
        r'<div class="field[^"]*">.*?</div>\s*(?=<div|<p|<button|$)', body, re.S
    ):
        if f'name="{name}"' in block:
            return re.findall(r'<div class="error" role="alert">(.*?)</div>', block)
    raise AssertionError(f"no field {name}")


def get(client, url, moment=MONDAY_9, **params) -> str:
    with clock.frozen_at(moment):
        response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def raised(persona):
    """A free-form request of the community, with a photo, raised on Monday 9:00."""

    def make(title="楼道堆放杂物", **overrides):
        from huying.calls import attachments

        actor = persona(VILLAGE)
        with clock.frozen_at(MONDAY_9):
            upload = SimpleUploadedFile("楼道.jpg", JPEG, content_type="image/jpeg")
            staged = attachments.stage(actor=actor, upload=upload)
            fields = {
                "title": title,
                "description": "3 号楼楼道堆放杂物，存在消防隐患",
                "domain": Domain.EMERGENCY,
                "urgency": Urgency.URGENT,
                "address": "云城街某社区 3 号楼",
                "attachment_ids": [staged.pk],
            }
            fields |= overrides
            return village_requests.raise_request(actor=actor, new=services.NewCall(**fields))

    return make


# --- raising ----------------------------------------------------------------------------------


def test_a_village_raises_a_request_with_a_photo(persona, browser_client):
    client = browser_client(VILLAGE)
    form = get(client, "/calls/requests/new/")
    assert "向镇街上报" in form and "云城街道" in form and 'name="files"' in form
    with clock.frozen_at(MONDAY_9):
        response = client.post(
            "/calls/requests/new/",
            {
                "matter": "",
                "title": "路面塌陷",
                "description": "社区门口路面塌陷约 1 平方米",
                "urgency": "emergency",
                "domain": "emergency",
                "lat": "23.18",
                "lon": "113.28",
                "files": [SimpleUploadedFile("坑.jpg", JPEG, content_type="image/jpeg")],
            },
        )
    request = VillageRequest.objects.get(title="路面塌陷")
    assert response.status_code == 302 and response["Location"] == f"/calls/requests/{request.pk}/"
    assert told(response) == [f"已上报：{request.number}，等待镇街处理"]
    assert request.status == VillageRequestStatus.PENDING and request.town.name == "云城街道"
    assert request.raised_by == persona(VILLAGE) and str(request.lat) == "23.180000"
    assert [a.name for a in request.attachments.all()] == ["坑.jpg"]
    assert not Call.objects.filter(title="路面塌陷").exists()


def test_a_bad_request_is_refused_at_its_field_and_nothing_is_saved(browser_client):
    before = VillageRequest.objects.count(), Attachment.objects.count()
    response = browser_client(VILLAGE).post(
        "/calls/requests/new/",
        {
            "matter": "",
            "title": "路面塌陷",
            "description": "",
            "urgency": "normal",
            "domain": "emergency",
            "files": [SimpleUploadedFile("坑.jpg", JPEG, content_type="image/jpeg")],
        },
    )
    assert response.status_code == 400
    assert field_errors(response.content.decode(), "description") == ["请描述情况"]
    assert (VillageRequest.objects.count(), Attachment.objects.count()) == before


def test_callers_with_the_calling_right_are_sent_to_call_themselves(browser_client):
    response = browser_client("yuncheng").get("/calls/requests/new/")
    assert response["Location"] == "/calls/new/" and "持有呼叫权" in told(response)[0]
    assert browser_client("renhe-village").get("/calls/requests/")["Location"] == "/calls/town/"


# --- the town decides -------------------------------------------------------------------------


def test_the_town_sees_the_pending_request_and_its_notice_opens_it(raised, persona, browser_client):
    request = raised()
    town = browser_client("yuncheng")
    workbench = get(town, "/calls/town/")
    pending = re.search(r'data-testid="pending-requests".*?</section>', workbench, re.S).group(0)
    assert "楼道堆放杂物" in pending and request.village.name in pending
    assert f'href="/calls/requests/{request.pk}/"' in pending and "2026-11-16 09:00" in pending
    listed = get(town, "/calls/requests/", status="pending")
    assert f'data-request="{request.number}"' in listed
    notice = Notification.objects.get(recipient=persona("yuncheng"), kind="calls.request_raised")
    detail = get(town, notice.link)
    assert 'data-testid="forward"' in detail and 'data-testid="decline"' in detail
    assert "3 号楼楼道堆放杂物" in detail and 'src="/calls/attachments/' in detail
    assert '<input type="radio" name="matter" value="" checked>' in detail  # as raised: free-form
    photo_url = re.search(r'<img src="(/calls/attachments/\d+/)"', detail).group(1)
    shown = town.get(photo_url)
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"
    assert browser_client("helong").get(photo_url).status_code == 404


def test_other_towns_do_not_list_it(raised, browser_client):
    raised()
    assert 'data-testid="pending-requests"' not in get(browser_client("helong"), "/calls/town/")
    assert 'data-testid="request-row"' not in get(browser_client("helong"), "/calls/requests/")


def test_forwarding_as_raised_makes_the_towns_call_with_the_photos(raised, persona, browser_client):
    request = raised()
    with clock.frozen_at(MONDAY_9 + timedelta(hours=1)):
        response = browser_client("yuncheng").post(
            f"/calls/requests/{request.pk}/forward/",
            {
                "matter": "",
                "title": request.title,
                "description": request.description,
                "urgency": "urgent",
            },
        )
    request.refresh_from_db()
    call = request.call
    assert response.status_code == 302 and response["Location"] == f"/calls/{call.pk}/"
    assert told(response) == [f"已转为本单位的呼叫：{call.number}"]
    assert request.status == VillageRequestStatus.FORWARDED
    assert call.source == Source.FORWARDED and call.caller_org == persona("yuncheng").org
    assert call.domain == Domain.EMERGENCY and call.address == "云城街某社区 3 号楼"
    assert [a.name for a in Attachment.objects.filter(call=call)] == ["楼道.jpg"]


def test_the_town_may_reword_and_pick_a_matter_first(raised, matter, browser_client):
    request = raised()
    response = browser_client("yuncheng").post(
        f"/calls/requests/{request.pk}/forward/",
        {"matter": "ZF-T01", "title": "改写后的标题", "description": "改写", "urgency": "normal"},
    )
    call = Call.objects.get(village_request=request)
    assert response.status_code == 302
    assert call.title == "改写后的标题" and call.matter == matter
    assert call.lead_department.code == "440111-cgj"


def test_a_bad_forward_is_shown_at_its_field_and_the_request_stays_pending(raised, browser_client):
    request = raised()
    response = browser_client("yuncheng").post(
        f"/calls/requests/{request.pk}/forward/",
        {"matter": "", "title": "", "description": "还在", "urgency": "urgent"},
    )
    body = response.content.decode()
    forward = re.search(r'data-testid="forward".*?</section>', body, re.S).group(0)
    assert response.status_code == 400 and field_errors(forward, "title") == ["请填写标题"]
    assert "还在" in forward
    request.refresh_from_db()
    assert request.status == VillageRequestStatus.PENDING and request.call is None


def test_declining_needs_a_reason(raised, browser_client):
    request = raised()
    town = browser_client("yuncheng")
    refused = town.post(f"/calls/requests/{request.pk}/decline/", {"reason": "  "})
    body = refused.content.decode()
    assert refused.status_code == 400 and field_errors(body, "reason") == ["不予转呼必须说明理由"]
    request.refresh_from_db()
    assert request.status == VillageRequestStatus.PENDING
    with clock.frozen_at(MONDAY_9 + timedelta(hours=2)):
        response = town.post(
            f"/calls/requests/{request.pk}/decline/", {"reason": "属物业管理范围，已转物业"}
        )
    assert response["Location"] == f"/calls/requests/{request.pk}/"
    request.refresh_from_db()
    assert request.status == VillageRequestStatus.DECLINED
    assert request.decline_reason == "属物业管理范围，已转物业"


def test_a_decided_request_cannot_be_decided_again(raised, persona, browser_client):
    request = raised()
    village_requests.decline_request(actor=persona("yuncheng"), request=request, reason="不属实")
    client = browser_client("yuncheng")
    detail = get(client, f"/calls/requests/{request.pk}/")
    assert 'data-testid="forward"' not in detail and "不属实" in detail
    response = client.post(
        f"/calls/requests/{request.pk}/forward/",
        {"matter": "", "title": "t", "description": "d", "urgency": "normal"},
    )
    assert response["Location"] == f"/calls/requests/{request.pk}/"
    assert "已处理" in told(response)[0]
    assert not Call.objects.filter(village_request=request).exists()


# --- the village follows the outcome ----------------------------------------------------------


def test_the_village_sees_the_forwarded_calls_state_and_time_left(raised, persona, browser_client):
    request = raised()
    with clock.frozen_at(MONDAY_9):
        call = village_requests.forward_request(actor=persona("yuncheng"), request=request)
    village = browser_client(VILLAGE)
    later = MONDAY_9 + timedelta(minutes=30)
    listed = get(village, "/calls/requests/", later)
    row = re.search(rf'data-request="{request.number}".*?</tr>', listed, re.S).group(0)
    assert call.number in row and "已转为呼叫" in row and "待响应" in row
    assert "剩余1小时30分" in row  # the urgent free-form call's 2-hour response clock
    assert f'href="/calls/{call.pk}/"' not in row  # the call is the town's, not the village's
    detail = get(village, f"/calls/requests/{request.pk}/", later)
    outcome = re.search(r'data-testid="outcome".*?</section>', detail, re.S).group(0)
    assert call.number in outcome and "剩余1小时30分" in outcome and "待指挥中心分派" in outcome
    assert f'href="/calls/{call.pk}/"' not in detail and 'data-testid="forward"' not in detail
    # The town does open it.
    town = get(browser_client("yuncheng"), f"/calls/requests/{request.pk}/", later)
    assert f'href="/calls/{call.pk}/"' in town
    # Later states reach the village too.
    with clock.frozen_at(MONDAY_9 + timedelta(hours=1)):
        services.transfer(actor=persona("command"), call=call, department=persona("chengguan").org)
        services.respond(actor=persona("chengguan"), call=call)
    assert "已响应" in get(village, "/calls/requests/", later)


def test_the_village_sees_the_reason_of_a_decline(raised, persona, browser_client):
    request = raised()
    village_requests.decline_request(actor=persona("yuncheng"), request=request, reason="重复上报")
    village = browser_client(VILLAGE)
    listed = get(village, "/calls/requests/", status="declined")
    assert f'data-request="{request.number}"' in listed and "镇街不予转呼" in listed
    detail = get(village, f"/calls/requests/{request.pk}/")
    assert re.search(r'data-testid="decline-reason">重复上报<', detail)


def test_a_village_may_not_decide_its_own_request(raised, browser_client):
    request = raised()
    response = browser_client(VILLAGE).post(
        f"/calls/requests/{request.pk}/decline/", {"reason": "自己撤回"}
    )
    assert response["Location"] == f"/calls/requests/{request.pk}/"
    assert told(response) == ["只有所属镇街可以处理此上报"]
    request.refresh_from_db()
    assert request.status == VillageRequestStatus.PENDING


# --- scope and roles --------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["helong", "renhe", "renhe-village"])
def test_another_unit_gets_404_on_the_request(username, raised, browser_client):
    request = raised()
    client = browser_client(username)
    assert client.get(f"/calls/requests/{request.pk}/").status_code == 404
    forward = client.post(
        f"/calls/requests/{request.pk}/forward/",
        {"matter": "", "title": "t", "description": "d", "urgency": "normal"},
    )
    assert forward.status_code == 404
    assert client.post(f"/calls/requests/{request.pk}/decline/", {"reason": "r"}).status_code == 404
    request.refresh_from_db()
    assert request.status == VillageRequestStatus.PENDING


def test_district_wide_roles_read_without_acting(raised, browser_client):
    request = raised()
    command = browser_client("command")
    assert f'data-request="{request.number}"' in get(command, "/calls/requests/")
    detail = get(command, f"/calls/requests/{request.pk}/")
    assert "楼道堆放杂物" in detail and 'data-testid="forward"' not in detail
    assert (
        command.post(f"/calls/requests/{request.pk}/decline/", {"reason": "r"}).status_code == 404
    )


@pytest.mark.parametrize("username", ["chengguan", "zhujian"])
def test_departments_are_refused(username, raised, browser_client):
    request = raised()
    client = browser_client(username)
    assert client.get("/calls/requests/").status_code == 404
    assert client.get(f"/calls/requests/{request.pk}/").status_code == 404
    assert client.get("/calls/requests/new/").status_code == 404


def test_the_list_query_count_does_not_grow(
    raised, persona, browser_client, django_assert_max_num_queries
):
    town = browser_client("yuncheng")
    first = raised()
    with clock.frozen_at(MONDAY_9):
        village_requests.forward_request(actor=persona("yuncheng"), request=first)
    # session, user, org, page count, rows (with village, matter, call, lead), unread badge
    with django_assert_max_num_queries(6):
        get(town, "/calls/requests/")
    for i in range(8):
        request = raised(title=f"上报{i}")
        if i % 2:
            with clock.frozen_at(MONDAY_9):
                village_requests.forward_request(actor=persona("yuncheng"), request=request)
    with django_assert_max_num_queries(6):
        body = get(town, "/calls/requests/")
    assert body.count('data-testid="request-row"') == 9
    assert body.count('data-status="called"') == 5  # the forwarded ones show their call's state


def test_forwarded_call_is_in_the_towns_workbench(raised, persona, browser_client):
    request = raised()
    with clock.frozen_at(MONDAY_9):
        call = village_requests.forward_request(actor=persona("yuncheng"), request=request)
    body = get(browser_client("yuncheng"), "/calls/town/", section="waiting")
    assert f'data-call="{call.number}"' in body and 'data-testid="pending-requests"' not in body
    assert call.status == CallStatus.CALLED
