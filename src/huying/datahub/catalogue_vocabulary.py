"""What the demo catalogue is made of: kinds of record (which fields they carry), name
templates per kind, and each department's systems and subjects.

A category is a subject × a template of the subject's kind ("流动人口" × "{s}变更记录"); its
fields are the kind's core fields, the subject's own fields, then a sample of the kind's pool.
"""

from dataclasses import dataclass

from huying.datahub.choices import UpdateFrequency as F

ENTITY, EVENT, STATS = "entity", "event", "stats"


@dataclass(frozen=True)
class Kind:
    entity_core: tuple[str, ...]
    entity_pool: tuple[str, ...]
    event_core: tuple[str, ...]
    event_pool: tuple[str, ...]


_PLACE_COMMON = ("town", "village", "grid_code", "updated_at", "status")

# fmt: off
KINDS: dict[str, Kind] = {
    "person": Kind(
        ("record_id", "name", "id_number"),
        ("gender", "birth_date", "ethnicity", "phone", "hukou_address", "current_address",
         "native_place", "education", "marital_status", "political_status", "employer",
         "occupation", "town", "village", "grid_code", "created_at", "updated_at",
         "handler_unit", "status", "remark"),
        ("record_id", "name", "id_number"),
        ("phone", "current_address", "created_at", "handler_unit", "handler_name", "town",
         "village", "status", "remark"),
    ),
    "enterprise": Kind(
        ("credit_code", "org_name"),
        ("org_type", "legal_rep", "legal_rep_id_number", "legal_rep_phone", "reg_address",
         "business_address", "business_scope", "reg_capital", "established_on", "industry",
         "employees", "contact_name", "contact_phone", "town", "village", "lat", "lon",
         "status", "updated_at"),
        ("record_id", "credit_code", "org_name"),
        ("business_address", "inspected_at", "inspector", "findings", "result",
         "rectify_deadline", "rectified", "town", "handler_unit", "status", "remark"),
    ),
    "place": Kind(
        ("record_id", "place_name", "address"),
        ("place_type", "building_code", "house_code", "floor_area", "floors", "structure",
         "built_year", "usage", "property_owner", "property_owner_id", "lat", "lon",
         "capacity", "manager_name", "manager_phone", "risk_level", *_PLACE_COMMON),
        ("record_id", "place_name", "address"),
        ("inspected_at", "inspector", "findings", "rectify_deadline", "rectified", "risk_level",
         "town", "village", "handler_unit", "remark"),
    ),
    "case": Kind(
        ("case_no", "case_type"),
        ("occurred_at", "location", "summary", "party_name", "party_id_number", "party_phone",
         "accepted_at", "deadline", "closed_at", "result", "handler_unit", "handler_name",
         "town", "village", "status", "lat", "lon", "satisfaction"),
        ("case_no", "case_type"),
        ("occurred_at", "location", "summary", "party_name", "party_phone", "accepted_at",
         "closed_at", "result", "handler_unit", "handler_name", "town", "status",
         "satisfaction"),
    ),
    "device": Kind(
        ("device_id", "device_type"),
        ("install_location", "lat", "lon", "online_status", "town", "village", "handler_unit",
         "created_at", "updated_at", "status"),
        ("record_id", "device_id", "captured_at"),
        ("measured_value", "measure_unit", "alarm_level", "install_location", "image_url",
         "lat", "lon", "town"),
    ),
    "service": Kind(
        ("application_no", "item_name"),
        ("item_code", "applicant_name", "applicant_id_number", "applicant_phone", "channel",
         "window", "accepted_at", "deadline", "closed_at", "result", "certificate_no",
         "valid_until", "handler_name", "status", "satisfaction", "town"),
        ("application_no", "item_name"),
        ("item_code", "applicant_name", "applicant_id_number", "applicant_phone", "channel",
         "accepted_at", "closed_at", "result", "handler_name", "status", "satisfaction"),
    ),
    "money": Kind(
        ("record_id", "name", "id_number"),
        ("phone", "benefit_type", "subsidy_standard", "family_size", "bank_name", "account_no",
         "town", "village", "valid_until", "status"),
        ("record_id", "name", "id_number"),
        ("amount", "pay_period", "paid_at", "bank_name", "account_no", "benefit_type",
         "insurance_type", "payment_base", "fund_source", "town", "status"),
    ),
}
# fmt: on

