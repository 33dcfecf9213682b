import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import F

from huying.calls.choices import (
    OPEN_STATUSES,
    AssignmentRole,
    CallStatus,
    CaseReason,
    CaseStatus,
    Domain,
    EventKind,
    MeetingStatus,
    Source,
    Urgency,
    VillageRequestStatus,
)
from huying.calls.limits import Limit
from huying.orgs.models import Org


class LimitFields(models.Model):
    """A response limit and a resolution limit: each a duration or working days (one of two)."""

    response_seconds = models.PositiveIntegerField("响应时限（秒）", null=True, blank=True)
    response_working_days = models.PositiveSmallIntegerField(
        "响应时限（工作日）", null=True, blank=True
    )
    resolution_seconds = models.PositiveIntegerField("办结时限（秒）", null=True, blank=True)
    resolution_working_days = models.PositiveSmallIntegerField(
        "办结时限（工作日）", null=True, blank=True
    )

    class Meta:
        abstract = True

    @property
    def response_limit(self) -> Limit:
        return Limit(self.response_seconds, self.response_working_days)

    @property
    def resolution_limit(self) -> Limit:
        return Limit(self.resolution_seconds, self.resolution_working_days)


class Matter(LimitFields):
    """One entry of the special list (专项清单): what can be called for, who leads, how fast."""

    code = models.CharField("编号", max_length=32, unique=True)
    domain = models.CharField("领域", max_length=20, choices=Domain.choices)
    name = models.CharField("事项名称", max_length=100)
    description = models.TextField("说明", blank=True)
    lead_department = models.ForeignKey(
        Org, verbose_name="牵头部门", on_delete=models.PROTECT, related_name="led_matters"
    )
    co_departments = models.ManyToManyField(
        Org, verbose_name="协办部门", blank=True, related_name="co_matters"
    )
    legal_basis = models.TextField("依据", blank=True)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "清单事项"
        verbose_name_plural = "专项清单"
        ordering = ["domain", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Call(LimitFields):
    """A call (呼叫) from a town or key village to district departments.

    The current state is stored for queries and can be rebuilt from its events.
    """

    number = models.CharField("编号", max_length=32, unique=True)
    title = models.CharField("标题", max_length=120)
    description = models.TextField("情况描述")
    matter = models.ForeignKey(
        Matter, verbose_name="清单事项", null=True, blank=True, on_delete=models.PROTECT
    )
    domain = models.CharField("领域", max_length=20, choices=Domain.choices)
    urgency = models.CharField("紧急程度", max_length=12, choices=Urgency.choices)
    source = models.CharField("来源", max_length=12, choices=Source.choices, default=Source.MANUAL)
    caller_org = models.ForeignKey(
        Org, verbose_name="呼叫单位", on_delete=models.PROTECT, related_name="calls_made"
    )
    caller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="呼叫人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lead_department = models.ForeignKey(
        Org,
        verbose_name="牵头部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="calls_led",
    )
    address = models.CharField("地址", max_length=200, blank=True)
    lat = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    lon = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    status = models.CharField(
        "状态", max_length=12, choices=CallStatus.choices, default=CallStatus.CALLED
    )
    called_at = models.DateTimeField("呼叫时间")
    # When the current response clock started: the call, or the end of a return dispute.
    response_clock_from = models.DateTimeField("响应计时起点")
    response_due_at = models.DateTimeField("响应期限", null=True, blank=True)
    responded_at = models.DateTimeField("响应时间", null=True, blank=True)
    resolution_due_at = models.DateTimeField("办结期限", null=True, blank=True)
    resolved_at = models.DateTimeField("办结时间", null=True, blank=True)
    closed_at = models.DateTimeField("确认时间", null=True, blank=True)
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    redo_count = models.PositiveSmallIntegerField("重办次数", default=0)
    return_count = models.PositiveSmallIntegerField("退回次数", default=0)
    urge_level = models.PositiveSmallIntegerField("督办级别", default=0)
    event_count = models.PositiveIntegerField("事件数", default=0)
    # The alert ladder of the running clock (response, then resolution): what the sweeper
    # does next and when. See calls/ladder.py.
    alert_stage = models.PositiveSmallIntegerField("提醒阶段", default=0)
    next_alert_at = models.DateTimeField("下次提醒时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "呼叫"
        verbose_name_plural = "呼叫"
        ordering = ["-called_at"]
        indexes = [
            # The sweeper: open calls whose response deadline has passed.
            models.Index(fields=["status", "response_due_at"], name="call_response_due_idx"),
            # The sweeper: open calls whose resolution deadline has passed.
            models.Index(fields=["status", "resolution_due_at"], name="call_resolution_due_idx"),
            # The department workbench: a department's calls by state.
            models.Index(fields=["lead_department", "status"], name="call_dept_status_idx"),
            # The town workbench: a town's calls, newest first.
            models.Index(fields=["caller_org", "called_at"], name="call_caller_idx"),
            # The sweeper: calls whose next warning, urging or escalation is due.
            models.Index(fields=["next_alert_at"], name="call_next_alert_idx"),
            # The API's list of open calls (a department's workbench query), newest first:
            # a small index over the open calls only, however long the history grows.
            models.Index(
                F("called_at").desc(),
                F("id").desc(),
                condition=models.Q(status__in=OPEN_STATUSES),
                name="call_open_recent_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class CallAssignment(models.Model):
    """A department on a call: the lead or a co-department, and whether it has signed."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="assignments")
    department = models.ForeignKey(
        Org, verbose_name="部门", on_delete=models.PROTECT, related_name="call_assignments"
    )
    role = models.CharField("角色", max_length=8, choices=AssignmentRole.choices)
    signed_at = models.DateTimeField("签收时间", null=True, blank=True)
    is_active = models.BooleanField("有效", default=True)

    class Meta:
        verbose_name = "承办部门"
        verbose_name_plural = "承办部门"
        constraints = [
            models.UniqueConstraint(
                fields=["call", "department"],
                condition=models.Q(is_active=True),
                name="one_active_assignment_per_department",
            )
        ]
        indexes = [
            # Scoping: the calls addressed to a department.
            models.Index(fields=["department", "is_active"], name="assignment_dept_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.call.number} → {self.department}"


class CallEvent(models.Model):
    """One append-only step in a call's life: who, when, what, why."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField("序号")
    kind = models.CharField("事件", max_length=24, choices=EventKind.choices)
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField("操作人", max_length=150, blank=True)
    actor_org = models.ForeignKey(
        Org, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_status = models.CharField("原状态", max_length=12, blank=True)
    to_status = models.CharField("新状态", max_length=12, blank=True)
    note = models.TextField("说明", blank=True)
    data = models.JSONField("数据", default=dict, blank=True)

    class Meta:
        verbose_name = "呼叫事件"
        verbose_name_plural = "呼叫事件"
        ordering = ["call", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["call", "seq"], name="one_event_per_seq"),
        ]

    def __str__(self) -> str:
        return f"{self.call_id}#{self.seq} {self.kind}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RuntimeError("call events are append-only")
        super().save(*args, **kwargs)


class Rating(models.Model):
    """The caller's rating of the lead department when confirming (two-way evaluation)."""

    call = models.OneToOneField(Call, on_delete=models.CASCADE, related_name="rating")
    department = models.ForeignKey(
        Org, verbose_name="被评部门", on_delete=models.PROTECT, related_name="ratings"
    )
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="评价人", on_delete=models.PROTECT, related_name="+"
    )
    rated_at = models.DateTimeField("评价时间")
    satisfaction = models.PositiveSmallIntegerField("满意度")
    timeliness = models.PositiveSmallIntegerField("及时性")
    attitude = models.PositiveSmallIntegerField("服务态度")
    perfunctory = models.BooleanField("应付式响应", default=False)
    perfunctory_reason = models.TextField("应付式响应说明", blank=True)
    perfunctory_confirmed_at = models.DateTimeField("应付式响应确认时间", null=True, blank=True)

    class Meta:
        verbose_name = "评价"
        verbose_name_plural = "评价"
        indexes = [
            # Two-way evaluation: a department's ratings over a period.
            models.Index(fields=["department", "rated_at"], name="rating_dept_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.call.number} {self.satisfaction}/5"


class AccountabilityCase(models.Model):
    """A referral to the discipline commission (问责), with the call's event trail as evidence."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="accountability_cases")
    department = models.ForeignKey(
        Org,
        verbose_name="被问责部门",
        on_delete=models.PROTECT,
        related_name="accountability_cases",
    )
    reason = models.CharField("事由", max_length=20, choices=CaseReason.choices)
    status = models.CharField(
        "状态", max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    opened_at = models.DateTimeField("立案时间")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    evidence = models.JSONField("证据（事件记录）", default=list)
    outcome = models.TextField("处理结果", blank=True)
    people = models.JSONField("被问责人员", default=list, blank=True)
    closed_at = models.DateTimeField("结案时间", null=True, blank=True)

    class Meta:
        verbose_name = "问责案件"
        verbose_name_plural = "问责案件"
        ordering = ["-opened_at"]
        constraints = [
            # A call and department are referred once per reason, however often a sweep runs.
            models.UniqueConstraint(
                fields=["call", "department", "reason"], name="one_case_per_reason"
            )
        ]

    def __str__(self) -> str:
        return f"{self.call.number} {self.get_reason_display()}"


class CoordinationMeeting(models.Model):
    """A coordination meeting (协调会) on a multi-department call; see calls/meetings.py."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="meetings")
    convened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="召集人", on_delete=models.PROTECT, related_name="+"
    )
    convened_at = models.DateTimeField("召集时间")
    starts_at = models.DateTimeField("会议时间")
    place = models.CharField("地点", max_length=200)
    note = models.TextField("说明", blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    minutes = models.TextField("会议纪要", blank=True)
    held_at = models.DateTimeField("纪要时间", null=True, blank=True)
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)
    cancel_reason = models.TextField("取消原因", blank=True)

    class Meta:
        verbose_name = "协调会"
        verbose_name_plural = "协调会"
        ordering = ["call", "starts_at", "pk"]

    def __str__(self) -> str:
        return f"{self.call.number} 协调会 {self.starts_at:%Y-%m-%d %H:%M}"


class MeetingInvitation(models.Model):
    """A department invited to a coordination meeting, and when it confirmed attendance."""

    meeting = models.ForeignKey(
        CoordinationMeeting, on_delete=models.CASCADE, related_name="invitations"
    )
    department = models.ForeignKey(
        Org, verbose_name="参会部门", on_delete=models.PROTECT, related_name="meeting_invitations"
    )
    confirmed_at = models.DateTimeField("确认参会时间", null=True, blank=True)

    class Meta:
        verbose_name = "参会部门"
        verbose_name_plural = "参会部门"
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "department"], name="one_invitation_per_department"
            )
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} → {self.department}"


