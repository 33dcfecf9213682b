"""The lookup log (查询记录): every time a person's data is shown, sent or exported, who did it,
for which unit, why, and which fields went out. A resident's page reads it back as 谁查看过."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessVia(models.TextChoices):
    PAGE = "page", _("页面")
    API = "api", _("接口")
    EXPORT = "export", _("导出")


class PersonAccess(models.Model):
    """Append-only. One row per resident shown on a detail page, revealed or exported; one row
    per search (the residents it returned in `resident_ids`)."""

    at = models.DateTimeField("时间")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="查询人", null=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    user_name = models.CharField("查询人姓名", max_length=150)  # frozen at the time
    org = models.ForeignKey(
        "orgs.Org", verbose_name="所属单位", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    resident = models.ForeignKey(
        "datahub.Resident", verbose_name="人员", null=True, blank=True,
        on_delete=models.CASCADE, related_name="accesses",
    )  # fmt: skip
    # A search: the residents it returned (the query itself is in `purpose`, masked).
    resident_ids = models.JSONField("返回的人员", default=list, blank=True)
    purpose = models.CharField("用途", max_length=300)
    fields = models.JSONField("返回的数据项", default=list, blank=True)
    unmasked = models.BooleanField("含未遮蔽数据", default=False)
    via = models.CharField("途径", max_length=8, choices=AccessVia.choices)

    class Meta:
        verbose_name = "人员数据查询记录"
        verbose_name_plural = "人员数据查询记录"
        ordering = ["-at", "-id"]
        indexes = [
            # The resident page's 谁查看过: the newest accesses of one resident.
            models.Index(fields=["resident", "-at"], name="person_access_log"),
        ]

    def __str__(self) -> str:
        return f"{self.user_name} {self.get_via_display()} {self.at:%Y-%m-%d %H:%M}"
