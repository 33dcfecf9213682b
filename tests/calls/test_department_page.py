"""The department workbench (/calls/department/): to respond, in progress, overdue."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from huying.calls import meetings, services, sweeps
from huying.calls.choices import Domain
from huying.calls.models import Matter
from huying.core import clock
from huying.orgs.models import Org

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY_9 = datetime(2026, 11, 16, 9, 0, tzinfo=SHANGHAI)
URL = "/calls/department/"


def section(body: str, testid: str) -> str:
    """The HTML of the element marked data-testid=… up to the next pile section."""
    start = body.index(f'data-testid="{testid}"')
    end = body.find("<section", start)
    return body[start : end if end != -1 else len(body)]


def numbers(html: str) -> list[str]:
    return re.findall(r'data-testid="call-row" data-call="([^"]+)"', html)


def page(client, moment=MONDAY_9, **params):
    with clock.frozen_at(moment):
        response = client.get(URL, params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def quick_matter(db):
    """A 30-minute matter led by 城管局 alone."""
    return Matter.objects.create(
        code="ZF-T02",
        domain=Domain.EMERGENCY,
        name="井盖缺失",
        lead_department=Org.objects.get(code="440111-cgj"),
        response_seconds=30 * 60,
        resolution_seconds=24 * 3600,
    )


def test_to_respond_is_sorted_by_time_left_with_live_countdowns(
    new_call, quick_matter, free_form, persona, org, browser_client
):
    with clock.frozen_at(MONDAY_9):
        two_hours = new_call(title="两小时")
        thirty_minutes = new_call(title="半小时", matter=quick_matter)
        one_day = services.transfer(
            actor=persona("command"), call=free_form(), department=org("440111-cgj")
        )
    body = page(browser_client("chengguan"), MONDAY_9 + timedelta(minutes=10))
    pile = section(body, "pile-to_respond")
    assert numbers(pile) == [thirty_minutes.number, two_hours.number, one_day.number]
    assert "剩余20分0秒" in pile and "剩余1小时50分" in pile
    assert 'data-due="' in pile and "huying/countdown.js" in body
    assert '<span class="stat-n">3</span><span class="stat-l">待响应</span>' in body
    assert f'href="/calls/{thirty_minutes.pk}/"' in pile
    assert "井盖缺失" in pile and "云城街道" in pile  # the matter and the caller unit


def test_overdue_call_moves_to_overdue_with_its_urge_level(new_call, browser_client):
    with clock.frozen_at(MONDAY_9):
        late = new_call(title="早呼叫")
    with clock.frozen_at(MONDAY_9 + timedelta(hours=1)):
        later = new_call(title="晚呼叫")
    sweeps.sweep(MONDAY_9 + timedelta(hours=2, minutes=1))  # `late` breached: urged level 1
    body = page(browser_client("chengguan"), MONDAY_9 + timedelta(hours=4))
    overdue = section(body, "pile-overdue")
    assert numbers(overdue) == [late.number, later.number]  # the most overdue first
    assert "超期2小时0分" in overdue and "一级督办" in overdue
    assert late.number not in section(body, "pile-to_respond")


def test_signed_calls_are_in_progress_with_the_resolution_countdown(
    new_call, persona, browser_client
):
    with clock.frozen_at(MONDAY_9):
        call = services.respond(actor=persona("chengguan"), call=new_call())
    body = page(browser_client("chengguan"), MONDAY_9 + timedelta(hours=1))
    assert numbers(section(body, "pile-in_progress")) == [call.number]
    assert numbers(section(body, "pile-to_respond")) == []
    assert "剩余3天14小时" in section(body, "pile-in_progress")  # due end of Thursday
    # The co-department has not signed: the call waits in its own to-respond pile.
    co_body = page(browser_client("zhujian"), MONDAY_9 + timedelta(hours=1))
    assert numbers(section(co_body, "pile-to_respond")) == [call.number]
    services.respond(actor=persona("zhujian"), call=call)
    co_body = page(browser_client("zhujian"), MONDAY_9 + timedelta(hours=1))
    assert numbers(section(co_body, "pile-in_progress")) == [call.number]


def test_a_department_never_sees_another_departments_call(new_call, quick_matter, browser_client):
    with clock.frozen_at(MONDAY_9):
        mine = new_call(title="城管局的呼叫", matter=quick_matter)  # 城管局 only
    body = page(browser_client("zhujian"), MONDAY_9 + timedelta(hours=3))
    assert mine.number not in body and "城管局的呼叫" not in body
    assert '<span class="stat-n">0</span><span class="stat-l">已超期</span>' in body


def test_a_transferred_call_leaves_the_old_department(new_call, persona, org, browser_client):
    with clock.frozen_at(MONDAY_9):
        call = services.transfer(
            actor=persona("command"), call=new_call(), department=org("440111-ghj")
        )
    assert call.number not in page(browser_client("chengguan"))


@pytest.mark.parametrize("username", ["yuncheng", "command", "supervisor", "leader", "admin"])
def test_other_roles_are_refused_with_404(username, browser_client):
    assert browser_client(username).get(URL).status_code == 404


def test_signed_out_is_sent_to_login_and_a_poll_reloads_the_page(client):
    assert client.get(URL).status_code == 302
    polled = client.get(URL, headers={"HX-Request": "true"})
    assert polled.status_code == 204 and polled["HX-Refresh"] == "true"


def test_htmx_poll_gets_only_the_lists_fragment(new_call, browser_client):
    with clock.frozen_at(MONDAY_9):
        call = new_call()
    client = browser_client("chengguan")
    with clock.frozen_at(MONDAY_9):
        response = client.get(URL, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and '<nav class="nav"' not in body
    assert body.startswith('<div id="workbench"') and 'hx-trigger="every 15s"' in body
    assert call.number in body
    full = page(client)
    assert 'hx-get="/calls/department/"' in full and 'hx-swap="outerHTML"' in full


def test_open_action_items_of_the_department_are_listed(new_call, persona, org, browser_client):
    with clock.frozen_at(MONDAY_9):
        call = services.respond(actor=persona("chengguan"), call=new_call())
        meeting = meetings.convene(
            actor=persona("yuncheng"),
            call=call,
            starts_at=MONDAY_9 + timedelta(days=1),
            place="云城街道会议室",
            departments=[org("440111-cgj"), org("440111-zjj")],
        )
    with clock.frozen_at(MONDAY_9 + timedelta(days=1, hours=2)):
        meetings.record_minutes(
            actor=persona("yuncheng"),
            meeting=meeting,
            minutes="议定清理",
            actions=[
                {
                    "description": "清理占道摊点",
                    "owner_department": org("440111-cgj"),
                    "due_at": MONDAY_9 + timedelta(days=3),
                },
                {
                    "description": "拆除违建雨棚",
                    "owner_department": org("440111-zjj"),
                    "due_at": MONDAY_9 + timedelta(days=3),
                },
            ],
        )
    body = page(browser_client("chengguan"), MONDAY_9 + timedelta(days=2))
    items = section(body, "action-items")
    assert "清理占道摊点" in items and "拆除违建雨棚" not in items


def test_more_link_and_one_pile_in_pages(new_call, browser_client, monkeypatch):
    from huying.calls import workbench_selectors

    monkeypatch.setattr(workbench_selectors, "PILE_SIZE", 2)
    with clock.frozen_at(MONDAY_9):
        calls = [new_call(title=f"呼叫{i}") for i in range(3)]
    client = browser_client("chengguan")
    body = page(client)
    assert len(numbers(section(body, "pile-to_respond"))) == 2
    assert 'href="?pile=to_respond"' in body and "查看全部 3 件" in body
    second = page(client, pile="to_respond", page="2")
    assert numbers(second) == [calls[2].number]
    with clock.frozen_at(MONDAY_9):
        assert client.get(URL, {"pile": "nonsense"}).status_code == 404


def test_query_count_does_not_grow_with_the_calls(
    new_call, persona, browser_client, django_assert_max_num_queries
):
    client = browser_client("chengguan")
    page(client)  # warm the session

    def load(n):
        with clock.frozen_at(MONDAY_9):
            for i in range(n):
                call = new_call(title=f"呼叫{i}")
                if i % 2:
                    services.respond(actor=persona("chengguan"), call=call)
        with django_assert_max_num_queries(10):
            page(client, MONDAY_9 + timedelta(hours=1, minutes=30))

    load(2)
    load(12)
    # Overdue now, and the fragment.
    with django_assert_max_num_queries(10), clock.frozen_at(MONDAY_9 + timedelta(hours=5)):
        client.get(URL, headers={"HX-Request": "true"})


def test_the_nav_and_the_home_page_lead_to_the_workbench(browser_client):
    body = browser_client("chengguan-head").get(reverse("home")).content.decode()
    assert f'href="{URL}"' in body and ">部门工作台</a>" in body
    assert ">部门工作台</a>" not in browser_client("yuncheng").get("/").content.decode()
