"""The words of the demo's call history: roads, call titles per matter, notes and results.

Data only. Road names are Baiyun's own; places are the demo's synthetic villages; every
person's name comes from Faker (no real personal data).
"""

from huying.calls.choices import Domain, Urgency

ROADS = {
    "景泰街道": ("广园中路", "白云大道南", "景泰直街"),
    "松洲街道": ("松南路", "松北路", "增槎路"),
    "同德街道": ("西槎路", "上步路", "田心路"),
    "黄石街道": ("黄石东路", "黄石西路", "黄园路"),
    "棠景街道": ("远景路", "机场路", "棠涌路"),
    "新市街道": ("新市西街", "云霄路", "机场路"),
    "同和街道": ("同和路", "蟾蜍石东路", "广州大道北"),
    "京溪街道": ("京溪路", "沙太路", "云景路"),
    "永平街道": ("永泰路", "永平东路", "集贤路"),
    "嘉禾街道": ("嘉禾路", "望岗大道", "鹤龙一路"),
    "均禾街道": ("均禾大道", "石马桥路", "清湖路"),
    "石井街道": ("石井大道", "石沙路", "庆丰路"),
    "金沙街道": ("金沙洲路", "沙凤三路", "礼传路"),
    "云城街道": ("云城东路", "云城西路", "齐心路", "萧岗路"),
    "鹤龙街道": ("鹤龙一路", "鹤龙三路", "黄边北路"),
    "白云湖街道": ("夏花路", "大朗路", "槎神路"),
    "石门街道": ("石沙路", "红星路", "朝阳路"),
    "龙归街道": ("龙归路", "南岭路", "夏良路"),
    "大源街道": ("大源北路", "大源南路", "沙太北路"),
    "三元里街道": ("三元里大道", "广园西路", "松柏路"),
    "人和镇": ("人和大道", "鹤亭路", "方石路"),
    "太和镇": ("广从一路", "北太路", "谢家庄路"),
    "钟落潭镇": ("广从五路", "良田路", "竹料大道"),
    "江高镇": ("江村路", "神山大道", "大岭路"),
}

