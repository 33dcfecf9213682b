"""The lookup log (查询记录): every time a person's data is shown, sent or exported, who did it,
for which unit, why, which fields went out, and which residents it concerned. A resident's
page reads it back as 谁查看过."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessVia(models.TextChoices):
    PAGE = "page", _("页面")
    API = "api", _("接口")
    EXPORT = "export", _("导出")


class AccessKind(models.TextChoices):
    """What kind of look it was (the via says through what)."""

    VIEW = "view", _("查看")
    REVEAL = "reveal", _("显示完整号码")
    SEARCH = "search", _("搜索")
    EXPORT = "export", _("导出")


class PersonAccess(models.Model):
    """Append-only. One row per look: a detail page, a reveal, a search, an export; the
    residents it concerned are its subjects (one for a page, each one returned by a search,
    every one in an export)."""

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
    kind = models.CharField("类别", max_length=8, choices=AccessKind.choices)
    residents = models.ManyToManyField(
        "datahub.Resident", verbose_name="涉及的人员", through="PersonAccessSubject",
        related_name="accesses",
    )  # fmt: skip
    purpose = models.CharField("用途", max_length=300)  # a search's query is never in it
    fields = models.JSONField("返回的数据项", default=list, blank=True)
    unmasked = models.BooleanField("含未遮蔽数据", default=False)
    via = models.CharField("途径", max_length=8, choices=AccessVia.choices)

    class Meta:
        verbose_name = "人员数据查询记录"
        verbose_name_plural = "人员数据查询记录"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_name} {self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class PersonAccessSubject(models.Model):
    """One resident one access concerned. A row per resident (not a JSON list on the access)
    so that a resident's 谁查看过 is one index range, newest first, on either database."""

    access = models.ForeignKey(PersonAccess, on_delete=models.CASCADE, related_name="subjects")
    # Indexed by `person_access_subject_log` below, which leads with it.
    resident = models.ForeignKey(
        "datahub.Resident", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    at = models.DateTimeField("时间")  # the access's, copied so the index orders by it

    class Meta:
        verbose_name = "查询记录涉及的人员"
        verbose_name_plural = "查询记录涉及的人员"
        indexes = [
            # The resident page's 谁查看过 (privacy.access_log): one resident's newest accesses.
            models.Index(fields=["resident", "-at", "-access"], name="person_access_subject_log"),
        ]

    def __str__(self) -> str:
        return f"{self.access_id}:{self.resident_id}"
