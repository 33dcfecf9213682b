"""The call page (/calls/<pk>/): facts, deadlines, departments, meetings and the timeline with
its files; scoped (404 and audited outside), polled by htmx, with a pinned query count."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from huying.calls import attachments, meetings, services, village_requests
from huying.calls.choices import Urgency
from huying.calls.models import Call
from huying.core import clock
from huying.core.models import AuditEntry

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY_9 = datetime(2026, 11, 16, 9, 0, tzinfo=SHANGHAI)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200
PDF = b"%PDF-1.7\n%\xe2\xe3\n" + b"0" * 64


def url(call) -> str:
    return f"/calls/{call.pk}/"


def page(client, call, moment=MONDAY_9, **headers) -> str:
    with clock.frozen_at(moment):
        response = client.get(url(call), headers=headers)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def events(html: str) -> list[tuple[str, str]]:
    """(seq, kind) of the timeline's entries, in the order shown."""
    return re.findall(r'data-testid="event" data-kind="(\w+)" data-seq="(\d+)"', html)


def entry(html: str, seq: int) -> str:
    match = re.search(rf'data-seq="{seq}">(.*?)</li>\s*(?=<li class="event|</ol>)', html, re.S)
    assert match, f"no event #{seq}"
    return match.group(1)


def staged(user, name="现场.jpg", content=JPEG):
    return attachments.stage(actor=user, upload=SimpleUploadedFile(name, content)).pk


@pytest.fixture
def worked_call(new_call, persona):
    """云城街's call, signed by 城管局 at 09:30 and reported on at 10:00 with a photo and a PDF."""
    with clock.frozen_at(MONDAY_9):
        call = new_call()
    with clock.frozen_at(MONDAY_9 + timedelta(minutes=30)):
        services.respond(actor=persona("chengguan"), call=call, note="马上安排")
    chengguan = persona("chengguan")
    files = [staged(chengguan), staged(chengguan, "整改方案.pdf", PDF)]
    with clock.frozen_at(MONDAY_9 + timedelta(hours=1)):
        services.report_progress(
            actor=chengguan, call=call, note="已约谈店主\n明日复查", attachment_ids=files
        )
    return Call.objects.get(pk=call.pk)


def test_the_page_shows_the_call_its_limits_and_departments(browser_client, new_call):
    with clock.frozen_at(MONDAY_9):
        call = new_call(address="云城西路 88 号", lat=23.2, lon=113.27)
    html = page(browser_client("yuncheng"), call, MONDAY_9 + timedelta(minutes=30))
    assert f'data-testid="call-number">{call.number}<' in html
    assert "<h1>店外经营占道</h1>" in html and 'data-status="called"' in html
    assert "云城西路多家店铺占道经营" in html and "云城西路 88 号" in html
    assert "23.200000, 113.270000" in html
    assert re.search(r'data-testid="caller-org">云城街道<', html)
    assert "占道经营整治" in html and "ZF-T01" in html
    assert re.search(r'data-testid="limits">响应 2小时 · 办结 3 个工作日<', html)
    # the response clock runs: 1 h 30 min left, ticking towards 11:00 local time
    assert 'data-due="2026-11-16T03:00:00+00:00"' in html and "剩余1小时30分" in html
    assert "2026-11-16 11:00" in html  # the response deadline in Asia/Shanghai
    rows = r'data-testid="assignment" data-department="([^"]+)"(.*?)</li>'
    lead, co = re.findall(rows, html, re.S)
    assert lead[0] == "440111-cgj" and "牵头部门" in lead[1] and "未签收" in lead[1]
    assert co[0] == "440111-zjj" and "协办部门" in co[1]
    assert "重办 0 次 · 退回 0 次" in html


