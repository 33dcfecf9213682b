"""The demo district's fixed facts: Baiyun District, Guangzhou.

Town/street names are real; coordinates are approximate centres; codes follow the
GB/T 2260 + town-code pattern but are the demo's own. Villages are synthetic (see services).
"""

from huying.orgs.choices import OrgKind, Role

DISTRICT = {
    "code": "440111",
    "name": "广州市白云区",
    "short_name": "白云区",
    "lat": "23.157300",
    "lon": "113.273200",
    "address": "广州市白云区云城东路 505 号",
}

# (name, kind, lat, lon, villages to generate, key villages among them)
TOWNS = [
    ("景泰街道", OrgKind.STREET, "23.1690", "113.2740", 12, 0),
    ("松洲街道", OrgKind.STREET, "23.1790", "113.2480", 12, 1),
    ("同德街道", OrgKind.STREET, "23.1870", "113.2400", 13, 0),
    ("黄石街道", OrgKind.STREET, "23.2010", "113.2890", 12, 0),
    ("棠景街道", OrgKind.STREET, "23.1800", "113.2640", 12, 0),
    ("新市街道", OrgKind.STREET, "23.1900", "113.2700", 11, 0),
    ("同和街道", OrgKind.STREET, "23.2050", "113.3250", 11, 1),
    ("京溪街道", OrgKind.STREET, "23.1950", "113.3200", 10, 0),
    ("永平街道", OrgKind.STREET, "23.2150", "113.3050", 12, 1),
    ("嘉禾街道", OrgKind.STREET, "23.2200", "113.2800", 11, 1),
    ("均禾街道", OrgKind.STREET, "23.2260", "113.2600", 11, 1),
    ("石井街道", OrgKind.STREET, "23.2100", "113.2300", 12, 1),
    ("金沙街道", OrgKind.STREET, "23.1650", "113.2250", 10, 1),
    ("云城街道", OrgKind.STREET, "23.1760", "113.2900", 11, 1),
    ("鹤龙街道", OrgKind.STREET, "23.2300", "113.2900", 12, 1),
    ("白云湖街道", OrgKind.STREET, "23.2230", "113.2450", 11, 1),
    ("石门街道", OrgKind.STREET, "23.2400", "113.2350", 11, 1),
    ("龙归街道", OrgKind.STREET, "23.2700", "113.3000", 11, 1),
    ("大源街道", OrgKind.STREET, "23.2300", "113.3600", 12, 2),
    ("三元里街道", OrgKind.STREET, "23.1600", "113.2620", 10, 0),
    ("人和镇", OrgKind.TOWN, "23.3300", "113.2700", 26, 4),
    ("太和镇", OrgKind.TOWN, "23.3000", "113.3600", 25, 4),
    ("钟落潭镇", OrgKind.TOWN, "23.3900", "113.4100", 28, 5),
    ("江高镇", OrgKind.TOWN, "23.3000", "113.2200", 27, 4),
]

# (code suffix, full name, short name)
DEPARTMENTS = [
    ("cgj", "区城市管理和综合执法局", "城管局"),
    ("zjj", "区住房和城乡建设局", "住建局"),
    ("ghj", "市规划和自然资源局白云区分局", "规划和自然资源分局"),
    ("swj", "区水务局", "水务局"),
    ("sthj", "市生态环境局白云分局", "生态环境分局"),
    ("yjj", "区应急管理局", "应急管理局"),
    ("sfj", "区司法局", "司法局"),
    ("gaj", "市公安局白云区分局", "公安分局"),
    ("scjgj", "区市场监督管理局", "市场监管局"),
    ("wjj", "区卫生健康局", "卫健局"),
    ("jyj", "区教育局", "教育局"),
    ("jtj", "区交通运输局", "交通运输局"),
    ("mzj", "区民政局", "民政局"),
    ("rsj", "区人力资源和社会保障局", "人社局"),
    ("lsj", "区来穗人员服务管理局", "来穗人员服务管理局"),
    ("zsj", "区政务服务数据管理局", "政务服务数据管理局"),
    ("fgj", "区发展和改革局", "发改局"),
    ("czj", "区财政局", "财政局"),
    ("gxj", "区工业和信息化局", "工信局"),
    ("kjj", "区科学技术局", "科技局"),
    ("nyj", "区农业农村局", "农业农村局"),
    ("swuj", "区商务局", "商务局"),
    ("wglt", "区文化广电旅游体育局", "文广旅体局"),
    ("tyjr", "区退役军人事务局", "退役军人事务局"),
    ("sjj", "区审计局", "审计局"),
    ("tjj", "区统计局", "统计局"),
    ("ybj", "区医疗保障局", "医保局"),
    ("lyyl", "区林业和园林局", "林业园林局"),
    ("xfj", "区信访局", "信访局"),
    ("xfdd", "区消防救援大队", "消防救援大队"),
    ("jjdd", "市公安局交通警察支队白云大队", "交警大队"),
    ("swju", "国家税务总局广州市白云区税务局", "税务局"),
    ("gzw", "区国有资产监督管理局", "国资局"),
    ("cl", "区残疾人联合会", "残联"),
    ("zgh", "区总工会", "总工会"),
    ("gdj", "广州供电局白云供电局", "供电局"),
    ("qxj", "区气象局", "气象局"),
    ("cgzx", "区城中村改造和城市更新中心", "城市更新中心"),
]

COMMISSION = {
    "code": "440111-jw",
    "name": "中共广州市白云区纪律检查委员会 白云区监察委员会",
    "short_name": "区纪委监委",
}
COMMAND_CENTRE = {"code": "440111-zh", "name": "白云区综合指挥调度中心", "short_name": "指挥中心"}


def department_code(suffix: str) -> str:
    return f"440111-{suffix}"


# username -> (role, org: "district" | "commission" | "command" | town name | dept suffix |
#              "key-village:<town name>" | "village:<town name>" (one without the calling right),
#              what the README says about the account)
ACCOUNTS = [
    ("admin", Role.ADMIN, "district", "系统管理员（后台管理）"),
    ("command", Role.OPERATOR, "command", "指挥中心值班员"),
    ("supervisor", Role.SUPERVISOR, "commission", "区纪委监委监督员"),
    ("leader", Role.LEADER, "district", "区领导"),
    ("yuncheng", Role.CALLER, "云城街道", "云城街呼叫人"),
    ("helong", Role.CALLER, "鹤龙街道", "鹤龙街呼叫人"),
    ("renhe", Role.CALLER, "人和镇", "人和镇呼叫人"),
    ("renhe-village", Role.CALLER, "key-village:人和镇", "人和镇一个重点村的村干部"),
    ("yuncheng-community", Role.CALLER, "village:云城街道", "云城街一个社区的干部（向街道上报）"),
    ("chengguan", Role.RESPONDER, "cgj", "城管局响应人"),
    ("chengguan-head", Role.DEPARTMENT_HEAD, "cgj", "城管局负责人"),
    ("zhujian", Role.RESPONDER, "zjj", "住建局响应人"),
    ("guihua", Role.RESPONDER, "ghj", "规划分局响应人"),
    ("shuiwu", Role.RESPONDER, "swj", "水务局响应人"),
    ("huanjing", Role.RESPONDER, "sthj", "生态环境分局响应人"),
    ("yingji", Role.RESPONDER, "yjj", "应急管理局响应人"),
    ("inspector", Role.INSPECTOR, "云城街道", "云城街出租屋巡查员"),
]
