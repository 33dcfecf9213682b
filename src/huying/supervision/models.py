"""Supervision data: reporting tasks and their fields, the burden checks' flags, submissions,
the annual inspection plans and the assessments launched, warnings and formalism cases."""

from django.conf import settings
from django.db import models

from huying.supervision.choices import (
    AccountabilityLevel,
    AccountabilityMeasure,
    CaseStatus,
    EvidenceKind,
    FieldType,
    FlagKind,
    Frequency,
    InspectionKind,
    PlanStatus,
    SubmissionStatus,
    TaskStatus,
    WarningOrigin,
    WarningStatus,
)

ORG = "orgs.Org"
USER = settings.AUTH_USER_MODEL


class ReportingTask(models.Model):
    """A demand for data (填表报数) from a department to towns or villages. Only a registered
    task has standing: a town's inbox lists registered tasks only."""

    code = models.CharField("编号", max_length=24, unique=True)
    title = models.CharField("名称", max_length=120)
    issuer = models.ForeignKey(
        ORG, verbose_name="发起单位", on_delete=models.PROTECT, related_name="+"
    )
    basis = models.CharField("依据", max_length=300)
    frequency = models.CharField("频次", max_length=10, choices=Frequency.choices)
    # For a periodic task: the day of the period by which it is due; for a one-off: due_date.
    due_day = models.PositiveSmallIntegerField("每期截止日", null=True, blank=True)
    due_date = models.DateField("截止日期", null=True, blank=True)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期", null=True, blank=True)
    recipients = models.ManyToManyField(ORG, verbose_name="填报单位", related_name="+")
    guidance = models.TextField("填报指导", blank=True)
    status = models.CharField(
        "状态", max_length=12, choices=TaskStatus.choices, default=TaskStatus.DRAFT
    )
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间")
    registered_at = models.DateTimeField("登记时间", null=True, blank=True)
    checked_at = models.DateTimeField("最近检查时间", null=True, blank=True)

    class Meta:
        verbose_name = "填表报数任务"
        verbose_name_plural = "填表报数任务"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "starts_on"], name="task_status_idx")]

    def __str__(self) -> str:
        return self.title


