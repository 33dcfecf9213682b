"""notify(): inbox rows and outbox rows, written with the caller's change or not at all."""

import pytest
from django.db import transaction

from huying.core.errors import Invalid
from huying.notify import services
from huying.notify.models import Notification, OutboxMessage

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


def test_each_recipient_gets_one_inbox_message(persona, no_webhook):
    chengguan, head = persona("chengguan"), persona("chengguan-head")
    rows = services.notify(
        [chengguan, head, chengguan],
        kind="call.urged",
        title="呼叫已超时",
        body="请尽快响应",
        link="/calls/1/",
    )
    assert [r.recipient for r in rows] == [chengguan, head]
    assert Notification.objects.filter(recipient=chengguan, read_at__isnull=True).count() == 1
    assert not OutboxMessage.objects.exists()  # no webhook configured: inbox only


def test_inactive_users_are_skipped(persona, no_webhook):
    user = persona("zhujian")
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert services.notify([user], kind="x.y", title="t", body="") == []


def test_with_a_webhook_each_message_is_queued_with_the_phone_masked(persona, receiver):
    user = persona("chengguan")
    user.phone = "13812345678"
    user.save(update_fields=["phone"])
    (row,) = services.notify([user], kind="call.urged", title="呼叫已超时", body="请响应")
    message = OutboxMessage.objects.get()
    assert message.status == "pending" and message.attempts == 0
    assert message.payload == {
        "notification_id": row.pk,
        "kind": "call.urged",
        "title": "呼叫已超时",
        "body": "请响应",
        "link": "",
        "recipient": "chengguan",
        "recipient_name": user.display_name,
        "phone": "138****5678",
        "created_at": row.created_at.isoformat(),
    }
    assert receiver.received == []  # nothing is sent in the caller's transaction


def test_notify_inside_a_rolled_back_transaction_leaves_nothing(persona, receiver):
    before = Notification.objects.count(), OutboxMessage.objects.count()
    with pytest.raises(Boom), transaction.atomic():
        services.notify([persona("chengguan")], kind="call.urged", title="t", body="b")
        assert OutboxMessage.objects.count() == before[1] + 1
        raise Boom
    assert (Notification.objects.count(), OutboxMessage.objects.count()) == before


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("link", {"link": "https://evil.example/"}),
        ("link", {"link": "//evil.example/"}),
        ("title", {"title": "  "}),
        ("kind", {"kind": ""}),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(persona, field, changes):
    fields = {"kind": "call.urged", "title": "t", "body": "", "link": "/calls/1/"} | changes
    with pytest.raises(Invalid) as caught:
        services.notify([persona("chengguan")], **fields)
    assert caught.value.field == field
    assert not Notification.objects.exists()


def test_backoff_doubles_from_a_minute_and_is_capped_at_an_hour():
    minutes = [services.backoff(n).total_seconds() / 60 for n in range(1, 9)]
    assert minutes == [1, 2, 4, 8, 16, 32, 60, 60]


def test_mark_read_and_mark_all_read_touch_only_ones_own(persona, no_webhook):
    me, other = persona("yuncheng"), persona("helong")
    mine = services.notify([me], kind="k.a", title="1", body="")
    services.notify([me], kind="k.a", title="2", body="")
    services.notify([other], kind="k.a", title="theirs", body="")
    assert services.mark_read(me, [mine[0].pk]) == 1
    assert services.mark_read(me, [mine[0].pk]) == 0  # already read: nothing new
    assert services.mark_all_read(me) == 1
    assert Notification.objects.filter(recipient=other, read_at__isnull=True).count() == 1
