"""The demo district's sensing facts: its rivers, assessment sections, kinds of key enterprise,
camera places and alarm rules.

The big rivers and the best-known creeks of Baiyun carry their real names and run roughly where
they run; the other creeks (the district counts 249 rivers and creeks) get generated names.
Coordinates are approximate; section names and target classes are the demo's own.
"""

from huying.sensing.choices import Comparison, DeviceKind, RuleKind, SectionLevel, Severity

RIVER_COUNT = 249

# Bounding box of the district's towns (district.TOWNS), where generated creeks are placed.
LAT_RANGE = (23.15, 23.40)
LON_RANGE = (113.20, 113.42)

# (name, from (lat, lon), to (lat, lon), length in km, monitoring points)
BIG_RIVERS = [
    ("流溪河", (23.400, 113.415), (23.190, 113.225), 58.3, 3),
    ("白坭河", (23.365, 113.200), (23.175, 113.212), 32.0, 3),
    ("巴江河", (23.385, 113.190), (23.330, 113.215), 14.5, 2),
    ("石井河", (23.262, 113.252), (23.152, 113.238), 17.0, 3),
]
# (name, the town it runs through): the well-known creeks.
KNOWN_CREEKS = [
    ("新市涌", "新市街道"),
    ("景泰涌", "景泰街道"),
    ("沙坑涌", "黄石街道"),
    ("平沙涌", "同德街道"),
    ("海口涌", "均禾街道"),
    ("环滘涌", "石门街道"),
    ("夏茅涌", "石井街道"),
    ("田心涌", "鹤龙街道"),
    ("京溪涌", "京溪街道"),
    ("永兴涌", "太和镇"),
    ("白海面涌", "钟落潭镇"),
    ("南岗涌", "人和镇"),
    ("大朗涌", "江高镇"),
    ("蚌湖涌", "人和镇"),
]
CREEK_FIRST = "新东南西北龙凤石马黄罗高大上下长平和安华兴富永宝金竹松桥塘岭沙田江云鹤白湖元"
CREEK_SECOND = "溪岗塘湖田庄坑岭头边洲沙围滘口园坪埔朗塱湾"

# (code, name, river, level, target class, (lat, lon))
SECTIONS = [
    ("BYS01", "流溪河李溪坝断面", "流溪河", SectionLevel.NATIONAL, 3, (23.385, 113.398)),
    ("BYS02", "流溪河鸦岗断面", "流溪河", SectionLevel.NATIONAL, 4, (23.205, 113.236)),
    ("BYS03", "白坭河石门断面", "白坭河", SectionLevel.PROVINCIAL, 4, (23.245, 113.208)),
    ("BYS04", "石井河口断面", "石井河", SectionLevel.PROVINCIAL, 4, (23.155, 113.239)),
]

# Water parameters every analyser reports (HJ 212 codes): the GB 3838 ones and the
# black-odorous indicators; sections also report permanganate index and total nitrogen.
POINT_CODES = ["w01001", "w01009", "w01010", "w01018", "w21003", "w21011", "trans", "orp"]
SECTION_CODES = [*POINT_CODES, "w01019", "w21001"]

# kind of key enterprise: (name suffix, sensors as (code, count))
ENTERPRISE_KINDS = [
    ("化工有限公司", [("lel", 2), ("oel", 2), ("temp", 1), ("pres", 1), ("level", 1)]),
    ("加油站", [("lel", 2), ("level", 2), ("temp", 1)]),
    ("仓储物流有限公司", [("lel", 1), ("temp", 2)]),
    ("燃气储配站", [("lel", 3), ("pres", 2), ("temp", 1)]),
    ("涂料有限公司", [("lel", 2), ("oel", 1), ("temp", 1), ("level", 1)]),
]
ENTERPRISE_COUNT = 30
# Gas alarm set points: at the ceilings of GB/T 50493-2019 (25/50 %LEL, 100/200 %OEL).
GAS_SET_POINTS = {"lel": (25.0, 50.0), "oel": (100.0, 200.0)}