class TaskField(models.Model):
    """One field a task asks for, with what the catalogue check found and the issuer's reason
    for keeping it when the hub already holds it."""

    task = models.ForeignKey(ReportingTask, on_delete=models.CASCADE, related_name="fields")
    order = models.PositiveSmallIntegerField("顺序", default=0)
    name = models.CharField("字段名", max_length=64)
    meaning = models.CharField("含义", max_length=300, blank=True)
    field_type = models.CharField(
        "类型", max_length=10, choices=FieldType.choices, default=FieldType.TEXT
    )
    shared_field = models.ForeignKey(
        "datahub.CategoryField",
        verbose_name="已共享数据项",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    match_score = models.FloatField("匹配度", null=True, blank=True)
    justification = models.CharField("保留理由", max_length=300, blank=True)

    class Meta:
        verbose_name = "任务字段"
        verbose_name_plural = "任务字段"
        ordering = ["task", "order", "id"]

    def __str__(self) -> str:
        return self.name


class TaskFlag(models.Model):
    """A finding of the burden checks, with its evidence (shown to the issuer and the
    commission). `justified_at` is set when the issuer explains why it stands."""

    task = models.ForeignKey(ReportingTask, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField("类型", max_length=20, choices=FlagKind.choices)
    field = models.ForeignKey(
        TaskField, null=True, blank=True, on_delete=models.CASCADE, related_name="flags"
    )
    other_task = models.ForeignKey(
        ReportingTask, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.CharField("说明", max_length=300)
    evidence = models.JSONField("依据", default=dict)
    created_at = models.DateTimeField("发现时间")
    justification = models.CharField("发起单位说明", max_length=300, blank=True)
    justified_at = models.DateTimeField("说明时间", null=True, blank=True)

    class Meta:
        verbose_name = "负担检查发现"
        verbose_name_plural = "负担检查发现"
        ordering = ["task", "kind", "id"]

    def __str__(self) -> str:
        return self.message


class Submission(models.Model):
    """One recipient's filling-in of one period of a task."""

    task = models.ForeignKey(ReportingTask, on_delete=models.CASCADE, related_name="submissions")
    org = models.ForeignKey(
        ORG, verbose_name="填报单位", on_delete=models.PROTECT, related_name="+"
    )
    period = models.DateField("期次")  # the first day of the period it answers
    status = models.CharField(
        "状态", max_length=10, choices=SubmissionStatus.choices, default=SubmissionStatus.DRAFT
    )
    values = models.JSONField("填报内容", default=dict)
    prefilled_fields = models.PositiveIntegerField("预填字段数", default=0)
    typed_fields = models.PositiveIntegerField("手填字段数", default=0)
    minutes_saved = models.FloatField("估计节省（分钟）", default=0)
    submitted_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)

    class Meta:
        verbose_name = "填报"
        verbose_name_plural = "填报"
        constraints = [
            models.UniqueConstraint(
                fields=["task", "org", "period"], name="submission_one_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.task} {self.org} {self.period}"


class InspectionPlan(models.Model):
    """A department's annual plan of supervision, inspection and assessment, approved by the
    district."""

    department = models.ForeignKey(
        ORG, verbose_name="部门", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField("年度")
    status = models.CharField(
        "状态", max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=300, blank=True)

    class Meta:
        verbose_name = "督查检查考核计划"
        verbose_name_plural = "督查检查考核计划"
        ordering = ["-year", "department"]
        constraints = [
            models.UniqueConstraint(fields=["department", "year"], name="plan_one_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.year}"


class PlanItem(models.Model):
    """One planned supervision, inspection, assessment or responsibility agreement. A
    responsibility agreement states its start and end years; merged items point to the one
    they were merged into."""

    plan = models.ForeignKey(InspectionPlan, on_delete=models.CASCADE, related_name="items")
    name = models.CharField("名称", max_length=120)
    kind = models.CharField("类别", max_length=16, choices=InspectionKind.choices)
    scope = models.CharField("范围", max_length=200)
    items = models.TextField("内容（每行一项）")
    frequency = models.CharField("频次", max_length=10, choices=Frequency.choices)
    targets = models.CharField("对象", max_length=200)
    start_year = models.PositiveSmallIntegerField("起始年度", null=True, blank=True)
    end_year = models.PositiveSmallIntegerField("终止年度", null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )

    class Meta:
        verbose_name = "计划事项"
        verbose_name_plural = "计划事项"
        ordering = ["plan", "id"]

    def __str__(self) -> str:
        return self.name


class Assessment(models.Model):
    """A supervision, inspection or assessment actually launched; outside the approved plan it
    is flagged (plan_item empty, `unplanned`)."""

    department = models.ForeignKey(
        ORG, verbose_name="部门", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("名称", max_length=120)
    kind = models.CharField("类别", max_length=16, choices=InspectionKind.choices)
    items = models.TextField("内容（每行一项）", blank=True)
    targets = models.ManyToManyField(ORG, verbose_name="对象", blank=True, related_name="+")
    launched_on = models.DateField("实施日期")
    plan_item = models.ForeignKey(
        PlanItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="assessments"
    )
    unplanned = models.BooleanField("计划外", default=False)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = "督查检查考核实施"
        verbose_name_plural = "督查检查考核实施"
        ordering = ["-launched_on"]
        indexes = [models.Index(fields=["launched_on"], name="assessment_day_idx")]

    def __str__(self) -> str:
        return self.name


class Merge(models.Model):
    """Similar assessments merged into one (e.g. 城市管理综合考评 into 创建文明城市考核)."""

    kept = models.ForeignKey(PlanItem, on_delete=models.PROTECT, related_name="+")
    merged = models.ManyToManyField(PlanItem, related_name="+")
    similarity = models.FloatField("相似度", null=True, blank=True)
    reason = models.CharField("理由", max_length=300)
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("合并时间")

    class Meta:
        verbose_name = "考核合并记录"
        verbose_name_plural = "考核合并记录"
        ordering = ["-decided_at"]

    def __str__(self) -> str:
        return str(self.kept)


class Reminder(models.Model):
    """A warning (提醒) from the discipline commission to an issuing unit, which must answer.
    Named Reminder in code so it does not shadow Python's built-in Warning."""

    unit = models.ForeignKey(
        ORG, verbose_name="被提醒单位", on_delete=models.PROTECT, related_name="+"
    )
    origin = models.CharField("来源", max_length=10, choices=WarningOrigin.choices)
    flag_kind = models.CharField("问题类型", max_length=20, choices=FlagKind.choices, blank=True)
    task = models.ForeignKey(
        ReportingTask, null=True, blank=True, on_delete=models.SET_NULL, related_name="reminders"
    )
    assessment = models.ForeignKey(
        Assessment, null=True, blank=True, on_delete=models.SET_NULL, related_name="reminders"
    )
    text = models.TextField("提醒内容")
    status = models.CharField(
        "状态", max_length=10, choices=WarningStatus.choices, default=WarningStatus.OPEN
    )
    raised_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField("提醒时间")
    answer_due = models.DateField("答复期限")
    answer = models.TextField("答复", blank=True)
    answered_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    close_note = models.CharField("办结意见", max_length=300, blank=True)

    class Meta:
        verbose_name = "提醒"
        verbose_name_plural = "提醒"
        ordering = ["-raised_at"]
        indexes = [models.Index(fields=["status", "answer_due"], name="warning_open_idx")]

    def __str__(self) -> str:
        return self.text[:40]


class FormalismCase(models.Model):
    """The commission's register of formalism and bureaucratism problems (形式主义、官僚主义)."""

    number = models.CharField("编号", max_length=24, unique=True)
    problem = models.TextField("问题")
    unit = models.ForeignKey(
        ORG, verbose_name="责任单位", on_delete=models.PROTECT, related_name="+"
    )
    # A task pushed down without guidance that failed: the guiding unit answers for it.
    guiding_unit = models.ForeignKey(
        ORG,
        verbose_name="指导单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        "状态", max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    outcome = models.TextField("处理结果", blank=True)
    opened_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField("立案时间")
    concluded_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        verbose_name = "形式主义官僚主义问题"
        verbose_name_plural = "形式主义官僚主义问题"
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return self.number


class CaseEvidence(models.Model):
    """What a case rests on: a call of the calls app, a task, an assessment, or a note."""

    case = models.ForeignKey(FormalismCase, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField("类型", max_length=24, choices=EvidenceKind.choices)
    call = models.ForeignKey(
        "calls.Call", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    task = models.ForeignKey(
        ReportingTask, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assessment = models.ForeignKey(
        Assessment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "问题证据"
        verbose_name_plural = "问题证据"

    def __str__(self) -> str:
        return f"{self.case} {self.get_kind_display()}"


class AccountablePerson(models.Model):
    """A person held accountable in a case (names are synthetic in the demo)."""

    case = models.ForeignKey(FormalismCase, on_delete=models.CASCADE, related_name="people")
    name = models.CharField("姓名", max_length=50)
    position = models.CharField("职务", max_length=80)
    level = models.CharField("级别", max_length=12, choices=AccountabilityLevel.choices)
    measure = models.CharField("处理方式", max_length=24, choices=AccountabilityMeasure.choices)
    decided_at = models.DateField("处理日期")

    class Meta:
        verbose_name = "被问责人员"
        verbose_name_plural = "被问责人员"
        indexes = [models.Index(fields=["decided_at"], name="accountable_day_idx")]

    def __str__(self) -> str:
        return self.name