STATS_CORE = ("period", "region", "indicator", "value")
STATS_POOL = ("stat_unit", "yoy", "mom", "stat_basis", "updated_at")


@dataclass(frozen=True)
class Template:
    pattern: str  # "{s}" is the subject
    shape: str  # ENTITY, EVENT or STATS
    scale: float  # how many records, relative to the subject's entity list
    frequency: str
    extras: tuple[str, ...] = ()
    about: str = ""  # the description's middle: what the records are


# fmt: off
TEMPLATES: dict[str, tuple[Template, ...]] = {
    "person": (
        Template("{s}基本信息", ENTITY, 1, F.DAILY, about="的基本情况"),
        Template("{s}登记信息", ENTITY, 1.2, F.DAILY, about="的登记情况"),
        Template("{s}变更记录", EVENT, 2.5, F.DAILY,
                 ("change_item", "before_value", "after_value"), "的信息变更"),
        Template("{s}注销信息", ENTITY, 0.2, F.WEEKLY, ("cancel_reason",), "的注销和迁出"),
        Template("{s}走访核查记录", EVENT, 1.5, F.WEEKLY,
                 ("inspected_at", "inspector", "findings"), "的入户走访和核查"),
        Template("{s}数量统计（按镇街）", STATS, 0.001, F.MONTHLY, about="的数量"),
        Template("{s}年度统计", STATS, 0.0003, F.YEARLY, about="的年度情况"),
    ),
    "enterprise": (
        Template("{s}登记信息", ENTITY, 1, F.DAILY, about="的登记情况"),
        Template("{s}许可信息", ENTITY, 0.8, F.DAILY,
                 ("license_no", "license_type", "license_valid_until"), "的行政许可"),
        Template("{s}监督检查记录", EVENT, 3, F.DAILY, about="的监督检查"),
        Template("{s}行政处罚信息", EVENT, 0.3, F.WEEKLY,
                 ("penalty_amount", "legal_basis"), "受到的行政处罚"),
        Template("{s}信用评价结果", ENTITY, 0.9, F.QUARTERLY, ("credit_grade",), "的信用评价"),
        Template("{s}经营情况年报", ENTITY, 0.7, F.YEARLY,
                 ("annual_revenue", "tax_paid"), "报送的年度经营情况"),
        Template("{s}数量统计（按行业）", STATS, 0.002, F.MONTHLY, about="的数量"),
    ),
    "place": (
        Template("{s}基础信息", ENTITY, 1, F.WEEKLY, about="的基础情况"),
        Template("{s}巡查记录", EVENT, 6, F.DAILY, about="的日常巡查"),
        Template("{s}隐患整改记录", EVENT, 1.2, F.DAILY, about="发现隐患的整改"),
        Template("{s}地理空间数据", ENTITY, 1, F.MONTHLY,
                 ("lat", "lon", "building_code"), "的位置和空间范围"),
        Template("{s}分布统计（按镇街）", STATS, 0.002, F.QUARTERLY, about="的分布"),
    ),
    "case": (
        Template("{s}受理登记", EVENT, 1, F.REALTIME, about="的受理"),
        Template("{s}办理结果", EVENT, 0.95, F.DAILY, about="的办理结果"),
        Template("{s}回访评价记录", EVENT, 0.4, F.DAILY, ("satisfaction",), "的回访和评价"),
        Template("{s}月度统计", STATS, 0.001, F.MONTHLY, about="的数量和办结率"),
        Template("{s}热点分析（按镇街）", STATS, 0.0005, F.MONTHLY, about="的高发区域和类别"),
    ),
    "device": (
        Template("{s}点位信息", ENTITY, 0.01, F.WEEKLY, about="的点位和设备"),
        Template("{s}采集记录", EVENT, 40, F.REALTIME, about="采集的数据"),
        Template("{s}运行状态", EVENT, 2, F.DAILY, ("online_status",), "的在线和故障"),
        Template("{s}告警记录", EVENT, 0.5, F.REALTIME, ("alarm_level",), "的超阈值告警"),
        Template("{s}统计（按月）", STATS, 0.0005, F.MONTHLY, about="的采集量和告警量"),
    ),
    "service": (
        Template("{s}办件信息", EVENT, 1, F.REALTIME, about="的办件"),
        Template("{s}办理结果", EVENT, 0.9, F.DAILY, ("certificate_no",), "的办理结果"),
        Template("{s}服务评价", EVENT, 0.5, F.DAILY, ("satisfaction",), "的好差评"),
        Template("{s}办件量统计（按月）", STATS, 0.001, F.MONTHLY, about="的办件量和时效"),
        Template("{s}材料清单", ENTITY, 0.001, F.YEARLY, about="的申请材料和办理依据"),
    ),
    "money": (
        Template("{s}对象名册", ENTITY, 1, F.MONTHLY, about="的享受对象"),
        Template("{s}发放明细", EVENT, 12, F.MONTHLY, about="的逐月发放"),
        Template("{s}资金汇总（按月）", STATS, 0.002, F.MONTHLY, about="的资金"),
        Template("{s}核查记录", EVENT, 0.6, F.QUARTERLY,
                 ("inspected_at", "findings"), "的资格核查"),
    ),
}
# fmt: on