def test_the_timeline_shows_every_event_newest_first_in_local_time(browser_client, worked_call):
    html = page(browser_client("yuncheng"), worked_call)
    assert events(html) == [("progress", "3"), ("signed", "2"), ("created", "1")]
    created, signed, progress = entry(html, 1), entry(html, 2), entry(html, 3)
    assert "发起呼叫" in created and "2026-11-16 09:00:00" in created
    assert re.search(r"\S · 云城</div>", created)  # who, and the unit's short name
    assert "<strong>待响应</strong>" in created  # the first state, from nowhere
    assert "签收响应" in signed and "2026-11-16 09:30:00" in signed
    assert "待响应 → <strong>已响应</strong>" in signed and "马上安排" in signed
    assert "城管局" in signed
    assert "进展反馈" in progress and "已响应 → <strong>办理中</strong>" in progress
    assert "已约谈店主\n明日复查" in progress  # kept as written (pre-wrap)
    assert 'datetime="2026-11-16T10:00:00+08:00"' in progress


def test_photos_are_thumbnails_and_documents_are_links(browser_client, worked_call):
    html = entry(page(browser_client("yuncheng"), worked_call), 3)
    photo, pdf = worked_call.attachments.order_by("pk")
    assert (
        f'<a href="/calls/attachments/{photo.pk}/" target="_blank" rel="noopener">'
        f'<img src="/calls/attachments/{photo.pk}/" alt="现场.jpg" loading="lazy"></a>'
    ) in html
    assert f'<a class="file" href="/calls/attachments/{pdf.pk}/">整改方案.pdf</a>' in html
    assert f'<img src="/calls/attachments/{pdf.pk}/"' not in html


def test_files_download_in_scope_and_404_outside(browser_client, worked_call):
    photo, pdf = worked_call.attachments.order_by("pk")
    shown = browser_client("yuncheng").get(f"/calls/attachments/{photo.pk}/")
    assert shown.status_code == 200 and b"".join(shown.streaming_content) == JPEG
    assert shown["Content-Type"] == "image/jpeg" and shown["X-Content-Type-Options"] == "nosniff"
    saved = browser_client("zhujian").get(f"/calls/attachments/{pdf.pk}/")
    assert saved.status_code == 200 and saved["Content-Disposition"].startswith("attachment")
    assert browser_client("helong").get(f"/calls/attachments/{photo.pk}/").status_code == 404
    assert browser_client("shuiwu").get(f"/calls/attachments/{pdf.pk}/").status_code == 404


@pytest.mark.parametrize("outsider", ["helong", "shuiwu", "renhe-village"])
def test_out_of_scope_is_404_and_audited(browser_client, new_call, outsider):
    call = new_call()
    response = browser_client(outsider).get(url(call))
    assert response.status_code == 404 and call.title not in response.content.decode()
    denial = AuditEntry.objects.filter(action="core.permission_denied").latest("seq")
    assert denial.actor.username == outsider and denial.object_id == str(call.pk)
    fragment = browser_client(outsider).get(url(call), headers={"HX-Request": "true"})
    assert fragment.status_code == 404


@pytest.mark.parametrize("reader", ["yuncheng", "chengguan", "zhujian", "command", "supervisor"])
def test_everyone_in_scope_sees_the_page(browser_client, worked_call, reader):
    html = page(browser_client(reader), worked_call)
    assert len(events(html)) == 3


def test_signed_out_is_sent_to_login_and_a_poll_reloads(client, new_call):
    call = new_call()
    assert client.get(url(call))["Location"].startswith("/login/?next=")
    poll = client.get(url(call), headers={"HX-Request": "true"})
    assert poll.status_code == 204 and poll["HX-Refresh"] == "true"


def test_the_poll_returns_the_timeline_alone_with_new_events(browser_client, new_call, persona):
    with clock.frozen_at(MONDAY_9):
        call = new_call()
    town = browser_client("yuncheng")
    html = page(town, call)
    poll = re.search(r'id="timeline"[^>]*hx-get="([^"]+)" hx-trigger="every 20s"', html)
    assert poll and poll.group(1) == f"/calls/{call.pk}/?status=called"
    services.respond(actor=persona("chengguan"), call=call, note="收到")
    with clock.frozen_at(MONDAY_9):
        fragment = town.get(poll.group(1), headers={"HX-Request": "true"}).content.decode()
    assert fragment.startswith('<section class="card" id="timeline"') and "<html" not in fragment
    assert events(fragment)[0] == ("signed", "2") and "收到" in fragment
    assert "呼叫状态已变为「已响应」" in fragment  # the actions on the page are stale now
    assert f'hx-get="/calls/{call.pk}/?status=called"' in fragment  # keeps what is drawn


