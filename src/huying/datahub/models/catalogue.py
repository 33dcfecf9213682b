"""The data catalogue (数据目录): what each department shares, field by field, and who may read
it — access requests decided by the owner department, and the grants they create."""

from django.conf import settings
from django.db import models

from huying.datahub.choices import (
    AccessPolicy,
    AccessRequestState,
    Sensitivity,
    Source,
    UpdateFrequency,
)
from huying.orgs.choices import Role


class Category(models.Model):
    """One data category (数据类目) of a department's system."""

    code = models.CharField("编码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=120)
    description = models.TextField("说明", blank=True)
    owner = models.ForeignKey(
        "orgs.Org", verbose_name="责任部门", on_delete=models.PROTECT, related_name="+"
    )
    source_system = models.CharField("来源系统", max_length=100)
    update_frequency = models.CharField("更新频率", max_length=16, choices=UpdateFrequency.choices)
    record_count = models.BigIntegerField("记录数", default=0)
    as_of = models.DateField("数据截至", null=True, blank=True)
    access_policy = models.CharField(
        "共享方式", max_length=16, choices=AccessPolicy.choices, default=AccessPolicy.ON_REQUEST
    )
    # The categories the hub itself loads: their count and date come from the loads.
    hub_source = models.CharField(
        "汇聚数据源", max_length=32, choices=Source.choices, null=True, blank=True, unique=True
    )
    is_active = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "数据类目"
        verbose_name_plural = "数据类目"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CategoryField(models.Model):
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="fields")
    name = models.CharField("字段名", max_length=64)
    label = models.CharField("中文名", max_length=64)
    meaning = models.CharField("含义", max_length=300)
    sensitivity = models.PositiveSmallIntegerField(
        "敏感级别", choices=Sensitivity.choices, default=Sensitivity.INTERNAL
    )
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "数据项"
        verbose_name_plural = "数据项"
        ordering = ["category", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["category", "name"], name="datahub_field_once")
        ]

    def __str__(self) -> str:
        return f"{self.label}（{self.name}）"


class AccessRequest(models.Model):
    """A unit asks the owner department for a category (or some of its fields)."""

    category = models.ForeignKey(
        Category, verbose_name="数据类目", on_delete=models.PROTECT, related_name="requests"
    )
    org = models.ForeignKey(
        "orgs.Org", verbose_name="申请单位", on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    purpose = models.TextField("用途")
    # Field names asked for; empty = the whole category.
    fields = models.JSONField("申请数据项", default=list, blank=True)
    state = models.CharField(
        "状态",
        max_length=16,
        choices=AccessRequestState.choices,
        default=AccessRequestState.PENDING,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审批人", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.TextField("审批意见", blank=True)
    valid_until = models.DateField("有效期至", null=True, blank=True)
    created_at = models.DateTimeField("申请时间")

    class Meta:
        verbose_name = "数据共享申请"
        verbose_name_plural = "数据共享申请"
        ordering = ["-created_at", "-id"]
        indexes = [
            # "待我审批": the pending requests of one owner's categories.
            models.Index(fields=["state", "category"], name="catalogue_request_state"),
        ]

    def __str__(self) -> str:
        return f"{self.org} 申请 {self.category.name}"


class AccessGrant(models.Model):
    """A unit (every role of it, or one role) may read a category, or some of its fields."""

    category = models.ForeignKey(
        Category, verbose_name="数据类目", on_delete=models.PROTECT, related_name="grants"
    )
    org = models.ForeignKey(
        "orgs.Org", verbose_name="获授权单位", on_delete=models.PROTECT, related_name="+"
    )
    # Blank: every role of the org.
    role = models.CharField("角色", max_length=20, choices=Role.choices, blank=True)
    fields = models.JSONField("授权数据项", default=list, blank=True)  # empty = all
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="授权人", on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    granted_at = models.DateTimeField("授权时间")
    valid_until = models.DateField("有效期至", null=True, blank=True)
    request = models.ForeignKey(
        AccessRequest, verbose_name="来自申请", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="grants",
    )  # fmt: skip
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoke_reason = models.TextField("撤销理由", blank=True)

    class Meta:
        verbose_name = "数据共享授权"
        verbose_name_plural = "数据共享授权"
        ordering = ["-granted_at", "-id"]
        indexes = [
            # may_read: the live grants of one unit on one category.
            models.Index(fields=["category", "org"], name="catalogue_grant_lookup"),
        ]

    def __str__(self) -> str:
        return f"{self.org} 可查阅 {self.category.name}"