# Real roads of Baiyun, for addresses (the house numbers are made up).
ROADS = [
    "云城东路", "白云大道北", "机场路", "广园中路", "三元里大道", "石沙路", "广花路", "太和路",
    "同泰路", "黄石东路", "京溪路", "永平大道", "嘉禾望岗路", "鹤龙一路", "江人一路", "钟太快速路",
    "石槎路", "金沙洲路", "棠景路", "新市西街",
]  # fmt: skip
CAMERA_COUNT = 60
CAMERA_PLACES = ["农贸市场", "商业街", "城中村主巷", "地铁站口", "公交站场", "十字路口"]


def rule(name, kind, device_kind, **fields) -> dict:
    return {"name": name, "kind": kind, "device_kind": device_kind, **fields}


WATER = DeviceKind.WATER_ANALYSER
GATEWAY = DeviceKind.ENTERPRISE_GATEWAY

# The demo's rules; `matter` is the special-list matter a dispatching rule calls for:
# ZF-011 (违法排水和私设排水口) is led by 水务局 with 生态环境分局 co-handling; ZD-003
# (河涌整治和黑臭水体治理) is 水务局's; YJ-002 (危险化学品泄漏) is led by 应急管理局.
RULES = [
    rule("氨氮持续超过 2.0 mg/L（Ⅴ类限值）", RuleKind.THRESHOLD, WATER, parameter="w21003",
         comparison=Comparison.ABOVE, threshold=2.0, clear_value=1.8, duration_seconds=600,
         severity=Severity.MAJOR, dispatch=True, matter="ZF-011"),
    rule("化学需氧量持续超过 40 mg/L（Ⅴ类限值）", RuleKind.THRESHOLD, WATER, parameter="w01018",
         comparison=Comparison.ABOVE, threshold=40.0, clear_value=36.0, duration_seconds=600,
         severity=Severity.MAJOR),
    rule("溶解氧持续低于 2 mg/L", RuleKind.THRESHOLD, WATER, parameter="w01009",
         comparison=Comparison.BELOW, threshold=2.0, clear_value=2.5, duration_seconds=600,
         severity=Severity.MINOR),
    rule("水质监测仪 30 分钟无数据", RuleKind.NO_DATA, WATER, silence_minutes=30,
         severity=Severity.NOTICE),
    rule("企业安全监测采集仪 30 分钟无数据", RuleKind.NO_DATA, GATEWAY, silence_minutes=30,
         severity=Severity.MINOR),
    rule("河涌重度黑臭", RuleKind.BLACK_ODOUR, WATER, severity=Severity.MAJOR, dispatch=True,
         matter="ZD-003"),
]  # fmt: skip


def _gas_rules() -> list[dict]:
    """One rule per detector code (lel, lel2, ...): an alarm is one per rule and device, so
    two detectors of a gateway under one rule would raise and clear each other's alarm."""
    counts = {}
    for _, sensors in ENTERPRISE_KINDS:
        for code, count in sensors:
            if code in GAS_SET_POINTS:
                counts[code] = max(counts.get(code, 0), count)
    names = {"lel": "可燃气体", "oel": "有毒气体"}
    return [
        rule(f"{names[code]}浓度报警（{n}号探测器）", RuleKind.GAS_LEVEL, GATEWAY,
             parameter=code if n == 1 else f"{code}{n}", severity=Severity.CRITICAL,
             escalate_town_minutes=5, escalate_district_minutes=10, dispatch=True,
             matter="YJ-002")
        for code, count in counts.items()
        for n in range(1, count + 1)
    ]  # fmt: skip


RULES += _gas_rules()
# Plus one water-class exceedance rule per assessment section (sensing.py), calling ZF-011.
SECTION_RULE_MATTER = "ZF-011"
