from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models

from huying.orgs.choices import DISTRICT_WIDE_ROLES, TIER_OF_KIND, OrgKind, Role, Tier


class Org(models.Model):
    """A unit of the district: the district itself, a department, a town/street, a village.

    `path` is the chain of codes from the district down ("440111/440111001/"), kept by
    `orgs.services`; scoping filters a subtree with one `path__startswith`.
    """

    code = models.CharField("编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=40, blank=True)
    kind = models.CharField("类型", max_length=20, choices=OrgKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField("层级路径", max_length=255, unique=True, editable=False)
    is_key_village = models.BooleanField("重点村", default=False)
    has_calling_right = models.BooleanField("持有呼叫权", default=False)
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=30, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    lat = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    lon = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    sort_order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "组织单位"
        verbose_name_plural = "组织单位"
        ordering = ["path"]
        indexes = [
            # The org list filtered by level in the API and the admin.
            models.Index(fields=["kind", "sort_order"], name="org_kind_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def tier(self) -> Tier:
        return TIER_OF_KIND[OrgKind(self.kind)]

    @property
    def is_town(self) -> bool:
        return self.tier == Tier.TOWN

    @property
    def is_village(self) -> bool:
        return self.tier == Tier.VILLAGE


class User(AbstractUser):
    """A person who signs in: one org, one role."""

    full_name = models.CharField("姓名", max_length=50, blank=True)
    org = models.ForeignKey(
        Org,
        verbose_name="所属单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.CALLER)
    phone = models.CharField("手机号", max_length=20, blank=True)
    failed_login_count = models.PositiveIntegerField("连续登录失败次数", default=0)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    @property
    def sees_whole_district(self) -> bool:
        return self.role in DISTRICT_WIDE_ROLES


class ApiToken(models.Model):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    user = models.ForeignKey(
        User, verbose_name="用户", on_delete=models.CASCADE, related_name="api_tokens"
    )
    key_hash = models.CharField("令牌摘要", max_length=64, unique=True)
    prefix = models.CharField("令牌前缀", max_length=12)
    created_at = models.DateTimeField("签发时间")
    expires_at = models.DateTimeField("过期时间")
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)

    class Meta:
        verbose_name = "API 令牌"
        verbose_name_plural = "API 令牌"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
