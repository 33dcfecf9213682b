"""/inbox/ and the header's unread badge."""

import re

import pytest
from django.conf import settings as django_settings

from huying.notify import services
from huying.notify.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_unread(persona, no_webhook):
    user = persona("yuncheng")
    first = services.notify([user], kind="call.resolved", title="已办结", body="请确认", link="/")
    second = services.notify([user], kind="call.urged", title="已督办", body="第二行\n第三行")
    return first[0], second[0]


def badge_of(html: str) -> str:
    return re.search(r'<span id="unread-badge"[^>]*>(.*?)</span>', html).group(1)


def test_the_header_badge_shows_the_unread_count_and_polls(browser_client, two_unread):
    html = browser_client("yuncheng").get("/").content.decode()
    nav = re.search(r'<nav class="nav".*?</nav>', html, flags=re.S).group(0)
    assert 'href="/inbox/"' in nav and "消息" in nav
    assert badge_of(nav) == "2"
    assert 'hx-get="/inbox/badge/"' in nav and 'hx-trigger="every 30s' in nav


def test_the_badge_partial(browser_client, two_unread):
    client = browser_client("yuncheng")
    response = client.get("/inbox/badge/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<span") == 1 and badge_of(html) == "2"
    assert "no-cache" in response["Cache-Control"]
    services.mark_all_read(two_unread[0].recipient)
    html = client.get("/inbox/badge/").content.decode()
    assert badge_of(html) == "" and 'class="badge empty"' in html


def test_the_badge_caps_at_99(browser_client, persona, no_webhook):
    user = persona("helong")
    for i in range(100):
        services.notify([user], kind="k.x", title=str(i), body="")
    assert badge_of(browser_client("helong").get("/inbox/badge/").content.decode()) == "99+"


def test_a_signed_out_badge_stops_polling(client):
    response = client.get("/inbox/badge/")
    assert response.status_code == 286 and response.content == b""


def test_the_inbox_lists_my_messages_unread_in_bold(browser_client, two_unread, persona):
    services.notify([persona("helong")], kind="k.x", title="别人的消息", body="")
    html = browser_client("yuncheng").get("/inbox/").content.decode()
    assert "<h1>消息</h1>" in html
    assert "已办结" in html and "已督办" in html and "别人的消息" not in html
    assert html.count('<li class="unread"') == 2
    assert "第二行<br>第三行" in html
    assert "未读 2 条" in html and "全部标为已读" in html
    assert f'href="/inbox/{two_unread[0].pk}/"' in html  # a message with a link opens it


def test_mark_read_by_htmx_returns_the_list_and_tells_the_badge(browser_client, two_unread):
    client = browser_client("yuncheng")
    first = two_unread[0]
    response = client.post("/inbox/read/", {"ids": [first.pk]}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Trigger"] == "notify-changed"
    html = response.content.decode()
    assert "<html" not in html and html.count('<li class="unread"') == 1
    first.refresh_from_db()
    assert first.read_at is not None


def test_mark_all_read_without_htmx_redirects_back(browser_client, two_unread):
    client = browser_client("yuncheng")
    response = client.post("/inbox/read-all/", {"unread": "1"})
    assert response.status_code == 302 and response["Location"] == "/inbox/?unread=1"
    assert not Notification.objects.filter(read_at__isnull=True, recipient__username="yuncheng")
    assert "没有未读消息" in client.get("/inbox/?unread=1").content.decode()


def test_someone_elses_message_is_a_404(browser_client, two_unread):
    client = browser_client("helong")
    first = two_unread[0]
    assert client.post("/inbox/read/", {"ids": [first.pk]}).status_code == 404
    assert client.get(f"/inbox/{first.pk}/").status_code == 404
    first.refresh_from_db()
    assert first.read_at is None


def test_opening_a_message_marks_it_read_and_follows_its_link(browser_client, two_unread):
    first = two_unread[0]
    response = browser_client("yuncheng").get(f"/inbox/{first.pk}/")
    assert response.status_code == 302 and response["Location"] == "/"
    first.refresh_from_db()
    assert first.read_at is not None


def test_the_inbox_needs_a_sign_in(client):
    response = client.get("/inbox/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_inbox_in_english(browser_client, two_unread):
    client = browser_client("yuncheng")
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/inbox/").content.decode()
    assert "<h1>Messages</h1>" in html and "Mark all as read" in html and "2 unread" in html
    nav = re.search(r'<nav class="nav".*?</nav>', html, flags=re.S).group(0)
    assert ">Messages<span" in nav


def test_every_role_has_the_inbox_in_its_navigation():
    from huying.dashboard.navigation import NAV_ITEMS
    from huying.orgs.choices import Role

    (item,) = [i for i in NAV_ITEMS if i.url_name == "inbox"]
    assert item.roles == frozenset(Role) and item.badge
