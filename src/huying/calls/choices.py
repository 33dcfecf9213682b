from django.db import models
from django.utils.translation import gettext_lazy as _


class Domain(models.TextChoices):
    LAW_ENFORCEMENT = "law_enforcement", _("综合执法")
    KEY_WORK = "key_work", _("重点工作")
    EMERGENCY = "emergency", _("应急处置")


class Urgency(models.TextChoices):
    EMERGENCY = "emergency", _("紧急")
    URGENT = "urgent", _("加急")
    NORMAL = "normal", _("一般")


class CallStatus(models.TextChoices):
    CALLED = "called", _("待响应")
    RETURNED = "returned", _("退回待裁决")
    RESPONDED = "responded", _("已响应")
    IN_PROGRESS = "in_progress", _("办理中")
    RESOLVED = "resolved", _("已办结待确认")
    CLOSED = "closed", _("已确认办结")
    WITHDRAWN = "withdrawn", _("已撤回")


OPEN_STATUSES = (
    CallStatus.CALLED,
    CallStatus.RETURNED,
    CallStatus.RESPONDED,
    CallStatus.IN_PROGRESS,
    CallStatus.RESOLVED,
)


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("牵头部门")
    CO = "co", _("协办部门")


class Source(models.TextChoices):
    MANUAL = "manual", _("镇街呼叫")
    FORWARDED = "forwarded", _("村社上报转呼")
    ALARM = "alarm", _("感知告警")


class EventKind(models.TextChoices):
    CREATED = "created", _("发起呼叫")
    SIGNED = "signed", _("签收响应")
    RETURNED = "returned", _("退回")
    REROUTED = "rerouted", _("裁决改派")
    UPHELD = "upheld", _("裁决维持")
    TRANSFERRED = "transferred", _("转办")
    PROGRESS = "progress", _("进展反馈")
    RESOLVED = "resolved", _("办结")
    CONFIRMED = "confirmed", _("确认办结")
    REJECTED = "rejected", _("不满意退回重办")
    WITHDRAWN = "withdrawn", _("撤回")
    URGED = "urged", _("督办")
    WARNED = "warned", _("时限提醒")
    RATED = "rated", _("评价")
    CASE_OPENED = "case_opened", _("启动问责")
    CONVENED = "convened", _("召开协调会")
    MEETING_HELD = "meeting_held", _("协调会纪要")
    ACTION_DONE = "action_done", _("事项完成")
    ACTION_OVERDUE = "action_overdue", _("议定事项超期")
    MEETING_CANCELLED = "meeting_cancelled", _("协调会取消")


class CaseReason(models.TextChoices):
    NO_RESPONSE = "no_response", _("超期未响应")
    OVERDUE = "overdue", _("超期未办结")
    PERFUNCTORY = "perfunctory", _("应付式响应")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("办理中")
    CLOSED = "closed", _("已结案")


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("已召集")
    HELD = "held", _("已召开")
    CANCELLED = "cancelled", _("已取消")


class VillageRequestStatus(models.TextChoices):
    PENDING = "pending", _("待镇街处理")
    FORWARDED = "forwarded", _("已转为呼叫")
    DECLINED = "declined", _("镇街不予转呼")
