from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    """The departmental systems whose extracts the hub loads (the load format's files)."""

    DWELLINGS = "dwellings", _("出租屋管理系统")
    DOOR_ACCESS_CARDS = "door_access_cards", _("门禁系统（门禁卡）")
    DOOR_ACCESS_EVENTS = "door_access_events", _("门禁系统（刷卡记录）")
    PUBLIC_SECURITY_PERSONS = "public_security_persons", _("平安白云")
    MIGRANT_REGISTRATIONS = "migrant_registrations", _("来穗人员登记")


class LoadStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("导入中")
    SUCCEEDED = "succeeded", _("已导入")
    FAILED = "failed", _("已拒绝")


class LoadOrigin(models.TextChoices):
    COMMAND = "command", _("命令行")
    UPLOAD = "upload", _("页面上传")
    API = "api", _("接口")
