"""The town workbench (/calls/town/) and the new-call form (/calls/new/)."""

import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile

from huying.calls import services
from huying.calls.choices import CallStatus, Domain, EventKind, Source, Urgency
from huying.calls.models import Attachment, Call, Matter
from huying.core import clock
from huying.orgs.models import Org

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY_9 = datetime(2026, 11, 16, 9, 0, tzinfo=SHANGHAI)
URL = "/calls/town/"
NEW = "/calls/new/"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 100


def numbers(html: str) -> list[str]:
    return re.findall(r'data-testid="call-row" data-call="([^"]+)"', html)


def page(client, moment=MONDAY_9, url=URL, **params) -> str:
    with clock.frozen_at(moment):
        response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def count(body: str, section: str) -> int:
    match = re.search(rf'data-testid="tab-{section}".*?<span class="stat-n">(\d+)</span>', body)
    return int(match.group(1))


def field_errors(body: str, name: str) -> list[str]:
    """The errors shown in the form field that holds the input named `name`."""
    for block in re.findall(
        r'<div class="field[^"]*">.*?</div>\s*(?=<div|<p|</fieldset|$)', body, re.S
    ):
        if f'name="{name}"' in block:
            return re.findall(r'<div class="error" role="alert">(.*?)</div>', block)
    raise AssertionError(f"no field {name}")


def photo(name="现场.jpg", content=JPEG) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def posted(client, data, moment=MONDAY_9):
    with clock.frozen_at(moment):
        return client.post(NEW, data)


# --- the workbench ----------------------------------------------------------------------------


@pytest.fixture
def four_states(new_call, persona):
    """Calls of 云城街 in every section: waiting, working, resolved (to confirm), closed."""
    with clock.frozen_at(MONDAY_9):
        waiting = new_call(title="待响应的呼叫")
        working = services.respond(actor=persona("chengguan"), call=new_call(title="办理中"))
        resolved = services.resolve(
            actor=persona("chengguan"),
            call=services.respond(actor=persona("chengguan"), call=new_call(title="已报办结")),
            result="已清理",
        )
        closed = services.confirm(
            actor=persona("yuncheng"),
            call=services.resolve(
                actor=persona("chengguan"),
                call=services.respond(actor=persona("chengguan"), call=new_call(title="已确认")),
                result="已清理",
            ),
        )
    return waiting, working, resolved, closed


def test_every_call_sits_in_its_section_with_time_left(four_states, browser_client):
    waiting, working, resolved, closed = four_states
    client = browser_client("yuncheng")
    later = MONDAY_9 + timedelta(minutes=30)
    assert numbers(page(client, later, section="waiting")) == [waiting.number]
    assert numbers(page(client, later, section="working")) == [working.number]
    assert numbers(page(client, later, section="to_confirm")) == [resolved.number]
    assert numbers(page(client, later, section="finished")) == [closed.number]
    body = page(client, later)  # 全部, newest first
    assert numbers(body) == [c.number for c in (closed, resolved, working, waiting)]
    counts = {s: count(body, s) for s in ("waiting", "working", "to_confirm", "finished", "all")}
    assert counts == {"waiting": 1, "working": 1, "to_confirm": 1, "finished": 1, "all": 4}
    assert "剩余1小时30分" in body  # the waiting call's 2-hour response clock
    assert 'data-testid="tab-to_confirm"' in body and 'class="stat warn"' in body
    row = re.search(rf'data-call="{resolved.number}".*?</tr>', body, re.S).group(0)
    assert "needs-action" in body and 'data-testid="to-confirm"' in row
    assert "占道经营整治" in body and "城管局" in body  # the matter and the lead department


def test_free_form_call_shows_it_waits_for_the_command_centre(free_form, browser_client):
    with clock.frozen_at(MONDAY_9):
        call = free_form(urgency=Urgency.URGENT)
    body = page(browser_client("yuncheng"), section="waiting")
    row = re.search(rf'data-call="{call.number}".*?</tr>', body, re.S).group(0)
    assert "自由呼叫" in row and "待指挥中心分派" in row and "剩余2小时0分" in row


