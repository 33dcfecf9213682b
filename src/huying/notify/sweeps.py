"""The worker's side of notifications: deliver the outbox, prune what was sent long ago."""

import logging
import time
from datetime import timedelta

from django.conf import settings

from huying.core import clock
from huying.notify import services, webhook
from huying.notify.choices import OutboxStatus
from huying.notify.models import OutboxMessage

log = logging.getLogger("huying.notify")

# One sweep stops taking new messages after this long, so a slow or dead receiver cannot hold
# the worker's other sweeps up; what is left is due again at the next round.
SWEEP_BUDGET_SECONDS = 30
SWEEP_MAX_MESSAGES = 500
SENT_KEEP = timedelta(days=30)


def deliver_outbox(
    budget_seconds: float = SWEEP_BUDGET_SECONDS, max_messages: int = SWEEP_MAX_MESSAGES
) -> dict[str, int]:
    """Send every due pending message once; each is claimed first, so no two workers share one."""
    url = settings.NOTIFY_WEBHOOK_URL
    done = {"sent": 0, "retry": 0, "dead": 0}
    if not url:
        return done  # messages wait (pending) until a webhook is configured
    deadline = time.monotonic() + budget_seconds
    while sum(done.values()) < max_messages and time.monotonic() < deadline:
        message = services.claim_due(clock.now())
        if message is None:
            break
        done[_deliver(url, message)] += 1
    return done


def _deliver(url: str, message: OutboxMessage) -> str:
    try:
        webhook.send(url, message, timeout=settings.NOTIFY_WEBHOOK_TIMEOUT)
    except webhook.DeliveryError as exc:
        services.record_failure(message, str(exc))
        log.warning("outbox #%s attempt %s failed: %s", message.pk, message.attempts, exc)
        return "dead" if message.status == OutboxStatus.DEAD else "retry"
    services.record_sent(message)
    return "sent"


def prune_outbox() -> int:
    """Sent messages are kept a month for the admin, then dropped (the inbox keeps its copy)."""
    cutoff = clock.now() - SENT_KEEP
    return OutboxMessage.objects.filter(status=OutboxStatus.SENT, sent_at__lt=cutoff).delete()[0]