def test_a_forwarded_call_names_its_village_request(browser_client, persona):
    community = persona("yuncheng-community")
    raised = village_requests.raise_request(
        actor=community,
        new=services.NewCall(title="井盖缺失", description="社区门口井盖缺失", domain="key_work"),
    )
    call = village_requests.forward_request(
        actor=persona("yuncheng"),
        request=raised,
        edits=services.NewCall(
            title="井盖缺失",
            description="社区门口井盖缺失",
            domain="key_work",
            urgency=Urgency.URGENT,
        ),
    )
    town = page(browser_client("yuncheng"), call)
    assert f'<a class="mono" href="/calls/requests/{raised.pk}/">{raised.number}</a>' in town
    command = page(browser_client("command"), call)
    assert f'href="/calls/requests/{raised.pk}/"' in command
    assert "待指挥中心分派" in command  # free-form: no department yet


def test_meetings_show_invitations_minutes_and_action_items(browser_client, new_call, persona, org):
    with clock.frozen_at(MONDAY_9):
        call = services.respond(actor=persona("chengguan"), call=new_call())
        meeting = meetings.convene(
            actor=persona("yuncheng"),
            call=call,
            starts_at=MONDAY_9 + timedelta(days=1),
            place="云城街道办三楼会议室",
            departments=[org("440111-cgj"), org("440111-zjj")],
        )
        meetings.confirm_attendance(actor=persona("zhujian"), meeting=meeting)
    with clock.frozen_at(MONDAY_9 + timedelta(days=1, hours=2)):
        meetings.record_minutes(
            actor=persona("yuncheng"),
            meeting=meeting,
            minutes="城管局牵头清理，住建局配合",
            actions=[
                {
                    "description": "清理占道摊点",
                    "owner_department": org("440111-cgj"),
                    "due_at": MONDAY_9 + timedelta(days=3),
                }
            ],
        )
    html = page(browser_client("chengguan"), call, MONDAY_9 + timedelta(days=4))
    section = html[html.index('data-testid="meetings"') : html.index('id="timeline"')]
    assert "2026-11-17 09:00 · 云城街道办三楼会议室" in section and "已召开" in section
    assert '<li>区住房和城乡建设局 <span class="tag ok">已确认参会</span></li>' in section
    assert '<li>区城市管理和综合执法局 <span class="tag warn">未确认</span></li>' in section
    assert "城管局牵头清理，住建局配合" in section
    assert "清理占道摊点" in section and "期限 2026-11-19 09:00" in section
    assert '<span class="tag bad">已超期</span>' in section  # due on the 19th, seen on the 20th


def test_the_rating_is_shown_once_confirmed(browser_client, new_call, persona):
    chengguan = persona("chengguan")
    call = services.resolve(
        actor=chengguan, call=services.respond(actor=chengguan, call=new_call()), result="已清理"
    )
    services.confirm(
        actor=persona("yuncheng"),
        call=call,
        rating=services.RatingInput(
            satisfaction=4, timeliness=5, attitude=3, perfunctory=True, perfunctory_reason="只拍照"
        ),
    )
    html = page(browser_client("command"), call)
    rating = html[html.index('data-testid="rating"') :]
    assert "★★★★☆" in rating and "★★★★★" in rating and "★★★☆☆" in rating
    assert "标记为应付式响应：只拍照" in rating


def test_the_page_costs_a_fixed_number_of_queries(
    browser_client, worked_call, persona, django_assert_max_num_queries
):
    command = browser_client("command")  # the most forms: transfer, urge, convene
    page(command, worked_call)  # warm up the session and caches
    with django_assert_max_num_queries(QUERIES):
        small = page(command, worked_call)
    chengguan = persona("chengguan")
    for n in range(6):  # more events, more files: the same queries
        services.report_progress(
            actor=chengguan, call=worked_call, note=f"第{n}次", attachment_ids=[staged(chengguan)]
        )
    with django_assert_max_num_queries(QUERIES):
        big = page(command, worked_call)
    assert len(events(big)) == len(events(small)) + 6


# session, user, the user's unit (the top bar), unread count (the nav badge); the call, its events,
# their files, its departments, its rating, its meetings; the departments for the forms.
QUERIES = 11
