"""The delivery sweep against a real HTTP server on 127.0.0.1: sent, retried, dead, timed out."""

import time
from datetime import timedelta

import pytest

from huying.core import clock
from huying.notify import services
from huying.notify.models import OutboxMessage
from huying.notify.sweeps import deliver_outbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue_one(persona):
    def queue(title="呼叫已超时，请尽快响应") -> OutboxMessage:
        services.notify(
            [persona("chengguan")], kind="call.urged", title=title, body="云城街道", link="/x/"
        )
        return OutboxMessage.objects.latest("pk")

    return queue


def test_the_receiver_gets_the_json_and_the_message_is_sent(receiver, queue_one):
    message = queue_one()
    assert deliver_outbox() == {"sent": 1, "retry": 0, "dead": 0}
    (body,) = receiver.received
    assert body["message_id"] == message.pk
    assert body["title"] == "呼叫已超时，请尽快响应" and body["recipient"] == "chengguan"
    assert body["kind"] == "call.urged" and body["link"] == "/x/"
    assert body["msgtype"] == "text"
    assert body["text"] == {"content": "呼叫已超时，请尽快响应\n云城街道"}
    assert receiver.headers[0]["X-Huying-Message-Id"] == str(message.pk)
    assert receiver.headers[0]["Content-Type"].startswith("application/json")
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == ("sent", 1, "")
    assert message.sent_at is not None
    assert deliver_outbox() == {"sent": 0, "retry": 0, "dead": 0}  # sent once, never again
    assert len(receiver.received) == 1


def test_a_500_is_retried_with_backoff_and_ends_dead(receiver, queue_one, settings):
    settings.NOTIFY_MAX_ATTEMPTS = 3
    receiver.status, receiver.answer = 500, b"gateway exploded"
    message = queue_one()
    start = clock.now()

    def sweep_at(seconds: float) -> dict:
        with clock.frozen_at(start + timedelta(seconds=seconds)):
            return deliver_outbox()

    assert sweep_at(0) == {"sent": 0, "retry": 1, "dead": 0}
    message.refresh_from_db()
    assert message.status == "pending" and message.attempts == 1
    assert message.next_attempt_at == start + timedelta(minutes=1)
    assert message.last_error == "HTTP 500：gateway exploded"

    assert sweep_at(59) == {"sent": 0, "retry": 0, "dead": 0}  # not due yet
    assert sweep_at(60) == {"sent": 0, "retry": 1, "dead": 0}
    message.refresh_from_db()
    assert message.next_attempt_at == start + timedelta(minutes=1 + 2)
    assert sweep_at(60 + 119) == {"sent": 0, "retry": 0, "dead": 0}
    assert sweep_at(60 + 120) == {"sent": 0, "retry": 0, "dead": 1}
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("dead", 3)
    assert "HTTP 500" in message.last_error
    assert sweep_at(24 * 3600) == {"sent": 0, "retry": 0, "dead": 0}  # dead stays dead
    assert len(receiver.received) == 3


def test_a_retry_succeeds_when_the_receiver_recovers(receiver, queue_one):
    receiver.status = 503
    message = queue_one()
    deliver_outbox()
    receiver.status = 200
    with clock.frozen_at(clock.now() + timedelta(minutes=2)):
        assert deliver_outbox() == {"sent": 1, "retry": 0, "dead": 0}
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == ("sent", 2, "")


def test_a_wechat_work_refusal_in_a_200_is_a_failure(receiver, queue_one):
    receiver.answer = b'{"errcode": 93000, "errmsg": "invalid webhook url"}'
    message = queue_one()
    assert deliver_outbox()["retry"] == 1
    message.refresh_from_db()
    assert message.last_error == "对方拒收：errcode 93000 invalid webhook url"


def test_a_redirect_is_a_failure_not_a_silent_get(receiver, queue_one):
    receiver.status = 302
    message = queue_one()
    assert deliver_outbox()["retry"] == 1
    message.refresh_from_db()
    assert message.last_error.startswith("HTTP 302")


def test_a_receiver_that_never_answers_is_a_failure_not_a_hang(silent_url, queue_one, settings):
    settings.NOTIFY_WEBHOOK_URL = silent_url
    settings.NOTIFY_WEBHOOK_TIMEOUT = 0.5
    message = queue_one()
    started = time.monotonic()
    assert deliver_outbox() == {"sent": 0, "retry": 1, "dead": 0}
    assert time.monotonic() - started < 5
    message.refresh_from_db()
    assert message.status == "pending" and message.attempts == 1
    assert "超时" in message.last_error


def test_nobody_listening_is_a_failure(queue_one, settings):
    from tests.live import free_port

    settings.NOTIFY_WEBHOOK_URL = f"http://127.0.0.1:{free_port()}/hook"
    message = queue_one()
    assert deliver_outbox()["retry"] == 1
    message.refresh_from_db()
    assert message.last_error.startswith("无法连接")


def test_a_claimed_message_is_not_claimed_again_until_its_claim_runs_out(
    receiver, queue_one, settings
):
    settings.NOTIFY_WEBHOOK_TIMEOUT = 10  # the claim lasts 10 s + a 60 s margin
    message = queue_one()
    now = clock.now()
    claimed = services.claim_due(now)
    assert claimed.pk == message.pk and claimed.attempts == 1
    assert services.claim_due(now) is None  # a second worker finds nothing due
    assert services.claim_due(now + timedelta(seconds=30)) is None
    # The first worker died mid-send: once the claim runs out the message is due again.
    again = services.claim_due(now + timedelta(seconds=71))
    assert again.pk == message.pk and again.attempts == 2
    # The dead worker's late outcome does not overwrite the live claim.
    assert services.record_sent(claimed) is False
    assert services.record_sent(again) is True


def test_with_no_webhook_the_sweep_does_nothing(receiver, queue_one, settings):
    queue_one()
    settings.NOTIFY_WEBHOOK_URL = ""
    assert deliver_outbox() == {"sent": 0, "retry": 0, "dead": 0}
    assert OutboxMessage.objects.get().status == "pending"


def test_the_sweep_is_registered_with_the_worker():
    from huying.core.worker import SWEEPS

    assert SWEEPS["notify.deliver_outbox"].every_seconds == 10
    assert SWEEPS["notify.deliver_outbox"].run is deliver_outbox


def test_old_sent_messages_are_pruned(receiver, queue_one):
    from huying.notify.sweeps import prune_outbox

    queue_one()
    deliver_outbox()
    assert prune_outbox() == 0
    with clock.frozen_at(clock.now() + timedelta(days=31)):
        assert prune_outbox() == 1
