from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanReason(models.TextChoices):
    """Why a household is on the day's plan, in the order the plan ranks them."""

    DISCREPANCY = "discrepancy", _("数据疑点待核")
    REVISIT = "revisit", _("问题出租屋复查")
    NEW_REGISTRATION = "new_registration", _("新登记待确认")
    EXPIRING = "expiring", _("登记即将到期")
    ROUTINE = "routine", _("日常巡查")
    ADDED = "added", _("上级指派")


REASON_RANK = {reason: rank for rank, reason in enumerate(PlanReason.values)}


class ItemStatus(models.TextChoices):
    PENDING = "pending", _("待巡查")
    VISITED = "visited", _("已巡查")
    SKIPPED = "skipped", _("未巡查")


class VisitOrigin(models.TextChoices):
    PAGE = "page", _("巡查页面")
    OFFLINE = "offline", _("离线补传")
    API = "api", _("接口（巡查终端）")
    STAY = "stay", _("轨迹停留识别")


class OccupantOutcome(models.TextChoices):
    CONFIRMED = "confirmed", _("信息一致")
    DIFFERS = "differs", _("信息有误")
    MOVED_OUT = "moved_out", _("已搬离")
    NEW = "new", _("新增住户")
