from django.db import models
from django.utils.translation import gettext_lazy as _


class Frequency(models.TextChoices):
    """How often a task asks (ordered from the most to the least burdensome)."""

    DAILY = "daily", _("每日")
    WEEKLY = "weekly", _("每周")
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")
    YEARLY = "yearly", _("每年")
    ONCE = "once", _("一次性")


# Times a year each frequency asks; the frequency check compares against the policy's.
TIMES_A_YEAR = {"daily": 365, "weekly": 52, "monthly": 12, "quarterly": 4, "yearly": 1, "once": 1}


class FieldType(models.TextChoices):
    TEXT = "text", _("文本")
    NUMBER = "number", _("数字")
    DATE = "date", _("日期")
    CHOICE = "choice", _("选项")
    ID_NUMBER = "id_number", _("身份证号")
    PHONE = "phone", _("电话")
    FILE = "file", _("附件")


class TaskStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    CHECKED = "checked", _("待说明")  # flagged: the issuer must justify or change it
    REGISTERED = "registered", _("已登记")
    WITHDRAWN = "withdrawn", _("已撤回")
    CLOSED = "closed", _("已结束")


class FlagKind(models.TextChoices):
    ALREADY_SHARED = "already_shared", _("数据已共享")
    FREQUENCY = "frequency", _("频次过高")
    OVERLAP = "overlap", _("与其他任务重复")
    TOWN_CAP = "town_cap", _("镇街月度任务超限")
    UNPLANNED = "unplanned", _("计划外考核")
    SIMILAR_ASSESSMENT = "similar_assessment", _("相似考核")


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", _("填报中")
    SUBMITTED = "submitted", _("已报送")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("编制中")
    SUBMITTED = "submitted", _("待审批")
    APPROVED = "approved", _("已批准")
    RETURNED = "returned", _("退回修改")


class InspectionKind(models.TextChoices):
    SUPERVISION = "supervision", _("督查")
    INSPECTION = "inspection", _("检查")
    ASSESSMENT = "assessment", _("考核")
    RESPONSIBILITY = "responsibility", _("责任制事项")


class WarningStatus(models.TextChoices):
    OPEN = "open", _("待答复")
    ANSWERED = "answered", _("已答复")
    CLOSED = "closed", _("已办结")


class WarningOrigin(models.TextChoices):
    AUTOMATIC = "automatic", _("系统自动")
    MANUAL = "manual", _("人工发起")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("核查中")
    CONCLUDED = "concluded", _("已处理")


class EvidenceKind(models.TextChoices):
    OVERDUE_CALL = "overdue_call", _("超期未办呼叫")
    PERFUNCTORY_CALL = "perfunctory_call", _("敷衍应付呼叫")
    TASK = "task", _("过度填表报数")
    UNPLANNED_ASSESSMENT = "unplanned_assessment", _("计划外考核")
    UNGUIDED_TASK = "unguided_task", _("下派任务缺乏指导")
    OTHER = "other", _("其他")


class AccountabilityLevel(models.TextChoices):
    """The rank of the person held accountable."""

    DEPARTMENT = "department", _("处级")
    SECTION = "section", _("科级")
    STAFF = "staff", _("一般干部")


class AccountabilityMeasure(models.TextChoices):
    CRITICISM = "criticism", _("批评教育")
    ADMONISHMENT = "admonishment", _("诫勉")
    ORGANISATIONAL = "organisational", _("组织处理")
    PARTY_DISCIPLINE = "party_discipline", _("党纪处分")
    GOVERNMENT_SANCTION = "government_sanction", _("政务处分")