def test_an_overdue_urged_call_shows_it(new_call, browser_client):
    from huying.calls import sweeps

    with clock.frozen_at(MONDAY_9):
        call = new_call()
    sweeps.sweep(MONDAY_9 + timedelta(hours=2, minutes=1))
    body = page(browser_client("yuncheng"), MONDAY_9 + timedelta(hours=3))
    row = re.search(rf'data-call="{call.number}".*?</tr>', body, re.S).group(0)
    assert "超期1小时0分" in row and "一级督办" in row


def test_a_town_sees_its_key_villages_calls_but_never_another_towns(
    new_call, persona, browser_client
):
    with clock.frozen_at(MONDAY_9):
        village_call = new_call("renhe-village", title="重点村的呼叫")
        yuncheng_call = new_call("yuncheng", title="云城街的呼叫")
    renhe = page(browser_client("renhe"))
    assert village_call.number in numbers(renhe) and yuncheng_call.number not in renhe
    row = re.search(rf'data-call="{village_call.number}".*?</tr>', renhe, re.S).group(0)
    assert persona("renhe-village").org.name in row  # whose call it is
    village = page(browser_client("renhe-village"))
    assert numbers(village) == [village_call.number]
    helong = page(browser_client("helong"))
    assert numbers(helong) == [] and "云城街的呼叫" not in helong and "重点村的呼叫" not in helong


def test_the_list_is_paginated_by_fifty_newest_first(new_call, browser_client):
    calls = []
    for minute in range(51):
        with clock.frozen_at(MONDAY_9 + timedelta(minutes=minute)):
            calls.append(new_call(title=f"呼叫{minute}"))
    client = browser_client("yuncheng")
    first = page(client, MONDAY_9 + timedelta(hours=1))
    assert numbers(first) == [c.number for c in reversed(calls[1:])]
    assert 'data-testid="next-page"' in first and "?section=all&page=2" in first
    second = page(client, MONDAY_9 + timedelta(hours=1), page=2)
    assert numbers(second) == [calls[0].number]


def test_the_query_count_does_not_grow_with_the_calls(
    new_call, free_form, browser_client, django_assert_max_num_queries
):
    client = browser_client("yuncheng")
    with clock.frozen_at(MONDAY_9):
        new_call()
    # session, user, org, pending requests, counts, page count, unread badge, page rows
    with django_assert_max_num_queries(8):
        page(client)
    with clock.frozen_at(MONDAY_9):
        for _ in range(10):
            new_call()
            free_form()
    with django_assert_max_num_queries(8) as few:
        body = page(client)
    assert len(numbers(body)) == 21
    with django_assert_max_num_queries(len(few.captured_queries)):
        page(client, section="waiting")


