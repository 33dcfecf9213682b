"""Sensing data: the registry (rivers, stations, enterprises, devices and their sensors, cameras),
the readings as they arrive, rules, alarms with their events, daily water classes, video events.

Readings are stored one row per device, data kind and time (`Sample`): the parameters one packet
carries for that time sit together in `readings` (compact JSON). A logical reading is
(device, parameter, time, value, flag); keeping a packet's readings in one row lets a 2-core
machine store 100,000 readings a second and makes a resend the same row (stored once).
"""

from django.db import models

from huying.sensing.choices import (
    AlarmEventKind,
    AlarmStatus,
    Comparison,
    DeviceKind,
    Door,
    EscalationLevel,
    RiskColour,
    RuleKind,
    SampleKind,
    SectionLevel,
    SensorKind,
    Severity,
    StationKind,
    VideoEventStatus,
    VideoSource,
    WaterBody,
)

ORG = "orgs.Org"


class River(models.Model):
    """A river or creek (河涌) of the district; its monitoring points are `Station`s."""

    code = models.CharField("编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=60)
    water_body = models.CharField(
        "水体类型", max_length=8, choices=WaterBody.choices, default=WaterBody.RIVER
    )
    length_km = models.DecimalField("长度（千米）", max_digits=7, decimal_places=2, null=True)
    towns = models.ManyToManyField(ORG, verbose_name="流经镇街", blank=True, related_name="+")

    class Meta:
        verbose_name = "河涌"
        verbose_name_plural = "河涌"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Station(models.Model):
    """A water-quality monitoring station: an assessment section (考核断面, with its target
    class) or a monitoring point on a river."""

    code = models.CharField("编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=80)
    kind = models.CharField("类型", max_length=8, choices=StationKind.choices)
    section_level = models.CharField(
        "考核级别", max_length=12, choices=SectionLevel.choices, blank=True
    )
    target_class = models.PositiveSmallIntegerField("目标水质类别", null=True, blank=True)
    river = models.ForeignKey(
        River, verbose_name="河涌", on_delete=models.PROTECT, related_name="stations"
    )
    town = models.ForeignKey(
        ORG, verbose_name="所在镇街", on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        ORG, verbose_name="责任部门", on_delete=models.PROTECT, related_name="+"
    )
    lat = models.DecimalField("纬度", max_digits=9, decimal_places=6)
    lon = models.DecimalField("经度", max_digits=9, decimal_places=6)
    depth_cm = models.PositiveIntegerField("水深（厘米）", null=True, blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "水质监测站点"
        verbose_name_plural = "水质监测站点"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Enterprise(models.Model):
    """A key enterprise (重点企业) under safety monitoring; `risk` is kept by the alarm code."""

    code = models.CharField("统一社会信用代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100)
    address = models.CharField("地址", max_length=200, blank=True)
    town = models.ForeignKey(
        ORG, verbose_name="所在镇街", on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        ORG, verbose_name="监管部门", on_delete=models.PROTECT, related_name="+"
    )
    lat = models.DecimalField("纬度", max_digits=9, decimal_places=6)
    lon = models.DecimalField("经度", max_digits=9, decimal_places=6)
    contact_name = models.CharField("安全负责人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=30, blank=True)
    risk = models.CharField("风险等级", max_length=8, choices=RiskColour.choices, default="blue")
    risk_changed_at = models.DateTimeField("风险等级更新时间", null=True, blank=True)

    class Meta:
        verbose_name = "重点企业"
        verbose_name_plural = "重点企业"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Device(models.Model):
    """Anything that sends data: a water analyser at a station, an enterprise's safety
    gateway, a camera (its analyser posts video events). Its identity on each door: the HJ 212
    MN and password, the MQTT client name, a token (hashed) for HTTP and MQTT."""

    code = models.CharField("设备编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=10, choices=DeviceKind.choices)
    door = models.CharField("接入方式", max_length=8, choices=Door.choices, default=Door.HJ212)
    station = models.ForeignKey(
        Station,
        verbose_name="监测站点",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="devices",
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name="企业",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="devices",
    )
    town = models.ForeignKey(
        ORG, verbose_name="所在镇街", on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        ORG, verbose_name="责任部门", on_delete=models.PROTECT, related_name="+"
    )
    lat = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    lon = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    address = models.CharField("位置", max_length=200, blank=True)
    mn = models.CharField(
        "HJ 212 设备唯一标识（MN）", max_length=32, null=True, blank=True, unique=True
    )
    hj212_password = models.CharField("HJ 212 访问密码（PW）", max_length=16, blank=True)
    mqtt_client = models.CharField(
        "MQTT 客户端标识", max_length=64, null=True, blank=True, unique=True
    )
    gb28181_id = models.CharField(
        "GB/T 28181 设备编码", max_length=20, null=True, blank=True, unique=True
    )
    # sha256 of the device token (HTTP uploads, MQTT password); the token is shown once.
    token_hash = models.CharField("令牌摘要", max_length=64, blank=True, db_index=True)
    is_active = models.BooleanField("启用", default=True)
    last_seen_at = models.DateTimeField("最近数据时间", null=True, blank=True)

    class Meta:
        verbose_name = "感知设备"
        verbose_name_plural = "感知设备"
        ordering = ["code"]
        indexes = [
            # The no-data sweep: active devices not heard from since a time.
            models.Index(fields=["is_active", "last_seen_at"], name="device_silence_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class Sensor(models.Model):
    """One measured quantity of a device (a parameter code in its packets), with the gas alarm
    set points where it is a gas detector (GB/T 50493: never above 25/50 %LEL, 100/200 %OEL)."""

    device = models.ForeignKey(
        Device, verbose_name="设备", on_delete=models.CASCADE, related_name="sensors"
    )
    code = models.CharField("参数编码", max_length=24)
    kind = models.CharField("类型", max_length=12, choices=SensorKind.choices)
    name = models.CharField("名称", max_length=80)
    unit = models.CharField("单位", max_length=16, blank=True)
    level1 = models.FloatField("一级报警设定值", null=True, blank=True)
    level2 = models.FloatField("二级报警设定值", null=True, blank=True)

    class Meta:
        verbose_name = "传感器"
        verbose_name_plural = "传感器"
        constraints = [
            models.UniqueConstraint(fields=["device", "code"], name="sensor_code_per_device")
        ]

    def __str__(self) -> str:
        return f"{self.device} {self.name}"


class Sample(models.Model):
    """The readings one device sent for one time and data kind: {"w01018": [231.0, "N"], ...}.

    Written only by sensing.store (one INSERT per batch, resends ignored by the primary key);
    kept for SENSING_KEEP_DAYS and rolled into daily Parquet partitions for history."""

    pk = models.CompositePrimaryKey("device_id", "kind", "time")
    # No database-level foreign key: the hot path must not pay a lookup per row.
    device = models.ForeignKey(
        Device,
        verbose_name="设备",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # the primary key starts with the device
    )
    kind = models.PositiveSmallIntegerField("数据类型", choices=SampleKind.choices)
    time = models.DateTimeField("数据时间")
    readings = models.TextField("读数")
    door = models.CharField("接入方式", max_length=8, choices=Door.choices)
    received_at = models.DateTimeField("接收时间")

    class Meta:
        verbose_name = "监测数据"
        verbose_name_plural = "监测数据"
        # No index beyond the primary key: every index slows the hot path. The roll-up and the
        # retention sweep read per device (a primary-key range), not the whole table by time.

    def __str__(self) -> str:
        return f"{self.device_id} {self.time:%Y-%m-%d %H:%M:%S}"


class Rule(models.Model):
    """A rule is data (edited in the admin): what to watch, when it alarms, whether it calls.

    It applies to the devices of `device_kind`, narrowed to one `device` or one `station` when
    given. `parameter` is a code in the readings (threshold, gas level); `clear_value` is the
    hysteresis: the alarm clears only on the safe side of it."""

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=12, choices=RuleKind.choices)
    device_kind = models.CharField("设备类型", max_length=10, choices=DeviceKind.choices)
    device = models.ForeignKey(
        Device, verbose_name="仅限设备", null=True, blank=True, on_delete=models.CASCADE
    )
    station = models.ForeignKey(
        Station, verbose_name="仅限站点", null=True, blank=True, on_delete=models.CASCADE
    )
    parameter = models.CharField("参数编码", max_length=24, blank=True)
    comparison = models.CharField(
        "比较", max_length=6, choices=Comparison.choices, default=Comparison.ABOVE
    )
    threshold = models.FloatField("阈值", null=True, blank=True)
    clear_value = models.FloatField("解除值（回差）", null=True, blank=True)
    duration_seconds = models.PositiveIntegerField("持续时长（秒）", default=0)
    silence_minutes = models.PositiveIntegerField("无数据时长（分钟）", null=True, blank=True)
    severity = models.PositiveSmallIntegerField(
        "严重程度", choices=Severity.choices, default=Severity.MINOR
    )
    escalate_town_minutes = models.PositiveIntegerField("未确认多久上报镇街（分钟）", default=15)
    escalate_district_minutes = models.PositiveIntegerField(
        "未确认多久上报区直部门（分钟）", default=30
    )
    dispatch = models.BooleanField("产生告警时转为呼叫", default=False)
    dispatch_matter = models.ForeignKey(
        "calls.Matter",
        verbose_name="呼叫事项",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_active = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "告警规则"
        verbose_name_plural = "告警规则"
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class RuleState(models.Model):
    """Where a duration rule stands for one device: since when the condition has held.
    Written only when that changes, so steady readings cost no write."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="+")
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="+")
    holding_since = models.DateTimeField("条件成立起始", null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rule", "device"], name="rulestate_one_per_device")
        ]

    def __str__(self) -> str:
        return f"{self.rule_id}/{self.device_id}"


class Alarm(models.Model):
    """A rule's finding for one device, with its lifecycle; repeats update the open one."""

    rule = models.ForeignKey(Rule, verbose_name="规则", on_delete=models.PROTECT)
    device = models.ForeignKey(Device, verbose_name="设备", on_delete=models.PROTECT)
    status = models.CharField("状态", max_length=12, choices=AlarmStatus.choices)
    severity = models.PositiveSmallIntegerField("严重程度", choices=Severity.choices)
    title = models.CharField("告警内容", max_length=200)
    parameter = models.CharField("参数编码", max_length=24, blank=True)
    value = models.FloatField("触发值", null=True, blank=True)
    raised_at = models.DateTimeField("产生时间")
    last_seen_at = models.DateTimeField("最近一次触发")
    repeats = models.PositiveIntegerField("重复次数", default=0)
    # When the packet that raised it arrived: the arrival-to-alarm latency is measured from it.
    received_at = models.DateTimeField("触发数据接收时间", null=True, blank=True)
    escalation = models.PositiveSmallIntegerField(
        "上报层级", choices=EscalationLevel.choices, default=EscalationLevel.SITE
    )
    # The escalation sweep's one consumer column: next time to escalate if unacknowledged.
    escalate_at = models.DateTimeField("下次上报时间", null=True, blank=True)
    acknowledged_at = models.DateTimeField("确认时间", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        "orgs.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cleared_at = models.DateTimeField("解除时间", null=True, blank=True)
    call = models.ForeignKey(
        "calls.Call",
        verbose_name="对应呼叫",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alarms",
    )

    class Meta:
        verbose_name = "告警"
        verbose_name_plural = "告警"
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "device"],
                condition=~models.Q(status="cleared"),
                name="alarm_one_open_per_rule_device",
            )
        ]
        indexes = [
            models.Index(fields=["status", "-raised_at"], name="alarm_status_idx"),
            # The escalation sweep: open, unacknowledged alarms due.
            models.Index(fields=["escalate_at"], name="alarm_escalate_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class AlarmEvent(models.Model):
    """Append-only history of an alarm: who did what, when."""

    alarm = models.ForeignKey(Alarm, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("事件", max_length=14, choices=AlarmEventKind.choices)
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        "orgs.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "告警事件"
        verbose_name_plural = "告警事件"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.alarm_id} {self.get_kind_display()}"


class StationDay(models.Model):
    """A station's water quality for one day: the GB 3838 class of its daily means, the deciding
    parameter, whether it is worse than the target class, and the black-odour grade."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="days")
    day = models.DateField("日期")
    water_class = models.PositiveSmallIntegerField("水质类别", null=True)
    deciding_parameter = models.CharField("定类参数", max_length=24, blank=True)
    means = models.JSONField("日均值", default=dict)
    exceeds_target = models.BooleanField("超过目标类别", default=False)
    black_odour = models.CharField("黑臭等级", max_length=8, blank=True)
    samples = models.PositiveIntegerField("样本数", default=0)
    computed_at = models.DateTimeField("计算时间")

    class Meta:
        verbose_name = "站点日水质"
        verbose_name_plural = "站点日水质"
        constraints = [
            models.UniqueConstraint(fields=["station", "day"], name="stationday_one_per_day")
        ]
        indexes = [models.Index(fields=["day"], name="stationday_day_idx")]

    def __str__(self) -> str:
        return f"{self.station_id} {self.day}"


class IngestTally(models.Model):
    """Counts per day, door and outcome ("accepted", "crc", "unknown_cn:3020", ...), flushed by
    the ingest processes every few seconds: rejected packets and unknown codes are counted here."""

    day = models.DateField("日期")
    door = models.CharField("接入方式", max_length=8, choices=Door.choices)
    what = models.CharField("项目", max_length=60)
    count = models.BigIntegerField("次数", default=0)

    class Meta:
        verbose_name = "接入统计"
        verbose_name_plural = "接入统计"
        constraints = [
            models.UniqueConstraint(fields=["day", "door", "what"], name="ingesttally_unique")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.door} {self.what}"


class VideoCategory(models.Model):
    """What a camera-side analyser detects: the 9 Guangzhou categories, extensible in the admin."""

    code = models.CharField("编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=40)
    description = models.CharField("说明", max_length=200, blank=True)
    dedup_minutes = models.PositiveIntegerField("合并窗口（分钟）", default=30)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "视频分析类别"
        verbose_name_plural = "视频分析类别"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class VideoEvent(models.Model):
    """Detections of one category at one camera within the window, reviewed by an operator."""

    camera = models.ForeignKey(Device, verbose_name="摄像机", on_delete=models.PROTECT)
    category = models.ForeignKey(VideoCategory, verbose_name="类别", on_delete=models.PROTECT)
    status = models.CharField(
        "状态", max_length=10, choices=VideoEventStatus.choices, default=VideoEventStatus.PENDING
    )
    first_at = models.DateTimeField("首次抓拍")
    last_at = models.DateTimeField("最近抓拍")
    detections = models.PositiveIntegerField("抓拍次数", default=1)
    confidence = models.FloatField("最高置信度")
    snapshot = models.FileField("抓拍图片", upload_to="video/%Y/%m/%d/", blank=True)
    box = models.JSONField("目标框", default=list, blank=True)
    source = models.CharField("来源", max_length=8, choices=VideoSource.choices)
    reviewed_at = models.DateTimeField("研判时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        "orgs.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_note = models.CharField("研判说明", max_length=300, blank=True)
    call = models.ForeignKey(
        "calls.Call",
        verbose_name="对应呼叫",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="video_events",
    )

    class Meta:
        verbose_name = "视频分析事件"
        verbose_name_plural = "视频分析事件"
        ordering = ["-last_at"]
        indexes = [
            # The review queue and the de-duplication lookup (camera, category, pending, recent).
            models.Index(fields=["status", "-last_at"], name="videoevent_queue_idx"),
            models.Index(fields=["camera", "category", "-last_at"], name="videoevent_dedup_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.camera} {self.category}"


class VideoDetection(models.Model):
    """One detection as the analyser sent it (kept for the camera's history)."""

    event = models.ForeignKey(VideoEvent, on_delete=models.CASCADE, related_name="detection_rows")
    at = models.DateTimeField("抓拍时间")
    confidence = models.FloatField("置信度")
    snapshot = models.FileField("抓拍图片", upload_to="video/%Y/%m/%d/", blank=True)
    box = models.JSONField("目标框", default=list, blank=True)

    class Meta:
        verbose_name = "视频抓拍记录"
        verbose_name_plural = "视频抓拍记录"
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.event_id} {self.at:%Y-%m-%d %H:%M:%S}"
