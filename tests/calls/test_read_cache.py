"""The call list and detail are cached per process until the next write of calls
(`calls/read_cache.py`): a repeated read is served without its queries, and no write, deadline
or clock move is ever missed. The rest of the suite runs with the cache on too, so every test
that acts and then reads also holds it to account."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from huying.calls import matters, read_cache, sweeps
from huying.calls.models import Call, ReadGeneration
from huying.core import clock
from tests.calls.api_client import MONDAY_9, CallsApi

MINUTE = timedelta(minutes=1)


@pytest.fixture
def calls(api, matter) -> CallsApi:
    return CallsApi(api)


def queries_of(read) -> tuple[object, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = read()
    assert response.status_code == 200, response.content.decode()
    return response.json(), [q["sql"] for q in captured.captured_queries]


def test_a_repeated_read_is_answered_from_the_cache(calls):
    with clock.frozen_at(MONDAY_9):
        cid = calls.create_ok()["id"]
        calls.list("chengguan")  # the token's first use stamps it; not a read's cost
        first, cold = queries_of(lambda: calls.list("chengguan", status="called"))
        again, warm = queries_of(lambda: calls.list("chengguan", status="called"))
        detail, _ = queries_of(lambda: calls.get("chengguan", cid))
        detail_again, warm_detail = queries_of(lambda: calls.get("chengguan", cid))
    assert again == first and detail_again == detail
    assert cid in {item["id"] for item in again["items"]}
    # A hit: the token and the generation, nothing of the calls.
    assert len(warm) == 2 and len(warm_detail) == 2, warm
    assert len(cold) > len(warm)
    assert not any('"calls_call"' in sql for sql in warm + warm_detail)


def test_every_kind_of_write_is_seen_by_the_next_read(calls, persona):
    with clock.frozen_at(MONDAY_9):
        cid = calls.create_ok()["id"]
        assert calls.get("chengguan", cid).json()["status"] == "called"
        assert cid in calls.ids("chengguan", status="called")
        # An action through the API.
        calls.act_ok("chengguan", cid, "respond", note="已签收")
        assert calls.get("chengguan", cid).json()["status"] == "responded"
        assert cid not in calls.ids("chengguan", status="called")
        # A new call.
        other = calls.create_ok(title="第二件")["id"]
        assert other in calls.ids("chengguan", status="called")
    # The sweeper, in its own code path (bulk writes): the level-1 urging of the new call.
    before = calls.get("chengguan", other).json()["urge_level"]
    sweeps.sweep(MONDAY_9 + timedelta(days=3))
    with clock.frozen_at(MONDAY_9 + timedelta(days=3)):
        assert calls.get("chengguan", other).json()["urge_level"] > before
    # An edit of the special list: the call shows its matter's name.
    matter = Call.objects.get(pk=cid).matter
    matters.update_matter(persona("admin"), matter, "规范名称", name="改名后的事项")
    assert calls.get("chengguan", cid).json()["matter"]["name"] == "改名后的事项"


def test_a_write_in_another_process_is_seen_through_the_generation(calls):
    """Another process's write reaches this process through the database's counter only."""
    with clock.frozen_at(MONDAY_9):
        cid = calls.create_ok()["id"]
        assert calls.get("chengguan", cid).json()["title"] == "店外经营占道"
        # As another web process would: rows changed, counter bumped, this cache untouched.
        Call.objects.filter(pk=cid).update(title="别处改过")
        assert calls.get("chengguan", cid).json()["title"] == "店外经营占道"  # not yet told
        read_cache.changed()
        assert calls.get("chengguan", cid).json()["title"] == "别处改过"


def test_countdowns_run_on_between_writes(calls):
    with clock.frozen_at(MONDAY_9):
        cid = calls.create_ok()["id"]
        left = calls.get("chengguan", cid).json()["seconds_left"]
        listed = calls.list("chengguan").json()["items"][0]["seconds_left"]
    with clock.frozen_at(MONDAY_9 + 10 * MINUTE):
        assert calls.get("chengguan", cid).json()["seconds_left"] == left - 600
        assert calls.list("chengguan").json()["items"][0]["seconds_left"] == listed - 600
    with clock.frozen_at(MONDAY_9 + timedelta(days=2)):
        late = calls.get("chengguan", cid).json()
    assert late["overdue"] is True and late["seconds_left"] < 0


def test_a_call_passing_its_deadline_joins_the_overdue_list_without_a_write(calls):
    with clock.frozen_at(MONDAY_9):
        cid = calls.create_ok()["id"]
        due = Call.objects.get(pk=cid).response_due_at
        generation = ReadGeneration.objects.get(pk=1).value
    with clock.frozen_at(due - MINUTE):
        assert cid not in calls.ids("chengguan", overdue="true")
        assert cid in calls.ids("chengguan", overdue="false")
    with clock.frozen_at(due + timedelta(seconds=1)):
        assert cid in calls.ids("chengguan", overdue="true")
        assert cid not in calls.ids("chengguan", overdue="false")
    assert ReadGeneration.objects.get(pk=1).value == generation  # no write in between


def test_entries_run_out_and_a_clock_set_back_reads_afresh(calls):
    with clock.frozen_at(MONDAY_9):
        cid = calls.create_ok()["id"]
        calls.get("chengguan", cid)
        Call.objects.filter(pk=cid).update(title="未经记录的修改")  # no counter: only time tells
        assert calls.get("chengguan", cid).json()["title"] != "未经记录的修改"
    with clock.frozen_at(MONDAY_9 + read_cache.MAX_AGE):
        assert calls.get("chengguan", cid).json()["title"] == "未经记录的修改"
    Call.objects.filter(pk=cid).update(title="又改了")
    with clock.frozen_at(MONDAY_9 - MINUTE):
        assert calls.get("chengguan", cid).json()["title"] == "又改了"


def test_users_and_languages_do_not_share_entries(calls):
    with clock.frozen_at(MONDAY_9):
        cid = calls.create_ok()["id"]
        assert calls.get("chengguan", cid).status_code == 200
        assert calls.get("shuiwu", cid).status_code == 404  # not addressed to 水务局
        chinese = calls.get("chengguan", cid).json()["status_label"]
        english = (
            calls.client("chengguan")
            .get(f"/api/v1/calls/{cid}", headers={"accept-language": "en"})
            .json()["status_label"]
        )
    assert chinese != english


def test_the_cache_can_be_switched_off(calls, settings):
    settings.CALLS_READ_CACHE = False
    with clock.frozen_at(MONDAY_9):
        cid = calls.create_ok()["id"]
        calls.get("chengguan", cid)
        Call.objects.filter(pk=cid).update(title="直接改")
        assert calls.get("chengguan", cid).json()["title"] == "直接改"


def test_a_page_longer_than_a_workbench_page_is_not_kept(calls, monkeypatch):
    monkeypatch.setattr("huying.calls.api_reads.KEEP_AT_MOST", 1)
    with clock.frozen_at(MONDAY_9):
        calls.create_ok()
        newest = calls.create_ok(title="第二件")["id"]
        assert len(calls.list("chengguan").json()["items"]) == 2  # two calls: over the limit
        calls.client("chengguan").get("/api/v1/calls", {"limit": 1})  # one call: kept
        Call.objects.filter(pk=newest).update(title="未经记录的修改")  # no counter bumped
        titles = {item["title"] for item in calls.list("chengguan").json()["items"]}
        kept = calls.client("chengguan").get("/api/v1/calls", {"limit": 1}).json()["items"]
    assert "未经记录的修改" in titles  # the long page is read afresh
    assert [item["title"] for item in kept] == ["第二件"]  # the one-call page, from memory
