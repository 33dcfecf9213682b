"""Loads: one extract folder each, and the provenance every stored record points at."""

from django.conf import settings
from django.db import models

from huying.datahub.choices import LoadOrigin, LoadStatus, Source


class Load(models.Model):
    """One extract folder, loaded all-or-nothing; the provenance every record points at."""

    status = models.CharField(
        "状态", max_length=16, choices=LoadStatus.choices, default=LoadStatus.QUEUED
    )
    origin = models.CharField("来源方式", max_length=16, choices=LoadOrigin.choices)
    folder = models.CharField("文件夹", max_length=500)
    label = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="导入人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("提交时间")
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    # Progress for the page while a large load runs in the background.
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    stage = models.CharField("当前步骤", max_length=100, blank=True)
    # The first problems of a refused load: [{file, row, column, message}].
    problems = models.JSONField("问题", default=list, blank=True)
    records = models.PositiveBigIntegerField("记录数", default=0)
    changed = models.PositiveBigIntegerField("新增或变更", default=0)

    class Meta:
        verbose_name = "数据导入批次"
        verbose_name_plural = "数据导入批次"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"第 {self.pk} 批（{self.get_status_display()}）"


class LoadFile(models.Model):
    """One source's extract inside a load, with what it added and what was found in it."""

    load = models.ForeignKey(Load, on_delete=models.CASCADE, related_name="files")
    source = models.CharField("数据源", max_length=32, choices=Source.choices)
    filename = models.CharField("文件名", max_length=200)
    sha256 = models.CharField("文件摘要", max_length=64)
    rows = models.PositiveBigIntegerField("行数", default=0)
    new = models.PositiveBigIntegerField("新增", default=0)
    changed = models.PositiveBigIntegerField("变更", default=0)
    unchanged = models.PositiveBigIntegerField("未变", default=0)
    # Counts of identity and phone findings by code, e.g. {"checksum": 12, "phone": 3}.
    findings = models.JSONField("校验发现", default=dict, blank=True)

    class Meta:
        verbose_name = "导入文件"
        verbose_name_plural = "导入文件"
        constraints = [
            models.UniqueConstraint(fields=["load", "source"], name="datahub_one_file_per_source")
        ]

    def __str__(self) -> str:
        return self.filename
