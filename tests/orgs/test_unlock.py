"""An administrator can lift a login lockout early, from the back office; it is audited."""

from datetime import timedelta

from huying.core import clock
from huying.core.models import AuditEntry
from huying.orgs.models import User


def test_admin_unlocks_a_locked_user(browser_client, persona):
    locked = persona("helong")
    User.objects.filter(pk=locked.pk).update(
        locked_until=clock.now() + timedelta(minutes=15), failed_login_count=0
    )
    response = browser_client("admin").post(
        "/admin/orgs/user/", {"action": "unlock", "_selected_action": [locked.pk]}, follow=True
    )
    assert response.status_code == 200
    assert "已解除 1 个账号的锁定" in response.content.decode()
    assert User.objects.get(pk=locked.pk).locked_until is None
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.object_id) == ("orgs.user_unlocked", str(locked.pk))


def test_unlocking_an_unlocked_user_changes_nothing(browser_client, persona):
    before = AuditEntry.objects.count()
    browser_client("admin").post(
        "/admin/orgs/user/", {"action": "unlock", "_selected_action": [persona("renhe").pk]}
    )
    assert AuditEntry.objects.count() == before
