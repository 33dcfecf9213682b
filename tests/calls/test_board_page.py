"""The command-centre board (/calls/board/): live counts, overdue list, arbitration queue."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from huying.calls import services, sweeps
from huying.core import clock

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY_9 = datetime(2026, 11, 16, 9, 0, tzinfo=SHANGHAI)
URL = "/calls/board/"


def board(client, moment, **headers):
    with clock.frozen_at(moment):
        response = client.get(URL, headers=headers)
    assert response.status_code == 200
    return response.content.decode()


def count(body: str, key: str) -> int:
    match = re.search(rf'data-testid="count-{key}"><div class="stat-n">(\d+)</div>', body)
    return int(match.group(1))


def part(body: str, testid: str) -> str:
    start = body.index(f'data-testid="{testid}"')
    return body[start : body.find("</section>", start)]


def numbers(html: str) -> list[str]:
    return re.findall(r'data-testid="call-row" data-call="([^"]+)"', html)


@pytest.fixture
def district(new_call, free_form, persona):
    """A district morning: one call of each kind the board counts.

    Friday 13 Nov: `old` is called and left unanswered (urged on Monday 16th at the breach,
    so 'this week'). Monday 16th: `working` responded, `done` resolved, `disputed` returned,
    `unrouted` a free-form call nobody routed yet, `fresh` waiting for its response.
    """
    chengguan = persona("chengguan")
    with clock.frozen_at(MONDAY_9 - timedelta(days=3)):
        old = new_call(title="上周五的呼叫")
    with clock.frozen_at(MONDAY_9):
        working = services.respond(actor=chengguan, call=new_call(title="办理中的呼叫"))
        done = services.respond(actor=chengguan, call=new_call(title="已办结的呼叫"))
        done = services.resolve(actor=chengguan, call=done, result="已清理")
        disputed = services.return_call(
            actor=chengguan, call=new_call(title="被退回的呼叫"), reason="不属我局职责"
        )
        unrouted = free_form()
    with clock.frozen_at(MONDAY_9 + timedelta(hours=1)):
        fresh = new_call(title="刚发起的呼叫")
    sweeps.sweep(MONDAY_9 + timedelta(hours=1))
    return {
        "old": old,
        "working": working,
        "done": done,
        "disputed": disputed,
        "unrouted": unrouted,
        "fresh": fresh,
    }


def test_live_counts(district, browser_client):
    body = board(browser_client("command"), MONDAY_9 + timedelta(hours=1, minutes=30))
    assert count(body, "today") == 5
    assert count(body, "awaiting_response") == 2  # `old` and `fresh`
    assert count(body, "awaiting_routing") == 1
    assert count(body, "in_progress") == 1
    assert count(body, "awaiting_confirmation") == 1
    assert count(body, "overdue") == 1  # `old`
    assert count(body, "in_dispute") == 1
    assert count(body, "urged_this_week") == 1


def test_urgings_of_last_week_are_not_this_weeks(new_call, browser_client):
    with clock.frozen_at(MONDAY_9 - timedelta(days=3)):
        new_call()
    sweeps.sweep(MONDAY_9 - timedelta(days=3) + timedelta(hours=3))  # Friday: urged
    body = board(browser_client("command"), MONDAY_9)
    assert count(body, "urged_this_week") == 0 and count(body, "overdue") == 1


def test_overdue_list_most_overdue_first_with_department_and_urge_level(new_call, browser_client):
    with clock.frozen_at(MONDAY_9):
        first = new_call(title="先超期")
    with clock.frozen_at(MONDAY_9 + timedelta(minutes=30)):
        second = new_call(title="后超期")
    sweeps.sweep(MONDAY_9 + timedelta(hours=2, minutes=5))  # only `first` breached by then
    body = board(browser_client("leader"), MONDAY_9 + timedelta(hours=3))
    overdue = part(body, "overdue-list")
    assert numbers(overdue) == [first.number, second.number]
    assert "超期1小时0分" in overdue and "超期30分0秒" in overdue
    assert "一级督办" in overdue and "区城市管理和综合执法局" in overdue and "云城街道" in overdue


def test_arbitration_queue_shows_the_returning_department_and_its_reason(
    district, new_call, persona, browser_client
):
    with clock.frozen_at(MONDAY_9 + timedelta(minutes=20)):
        second = services.return_call(
            actor=persona("chengguan"), call=new_call(title="第二件"), reason="应由住建局牵头"
        )
    body = board(browser_client("command"), MONDAY_9 + timedelta(hours=2))
    queue = part(body, "arbitration-queue")
    assert numbers(queue) == [district["disputed"].number, second.number]  # longest wait first
    assert "不属我局职责" in queue and "应由住建局牵头" in queue
    assert "区城市管理和综合执法局" in queue
    assert "已等待 2" in queue  # 2 hours (Django's timesince)


def test_the_reason_is_the_last_returns(new_call, persona, org, browser_client):
    """Returned, upheld, returned again: the queue shows the second reason."""
    with clock.frozen_at(MONDAY_9):
        call = services.return_call(
            actor=persona("chengguan"), call=new_call(), reason="第一次理由"
        )
        call = services.arbitrate(actor=persona("command"), call=call, uphold=True)
        call = services.return_call(actor=persona("chengguan"), call=call, reason="第二次理由")
    queue = part(board(browser_client("command"), MONDAY_9), "arbitration-queue")
    assert "第二次理由" in queue and "第一次理由" not in queue


def test_free_form_calls_wait_to_be_routed_until_transferred(
    free_form, persona, org, browser_client
):
    with clock.frozen_at(MONDAY_9):
        call = free_form()
    client = browser_client("command")
    assert numbers(part(board(client, MONDAY_9), "routing-queue")) == [call.number]
    with clock.frozen_at(MONDAY_9):
        services.transfer(actor=persona("command"), call=call, department=org("440111-cgj"))
    body = board(client, MONDAY_9)
    assert numbers(part(body, "routing-queue")) == []
    assert count(body, "awaiting_routing") == 0 and count(body, "awaiting_response") == 1


@pytest.mark.parametrize("username", ["yuncheng", "chengguan", "chengguan-head", "supervisor"])
def test_other_roles_are_refused_with_404(username, browser_client):
    assert browser_client(username).get(URL).status_code == 404


def test_admin_and_leader_see_the_board(browser_client):
    for username in ("admin", "leader", "command"):
        assert browser_client(username).get(URL).status_code == 200


def test_htmx_poll_gets_the_board_fragment_every_10_seconds(district, browser_client):
    client = browser_client("command")
    full = board(client, MONDAY_9 + timedelta(hours=1))
    assert 'hx-trigger="every 10s"' in full and "huying/countdown.js" in full
    assert 'class="wall"' in full
    fragment = board(client, MONDAY_9 + timedelta(hours=1), **{"HX-Request": "true"})
    assert fragment.startswith('<div id="board"') and "<html" not in fragment
    assert district["disputed"].number in fragment


def test_query_count_is_bounded(district, new_call, browser_client, django_assert_max_num_queries):
    client = browser_client("command")
    board(client, MONDAY_9)
    with django_assert_max_num_queries(10):
        board(client, MONDAY_9 + timedelta(hours=3))
    with clock.frozen_at(MONDAY_9):
        for i in range(10):
            new_call(title=f"呼叫{i}")
    with django_assert_max_num_queries(10):
        board(client, MONDAY_9 + timedelta(hours=3))


def test_operator_home_links_to_the_board(browser_client):
    body = browser_client("command").get("/").content.decode()
    assert f'href="{URL}"' in body and ">指挥大屏</a>" in body
