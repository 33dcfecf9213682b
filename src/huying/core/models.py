from django.conf import settings
from django.db import models

GENESIS_HASH = "0" * 64


class AuditEntry(models.Model):
    """One row of the append-only, hash-chained audit log.

    `hash` covers every other column and `prev_hash`, so editing, deleting or inserting a
    row out of order breaks the chain; `huying audit verify` walks it. Rows are written only
    by `core.audit.record`, inside the transaction of the change they describe.
    """

    seq = models.PositiveBigIntegerField("序号", unique=True)
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        # Users are deactivated, never deleted, once they have acted: the chain must not change.
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField("操作人姓名", max_length=150, blank=True)
    action = models.CharField("动作", max_length=80, db_index=True)
    object_type = models.CharField("对象类型", max_length=80, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", null=True, blank=True)
    reason = models.TextField("原因", blank=True)
    request_id = models.CharField("请求编号", max_length=64, blank=True)
    ip = models.CharField("IP 地址", max_length=64, blank=True)
    prev_hash = models.CharField("上一条哈希", max_length=64)
    hash = models.CharField("哈希", max_length=64, unique=True)

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-seq"]
        indexes = [
            # The object history panel: "what happened to this call / org / user".
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RuntimeError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("audit entries are append-only")


class AuditHead(models.Model):
    """The chain's tip, one row: serialises appends and lets `verify` see a truncated tail."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = "审计链头"
        verbose_name_plural = "审计链头"

    def __str__(self) -> str:
        return f"#{self.seq}"


class WorkerHeartbeat(models.Model):
    """Last sign of life of each background process (worker, ingest); read by /metrics."""

    name = models.CharField("进程", max_length=100, unique=True)
    kind = models.CharField("类型", max_length=30)
    pid = models.PositiveIntegerField("进程号")
    started_at = models.DateTimeField("启动时间")
    beat_at = models.DateTimeField("心跳时间")
    beats = models.PositiveBigIntegerField("心跳次数", default=0)

    class Meta:
        verbose_name = "后台进程心跳"
        verbose_name_plural = "后台进程心跳"

    def __str__(self) -> str:
        return self.name
