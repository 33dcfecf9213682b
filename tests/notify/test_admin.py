"""The back office: read-only lists; dead outbox messages can be sent again (audited)."""

import pytest

from huying.core.models import AuditEntry
from huying.notify import services
from huying.notify.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def dead_message(persona, receiver):
    services.notify([persona("chengguan")], kind="call.urged", title="t", body="")
    message = OutboxMessage.objects.get()
    OutboxMessage.objects.filter(pk=message.pk).update(
        status="dead", attempts=8, last_error="HTTP 500"
    )
    return message


def test_the_lists_are_read_only(browser_client, dead_message):
    client = browser_client("admin")
    for url in ("/admin/notify/notification/", "/admin/notify/outboxmessage/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert f"{url}add/" not in response.content.decode()
    detail = client.get(f"/admin/notify/outboxmessage/{dead_message.pk}/change/")
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()


def test_retrying_dead_messages_requeues_and_audits(browser_client, dead_message):
    response = browser_client("admin").post(
        "/admin/notify/outboxmessage/",
        {"action": "retry", "_selected_action": [dead_message.pk]},
    )
    assert response.status_code == 302
    dead_message.refresh_from_db()
    assert (dead_message.status, dead_message.attempts) == ("pending", 0)
    entry = AuditEntry.objects.filter(action="notify.outbox_retried").get()
    assert entry.actor.username == "admin" and entry.after == {"ids": [dead_message.pk]}


def test_others_cannot_enter(browser_client):
    response = browser_client("command").get("/admin/notify/outboxmessage/", follow=True)
    assert response.status_code == 404