# matter code -> title patterns: {road} a road of the town, {place} one of its villages
TITLES = {
    "ZF-001": ("{road}店铺出店占道经营", "{road}夜市流动摊贩占道"),
    "ZF-002": ("{place}天台违法加建铁皮房", "{road}沿线新增违法搭建"),
    "ZF-003": ("{road}夜间偷倒余泥渣土", "泥头车沿{road}撒漏"),
    "ZF-004": ("{road}招牌破损有坠落隐患", "{road}违规设置户外广告"),
    "ZF-005": ("{road}商铺高音喇叭揽客扰民", "{place}广场舞噪声扰民"),
    "ZF-006": ("{road}工地夜间施工扰民", "{place}附近工地午间违规施工"),
    "ZF-007": ("{road}餐饮店油烟直排", "{place}大排档油烟扰民"),
    "ZF-008": ("{road}无证无照经营档口", "{place}出租屋内无照加工点"),
    "ZF-009": ("{road}小广告乱张贴", "{place}楼道喷涂办证小广告"),
    "ZF-010": ("{place}企业疑似偷排废水", "{road}雨水口排出有色废水"),
    "ZF-011": ("{road}商户私接排水管入河涌", "{place}河涌私设排水口"),
    "ZF-012": ("{place}露天焚烧垃圾", "{road}旁焚烧废旧家具"),
    "ZF-013": ("{place}河段疑似非法采砂", "{place}河道内堆放建筑材料"),
    "ZF-014": ("{place}占用耕地违规建房", "{place}农用地被填土堆放"),
    "ZF-015": ("{place}“散乱污”小作坊", "{place}无证五金加工场"),
    "ZF-016": ("{road}摩的非法载客聚集", "{place}地铁口黑车揽客"),
    "ZF-017": ("{road}共享单车堆积占道", "{place}地铁站口单车堵塞盲道"),
    "ZF-018": ("{road}机动车长期占用人行道", "{place}小区出入口车辆乱停"),
    "ZF-019": ("{place}犬只不拴绳伤人", "{place}犬只夜间吠叫扰民"),
    "ZF-020": ("{place}无证食品小作坊", "{road}校园周边销售“三无”食品"),
    "ZF-021": ("{place}出租屋内非法诊所", "{road}无证医疗美容店"),
    "ZF-022": ("{place}出租屋分隔群租", "{place}出租屋电动车入户充电"),
    "ZF-023": ("{place}疑似非法储存瓶装气", "{road}黑气点流动送气"),
    "ZF-024": ("{road}工地扬尘污染", "{place}工地未围蔽未覆盖"),
    "ZF-025": ("{road}行道树被擅自砍伐", "{place}公共绿地被占用毁坏"),
    "ZF-026": ("{place}小学门口流动摊贩聚集", "{road}学校周边交通秩序混乱"),
    "ZF-027": ("{road}网吧接纳未成年人", "{place}KTV超时营业扰民"),
    "ZF-028": ("{place}民房内储存烟花爆竹", "{road}无证销售烟花爆竹"),
    "ZF-029": ("{place}工地拖欠农民工工资", "{road}项目工人讨薪"),
    "ZF-030": ("{place}工地挖掘机冒黑烟", "{road}工地使用未登记机械"),
    "ZD-001": ("{road}断头路打通推进", "{place}规划道路施工停滞"),
    "ZD-002": ("{place}旧村改造方案推进", "{place}改造项目征拆协调"),
    "ZD-003": ("{place}河涌黑臭反弹", "{place}河涌清淤和截污"),
    "ZD-004": ("{place}新建小学用地协调", "{place}幼儿园建设推进"),
    "ZD-005": ("{place}老旧小区加装电梯协调", "{place}老旧小区管线改造"),
    "ZD-006": ("{road}架空线缆“蜘蛛网”", "{place}通信线缆凌乱下垂"),
    "ZD-007": ("{place}农贸市场升级改造", "{place}市场周边占道秩序"),
    "ZD-008": ("{place}公厕破损需改造", "{road}沿线缺少公厕"),
    "ZD-009": ("{place}垃圾分类投放点设置", "{place}垃圾收运不及时"),
    "ZD-010": ("{place}村庄环境整治提升", "{place}农村生活污水治理"),
    "ZD-011": ("{road}雨污分流施工占道", "{place}雨污管网未接驳"),
    "ZD-012": ("{road}高压线迁改配合", "{place}项目用地内线路迁改"),
    "ZD-013": ("{place}公交首末站建设", "{place}公共停车场选址"),
    "ZD-014": ("{place}重点项目征地协调", "{place}青苗补偿争议"),
    "ZD-015": ("{place}社区公园建设推进", "{road}碧道建设协调"),
    "ZD-016": ("{place}长者饭堂场地协调", "{place}社区养老服务站建设"),
    "ZD-017": ("{place}企业用电报装协调", "{place}企业报建手续协调"),
    "ZD-018": ("{place}消防车通道被占用", "{place}城中村消防通道堵塞"),
    "ZD-019": ("{place}村卫生站建设", "{place}社区卫生服务中心选址"),
    "ZD-020": ("{place}村级工业园整治提升", "{place}工业园消防和环保隐患"),
    "ZD-021": ("{place}旧改项目回迁安置延期", "{place}旧改项目拆迁停滞"),
    "ZD-022": ("{place}背街小巷路面破损", "{place}内街照明不足排水不畅"),
    "YJ-001": ("{road}暴雨后严重积水", "{place}低洼地段水浸"),
    "YJ-002": ("{place}危化品仓库疑似泄漏", "{road}槽罐车泄漏"),
    "YJ-003": ("{place}山体滑坡险情", "{place}边坡崩塌威胁民房"),
    "YJ-004": ("{place}燃气管道泄漏", "{road}餐饮店燃气异味"),
    "YJ-005": ("{place}山头发现烟点", "{place}林地火情"),
    "YJ-006": ("{place}出租屋起火", "{road}商铺火灾"),
    "YJ-007": ("{place}工地基坑局部坍塌", "{road}工地脚手架倒塌"),
    "YJ-008": ("{place}民房墙体开裂倾斜", "{place}旧楼外墙剥落"),
    "YJ-009": ("{road}路面塌陷", "{road}人行道出现空洞"),
    "YJ-010": ("{road}供水管道爆管", "{place}大面积停水"),
    "YJ-011": ("{place}片区突发停电", "{road}变压器故障停电"),
    "YJ-012": ("{place}河涌大面积死鱼", "{place}河涌水体突然发黑"),
    "YJ-013": ("{place}工地食堂疑似食物中毒", "{place}学校学生疑似食物中毒"),
    "YJ-014": ("{place}学校出现聚集性发热病例", "{place}工厂出现聚集性病例"),
    "YJ-015": ("{road}台风后树木倒伏阻路", "{place}大树倒伏压坏车辆"),
    "YJ-016": ("{place}台风前危房人员转移", "{place}低洼工棚人员转移"),
    "YJ-017": ("{road}多车相撞事故", "{road}路口交通事故致拥堵"),
    "YJ-018": ("{place}工人聚集讨薪", "{place}村民聚集反映征拆诉求"),
    "YJ-019": ("{place}电梯困人", "{place}小区电梯故障困人"),
    "YJ-020": ("{place}化粪池作业人员中毒", "{place}污水井作业人员窒息"),
    "YJ-021": ("{place}山塘坝体渗漏", "{place}水库水位超汛限"),
    "YJ-022": ("{place}养殖场生猪异常死亡", "{place}家禽异常死亡"),
    "YJ-023": ("{place}外墙饰面松动", "{road}空调外机松动有坠落危险"),
    "YJ-024": ("{road}下穿隧道积水", "{road}涵洞积水需封闭"),
}

