from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    """The departmental systems whose extracts the hub loads (the load format's files)."""

    DWELLINGS = "dwellings", _("出租屋管理系统")
    DOOR_ACCESS_CARDS = "door_access_cards", _("门禁系统（门禁卡）")
    DOOR_ACCESS_EVENTS = "door_access_events", _("门禁系统（刷卡记录）")
    PUBLIC_SECURITY_PERSONS = "public_security_persons", _("平安白云")
    MIGRANT_REGISTRATIONS = "migrant_registrations", _("来穗人员登记")
    # What inspectors confirmed or corrected on their visits (the patrol app writes it).
    INSPECTION = "inspection", _("巡查核实")


class LoadStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("导入中")
    SUCCEEDED = "succeeded", _("已导入")
    FAILED = "failed", _("已拒绝")


class LoadOrigin(models.TextChoices):
    COMMAND = "command", _("命令行")
    UPLOAD = "upload", _("页面上传")
    API = "api", _("接口")
    PATROL = "patrol", _("巡查回传")


class LinkageMode(models.TextChoices):
    FULL = "full", _("全量链接")
    INCREMENTAL = "incremental", _("增量链接")


class RunStatus(models.TextChoices):
    RUNNING = "running", _("运行中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败")


class OccupancyBasis(models.TextChoices):
    """Why the hub believes a person lives in a dwelling today."""

    DOOR_CARD = "door_card", _("门禁卡有效")
    REGISTRATION = "registration", _("来穗登记有效")


class DiscrepancyKind(models.TextChoices):
    INVALID_ID = "invalid_id", _("身份证号有误")
    ID_NAME_CONFLICT = "id_name_conflict", _("同一身份证号不同姓名")
    DWELLING_MISMATCH = "dwelling_mismatch", _("登记地与刷卡地不一致")
    EXPIRED_STILL_SWIPING = "expired_still_swiping", _("登记过期仍在刷卡")
    OVER_OCCUPANCY = "over_occupancy", _("超员居住（群租风险）")


class DiscrepancyState(models.TextChoices):
    OPEN = "open", _("待核实")
    CONFIRMED = "confirmed", _("已确认")
    CORRECTED = "corrected", _("已更正")
    DISMISSED = "dismissed", _("已排除")


OPEN_DISCREPANCY_STATES = (DiscrepancyState.OPEN, DiscrepancyState.CONFIRMED)


# --- the data catalogue (数据目录) -------------------------------------------------------------


class UpdateFrequency(models.TextChoices):
    REALTIME = "realtime", _("实时")
    DAILY = "daily", _("每日")
    WEEKLY = "weekly", _("每周")
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季")
    YEARLY = "yearly", _("每年")


class AccessPolicy(models.TextChoices):
    OPEN = "open", _("开放")
    ON_REQUEST = "on_request", _("依申请")
    RESTRICTED = "restricted", _("受限")


class Sensitivity(models.IntegerChoices):
    """The grade of one field: ID numbers and phones are the highest."""

    PUBLIC = 1, _("公开")
    INTERNAL = 2, _("内部")
    SENSITIVE = 3, _("敏感")
    HIGHLY_SENSITIVE = 4, _("高度敏感")


class AccessRequestState(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    DECLINED = "declined", _("已驳回")
    WITHDRAWN = "withdrawn", _("已撤回")