@dataclass(frozen=True)
class Subject:
    name: str
    kind: str
    extras: tuple[str, ...] = ()


def _s(name: str, kind: str, *extras: str) -> Subject:
    return Subject(name, kind, extras)


@dataclass(frozen=True)
class DepartmentCatalogue:
    prefix: str  # category codes: "<prefix>-0001"
    count: int  # categories besides the hub's own
    systems: tuple[str, ...]
    subjects: tuple[Subject, ...]


P, E, PL, C, D, SV, M = "person", "enterprise", "place", "case", "device", "service", "money"

# By department code suffix (demo/district.py DEPARTMENTS). 公安分局, 来穗人员服务管理局, 住建局
# and 政务服务数据管理局 hold the most.
# fmt: off
DEPARTMENTS: dict[str, DepartmentCatalogue] = {
    "gaj": DepartmentCatalogue("GA", 120, ("平安白云", "警务综合平台", "公安人口管理信息系统",
        "视频图像信息综合应用平台", "治安管理信息系统"), (
        _s("户籍人口", P, "household_no", "relation_to_head"), _s("境外人员", P, "valid_until"),
        _s("重点人员", P), _s("旅馆业住宿登记", P, "place_name"),
        _s("网吧上网登记", P, "place_name"), _s("寄递物流实名收寄", P, "address"),
        _s("治安案件", C, "legal_basis"), _s("刑事案件", C), _s("110接处警", C, "caller_phone"),
        _s("矛盾纠纷排查", C), _s("特种行业单位", E, "license_no"), _s("保安服务公司", E),
        _s("易制爆危险化学品从业单位", E, "hazard_chemical"), _s("社区警务室", PL),
        _s("治安重点场所", PL), _s("公共视频监控", D, "image_url"),
        _s("人脸识别抓拍", D, "image_url"), _s("车辆卡口过车", D, "plate_no", "direction"),
        _s("居民身份证办理", SV), _s("户口迁移", SV), _s("犬只登记", SV, "address"),
        _s("出入境证件办理", SV),
    )),
    "lsj": DepartmentCatalogue("LS", 88, ("来穗人员服务管理系统", "积分制服务管理系统",
        "出租屋分类分级管理系统"), (
        _s("来穗人员", P, "employer"), _s("来穗人员随迁子女", P, "school", "guardian_name"),
        _s("来穗人员就业", P, "employer", "occupation"), _s("来穗人员技能培训", P),
        _s("来穗人员参保", M, "insurance_type"), _s("出租屋租赁登记备案", PL, "house_code"),
        _s("出租屋分类分级管理", PL, "risk_level"), _s("来穗人员服务站", PL),
        _s("居住证办理", SV, "valid_until"), _s("积分制入户", SV), _s("积分入学申请", SV),
        _s("来穗人员信息采集", C), _s("出租屋安全隐患", C, "findings"),
        _s("群租房整治", C), _s("出租屋智能门禁", D),
        _s("来穗人员住房保障", M), _s("来穗人员积分", P, "score"),
    )),
    "zjj": DepartmentCatalogue("ZJ", 92, ("住房和城乡建设综合管理系统", "房屋安全管理平台",
        "建设工程质量安全监督系统", "智慧工地监管平台"), (
        _s("自建房", PL, "property_owner", "floors"), _s("危险房屋", PL, "risk_level"),
        _s("住宅小区", PL), _s("老旧小区改造", PL, "project_name", "progress"),
        _s("在建工程项目", PL, "project_name", "investment", "progress"),
        _s("农村削坡建房", PL, "risk_level"), _s("燃气用户", PL),
        _s("建筑施工企业", E, "license_no"), _s("物业服务企业", E),
        _s("燃气经营企业", E, "license_no"), _s("房地产开发企业", E),
        _s("建筑工地扬尘", D, "pollutant"), _s("建筑起重机械", D),
        _s("商品房预售许可", SV, "project_name"), _s("房屋租赁合同备案", SV, "house_code"),
        _s("建筑工程施工许可", SV, "project_name"), _s("保障性住房申请", SV),
        _s("住房维修资金", M, "house_code"), _s("房屋安全鉴定", C, "structure"),
        _s("建筑工人实名制", P, "employer"),
    )),
    "zsj": DepartmentCatalogue("ZS", 95, ("一体化政务服务平台", "12345政务服务便民热线",
        "政务大数据中心", "粤省事", "粤商通"), (
        _s("政务服务事项", SV, "item_code"), _s("一网通办", SV, "channel"),
        _s("电子证照", SV, "certificate_no"), _s("一件事主题服务", SV),
        _s("跨域通办", SV), _s("企业开办", SV, "credit_code"),
        _s("12345热线工单", C, "caller_phone"), _s("12345热线咨询", C),
        _s("人口基础信息", P), _s("粤省事实名用户", P, "phone"),
        _s("法人基础信息", E), _s("粤商通企业用户", E),
        _s("政务服务中心", PL), _s("标准地址", PL, "building_code", "house_code"),
        _s("政务视频共享", D), _s("政务外网终端", D),
        _s("政务数据共享交换", C), _s("政务信息化项目", PL, "project_name", "investment"),
    )),
    "cgj": DepartmentCatalogue("CG", 44, ("城市管理综合执法系统", "数字城管平台",
        "环卫作业监管系统"), (
        _s("城管执法案件", C, "penalty_amount", "legal_basis"), _s("数字城管问题", C),
        _s("户外广告招牌", PL), _s("环卫设施", PL), _s("垃圾分类投放点", PL),
        _s("违法建设", C, "floor_area"), _s("占道经营", C), _s("环卫车辆作业", D, "plate_no"),
        _s("渣土运输", D, "plate_no"),
    )),
    "ghj": DepartmentCatalogue("GH", 34, ("国土空间规划一张图", "不动产登记系统",
        "自然资源执法监察系统"), (
        _s("建设用地", PL, "parcel_code", "land_use", "land_area"),
        _s("不动产登记", SV, "parcel_code"), _s("规划许可", SV, "project_name"),
        _s("土地违法线索", C, "land_area"), _s("地质灾害隐患点", PL, "risk_level"),
        _s("永久基本农田", PL, "parcel_code", "land_area"), _s("测绘资质单位", E),
    )),
    "swj": DepartmentCatalogue("SW", 33, ("智慧水务平台", "河长制信息系统",
        "排水管理系统"), (
        _s("河涌", PL, "river", "water_quality"), _s("排水户", E), _s("排水管网", PL),
        _s("水质监测站", D, "water_quality"), _s("雨量站", D, "rainfall"),
        _s("内涝积水点", D, "water_level"), _s("河长巡河", C, "river"),
    )),
    "sthj": DepartmentCatalogue("STH", 36, ("生态环境综合监管平台", "排污许可管理信息平台",
        "污染源在线监控系统"), (
        _s("排污单位", E, "pollutant", "emission"), _s("污染源在线监控", D, "pollutant"),
        _s("空气质量监测", D, "pollutant"), _s("环境信访投诉", C), _s("环境行政处罚", C),
        _s("建设项目环评审批", SV, "project_name"), _s("危险废物经营单位", E),
        _s("黑臭水体", PL, "river", "water_quality"),
    )),
    "yjj": DepartmentCatalogue("YJ", 36, ("应急管理综合应用平台", "安全生产监管信息系统",
        "自然灾害综合风险普查系统"), (
        _s("危险化学品企业", E, "hazard_chemical"), _s("工贸企业", E),
        _s("安全生产执法", C, "penalty_amount"), _s("生产安全事故", C),
        _s("应急避护场所", PL, "capacity"), _s("应急物资储备库", PL),
        _s("三防风险点", PL, "risk_level"), _s("重大危险源监测", D, "hazard_chemical"),
    )),
    "sfj": DepartmentCatalogue("SF", 20, ("司法行政综合平台", "社区矫正信息系统",
        "人民调解信息系统"), (
        _s("社区矫正对象", P), _s("人民调解案件", C), _s("法律援助", SV),
        _s("律师事务所", E), _s("公共法律服务站", PL),
    )),
    "scjgj": DepartmentCatalogue("SCJG", 46, ("市场主体登记系统", "食品安全监管平台",
        "特种设备监管系统", "12315投诉举报系统"), (
        _s("市场主体", E), _s("个体工商户", E), _s("食品经营者", E, "license_no"),
        _s("药品零售企业", E, "license_no"), _s("特种设备", PL, "license_no"),
        _s("12315投诉举报", C, "caller_phone"), _s("市场监管行政处罚", C, "penalty_amount"),
        _s("农贸市场", PL), _s("电梯运行监测", D),
    )),
    "wjj": DepartmentCatalogue("WJ", 42, ("全民健康信息平台", "基本公共卫生服务系统",
        "免疫规划信息系统"), (
        _s("居民健康档案", P, "health_condition"), _s("预防接种", P, "vaccine"),
        _s("出生医学证明", SV, "hospital"), _s("医疗机构", E, "license_no"),
        _s("医务人员执业注册", P, "hospital"), _s("传染病报告", C, "diagnosis"),
        _s("家庭医生签约", P, "hospital"), _s("孕产妇保健", P, "hospital"),
    )),
    "jyj": DepartmentCatalogue("JY", 32, ("教育管理公共服务平台", "学籍管理系统",
        "招生报名系统"), (
        _s("中小学生学籍", P, "school", "grade"), _s("学校", PL, "school", "capacity"),
        _s("幼儿园", PL, "capacity"), _s("校外培训机构", E, "license_no"),
        _s("义务教育招生报名", SV, "school"), _s("教师", P, "school"),
    )),
    "jtj": DepartmentCatalogue("JT", 32, ("交通运输综合监管平台", "道路运输管理系统",
        "公交运营监管系统"), (
        _s("道路运输企业", E, "license_no"), _s("营运车辆", D, "plate_no", "vehicle_type"),
        _s("公交站点", PL), _s("网约车", D, "plate_no"), _s("交通运输执法", C),
        _s("农村公路", PL),
    )),
    "mzj": DepartmentCatalogue("MZ", 34, ("民政综合业务信息平台", "社会救助信息系统",
        "养老服务信息平台"), (
        _s("城乡低保", M, "family_size"), _s("特困人员供养", M),
        _s("临时救助", M), _s("高龄津贴", M), _s("婚姻登记", SV),
        _s("养老机构", PL, "capacity"), _s("社会组织", E), _s("殡葬服务", SV),
        _s("孤儿和事实无人抚养儿童", P, "guardian_name", "guardian_phone"),
    )),
    "rsj": DepartmentCatalogue("RS", 40, ("人力资源社会保障一体化平台", "社会保险信息系统",
        "劳动保障监察系统"), (
        _s("城乡居民养老保险", M, "insurance_type"), _s("企业职工社会保险", M,
        "employer", "payment_base"), _s("就业登记", P, "employer"),
        _s("失业登记", P), _s("职业技能培训补贴", M), _s("劳动保障监察", C),
        _s("劳动人事争议仲裁", C), _s("用人单位", E, "employees"),
    )),
    "fgj": DepartmentCatalogue("FG", 18, ("投资项目在线审批监管平台", "价格监测系统"), (
        _s("固定资产投资项目", PL, "project_name", "investment", "progress"),
        _s("重点建设项目", PL, "project_name", "investment", "progress"),
        _s("重要商品价格", D, "measured_value"), _s("粮食储备", PL),
    )),
    "czj": DepartmentCatalogue("CZ", 20, ("预算管理一体化系统", "国库集中支付系统"), (
        _s("部门预算", M, "budget_item", "fund_source"), _s("惠民惠农补贴", M, "fund_source"),
        _s("政府采购项目", SV, "project_name"), _s("国库集中支付", M, "budget_item"),
        _s("行政事业单位资产", PL, "asset_value"), _s("财政专项资金", M, "fund_source"),
    )),
    "gxj": DepartmentCatalogue("GX", 22, ("工业经济运行监测系统", "企业服务平台"), (
        _s("规模以上工业企业", E, "annual_revenue"), _s("专精特新企业", E),
        _s("工业园区", PL, "land_area"), _s("工业企业用电", D, "power_usage"),
        _s("村级工业园", PL, "land_area", "risk_level"),
    )),
    "kjj": DepartmentCatalogue("KJ", 14, ("科技业务管理系统",), (
        _s("高新技术企业", E), _s("科技项目", SV, "project_name"),
        _s("科技企业孵化器", PL),
    )),
    "nyj": DepartmentCatalogue("NY", 26, ("农业农村综合信息平台", "农村集体资产管理平台"), (
        _s("农村集体经济组织", E), _s("家庭农场", E, "crop"), _s("畜禽养殖场", PL, "livestock"),
        _s("农田", PL, "crop", "land_area"), _s("农村宅基地", PL, "parcel_code"),
        _s("耕地地力保护补贴", M, "land_area"),
    )),
    "swuj": DepartmentCatalogue("SWU", 20, ("商务运行监测系统", "外贸企业服务系统"), (
        _s("限额以上商贸企业", E, "annual_revenue"), _s("外贸企业", E),
        _s("成品油加油站", PL, "license_no"), _s("商业综合体", PL, "floor_area"),
    )),
    "wglt": DepartmentCatalogue("WGLT", 22, ("文化市场综合执法系统", "文旅公共服务平台"), (
        _s("文化经营场所", E, "license_no"), _s("旅行社", E, "license_no"),
        _s("旅游景区", PL, "tour_spot", "visitors"), _s("公共文化场馆", PL, "visitors"),
        _s("体育场地设施", PL),
    )),
    "tyjr": DepartmentCatalogue("TYJR", 12, ("退役军人信息管理系统",), (
        _s("退役军人", P, "veteran_type", "service_years"),
        _s("优抚对象抚恤", M, "veteran_type"), _s("退役军人服务站", PL),
    )),
    "sjj": DepartmentCatalogue("SJ", 10, ("审计管理系统",), (
        _s("审计项目", SV, "project_name", "audit_finding"),
        _s("审计整改", C, "audit_finding"),
    )),
    "tjj": DepartmentCatalogue("TJ", 26, ("统计联网直报平台", "人口普查数据库"), (
        _s("地区生产总值", C), _s("联网直报企业", E), _s("人口抽样调查", P),
        _s("经济普查单位", E), _s("住户收支调查", P, "family_size"),
    )),
    "ybj": DepartmentCatalogue("YB", 28, ("医疗保障信息平台",), (
        _s("医保参保人员", P, "insurance_type"), _s("医保定点医药机构", E, "hospital"),
        _s("门诊特定病种待遇", M, "diagnosis"), _s("医疗救助", M), _s("医保基金结算", M),
        _s("医保基金监管", C),
    )),
    "lyyl": DepartmentCatalogue("LYYL", 18, ("林业综合管理系统", "智慧园林平台"), (
        _s("古树名木", PL, "tree_species"), _s("城市公园", PL), _s("森林防火监测", D),
        _s("林地", PL, "parcel_code", "tree_species"),
    )),
    "xfj": DepartmentCatalogue("XF", 14, ("信访信息系统",), (
        _s("信访事项", C, "petition_type"), _s("领导接访", C, "petition_type"),
        _s("重复信访", C, "petition_type"),
    )),
    "xfdd": DepartmentCatalogue("XFDD", 27, ("消防监督管理系统", "智慧消防物联网平台"), (
        _s("消防安全重点单位", E, "fire_rating"), _s("火灾事故", C),
        _s("消防监督检查", C, "findings"), _s("消防设施物联网", D),
        _s("微型消防站", PL), _s("三小场所", PL, "fire_rating"),
    )),
    "jjdd": DepartmentCatalogue("JJDD", 36, ("公安交通管理综合应用平台", "交通违法处理系统"), (
        _s("机动车", D, "plate_no", "vehicle_type", "vin"),
        _s("机动车驾驶人", P, "license_class", "score"),
        _s("交通违法", C, "plate_no", "violation", "score"), _s("道路交通事故", C),
        _s("电子警察抓拍", D, "plate_no", "speed", "violation"),
        _s("交通信号灯", D), _s("停车场", PL, "capacity"),
    )),
    "swju": DepartmentCatalogue("SWJU", 24, ("金税系统", "电子税务局"), (
        _s("纳税人", E, "tax_paid"), _s("发票", D, "amount"), _s("税收收入", M),
        _s("涉税服务", SV), _s("欠税", C, "amount"),
    )),
    "gzw": DepartmentCatalogue("GZW", 10, ("国有资产监管系统",), (
        _s("区属国有企业", E, "asset_value"), _s("国有房产", PL, "asset_value"),
    )),
    "cl": DepartmentCatalogue("CL", 14, ("残疾人信息管理系统",), (
        _s("持证残疾人", P, "disability_grade"), _s("残疾人两项补贴", M, "disability_grade"),
        _s("残疾人康复服务", SV),
    )),
    "zgh": DepartmentCatalogue("ZGH", 10, ("工会会员服务系统",), (
        _s("基层工会", E, "member_count"), _s("困难职工", P, "family_size"),
    )),
    "gdj": DepartmentCatalogue("GD", 18, ("电力营销系统", "配网运行监测系统"), (
        _s("用电户", PL, "meter_no", "power_usage"), _s("配电台区", D),
        _s("停电计划", C), _s("用电量", D, "meter_no", "power_usage"),
    )),
    "qxj": DepartmentCatalogue("QX", 14, ("气象综合业务系统",), (
        _s("自动气象站观测", D, "temperature", "rainfall", "weather"),
        _s("气象预警信号", C, "warning_signal"), _s("雷电防护装置", PL),
    )),
    "cgzx": DepartmentCatalogue("CGZX", 18, ("城市更新项目管理系统",), (
        _s("城中村改造项目", PL, "project_name", "progress"),
        _s("旧厂房改造", PL, "land_area"), _s("拆迁补偿", M, "house_code"),
        _s("更新单元", PL, "parcel_code", "land_area"),
    )),
}
# fmt: on
