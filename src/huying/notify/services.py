"""Every change to notifications: the inbox, read marks, and the outbox's delivery state.

`notify` runs inside the caller's transaction: the inbox rows and the outbox rows commit or
roll back with the change they report. Outside channels are reached only by the worker
(`notify.sweeps.deliver_outbox`), after commit, so "state changed" and "people told" are
separate steps and a failed delivery is retried without touching the change itself.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from huying.core import audit, clock
from huying.core.errors import Invalid
from huying.core.masking import mask_phone
from huying.core.scoping import get_visible_or_404
from huying.notify.choices import Channel, OutboxStatus
from huying.notify.models import Notification, OutboxMessage
from huying.notify.selectors import inbox_of, notification_detail
from huying.orgs.models import User

# Retries: 1 minute after the first failure, then 2, 4, 8, … minutes, never more than an hour.
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=1)
# A claimed message is not due again until the send has had time to finish (or its worker died).
CLAIM_MARGIN = timedelta(seconds=60)
ERROR_KEEP_CHARS = 1000
MARK_READ_MAX = 500


def configured_channels() -> list[str]:
    """The outside channels with somewhere to send to; none means inbox only."""
    return [Channel.WEBHOOK] if settings.NOTIFY_WEBHOOK_URL else []


def _unique_active(recipients: Iterable[User]) -> list[User]:
    seen, users = set(), []
    for user in recipients:
        if user.pk not in seen and user.is_active:
            seen.add(user.pk)
            users.append(user)
    return users


def _validate(kind: str, title: str, link: str) -> None:
    if not kind or len(kind) > 50:
        raise Invalid("消息类型必填，且不超过 50 个字符", field="kind")
    if not title.strip() or len(title) > 200:
        raise Invalid("消息标题必填，且不超过 200 个字符", field="title")
    if link and (not link.startswith("/") or link.startswith("//") or len(link) > 500):
        raise Invalid("链接应为本站路径，以 / 开头", field="link")


def _payload(notification: Notification) -> dict:
    user = notification.recipient
    return {
        "notification_id": notification.pk,
        "kind": notification.kind,
        "title": notification.title,
        "body": notification.body,
        "link": notification.link,
        "recipient": user.username,
        "recipient_name": user.display_name,
        "phone": mask_phone(user.phone) if user.phone else "",
        "created_at": notification.created_at.isoformat(),
    }


def notify(
    recipients: Iterable[User], *, kind: str, title: str, body: str, link: str = ""
) -> list[Notification]:
    """Put a message in each recipient's inbox and queue it for every configured channel.

    Call it inside the transaction of the change it reports. Inactive users and duplicates
    are skipped. `link` is a path on this site (e.g. "/calls/42/").
    """
    return notify_many([Notice(recipients, kind, title, body, link)])


@dataclass(frozen=True)
class Notice:
    """One message for `notify_many`: the arguments `notify` takes."""

    recipients: Iterable[User]
    kind: str
    title: str
    body: str
    link: str = ""


def notify_many(notices: Sequence[Notice]) -> list[Notification]:
    """`notify` for many messages at once (a batch of calls, say): the same inbox and outbox
    rows as calling `notify` for each in order, in one INSERT per table.

    Inside the caller's transaction it adds no savepoint; outside one it opens its own.
    """
    for notice in notices:
        _validate(notice.kind, notice.title, notice.link)
    now = clock.now()
    rows = [
        Notification(
            recipient=u,
            kind=notice.kind,
            title=notice.title,
            body=notice.body,
            link=notice.link,
            created_at=now,
        )
        for notice in notices
        for u in _unique_active(notice.recipients)
    ]
    if not rows:
        return rows
    with transaction.atomic(savepoint=False):
        Notification.objects.bulk_create(rows)
        OutboxMessage.objects.bulk_create(
            OutboxMessage(
                channel=channel,
                recipient=row.recipient,
                payload=_payload(row),
                next_attempt_at=now,
                created_at=now,
            )
            for row in rows
            for channel in configured_channels()
        )
    return rows


def mark_read(user: User, ids: Iterable[int]) -> int:
    """Mark some of the user's own messages read; any id that is not theirs is a 404."""
    wanted = set(ids)
    if not wanted or len(wanted) > MARK_READ_MAX:
        raise Invalid(f"请选择 1 到 {MARK_READ_MAX} 条消息", field="ids")
    mine = inbox_of(user).filter(pk__in=wanted)
    missing = wanted - set(mine.values_list("pk", flat=True))
    if missing:
        get_visible_or_404(inbox_of(user), user, pk=min(missing))  # audits a foreign id
    return mine.filter(read_at__isnull=True).update(read_at=clock.now())


def mark_all_read(user: User) -> int:
    return inbox_of(user).filter(read_at__isnull=True).update(read_at=clock.now())


def open_notification(user: User, pk: int) -> Notification:
    """The user follows a message: it counts as read."""
    notification = notification_detail(user, pk)
    if notification.read_at is None:
        notification.read_at = clock.now()
        notification.save(update_fields=["read_at"])
    return notification


# --- the outbox: claimed and settled by the delivery sweep ----------------------------------


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed try."""
    return min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_CAP)


def claim_due(now: datetime) -> OutboxMessage | None:
    """Take the next due message for this worker: count the attempt, push its time out.

    On PostgreSQL `SKIP LOCKED` lets concurrent workers take different rows; on SQLite the
    write transaction (BEGIN IMMEDIATE) serialises claims. Either way the pushed-out
    `next_attempt_at` keeps every other worker off the message while it is being sent.
    """
    lease = timedelta(seconds=settings.NOTIFY_WEBHOOK_TIMEOUT) + CLAIM_MARGIN
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .select_related("recipient")
            .filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")
            .first()
        )
        if message is None:
            return None
        message.attempts += 1
        message.next_attempt_at = now + lease
        message.save(update_fields=["attempts", "next_attempt_at"])
    return message


def _settle(message: OutboxMessage, **changes) -> bool:
    """Write the outcome unless another worker has re-claimed the message meanwhile."""
    settled = OutboxMessage.objects.filter(
        pk=message.pk, status=OutboxStatus.PENDING, attempts=message.attempts
    ).update(**changes)
    for name, value in changes.items():
        setattr(message, name, value)
    return bool(settled)


def record_sent(message: OutboxMessage) -> bool:
    return _settle(message, status=OutboxStatus.SENT, sent_at=clock.now(), last_error="")


def record_failure(message: OutboxMessage, error: str) -> bool:
    """Retry later with backoff, or give up (dead) after the configured number of attempts."""
    error = error[:ERROR_KEEP_CHARS]
    if message.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
        return _settle(message, status=OutboxStatus.DEAD, last_error=error)
    retry_at = clock.now() + backoff(message.attempts)
    return _settle(message, next_attempt_at=retry_at, last_error=error)


def retry_dead(actor: User, messages: Iterable[OutboxMessage]) -> int:
    """An administrator sends dead messages again, with a fresh set of attempts (audited)."""
    ids = [m.pk for m in messages if m.status == OutboxStatus.DEAD]
    if not ids:
        return 0
    with transaction.atomic():
        retried = OutboxMessage.objects.filter(pk__in=ids, status=OutboxStatus.DEAD).update(
            status=OutboxStatus.PENDING, attempts=0, next_attempt_at=clock.now()
        )
        audit.record(
            "notify.outbox_retried",
            actor=actor,
            object_type=OutboxMessage._meta.label_lower,
            object_id=",".join(str(pk) for pk in ids)[:64],
            object_repr=f"{retried} 条外发消息",
            after={"ids": ids},
        )
    return retried
