"""GET /api/v1/calls: scope, each filter (with calls that match and calls that do not), pages
and a pinned query count."""

from datetime import timedelta

import pytest

from huying.core import clock
from tests.calls.api_client import FREE_FORM_CALL, MONDAY_9, CallsApi, error_fields

HOUR = timedelta(hours=1)


@pytest.fixture
def calls(api, matter) -> CallsApi:
    return CallsApi(api)


@pytest.fixture
def town_codes(persona) -> dict[str, str]:
    village = persona("renhe-village").org
    return {
        "云城街道": persona("yuncheng").org.code,
        "人和镇": persona("renhe").org.code,
        "village": village.code,
    }


def test_the_list_carries_the_calls_facts_newest_first(calls):
    with clock.frozen_at(MONDAY_9):
        older = calls.create_ok()["id"]
    with clock.frozen_at(MONDAY_9 + HOUR):
        newer = calls.create_ok(**FREE_FORM_CALL)["id"]
        body = calls.list("yuncheng").json()
    mine = [item for item in body["items"] if item["id"] in (older, newer)]
    assert [item["id"] for item in mine] == [newer, older]
    assert mine[1]["seconds_left"] == 3600 and mine[1]["overdue"] is False
    assert mine[1]["lead_department"]["code"] == "440111-cgj" and mine[0]["lead_department"] is None
    assert "events" not in mine[0]  # the timeline is on the detail only
    assert body["count"] >= 2


def test_status_filter_takes_one_or_several(calls):
    called = calls.create_ok()["id"]
    responded = calls.create_ok()["id"]
    calls.act_ok("chengguan", responded, "respond")
    returned = calls.create_ok()["id"]
    calls.act_ok("chengguan", returned, "return", reason="不属我局")
    mine = {called, responded, returned}
    assert calls.ids("command", status="called") & mine == {called}
    assert calls.ids("command", status=["called", "returned"]) & mine == {called, returned}
    assert calls.ids("command", status="closed") & mine == set()
    response = calls.list("command", status="lost")
    assert response.status_code == 422 and error_fields(response) == ["status.0"]


def test_overdue_means_a_running_deadline_has_passed(calls):
    """Response limit 2 h; resolution 3 working days from the response."""
    with clock.frozen_at(MONDAY_9):
        waiting = calls.create_ok()["id"]  # due 11:00, never answered
        answered = calls.create_ok()["id"]
        returned = calls.create_ok()["id"]
        withdrawn = calls.create_ok()["id"]
        calls.act_ok("chengguan", answered, "respond")  # resolution due end of Thursday
        calls.act_ok("chengguan", returned, "return", reason="不属我局")  # clock paused
        calls.act_ok("yuncheng", withdrawn, "withdraw")
    with clock.frozen_at(MONDAY_9 + timedelta(hours=1)):
        fresh = calls.create_ok()["id"]  # due 12:00
    mine = {waiting, answered, returned, withdrawn, fresh}

    def overdue_now() -> set[int]:
        """The overdue filter, checked against each call's own flag and time left."""
        late = calls.ids("command", overdue="true") & mine
        assert calls.ids("command", overdue="false") & mine == mine - late
        for cid in mine:
            detail = calls.get("command", cid).json()
            assert detail["overdue"] is (cid in late), cid
            assert detail["overdue"] is (
                detail["seconds_left"] is not None and detail["seconds_left"] < 0
            )
        return late

    with clock.frozen_at(MONDAY_9 + timedelta(hours=2, minutes=30)):
        assert overdue_now() == {waiting}
        assert calls.get("command", waiting).json()["seconds_left"] == -1800
    with clock.frozen_at(MONDAY_9 + timedelta(hours=3, seconds=1)):
        assert overdue_now() == {waiting, fresh}
    with clock.frozen_at(MONDAY_9 + timedelta(days=4)):  # Friday: the resolution is late too
        assert overdue_now() == {waiting, fresh, answered}
        calls.act_ok("chengguan", answered, "resolve", result="已清理")  # waits on the caller
        assert overdue_now() == {waiting, fresh}


