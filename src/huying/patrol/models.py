"""The inspector's patrol: areas, day plans, visits with what was found, tracks and stops.

Households are the hub's dwellings (datahub.Dwelling) and occupants its residents; what an
inspector confirms or corrects goes back to the hub as a source of its own (`inspection`).
"""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models

from huying.patrol.choices import ItemStatus, OccupantOutcome, PlanReason, VisitOrigin


class PatrolArea(models.Model):
    """Where an inspector patrols (villages, or a list of dwellings, or both) and who
    supervises them (they may add to and reassign the plan, and see the tracks)."""

    inspector = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="巡查员",
        on_delete=models.CASCADE,
        related_name="patrol_area",
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="带班负责人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervised_areas",
    )
    villages = models.ManyToManyField("orgs.Org", verbose_name="责任村社", blank=True)
    dwellings = models.ManyToManyField("datahub.Dwelling", verbose_name="责任出租屋", blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "巡查责任区"
        verbose_name_plural = "巡查责任区"

    def __str__(self) -> str:
        return str(self.inspector)


class DayPlan(models.Model):
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="巡查员",
        on_delete=models.CASCADE,
        related_name="day_plans",
    )
    day = models.DateField("日期")
    made_at = models.DateTimeField("生成时间")

    class Meta:
        verbose_name = "巡查日计划"
        verbose_name_plural = "巡查日计划"
        constraints = [
            models.UniqueConstraint(fields=["inspector", "day"], name="dayplan_one_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.inspector} {self.day}"


class PlanItem(models.Model):
    """One household on a day's plan, with why it is there and where it ranks."""

    plan = models.ForeignKey(DayPlan, on_delete=models.CASCADE, related_name="items")
    dwelling = models.ForeignKey(
        "datahub.Dwelling", verbose_name="出租屋", on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField("列入原因", max_length=20, choices=PlanReason.choices)
    rank = models.PositiveIntegerField("顺序")
    discrepancy = models.ForeignKey(
        "datahub.Discrepancy",
        verbose_name="数据疑点",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="指派人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField("说明", max_length=200, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=ItemStatus.choices, default=ItemStatus.PENDING
    )
    visit = models.ForeignKey(
        "Visit", null=True, blank=True, on_delete=models.SET_NULL, related_name="plan_items"
    )

    class Meta:
        verbose_name = "计划户"
        verbose_name_plural = "计划户"
        ordering = ["plan", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "dwelling"], name="planitem_once_per_plan"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} #{self.rank}"


class Visit(models.Model):
    """An inspector's visit to a household: entered on the page (perhaps offline first), sent
    by a patrol device, or recognised from a stop on the track. `key` makes a resend a no-op."""

    key = models.UUIDField("幂等键", default=uuid.uuid4, unique=True)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="巡查员",
        on_delete=models.PROTECT,
        related_name="visits",
    )
    dwelling = models.ForeignKey(
        "datahub.Dwelling", verbose_name="出租屋", on_delete=models.PROTECT, related_name="visits"
    )
    visited_at = models.DateTimeField("巡查时间")
    recorded_at = models.DateTimeField("入库时间")
    origin = models.CharField("来源", max_length=10, choices=VisitOrigin.choices)
    checklist = models.JSONField("安全检查", default=dict, blank=True)
    notes = models.TextField("备注", blank=True)
    # findings.found_problem of the checklist and occupants, stored so that the revisit reason
    # (plan_selectors.revisits, hence the coverage page's overdue revisits) selects problem
    # visits in SQL instead of loading every dwelling's last visit with its occupants.
    # Set by visits.record_visit, the one writer (a visit and its occupants are written
    # together and never changed after: the admin shows them read only).
    found_problem = models.BooleanField("发现问题", default=False)

    class Meta:
        verbose_name = "巡查记录"
        verbose_name_plural = "巡查记录"
        indexes = [
            # Coverage and the dwelling's history: visits per inspector or dwelling by time.
            models.Index(fields=["inspector", "visited_at"], name="visit_inspector_idx"),
            models.Index(fields=["dwelling", "visited_at"], name="visit_dwelling_idx"),
            # plan_selectors.revisits: problem visits old enough to revisit (a few per cent).
            models.Index(
                fields=["visited_at", "dwelling"],
                condition=models.Q(found_problem=True),
                name="visit_problem_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dwelling_id} {self.visited_at:%Y-%m-%d %H:%M}"


class VisitOccupant(models.Model):
    """What the inspector found of one occupant: the hub's resident confirmed, corrected or
    gone, or a new occupant. The corrected details travel to the hub as an inspection record."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="occupants")
    resident = models.ForeignKey(
        "datahub.Resident",
        verbose_name="实有人口",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    outcome = models.CharField("核查结果", max_length=10, choices=OccupantOutcome.choices)
    name = models.CharField("姓名", max_length=50, blank=True)
    id_number = models.CharField("身份证号", max_length=18, blank=True)
    phone = models.CharField("手机号", max_length=20, blank=True)
    details = models.JSONField("更正内容", default=dict, blank=True)

    class Meta:
        verbose_name = "核查住户"
        verbose_name_plural = "核查住户"

    def __str__(self) -> str:
        return f"{self.visit_id} {self.get_outcome_display()}"


def photo_path(instance: "VisitPhoto", filename: str) -> str:
    # A random name: the phone's file name is never used as a path.
    suffix = PurePath(filename).suffix.lower()[:8]
    return f"patrol/{instance.uploaded_at:%Y/%m}/{uuid.uuid4().hex}{suffix}"


class VisitPhoto(models.Model):
    """A photo of the safety check: uploaded first (perhaps resent after a lost signal: `key`
    makes that a no-op), then bound to the visit that names it."""

    key = models.UUIDField("幂等键", unique=True)
    visit = models.ForeignKey(
        Visit, null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )
    file = models.FileField("照片", upload_to=photo_path, max_length=200)
    content_type = models.CharField("类型", max_length=50)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = "巡查照片"
        verbose_name_plural = "巡查照片"
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.visit_id} {self.pk}"


class TrackPoint(models.Model):
    """One position of an inspector on patrol (sensitive personal information: retained for
    `HUYING_PATROL_TRACK_RETENTION_DAYS`, seen by the inspector, their supervisor and the
    command centre only). A resent position is stored once."""

    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="track_points"
    )
    at = models.DateTimeField("定位时间")
    lat = models.FloatField("纬度")
    lon = models.FloatField("经度")
    accuracy_m = models.FloatField("精度（米）", null=True, blank=True)
    received_at = models.DateTimeField("接收时间")

    class Meta:
        verbose_name = "轨迹点"
        verbose_name_plural = "轨迹点"
        constraints = [
            models.UniqueConstraint(fields=["inspector", "at"], name="trackpoint_once"),
        ]

    def __str__(self) -> str:
        return f"{self.inspector_id} {self.at:%H:%M:%S}"


class StayPoint(models.Model):
    """A stop recognised on a track (within about 30 m for at least 2 minutes, settings),
    matched to the nearest dwelling; a stop at a dwelling counts as a visit."""

    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stay_points"
    )
    started_at = models.DateTimeField("开始")
    ended_at = models.DateTimeField("结束")
    lat = models.FloatField("纬度")
    lon = models.FloatField("经度")
    points = models.PositiveIntegerField("轨迹点数")
    dwelling = models.ForeignKey(
        "datahub.Dwelling",
        verbose_name="最近的出租屋",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    distance_m = models.FloatField("距离（米）", null=True, blank=True)
    visit = models.ForeignKey(
        Visit, null=True, blank=True, on_delete=models.SET_NULL, related_name="stays"
    )

    class Meta:
        verbose_name = "停留点"
        verbose_name_plural = "停留点"
        constraints = [
            models.UniqueConstraint(fields=["inspector", "started_at"], name="staypoint_once"),
        ]

    def __str__(self) -> str:
        return f"{self.inspector_id} {self.started_at:%H:%M}–{self.ended_at:%H:%M}"
