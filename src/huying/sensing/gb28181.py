"""GB/T 28181 alarm notifications (MANSCDP `<Notify><CmdType>Alarm</CmdType>…`) as video events.

Cameras and video platforms that speak GB/T 28181 send an alarm as XML in a SIP MESSAGE (the
SIP door) or through a gateway that forwards it over HTTP; both end here. The body is GB2312 or
UTF-8 as its XML declaration says (GB 18030 decodes both GB2312 and GBK). A DOCTYPE or ENTITY is
refused before parsing, so no entity can expand (the defusedxml rule, without the dependency).

Only video alarms (AlarmMethod 5) are taken. The standard's AlarmType (motion, tripwire,
intrusion, …) does not say which urban-management violation was seen, so the category comes
from the analyser, in this order:
  1. an extension element `<Info><Category>muck_truck</Category></Info>` (a VideoCategory code);
  2. the AlarmDescription: a category code (`category=muck_truck`, or the code as a word) or a
     category's Chinese name (`余泥渣土运输`), so a category added in the admin works at once.
Confidence may come as `<Info><Confidence>0.87</Confidence>` (0–1; 1 when absent, as a
platform's alarm is itself a decision). The camera is the Device whose `gb28181_id` is DeviceID.
"""

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from huying.core.errors import Invalid, NotFound
from huying.sensing import video
from huying.sensing.choices import DeviceKind, VideoSource
from huying.sensing.models import Device, VideoCategory

VIDEO_ALARM = "5"  # AlarmMethod: 1 phone, 2 device, 3 SMS, 4 GPS, 5 video, 6 device fault, 7 other
MAX_BYTES = 64 * 1024
DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"'][^>]*\?>")
DECLARATION_TEXT = re.compile(r"^\s*<\?xml[^>]*\?>")
FORBIDDEN = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
CODE_IN_TEXT = re.compile(r"category\s*[=:：]\s*([A-Za-z0-9_-]+)", re.IGNORECASE)
GB_ENCODINGS = {"gb2312", "gbk", "gb18030", "gb_2312-80"}


@dataclass(frozen=True)
class AlarmNotify:
    sn: str
    device_id: str
    priority: str
    method: str
    at: datetime
    description: str
    alarm_type: str
    category_code: str  # from the extension element, "" when absent
    confidence: float
    lon: float | None
    lat: float | None


def decode(body: bytes) -> str:
    """The XML as text, decoded as its declaration says; DOCTYPE and ENTITY refused."""
    if len(body) > MAX_BYTES:
        raise Invalid(_("报警通知过长"), field="body")
    found = DECLARATION.match(body)
    encoding = found.group(1).decode("ascii").lower() if found else "utf-8"
    if encoding in GB_ENCODINGS:
        encoding = "gb18030"
    try:
        text = body.decode(encoding)
    except (LookupError, UnicodeDecodeError) as exc:
        raise Invalid(_("报警通知的编码无法识别：%(e)s") % {"e": encoding}, field="body") from exc
    if FORBIDDEN.search(text):
        raise Invalid(_("报警通知不得包含 DOCTYPE 或 ENTITY 声明"), field="body")
    return DECLARATION_TEXT.sub("", text, count=1)  # decoded already: expat must not re-decode


def parse(body: bytes) -> AlarmNotify:
    """A MANSCDP alarm notification, checked: 422 naming the element when it is wrong."""
    try:
        root = ET.fromstring(decode(body))  # noqa: S314 (decode refused DOCTYPE and ENTITY)
    except ET.ParseError as exc:
        raise Invalid(_("报警通知不是合法的 XML：%(e)s") % {"e": exc}, field="body") from exc
    if root.tag != "Notify" or _text(root, "CmdType") != "Alarm":
        raise Invalid(_("不是报警通知（应为 Notify/CmdType=Alarm）"), field="CmdType")
    method = _required(root, "AlarmMethod")
    if method != VIDEO_ALARM:
        raise Invalid(_("不是视频报警（AlarmMethod 应为 5）"), field="AlarmMethod")
    return AlarmNotify(
        sn=_text(root, "SN"),
        device_id=_required(root, "DeviceID"),
        priority=_text(root, "AlarmPriority"),
        method=method,
        at=_time(_required(root, "AlarmTime")),
        description=_text(root, "AlarmDescription"),
        alarm_type=_text(root, "Info/AlarmType"),
        category_code=_text(root, "Info/Category"),
        confidence=_confidence(_text(root, "Info/Confidence")),
        lon=_float(_text(root, "Longitude"), "Longitude"),
        lat=_float(_text(root, "Latitude"), "Latitude"),
    )


def _text(root: ET.Element, path: str) -> str:
    found = root.find(path)
    return (found.text or "").strip() if found is not None else ""


def _required(root: ET.Element, path: str) -> str:
    value = _text(root, path)
    if not value:
        raise Invalid(_("缺少 %(name)s") % {"name": path}, field=path)
    return value


def _time(text: str) -> datetime:
    """GB/T 28181 times are local (no zone): read in the platform's time zone."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise Invalid(_("AlarmTime 应为日期时间（ISO 8601）"), field="AlarmTime") from exc
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
    return moment


def _float(text: str, name: str) -> float | None:
    if not text:
        return None
    try:
        return float(text)
    except ValueError as exc:
        raise Invalid(_("%(name)s 应为数字") % {"name": name}, field=name) from exc


def _confidence(text: str) -> float:
    value = _float(text, "Info/Confidence")
    if value is None:
        return 1.0
    if not 0 <= value <= 1:
        raise Invalid(_("置信度应在 0 到 1 之间"), field="Info/Confidence")
    return value


def camera_for(alarm: AlarmNotify) -> Device:
    camera = (
        Device.objects.select_related("town")
        .filter(gb28181_id=alarm.device_id, kind=DeviceKind.CAMERA, is_active=True)
        .first()
    )
    if camera is None:
        raise NotFound(_("未登记的摄像机：%(id)s") % {"id": alarm.device_id}, field="DeviceID")
    return camera


def category_for(alarm: AlarmNotify) -> VideoCategory:
    """The extension element, else a code or a name in the description (module docstring)."""
    active = list(VideoCategory.objects.filter(is_active=True))
    by_code = {c.code.lower(): c for c in active}
    if alarm.category_code:
        found = by_code.get(alarm.category_code.lower())
        if found is None:
            raise Invalid(_("未知的视频分析类别：%(c)s") % {"c": alarm.category_code},
                          field="Info/Category")  # fmt: skip
        return found
    text = alarm.description
    named = CODE_IN_TEXT.search(text)
    if named and named.group(1).lower() in by_code:
        return by_code[named.group(1).lower()]
    words = set(re.findall(r"[A-Za-z0-9_]+", text.lower()))
    for category in active:
        if category.code.lower() in words or category.name in text:
            return category
    raise Invalid(_("无法从报警描述判断视频分析类别"), field="AlarmDescription")


def ingest(body: bytes) -> tuple[AlarmNotify, "video.Recorded"]:
    """Parse, resolve and record one alarm notification (the SIP door's whole job)."""
    alarm = parse(body)
    return alarm, record(alarm)


def record(alarm: AlarmNotify) -> video.Recorded:
    camera, category = camera_for(alarm), category_for(alarm)
    return video.record_detection(
        camera, category, alarm.at, alarm.confidence, None, [], VideoSource.GB28181
    )