def test_department_filter_is_the_lead_or_an_assigned_department(calls):
    led = calls.create_ok()["id"]  # 城管局 leads, 住建局 co-operates
    free = calls.create_ok(**FREE_FORM_CALL)["id"]
    routed = calls.create_ok(**FREE_FORM_CALL)["id"]
    calls.act_ok("command", routed, "transfer", department="440111-swj")
    mine = {led, free, routed}
    assert calls.ids("command", department="440111-cgj") & mine == {led}
    assert calls.ids("command", department="440111-zjj") & mine == {led}
    assert calls.ids("command", department="440111-swj") & mine == {routed}
    assert calls.ids("command", department="440111-ghj") & mine == set()
    # Re-routed away: 城管局 no longer holds it (it still sees it, as history).
    calls.act_ok("chengguan", led, "return", reason="不属我局")
    calls.act_ok("command", led, "arbitrate", uphold=False, department="440111-ghj")
    assert calls.ids("command", department="440111-cgj") & mine == set()
    assert calls.ids("command", department="440111-ghj") & mine == {led}
    assert led in calls.ids("chengguan") and led not in calls.ids(
        "chengguan", department="440111-cgj"
    )


def test_town_filter_covers_the_town_and_its_villages(calls, town_codes):
    street = calls.create_ok("yuncheng")["id"]
    town = calls.create_ok("renhe")["id"]
    village = calls.create_ok("renhe-village")["id"]
    mine = {street, town, village}
    assert calls.ids("command", town=town_codes["云城街道"]) & mine == {street}
    assert calls.ids("command", town=town_codes["人和镇"]) & mine == {town, village}
    assert calls.ids("command", town=town_codes["village"]) & mine == {village}
    assert calls.ids("command", town="440111-cgj") & mine == set()
    detail = calls.get("renhe", village).json()
    assert detail["caller_org"]["code"] == town_codes["village"]
    assert detail["caller_town"]["name"] == "人和镇"


def test_domain_filter(calls):
    law = calls.create_ok()["id"]
    key_work = calls.create_ok(**FREE_FORM_CALL)["id"]
    emergency = calls.create_ok(**FREE_FORM_CALL | {"domain": "emergency"})["id"]
    mine = {law, key_work, emergency}
    assert calls.ids("command", domain="law_enforcement") & mine == {law}
    assert calls.ids("command", domain="key_work") & mine == {key_work}
    assert calls.ids("command", domain="emergency") & mine == {emergency}
    response = calls.list("command", domain="sports")
    assert response.status_code == 422 and error_fields(response) == ["domain"]


def test_time_range_filter(calls):
    with clock.frozen_at(MONDAY_9):
        monday = calls.create_ok()["id"]
    with clock.frozen_at(MONDAY_9 + timedelta(days=1)):
        tuesday = calls.create_ok()["id"]
    with clock.frozen_at(MONDAY_9 + timedelta(days=2)):
        wednesday = calls.create_ok()["id"]
    mine = {monday, tuesday, wednesday}
    tuesday_9 = (MONDAY_9 + timedelta(days=1)).isoformat()
    wednesday_9 = (MONDAY_9 + timedelta(days=2)).isoformat()
    assert calls.ids("command", called_after=tuesday_9) & mine == {tuesday, wednesday}
    assert calls.ids("command", called_before=tuesday_9) & mine == {monday}  # before: exclusive
    both = {"called_after": tuesday_9, "called_before": wednesday_9}
    assert calls.ids("command", **both) & mine == {tuesday}
    # No zone given: Beijing time. Tuesday 09:00 in Beijing is Tuesday 01:00 UTC.
    assert calls.ids("command", called_after="2026-11-17T09:00:00") & mine == {tuesday, wednesday}
    assert calls.ids("command", called_after="2026-11-17T09:00:01") & mine == {wednesday}
    for bad in ("yesterday", "0001-01-01T00:00:00", "9999-12-31T23:59:59-12:00"):
        response = calls.list("command", called_after=bad, called_before=bad)
        assert response.status_code == 422, bad  # out of range in UTC is no 500
        assert error_fields(response) == ["called_after", "called_before"]


def test_filters_combine(calls):
    with clock.frozen_at(MONDAY_9):
        late_law = calls.create_ok()["id"]
        late_free = calls.create_ok(**FREE_FORM_CALL | {"urgency": "emergency"})["id"]
        answered = calls.create_ok()["id"]
        calls.act_ok("chengguan", answered, "respond")
    mine = {late_law, late_free, answered}
    with clock.frozen_at(MONDAY_9 + timedelta(hours=3)):
        found = calls.ids(
            "command",
            status=["called", "responded"],
            overdue="true",
            department="440111-cgj",
            domain="law_enforcement",
        )
    assert found & mine == {late_law}


