"""/api/v1/notifications: one's own inbox only; another user's id is a 404 (and audited)."""

import pytest

from huying.core.models import AuditEntry
from huying.notify import services
from huying.notify.models import Notification

pytestmark = pytest.mark.django_db

FIELDS = {"id", "kind", "title", "body", "link", "created_at", "read_at", "is_read"}


@pytest.fixture
def inbox(persona, no_webhook):
    """chengguan has three messages (the oldest read), helong one."""
    mine = [
        services.notify([persona("chengguan")], kind="call.urged", title=f"第{i}条", body="b")[0]
        for i in range(3)
    ]
    services.mark_read(persona("chengguan"), [mine[0].pk])
    theirs = services.notify([persona("helong")], kind="call.urged", title="别人的", body="")[0]
    return mine, theirs


def test_the_list_shows_only_my_messages_newest_first(api, inbox):
    mine, _ = inbox
    body = api("chengguan").get("/api/v1/notifications").json()
    assert body["count"] == 3
    assert [item["id"] for item in body["items"]] == [n.pk for n in reversed(mine)]
    assert set(body["items"][0]) == FIELDS
    assert body["items"][-1]["is_read"] is True and body["items"][-1]["read_at"]


def test_the_unread_filter_and_the_count(api, inbox):
    client = api("chengguan")
    body = client.get("/api/v1/notifications", {"unread": "true"}).json()
    assert [item["title"] for item in body["items"]] == ["第2条", "第1条"]
    assert client.get("/api/v1/notifications/unread-count").json() == {"unread": 2}
    assert api("leader").get("/api/v1/notifications/unread-count").json() == {"unread": 0}


def test_the_list_is_paginated_at_a_pinned_query_count(api, persona, django_assert_num_queries):
    for i in range(60):
        services.notify([persona("chengguan")], kind="k.x", title=str(i), body="")
    client = api("chengguan")
    # token lookup + token touch, count, page: no query per row
    with django_assert_num_queries(4):
        body = client.get("/api/v1/notifications").json()
    assert body["count"] == 60 and len(body["items"]) == 50


def test_mark_read_and_read_all(api, inbox):
    mine, _ = inbox
    client = api("chengguan")
    response = client.post(
        "/api/v1/notifications/read", {"ids": [mine[1].pk]}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json() == {"marked": 1, "unread": 1}
    response = client.post("/api/v1/notifications/read-all")
    assert response.json() == {"marked": 1, "unread": 0}


def test_another_users_id_is_404_changes_nothing_and_is_audited(api, inbox):
    mine, theirs = inbox
    client = api("chengguan")
    response = client.post(
        "/api/v1/notifications/read",
        {"ids": [mine[1].pk, theirs.pk]},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert response.json()["detail"] == "未找到，或不在您的可见范围内"
    assert Notification.objects.filter(read_at__isnull=True).count() == 3  # nothing marked
    denial = AuditEntry.objects.filter(action="core.permission_denied").order_by("-seq").first()
    assert denial.object_id == str(theirs.pk) and denial.object_type == "notify.notification"
    assert client.get(f"/api/v1/notifications/{theirs.pk}").status_code == 404
    assert client.get("/api/v1/notifications/999999999").status_code == 404
    assert client.get(f"/api/v1/notifications/{mine[1].pk}").json()["title"] == "第1条"


def test_mark_read_needs_ids(api, inbox):
    client = api("chengguan")
    response = client.post(
        "/api/v1/notifications/read", {"ids": []}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "ids"
    response = client.post(
        "/api/v1/notifications/read", {"ids": ["x"]}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "ids.0"


def test_the_inbox_api_needs_a_signed_in_user(api):
    assert api().get("/api/v1/notifications").status_code == 401
    assert api().get("/api/v1/notifications/unread-count").status_code == 401
