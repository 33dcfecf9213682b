from django.conf import settings
from django.db import models
from django.db.models import Q

from huying.notify.choices import Channel, OutboxStatus


class Notification(models.Model):
    """One message in a user's in-app inbox; written only by `notify.services.notify`."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField("类型", max_length=50)  # a short code, e.g. "call.urged"
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=500, blank=True)  # a path on this site
    created_at = models.DateTimeField("时间")
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        ordering = ["-created_at", "-id"]
        indexes = [
            # The inbox page and the API list: one user's messages, newest first.
            models.Index(fields=["recipient", "-created_at"], name="notify_inbox_idx"),
            # The unread badge, polled by every open page: one user's unread messages.
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notify_unread_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class OutboxMessage(models.Model):
    """A message for an outside channel, delivered by the worker (`notify.deliver_outbox`).

    Written in the same transaction as the change it reports, so a rolled-back change sends
    nothing and a committed one is delivered at least once, with retries and a dead letter.
    """

    channel = models.CharField("渠道", max_length=20, choices=Channel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        on_delete=models.CASCADE,
        related_name="+",
    )
    payload = models.JSONField("内容")
    status = models.CharField(
        "状态", max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试")
    last_error = models.TextField("最近错误", blank=True)
    created_at = models.DateTimeField("创建时间")
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "外发消息"
        verbose_name_plural = "外发消息"
        ordering = ["-id"]
        indexes = [
            # The delivery sweep: pending messages whose next attempt is due.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="notify_outbox_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} #{self.pk} → {self.payload.get('recipient', '')}"
