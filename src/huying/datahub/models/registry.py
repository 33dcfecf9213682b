"""The registry linkage builds: residents (实有人口) and dwellings, each value with where it
came from, and the link from every loaded person record to its resident."""

from django.db import models

from huying.datahub.choices import LinkageMode, OccupancyBasis, RunStatus, Source


class LinkageRun(models.Model):
    """One run of `huying datahub link` (or the worker's incremental run after a load)."""

    mode = models.CharField("方式", max_length=16, choices=LinkageMode.choices)
    status = models.CharField(
        "状态", max_length=16, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    model_version = models.PositiveIntegerField("模型版本", null=True, blank=True)
    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    stage = models.CharField("当前步骤", max_length=100, blank=True)
    records = models.PositiveBigIntegerField("记录数", default=0)
    residents = models.PositiveBigIntegerField("人员数", default=0)
    new_residents = models.PositiveBigIntegerField("新增人员", default=0)
    # Thresholds, timings and, where a truth is known (bench, tests), precision and recall.
    figures = models.JSONField("指标", default=dict, blank=True)

    class Meta:
        verbose_name = "链接运行"
        verbose_name_plural = "链接运行"
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"第 {self.pk} 次链接（{self.get_status_display()}）"


class Resident(models.Model):
    """A person as the hub knows them, linked across sources. The id is stable across runs.

    Each field holds the best value the sources give; `provenance` says, per field, which
    source, load, record and date it came from: {"phone": {"source": …, "load": 3,
    "key": "P12", "as_of": "2026-11-20"}}.
    """

    name = models.CharField("姓名", max_length=50, db_index=True)
    name_pinyin = models.CharField("姓名拼音", max_length=120, db_index=True)
    id_number = models.CharField("身份证号", max_length=18, blank=True, db_index=True)
    id_number_valid = models.BooleanField("身份证号有效", default=False)
    gender = models.CharField("性别", max_length=2, blank=True)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    phone = models.CharField("电话", max_length=20, blank=True, db_index=True)
    hukou_address = models.CharField("户籍地址", max_length=200, blank=True)
    current_address = models.CharField("现住地址", max_length=200, blank=True)
    employer = models.CharField("工作单位", max_length=200, blank=True)
    dwelling = models.ForeignKey(
        "datahub.Dwelling",
        verbose_name="现住出租屋",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    town = models.ForeignKey(
        "orgs.Org", verbose_name="镇街", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    village = models.ForeignKey(
        "orgs.Org", verbose_name="村社", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    provenance = models.JSONField("来源", default=dict, blank=True)
    record_count = models.PositiveIntegerField("记录数", default=0)
    first_run = models.ForeignKey(
        LinkageRun, verbose_name="首次出现", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "实有人口"
        verbose_name_plural = "实有人口"

    def __str__(self) -> str:
        return self.name


class ResidentRecord(models.Model):
    """Which resident a loaded person record belongs to, and how sure linkage was."""

    source = models.CharField("数据源", max_length=32, choices=Source.choices)
    source_key = models.CharField("源记录编号", max_length=100)
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="records")
    match_probability = models.FloatField("匹配概率", null=True, blank=True)
    run = models.ForeignKey(LinkageRun, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "人员来源记录"
        verbose_name_plural = "人员来源记录"
        constraints = [
            models.UniqueConstraint(fields=["source", "source_key"], name="datahub_one_link")
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.source_key}"


class Dwelling(models.Model):
    """A rental dwelling (出租屋), from the rental-housing system, matched by its code."""

    code = models.CharField("出租屋编码", max_length=64, unique=True)
    address = models.CharField("地址", max_length=200)
    town = models.ForeignKey(
        "orgs.Org", verbose_name="镇街", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    village = models.ForeignKey(
        "orgs.Org", verbose_name="村社", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    owner_name = models.CharField("房东姓名", max_length=50, blank=True)
    owner_id_number = models.CharField("房东身份证号", max_length=18, blank=True)
    owner_phone = models.CharField("房东电话", max_length=20, blank=True)
    rooms = models.PositiveIntegerField("房间数", null=True, blank=True)
    max_occupants = models.PositiveIntegerField("核定人数", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    lon = models.FloatField("经度", null=True, blank=True)
    occupants = models.PositiveIntegerField("当前居住人数", default=0)
    load_id = models.PositiveBigIntegerField("来源批次")
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "出租屋"
        verbose_name_plural = "出租屋"
        indexes = [
            # patrol.stays: a stop is matched to the dwellings in a small lat/lon box around it.
            models.Index(fields=["lat", "lon"], name="dwelling_position_idx"),
        ]

    def __str__(self) -> str:
        return self.address


class Occupancy(models.Model):
    """A person living in a dwelling today, and the record that says so."""

    dwelling = models.ForeignKey(Dwelling, on_delete=models.CASCADE, related_name="occupancies")
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="occupancies")
    basis = models.CharField("依据", max_length=16, choices=OccupancyBasis.choices)
    source_key = models.CharField("依据记录", max_length=100)
    valid_until = models.DateTimeField("有效期至", null=True, blank=True)

    class Meta:
        verbose_name = "居住关系"
        verbose_name_plural = "居住关系"
        constraints = [
            models.UniqueConstraint(
                # Not "datahub_occupancy": PostgreSQL names the index after the constraint,
                # and that is the table's own name.
                fields=["dwelling", "resident", "basis", "source_key"],
                name="datahub_one_occupancy",
            )
        ]

    def __str__(self) -> str:
        return f"{self.basis}:{self.source_key}"