# The seasons of emergencies: the rainy and typhoon months, and the dry season for fires.
WET_SEASON = ("YJ-001", "YJ-003", "YJ-015", "YJ-016", "YJ-021", "YJ-024")
DRY_SEASON = ("YJ-005",)

# Free-form calls (no matter on the list): title, domain, urgency, the department the
# command centre routes it to (code suffix).
FREE_FORM = (
    ("{road}路灯成片不亮", Domain.KEY_WORK, Urgency.NORMAL, "cgj"),
    ("{place}小区电动自行车集中充电设施建设", Domain.KEY_WORK, Urgency.NORMAL, "zjj"),
    ("{place}村集体物业租赁合同纠纷", Domain.KEY_WORK, Urgency.NORMAL, "nyj"),
    ("{place}退役军人优待证办理滞后", Domain.KEY_WORK, Urgency.NORMAL, "tyjr"),
    ("{place}残疾人两项补贴发放延误", Domain.KEY_WORK, Urgency.NORMAL, "cl"),
    ("{place}学校上下学时段交通拥堵", Domain.LAW_ENFORCEMENT, Urgency.NORMAL, "jjdd"),
    ("{road}井盖缺失", Domain.EMERGENCY, Urgency.URGENT, "swj"),
    ("{place}来穗人员集中居住点管理", Domain.KEY_WORK, Urgency.NORMAL, "lsj"),
    ("{place}农村危房改造补助", Domain.KEY_WORK, Urgency.NORMAL, "zjj"),
    ("{place}群众健身场地建设", Domain.KEY_WORK, Urgency.NORMAL, "wglt"),
    ("{place}企业未缴社保引发投诉", Domain.LAW_ENFORCEMENT, Urgency.NORMAL, "rsj"),
    ("{road}公交站台破损", Domain.KEY_WORK, Urgency.NORMAL, "jtj"),
    ("{place}社区重复填报数据", Domain.KEY_WORK, Urgency.NORMAL, "zsj"),
    ("{place}医保异地备案咨询集中", Domain.KEY_WORK, Urgency.NORMAL, "ybj"),
    ("{road}路口信号灯故障", Domain.EMERGENCY, Urgency.URGENT, "jjdd"),
    ("{place}古树名木长势衰弱", Domain.KEY_WORK, Urgency.NORMAL, "lyyl"),
    ("{place}商铺价格投诉集中", Domain.LAW_ENFORCEMENT, Urgency.NORMAL, "scjgj"),
)

