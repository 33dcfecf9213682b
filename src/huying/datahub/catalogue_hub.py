"""The hub's own categories: one per source of the load format, whose fields are exactly the
format's columns (formats.py), each with its Chinese label, meaning and sensitivity.

Reporting tasks will be matched against these labels and meanings ("already shared by 住建局
in 出租屋基本信息"), so they say what a cadre would call the column.
"""

from dataclasses import dataclass

from huying.datahub import formats
from huying.datahub.choices import AccessPolicy, Sensitivity, Source, UpdateFrequency

S1, S2, S3, S4 = (
    Sensitivity.PUBLIC,
    Sensitivity.INTERNAL,
    Sensitivity.SENSITIVE,
    Sensitivity.HIGHLY_SENSITIVE,
)

# column -> (label, meaning, sensitivity); a source may say a column differently (below).
COLUMNS: dict[str, tuple[str, str, int]] = {
    "dwelling_code": ("出租屋编码", "出租屋管理系统给每套出租屋的唯一编码。", S1),
    "address": ("详细地址", "出租屋所在的标准地址，含门牌号和房号。", S2),
    "town": ("所属镇街", "出租屋所在的镇或街道名称。", S1),
    "village": ("所属村社", "出租屋所在的村或社区名称。", S1),
    "owner_name": ("房东姓名", "出租屋产权人或出租人的姓名。", S3),
    "owner_id_number": ("房东身份证号", "出租人的 18 位公民身份号码。", S4),
    "owner_phone": ("房东联系电话", "出租人的手机号码或固定电话。", S4),
    "rooms": ("房间数", "出租屋可出租的房间数量。", S1),
    "max_occupants": ("核定居住人数", "按面积核定的最多居住人数，超出即有群租风险。", S1),
    "lat": ("纬度", "出租屋位置的纬度（WGS-84）。", S2),
    "lon": ("经度", "出租屋位置的经度（WGS-84）。", S2),
    "card_id": ("门禁卡号", "门禁系统发放的门禁卡编号。", S2),
    "holder_name": ("持卡人姓名", "门禁卡登记的持卡人姓名。", S3),
    "id_number": ("身份证号", "18 位公民身份号码（GB 11643），可唯一识别个人。", S4),
    "phone": ("联系电话", "本人的手机号码。", S4),
    "issued_at": ("发卡时间", "门禁卡发放并启用的时间。", S1),
    "expires_at": ("有效期至", "门禁卡失效的时间。", S1),
    "door_id": ("门禁点编号", "刷卡所在门禁设备（门口机）的编号。", S1),
    "event_time": ("刷卡时间", "持卡人刷卡开门的时间。", S3),
    "person_key": ("人员编号", "平安白云系统内的人员唯一编号。", S2),
    "name": ("姓名", "本人的姓名。", S3),
    "gender": ("性别", "男或女。", S2),
    "birth_date": ("出生日期", "本人的出生日期。", S3),
    "hukou_address": ("户籍地址", "户口登记地的详细地址。", S3),
    "current_address": ("现住址", "实际居住地的详细地址。", S3),
    "updated_at": ("更新时间", "该人员信息在来源系统中最近一次修改的时间。", S1),
    "registration_no": ("登记编号", "来穗人员居住登记的编号。", S1),
    "employer": ("工作单位", "登记时申报的就业单位名称。", S2),
    "registered_at": ("登记时间", "办理居住登记的时间。", S1),
    "status": ("登记状态", "居住登记当前的状态：有效、已过期或已注销。", S1),
    # inspection (巡查核实): what inspectors found on their visits
    "visit_key": ("巡查记录编号", "一次入户巡查的唯一编号。", S1),
    "occupant_no": ("住户序号", "该住户在本次巡查中的序号。", S1),
    "outcome": ("核查结果", "信息一致、信息有误、已搬离或新增住户。", S2),
    "resident_id": ("实有人口编号", "巡查员核实或更正的平台实有人口编号。", S2),
    "inspector": ("巡查员", "做出核实的巡查员账号。", S2),
    "visited_at": ("巡查时间", "巡查员入户核实的时间。", S2),
    "recorded_at": ("入库时间", "平台收到该巡查记录的时间。", S1),
}

OVERRIDES: dict[tuple[str, str], tuple[str, str, int]] = {
    ("door_access_cards", "dwelling_code"): (
        "出租屋编码",
        "该门禁卡可开启的出租屋的编码。",
        S1,
    ),
    ("door_access_cards", "phone"): ("持卡人电话", "持卡人登记的手机号码。", S4),
    ("door_access_events", "dwelling_code"): ("出租屋编码", "刷卡所开启的出租屋的编码。", S1),
    ("migrant_registrations", "dwelling_code"): (
        "居住出租屋编码",
        "来穗人员登记居住的出租屋的编码。",
        S1,
    ),
    ("migrant_registrations", "address"): ("居住地址", "来穗人员登记的居住地详细地址。", S3),
    ("migrant_registrations", "expires_at"): ("登记有效期至", "居住登记到期的时间。", S1),
}


@dataclass(frozen=True)
class HubCategory:
    source: Source
    owner: str  # department code suffix (demo/district.py DEPARTMENTS)
    name: str
    source_system: str
    frequency: str
    policy: str
    description: str


HUB_CATEGORIES = (
    HubCategory(
        Source.DWELLINGS,
        "zjj",
        "出租屋基本信息",
        "出租屋管理系统",
        UpdateFrequency.DAILY,
        AccessPolicy.ON_REQUEST,
        "全区出租屋的编码、地址、房东、房间数和核定居住人数，由数据汇聚平台按日汇入。",
    ),
    HubCategory(
        Source.DOOR_ACCESS_CARDS,
        "gaj",
        "出租屋门禁卡发放信息",
        "出租屋视频门禁系统",
        UpdateFrequency.DAILY,
        AccessPolicy.RESTRICTED,
        "出租屋门禁卡的持卡人、所开启的出租屋和有效期，由数据汇聚平台按日汇入。",
    ),
    HubCategory(
        Source.DOOR_ACCESS_EVENTS,
        "gaj",
        "出租屋门禁刷卡记录",
        "出租屋视频门禁系统",
        UpdateFrequency.REALTIME,
        AccessPolicy.RESTRICTED,
        "每次刷卡开门的卡号、门禁点和时间，用于核实实际居住情况。",
    ),
    HubCategory(
        Source.PUBLIC_SECURITY_PERSONS,
        "gaj",
        "平安白云实有人口信息",
        "平安白云",
        UpdateFrequency.DAILY,
        AccessPolicy.RESTRICTED,
        "平安白云系统登记的实有人口：姓名、身份证号、户籍地址、现住址和联系电话。",
    ),
    HubCategory(
        Source.MIGRANT_REGISTRATIONS,
        "lsj",
        "来穗人员居住登记信息",
        "来穗人员服务管理系统",
        UpdateFrequency.DAILY,
        AccessPolicy.ON_REQUEST,
        "来穗人员的居住登记：登记的出租屋、工作单位、登记时间、有效期和登记状态。",
    ),
)


def fields_of(source: Source) -> list[tuple[str, str, str, int]]:
    """(name, label, meaning, sensitivity) of each column of the source, in format order."""
    out = []
    for column in formats.FORMATS[source.value].columns:
        label, meaning, sensitivity = OVERRIDES.get(
            (source.value, column.name), COLUMNS[column.name]
        )
        out.append((column.name, label, meaning, int(sensitivity)))
    return out
