"""Reads of the inbox: a user only ever sees their own messages."""

from django.db.models import QuerySet

from huying.core.scoping import get_visible_or_404
from huying.notify.models import Notification


def inbox_of(user) -> QuerySet[Notification]:
    """The one home of inbox scoping: everything else filters this queryset."""
    if user is None or not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user)


def inbox(user, *, unread: bool = False) -> QuerySet[Notification]:
    rows = inbox_of(user)
    if unread:
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by("-created_at", "-pk")


def unread_count(user) -> int:
    return inbox_of(user).filter(read_at__isnull=True).count()


def notification_detail(user, pk: int) -> Notification:
    return get_visible_or_404(inbox_of(user), user, pk=pk)