SITUATIONS = {
    Domain.LAW_ENFORCEMENT: (
        "群众多次通过 12345 热线反映",
        "镇街执法队已多次劝导，当事人拒不整改",
        "已超出镇街执法权限，需部门依法查处",
        "网格员巡查发现，现场已拍照取证",
        "周边居民意见较大，整治后多次反弹",
    ),
    Domain.KEY_WORK: (
        "该事项已列入镇街年度重点工作，推进受阻",
        "涉及多个部门审批，镇街协调未果",
        "群众期盼强烈，人大代表多次提出建议",
        "前期已多次协调，仍有手续未落实",
    ),
    Domain.EMERGENCY: (
        "现场已拉设警戒线，网格员正在疏导群众",
        "镇街应急队伍已到场先期处置",
        "情况紧急，请立即派员到场",
        "已疏散周边群众，暂无人员伤亡",
    ),
}

ASKS = (
    "请{lead}按时限响应并到场处置。",
    "请{lead}尽快派员现场核查处理。",
    "请{lead}牵头，协办部门配合处置。",
)
ASK_COMMAND = "未找到对应清单事项，请指挥中心协调相关部门处置。"

RESPONSES = {
    Domain.LAW_ENFORCEMENT: ("已签收，马上安排执法人员到场。", "已签收，今日安排处置。", ""),
    Domain.KEY_WORK: ("已签收，已指派专人跟进。", "收到，近期组织现场办公。", ""),
    Domain.EMERGENCY: ("已签收，人员正赶赴现场。", "收到，应急队伍已出发。"),
}
PROGRESS = {
    Domain.LAW_ENFORCEMENT: (
        "已到场核查取证，向当事人下达责令限期改正通知书。",
        "已约谈当事人，正在督促整改。",
        "已联合镇街开展整治，部分整改到位。",
    ),
    Domain.KEY_WORK: (
        "已现场办公，明确推进方案和时间节点。",
        "相关手续正在办理，已与各协办部门对接。",
        "已制定工作方案，正在组织实施。",
    ),
    Domain.EMERGENCY: (
        "人员已到场，正在处置。",
        "险情已初步控制，继续抢修。",
        "现场已设置警示，正在组织抢险。",
    ),
}
RESULTS = {
    Domain.LAW_ENFORCEMENT: (
        "已依法查处，当事人已整改到位，经复查无反弹，纳入日常巡查。",
        "已到场处置并立案调查，现场已恢复正常。",
        "已责令停止违法行为并完成整改，相关材料已归档。",
    ),
    Domain.KEY_WORK: (
        "已会同协办部门完成协调，问题已解决，纳入常态化管理。",
        "相关手续已办结，项目已按计划推进。",
        "已落实整改方案，完成建设并经镇街验收。",
    ),
    Domain.EMERGENCY: (
        "险情已排除，现场已恢复正常，后续持续跟踪。",
        "已完成抢修，恢复通行和供应，未造成人员伤亡。",
        "已妥善处置，受影响群众已安置，现场已清理。",
    ),
}
CONFIRMS = ("经现场核实，问题已解决。", "处置及时，群众满意。", "已复核，同意办结。", "")
RETURN_TO = "经核实，该事项主要属于{target}职责，本部门配合处置，建议改由{target}牵头。"
RETURN_LOCAL = "经核实，该问题属镇街属地管理范围，建议由镇街自行处理。"
UPHOLD = "根据专项清单，该事项由贵单位牵头，请按时限办理。"
REROUTE = "经研判，该事项主要涉及{target}职责，改由其牵头办理。"
ROUTE = "经研判，派{target}牵头办理。"
REJECTS = (
    "现场复查问题仍未解决，请继续跟进。",
    "整改不彻底，群众仍有投诉，请重新办理。",
    "办结材料与现场情况不符，请重新核查。",
)
WITHDRAWS = ("经镇街协调，问题已自行解决。", "重复呼叫，撤回。", "当事人已主动整改，撤回呼叫。")
PERFUNCTORY = (
    "部门仅电话回复，未到现场核查即报办结，问题依旧存在。",
    "办结材料仅为工作照片，实际问题未处理。",
)
LATE_RESPONSE_OUTCOME = (
    "经查，{department}值班人员未及时查看和签收呼叫，导致超期未响应。"
    "对相关责任人{level}，责令该单位完善值班签收制度。"
)
PERFUNCTORY_OUTCOME = (
    "经调查核实，{department}未到现场核查即报办结，属应付式响应。"
    "对承办人员{level}，责令重新办理并在全区通报。"
)
POSTS = ("办公室副主任", "业务科科长", "值班员", "执法中队中队长")
