"""Error pages speak Chinese and keep the layout; nothing leaks a Django debug page."""

from django.test import Client


def test_unknown_page_is_a_chinese_404(browser_client):
    response = browser_client("yuncheng").get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "未找到" in body and "返回首页" in body
    assert "Page not found" not in body


def test_form_posted_without_csrf_token_gets_the_expired_page(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "yuncheng", "password": "x"})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()


def test_wrong_role_page_is_404_and_audited(browser_client, persona):
    from huying.core.models import AuditEntry

    response = browser_client("yuncheng").get("/audit/")
    assert response.status_code == 404
    denial = AuditEntry.objects.order_by("-seq").first()
    assert (denial.action, denial.actor_id) == ("core.permission_denied", persona("yuncheng").pk)