class ActionItem(models.Model):
    """An action agreed at a coordination meeting: a sub-task of the call with its own deadline."""

    meeting = models.ForeignKey(
        CoordinationMeeting, on_delete=models.CASCADE, related_name="action_items"
    )
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="action_items")
    description = models.TextField("事项")
    owner_department = models.ForeignKey(
        Org, verbose_name="责任部门", on_delete=models.PROTECT, related_name="action_items"
    )
    due_at = models.DateTimeField("完成期限")
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    done_note = models.TextField("完成情况", blank=True)
    # Set once by the sweeper when the due date passes undone (compare-and-swap on NULL).
    overdue_notified_at = models.DateTimeField("超期提醒时间", null=True, blank=True)

    class Meta:
        verbose_name = "协调会议定事项"
        verbose_name_plural = "协调会议定事项"
        ordering = ["due_at", "pk"]
        indexes = [
            # A department's open action items by deadline (its workbench, and overdue checks).
            models.Index(fields=["owner_department", "done_at", "due_at"], name="action_owner_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.call.number} {self.description[:20]}"


class VillageRequest(models.Model):
    """A matter raised by a village without the calling right to its town (村社上报).

    The town forwards it as its own call (the call keeps a link back) or declines it with a
    reason; the village follows the call's state from here. See calls/village_requests.py.
    """

    number = models.CharField("编号", max_length=32, unique=True)
    village = models.ForeignKey(
        Org, verbose_name="上报村社", on_delete=models.PROTECT, related_name="requests_raised"
    )
    town = models.ForeignKey(
        Org, verbose_name="所属镇街", on_delete=models.PROTECT, related_name="requests_received"
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上报人", on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField("上报时间")
    title = models.CharField("标题", max_length=120)
    description = models.TextField("情况描述")
    matter = models.ForeignKey(
        Matter, verbose_name="清单事项", null=True, blank=True, on_delete=models.PROTECT
    )
    domain = models.CharField("领域", max_length=20, choices=Domain.choices)
    urgency = models.CharField("紧急程度", max_length=12, choices=Urgency.choices)
    address = models.CharField("地址", max_length=200, blank=True)
    lat = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    lon = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    status = models.CharField(
        "状态",
        max_length=12,
        choices=VillageRequestStatus.choices,
        default=VillageRequestStatus.PENDING,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    decline_reason = models.TextField("不予转呼理由", blank=True)
    call = models.OneToOneField(
        Call,
        verbose_name="转呼的呼叫",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="village_request",
    )

    class Meta:
        verbose_name = "村社上报"
        verbose_name_plural = "村社上报"
        ordering = ["-raised_at"]
        indexes = [
            # The town workbench: requests waiting for the town, oldest first.
            models.Index(fields=["town", "status", "raised_at"], name="request_town_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    # A random name: the uploader's file name is kept in `name`, never used as a path.
    suffix = PurePath(filename).suffix.lower()[:8]
    return f"attachments/{instance.uploaded_at:%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    """A photo or document: staged by its uploader, then bound to the event (or village
    request) that carries it. Staged files nobody used are pruned by the worker."""

    file = models.FileField("文件", upload_to=attachment_path, max_length=200)
    name = models.CharField("文件名", max_length=200)
    content_type = models.CharField("类型", max_length=100)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间")
    call = models.ForeignKey(
        Call, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    event = models.ForeignKey(
        CallEvent, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    village_request = models.ForeignKey(
        VillageRequest,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["pk"]
        indexes = [
            # The worker's prune: staged uploads never bound to anything.
            models.Index(fields=["call", "village_request", "uploaded_at"], name="attachment_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class ReadGeneration(models.Model):
    """One counter that every write of calls bumps in its own transaction (`read_cache`).

    The busiest reads (workbench lists, call details) are cached per process under the
    generation they were read at; a reader that sees a newer generation reads afresh. Bumped
    beside the audit head, which every call write already locks last, so it adds no new wait.
    """

    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "读取代数"
        verbose_name_plural = "读取代数"

    def __str__(self) -> str:
        return str(self.value)