def test_htmx_poll_gets_only_the_lists_fragment(new_call, browser_client):
    with clock.frozen_at(MONDAY_9):
        call = new_call()
    client = browser_client("yuncheng")
    with clock.frozen_at(MONDAY_9):
        response = client.get(URL, {"section": "waiting"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body and '<nav class="nav"' not in body
    assert body.startswith('<div id="town-calls"') and 'hx-trigger="every 20s"' in body
    assert 'hx-get="/calls/town/?section=waiting"' in body and call.number in body
    full = page(client)
    assert 'hx-get="/calls/town/"' in full and "huying/countdown.js" in full


def test_signed_out_poll_reloads_the_page(client):
    assert client.get(URL).status_code == 302
    polled = client.get(URL, headers={"HX-Request": "true"})
    assert polled.status_code == 204 and polled["HX-Refresh"] == "true"


@pytest.mark.parametrize("username", ["chengguan", "command", "supervisor", "leader", "admin"])
def test_other_roles_are_refused_with_404(username, browser_client):
    client = browser_client(username)
    assert client.get(URL).status_code == 404
    assert client.get(NEW).status_code == 404


def test_an_unknown_section_is_404(browser_client):
    assert browser_client("yuncheng").get(URL, {"section": "nope"}).status_code == 404


def test_a_village_without_the_calling_right_is_sent_to_its_requests(browser_client):
    client = browser_client("yuncheng-community")
    assert client.get(URL)["Location"] == "/calls/requests/"
    response = client.get(NEW)
    assert response.status_code == 302 and response["Location"] == "/calls/requests/new/"
    told = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("没有呼叫权" in m for m in told)


# --- the new-call form ------------------------------------------------------------------------


def test_the_form_offers_active_matters_grouped_with_lead_and_limits(matter, browser_client):
    Matter.objects.create(
        code="ZF-T99",
        domain=Domain.LAW_ENFORCEMENT,
        name="停用的事项",
        lead_department=Org.objects.get(code="440111-cgj"),
        response_seconds=3600,
        resolution_working_days=1,
        is_active=False,
    )
    body = page(browser_client("yuncheng"), url=NEW)
    assert 'value="ZF-T01"' in body and "停用的事项" not in body
    option = re.search(r'data-code="ZF-T01".*?</label>', body, re.S).group(0)
    assert "占道经营整治" in option and "牵头：城管局 · 响应2小时 · 办结3个工作日" in option
    assert "<h3>综合执法</h3>" in body and "<h3>应急处置</h3>" in body
    active = Matter.objects.filter(is_active=True).count()
    assert body.count('data-testid="matter-option"') == active > 70  # the whole special list
    assert "自由呼叫（由指挥中心分派）" in body
    assert 'name="files"' in body and 'accept="image/*"' in body and 'capture="environment"' in body
    assert "multiple" in re.search(r'<input[^>]*name="files"[^>]*>', body).group(0)
    assert "huying/call-form.js" in body and "data-locate" in body


def test_the_matter_search_filters_and_keeps_the_choice(matter, browser_client):
    matter.name = "测试专用的事项"
    matter.save()
    client = browser_client("yuncheng")
    body = page(client, url="/calls/new/matters/", q="专用的事项")
    assert re.findall(r'data-code="([^"]+)"', body) == ["ZF-T01"]
    assert "<h3>综合执法</h3>" in body and "<h3>应急处置</h3>" not in body
    body = page(client, url="/calls/new/matters/", q="zf-t0")  # codes ignore case
    assert re.findall(r'data-code="([^"]+)"', body) == ["ZF-T01"]
    kept = page(client, url="/calls/new/matters/", q="没有这样的事项", matter="ZF-T01")
    assert re.findall(r'data-code="([^"]+)"', kept) == ["ZF-T01"]
    assert 'value="ZF-T01" checked' in kept and 'data-testid="no-matter"' in kept
    free = page(client, url="/calls/new/matters/", q="占道", matter="")
    assert '<input type="radio" name="matter" value="" checked>' in free


def test_the_deadline_preview_uses_the_matter_or_the_urgency(matter, browser_client):
    client = browser_client("yuncheng")
    body = page(client, url="/calls/new/deadlines/", matter="ZF-T01")
    assert "须在 2026-11-16 11:00 前响应（2小时）" in body and "3个工作日" in body
    free = page(client, url="/calls/new/deadlines/", matter="", urgency="emergency")
    assert "由指挥中心分派" in free and "2026-11-16 09:30" in free
    assert 'data-testid="deadline-preview"' not in page(client, url="/calls/new/deadlines/")


def test_a_call_with_a_matter_is_created_and_opens_its_detail(matter, persona, browser_client):
    client = browser_client("yuncheng")
    response = posted(
        client,
        {
            "matter": "ZF-T01",
            "title": "云城西路占道经营",
            "description": "多家店铺占道经营",
            "urgency": "normal",
            "domain": "",
            "address": "云城西路 12 号",
            "lat": "23.1760123",
            "lon": "113.287731",
        },
    )
    call = Call.objects.get(title="云城西路占道经营")
    assert response.status_code == 302 and response["Location"] == f"/calls/{call.pk}/"
    assert call.caller_org == persona("yuncheng").org and call.matter == matter
    assert call.lead_department.code == "440111-cgj" and call.status == CallStatus.CALLED
    assert call.response_due_at == MONDAY_9 + timedelta(hours=2)
    assert str(call.lat) == "23.176012" and call.address == "云城西路 12 号"
    assert call.events.get().kind == EventKind.CREATED
    told = [str(m) for m in get_messages(response.wsgi_request)]
    assert told == [f"呼叫已发出：{call.number}，已通知承办部门"]


def test_a_free_form_call_takes_urgency_and_domain(browser_client):
    response = posted(
        browser_client("yuncheng"),
        {
            "matter": "",
            "title": "路灯不亮",
            "description": "整条街路灯不亮",
            "urgency": "urgent",
            "domain": "key_work",
        },
    )
    call = Call.objects.get(title="路灯不亮")
    assert response["Location"] == f"/calls/{call.pk}/"
    assert call.matter is None and call.lead_department is None and call.domain == "key_work"
    assert call.response_due_at == MONDAY_9 + timedelta(hours=2) and call.source == Source.MANUAL
    told = [str(m) for m in get_messages(response.wsgi_request)]
    assert told == [f"呼叫已发出：{call.number}，等待指挥中心分派"]


def test_a_call_carries_its_photos(matter, persona, browser_client):
    response = posted(
        browser_client("yuncheng"),
        {
            "matter": "ZF-T01",
            "title": "带照片的呼叫",
            "description": "见照片",
            "urgency": "normal",
            "files": [photo("一.jpg"), photo("二.jpg")],
        },
    )
    call = Call.objects.get(title="带照片的呼叫")
    assert response.status_code == 302
    files = list(Attachment.objects.filter(call=call).order_by("pk"))
    created = call.events.get(kind=EventKind.CREATED)
    assert [a.name for a in files] == ["一.jpg", "二.jpg"]
    assert all(a.event == created and a.content_type == "image/jpeg" for a in files)
    assert all(a.uploaded_by == persona("yuncheng") for a in files)
    assert created.data["attachment_ids"] == [a.pk for a in files]


def _nothing_saved(before_calls: int, before_files: int) -> None:
    assert Call.objects.count() == before_calls
    assert Attachment.objects.count() == before_files


def test_a_missing_title_is_shown_at_the_title_and_nothing_is_saved(matter, browser_client):
    before = Call.objects.count(), Attachment.objects.count()
    response = posted(
        browser_client("yuncheng"),
        {
            "matter": "ZF-T01",
            "title": "  ",
            "description": "保留的描述文字",
            "urgency": "normal",
            "files": [photo()],
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert field_errors(body, "title") == ["请填写标题"]
    assert "保留的描述文字" in body and 'value="ZF-T01" checked' in body  # the input is kept
    assert "如有照片，请重新选择" in body
    _nothing_saved(*before)


def test_a_free_form_call_without_a_domain_is_refused_at_the_domain(browser_client):
    before = Call.objects.count(), Attachment.objects.count()
    response = posted(
        browser_client("yuncheng"),
        {"matter": "", "title": "路灯不亮", "description": "整条街", "urgency": "normal"},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert field_errors(body, "domain") == ["未选清单事项时请选择领域"]
    assert '<input type="radio" name="matter" value="" checked>' in body
    _nothing_saved(*before)


def test_picking_nothing_is_refused_at_the_picker(browser_client):
    response = posted(
        browser_client("yuncheng"),
        {"title": "路灯不亮", "description": "整条街", "urgency": "normal", "domain": "key_work"},
    )
    body = response.content.decode()
    picker = re.search(r'data-testid="matter-picker".*?id="matter-options"', body, re.S).group(0)
    assert response.status_code == 400 and "请选择清单事项，或选择自由呼叫" in picker


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"matter": "NO-SUCH"}, "matter", "清单中没有编号为“NO-SUCH”的事项"),
        ({"lat": "23.1"}, "lon", "纬度和经度需同时填写"),
        ({"lat": "95", "lon": "113"}, "lat", "确保该值小于或等于90。"),
        ({"title": "长" * 121}, "title", "不超过 120 字符"),
    ],
)
def test_bad_input_names_its_field(data, field, message, matter, browser_client):
    before = Call.objects.count(), Attachment.objects.count()
    fields = {"matter": "ZF-T01", "title": "标题", "description": "描述", "urgency": "normal"}
    response = posted(browser_client("yuncheng"), fields | data)
    body = response.content.decode()
    assert response.status_code == 400
    if field == "matter":
        assert message in re.search(r'data-testid="matter-picker".*?</fieldset>', body, re.S).group(
            0
        )
    else:
        [error] = field_errors(body, field)
        assert message in error
    _nothing_saved(*before)


def stored_files(settings) -> int:
    return sum(1 for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())


def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_kept(
    matter, browser_client, settings
):
    before = Call.objects.count(), Attachment.objects.count()
    on_disk = stored_files(settings)
    response = posted(
        browser_client("yuncheng"),
        {
            "matter": "ZF-T01",
            "title": "带坏文件",
            "description": "描述",
            "urgency": "normal",
            "files": [photo(), SimpleUploadedFile("a.jpg", b"not an image", "image/jpeg")],
        },
    )
    assert response.status_code == 400
    errors = field_errors(response.content.decode(), "files")
    assert errors == ["只能上传照片（JPEG、PNG、WebP）或PDF文件"]
    _nothing_saved(*before)
    assert stored_files(settings) == on_disk  # the good photo staged first is gone again


def test_an_inactive_matter_is_refused(matter, browser_client):
    matter.is_active = False
    matter.save()
    response = posted(
        browser_client("yuncheng"),
        {"matter": "ZF-T01", "title": "标题", "description": "描述", "urgency": "normal"},
    )
    assert response.status_code == 400 and "该清单事项已停用" in response.content.decode()
    assert not Call.objects.filter(title="标题").exists()


def test_a_key_village_calls_through_the_page(matter, browser_client, persona):
    response = posted(
        browser_client("renhe-village"),
        {"matter": "ZF-T01", "title": "重点村呼叫", "description": "描述", "urgency": "normal"},
    )
    call = Call.objects.get(title="重点村呼叫")
    assert response["Location"] == f"/calls/{call.pk}/"
    assert call.caller_org == persona("renhe-village").org


# --- navigation and home ----------------------------------------------------------------------


def nav(body: str) -> str:
    return re.search(r'<nav class="nav".*?</nav>', body, re.S).group(0)


@pytest.mark.parametrize(
    ("username", "workbench", "requests"),
    [
        ("yuncheng", True, True),
        ("renhe", True, True),
        ("renhe-village", True, False),
        ("yuncheng-community", False, True),
        ("chengguan", False, False),
        ("command", False, False),
    ],
)
def test_the_nav_shows_each_caller_its_pages(username, workbench, requests, browser_client):
    body = browser_client(username).get("/").content.decode()
    assert ('href="/calls/town/"' in nav(body)) is workbench
    assert ('href="/calls/requests/"' in nav(body)) is requests


def test_home_links_the_workbench_or_the_request_form(browser_client):
    town = browser_client("yuncheng").get("/").content.decode()
    assert 'data-testid="to-town-workbench"' in town and 'href="/calls/new/"' in town
    village = browser_client("yuncheng-community").get("/").content.decode()
    assert 'data-testid="to-raise"' in village and 'href="/calls/requests/new/"' in village
    assert 'data-testid="to-town-workbench"' not in village
