from django.db import models
from django.utils.translation import gettext_lazy as _


class WaterBody(models.TextChoices):
    """GB 3838 limits differ for total phosphorus (and nitrogen) between the two."""

    RIVER = "river", _("河流")
    LAKE = "lake", _("湖库")


class StationKind(models.TextChoices):
    SECTION = "section", _("考核断面")
    POINT = "point", _("河涌监测点")


class SectionLevel(models.TextChoices):
    NATIONAL = "national", _("国考")
    PROVINCIAL = "provincial", _("省考")


class DeviceKind(models.TextChoices):
    WATER_ANALYSER = "water", _("水质自动监测仪")
    ENTERPRISE_GATEWAY = "gateway", _("企业安全监测采集仪")
    CAMERA = "camera", _("视频监控摄像机")


class Door(models.TextChoices):
    """The way a device sends its readings (all three end in the same pipeline)."""

    HJ212 = "hj212", _("HJ 212（TCP）")
    MQTT = "mqtt", _("MQTT")
    HTTP = "http", _("HTTP")


class SensorKind(models.TextChoices):
    COMBUSTIBLE_GAS = "combustible", _("可燃气体")
    TOXIC_GAS = "toxic", _("有毒气体")
    TEMPERATURE = "temperature", _("温度")
    PRESSURE = "pressure", _("压力")
    LEVEL = "level", _("液位")
    WATER = "water", _("水质参数")


class SampleKind(models.IntegerChoices):
    """HJ 212 data kinds: CN 2011 real-time, 2051 minute, 2061 hourly, 2031 daily."""

    RTD = 1, _("实时数据")
    MINUTE = 2, _("分钟数据")
    HOUR = 3, _("小时数据")
    DAY = 4, _("日数据")


class RuleKind(models.TextChoices):
    THRESHOLD = "threshold", _("阈值（持续时长、回差）")
    NO_DATA = "no_data", _("数据中断")
    GAS_LEVEL = "gas_level", _("气体报警（一级、二级）")
    WATER_CLASS = "water_class", _("水质类别超标")
    BLACK_ODOUR = "black_odour", _("黑臭水体")


class Comparison(models.TextChoices):
    ABOVE = "above", _("高于")
    BELOW = "below", _("低于")


class Severity(models.IntegerChoices):
    """Alarm severity: 1 is the most serious (the gas level-2 alarm, a pollution event)."""

    CRITICAL = 1, _("一级（严重）")
    MAJOR = 2, _("二级（较重）")
    MINOR = 3, _("三级（一般）")
    NOTICE = 4, _("四级（提示）")


class AlarmStatus(models.TextChoices):
    ACTIVE = "active", _("告警中")
    ACKNOWLEDGED = "acknowledged", _("已确认")
    CLEARED = "cleared", _("已解除")


class EscalationLevel(models.IntegerChoices):
    """Who an unacknowledged alarm is with: the enterprise, then the town, then the district."""

    SITE = 0, _("企业（站点）")
    TOWN = 1, _("镇街")
    DISTRICT = 2, _("区直部门")


class AlarmEventKind(models.TextChoices):
    RAISED = "raised", _("产生告警")
    RAISED_LEVEL = "raised_level", _("告警升级（级别提高）")
    ACKNOWLEDGED = "acknowledged", _("确认告警")
    ESCALATED = "escalated", _("未确认上报")
    DISPATCHED = "dispatched", _("转为呼叫")
    CALL_CLOSED = "call_closed", _("呼叫办结")
    CLEARED = "cleared", _("解除告警")


class RiskColour(models.TextChoices):
    RED = "red", _("红（重大风险）")
    ORANGE = "orange", _("橙（较大风险）")
    YELLOW = "yellow", _("黄（一般风险）")
    BLUE = "blue", _("蓝（低风险）")


class VideoEventStatus(models.TextChoices):
    PENDING = "pending", _("待研判")
    CONFIRMED = "confirmed", _("已确认派发")
    DISMISSED = "dismissed", _("误报")


class VideoSource(models.TextChoices):
    HTTP = "http", _("分析接口（HTTP）")
    GB28181 = "gb28181", _("GB/T 28181 报警通知")