def test_a_town_sees_its_key_villages_calls_and_no_other_towns(calls):
    village_call = calls.create_ok("renhe-village")["id"]
    town_call = calls.create_ok("renhe")["id"]
    street_call = calls.create_ok("yuncheng")["id"]
    assert {village_call, town_call} <= calls.ids("renhe")
    assert street_call not in calls.ids("renhe")
    assert calls.ids("renhe-village") & {village_call, town_call, street_call} == {village_call}
    assert calls.ids("yuncheng") & {village_call, town_call, street_call} == {street_call}
    assert calls.get("renhe", village_call).status_code == 200
    assert calls.get("yuncheng", village_call).status_code == 404
    assert calls.get("renhe-village", town_call).status_code == 404


def test_a_department_lists_only_the_calls_addressed_to_it(calls):
    led = calls.create_ok()["id"]
    free = calls.create_ok(**FREE_FORM_CALL)["id"]
    assert calls.ids("chengguan") & {led, free} == {led}
    assert calls.ids("zhujian") & {led, free} == {led}
    assert calls.ids("shuiwu") & {led, free} == set()
    assert calls.ids("command") & {led, free} == {led, free}


def test_pages(calls):
    made = [calls.create_ok()["id"] for _ in range(5)]
    first = calls.client("yuncheng").get("/api/v1/calls", {"limit": 2}).json()
    second = calls.client("yuncheng").get("/api/v1/calls", {"limit": 2, "offset": 2}).json()
    assert [i["id"] for i in first["items"] + second["items"]] == made[::-1][:4]
    assert first["count"] == second["count"] >= 5


@pytest.mark.parametrize("username", ["command", "chengguan", "yuncheng", "renhe"])
def test_list_query_count_is_pinned_and_does_not_grow(
    calls, username, django_assert_max_num_queries
):
    """The token (with its user and unit), the read generation, the department's id, the next
    deadline (an overdue filter's answer changes with it), the count, the page: never one query
    per row. Read cold: each read here follows a write (the cache is `test_read_cache`'s)."""
    filters = {
        "status": ["called", "responded"],
        "overdue": "false",
        "department": "440111-cgj",
        "domain": "law_enforcement",
    }
    calls.create_ok("renhe-village")
    calls.list(username)  # stamps the token's last use once
    with django_assert_max_num_queries(6):
        few = calls.list(username, **filters)
    for _ in range(6):
        calls.create_ok("renhe-village")
        calls.create_ok("yuncheng")
    with django_assert_max_num_queries(6):
        many = calls.list(username, **filters)
    with django_assert_max_num_queries(4):
        calls.list(username)
    assert few.status_code == many.status_code == 200
    if username != "yuncheng":
        assert len(many.json()["items"]) >= len(few.json()["items"]) + 6


def test_detail_query_count_is_pinned(calls, django_assert_max_num_queries):
    cid = calls.create_ok("renhe-village")["id"]
    for _ in range(5):
        calls.act_ok("command", cid, "urge")
    calls.list("chengguan")  # stamps the token's last use once (the detail stays uncached)
    # token, generation, call, events with their files, departments
    with django_assert_max_num_queries(5):
        response = calls.get("chengguan", cid)
    assert len(response.json()["events"]) == 6
    calls.act_ok("chengguan", cid, "respond")
    calls.act_ok("chengguan", cid, "resolve", result="已清理")
    calls.act_ok("renhe-village", cid, "confirm", satisfaction=5, timeliness=5, attitude=5)
    with django_assert_max_num_queries(6):  # and, once closed, its rating
        response = calls.get("chengguan", cid)
    assert response.json()["rating"]["satisfaction"] == 5


def test_the_count_stops_at_the_cap_and_says_so(calls, monkeypatch):
    monkeypatch.setattr("huying.core.pagination.COUNT_CAP", 3)
    for _ in range(3):
        calls.create_ok("yuncheng")
    exact = calls.list("yuncheng").json()
    assert (exact["count"], exact["count_capped"]) == (3, False)
    calls.create_ok("yuncheng")
    capped = calls.list("yuncheng").json()
    assert (capped["count"], capped["count_capped"]) == (3, True)
    assert len(capped["items"]) == 4  # the page itself is not capped
