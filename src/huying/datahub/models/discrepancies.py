"""Discrepancies: the conflicts between sources that are real work, by village, for the
inspectors (the patrol app visits them), each with its trail of state changes."""

from django.conf import settings
from django.db import models

from huying.datahub.choices import DiscrepancyKind, DiscrepancyState


class Discrepancy(models.Model):
    kind = models.CharField("类型", max_length=32, choices=DiscrepancyKind.choices)
    state = models.CharField(
        "状态", max_length=16, choices=DiscrepancyState.choices, default=DiscrepancyState.OPEN
    )
    # One open item per subject: the detector updates it instead of opening another.
    subject = models.CharField("对象", max_length=120)
    summary = models.CharField("说明", max_length=300)
    evidence = models.JSONField("依据", default=dict, blank=True)
    town = models.ForeignKey(
        "orgs.Org", verbose_name="镇街", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    village = models.ForeignKey(
        "orgs.Org", verbose_name="村社", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    resident = models.ForeignKey(
        "datahub.Resident", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dwelling = models.ForeignKey(
        "datahub.Dwelling", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField("发现时间")
    updated_at = models.DateTimeField("更新时间")
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)

    class Meta:
        verbose_name = "数据差异"
        verbose_name_plural = "数据差异"
        ordering = ["-opened_at", "-id"]
        indexes = [
            # The work list: open items of one village, newest first.
            models.Index(fields=["village", "state", "-opened_at"], name="discrepancy_worklist"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject"],
                condition=models.Q(state__in=["open", "confirmed"]),
                name="datahub_one_open_discrepancy",
            )
        ]

    def __str__(self) -> str:
        return self.summary


class DiscrepancyEvent(models.Model):
    """Append-only: every change of a discrepancy's state, who made it and why."""

    discrepancy = models.ForeignKey(Discrepancy, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    from_state = models.CharField("原状态", max_length=16, blank=True)
    to_state = models.CharField("新状态", max_length=16)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "差异处理记录"
        verbose_name_plural = "差异处理记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_state or '—'} → {self.to_state}"
