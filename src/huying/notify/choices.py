from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    DEAD = "dead", _("发送失败")


class Channel(models.TextChoices):
    WEBHOOK = "webhook", _("Webhook")
