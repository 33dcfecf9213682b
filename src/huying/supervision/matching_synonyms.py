"""What cadres call the same data item, written by hand from the catalogue's vocabulary
(datahub/catalogue_fields.py) and the wording of real reporting forms.

A label is read as (role, concept): "监护人电话" is the phone (concept) of the guardian
(role); "联系电话" is the phone of the record's own subject (no role). Two labels that both
read fully are the same data only when role and concept agree, so 监护人电话 never passes for
联系电话, nor 户籍地址 for 现住址. A role names another person than the record's subject; the
hub may know that person too, but only through a relation the matcher does not follow, so
户主姓名 is not 姓名. Place words (出租屋地址) qualify a place concept without changing it.
"""

import re

# concept -> the surface forms that mean it (first: the catalogue's own label).
CONCEPTS: dict[str, tuple[str, ...]] = {
    # people
    "name": ("姓名", "名字", "人员姓名", "本人姓名", "居民姓名", "村民姓名", "人名"),
    "id_number": (
        "身份证号",
        "公民身份号码",
        "身份证号码",
        "证件号码",
        "身份证件号码",
        "身份证",
        "居民身份证号码",
        "身份号码",
        "证件号",
        "身份证件号",
        "公民身份证号",
    ),
    "phone": (
        "联系电话",
        "手机号",
        "手机号码",
        "电话",
        "联系方式",
        "手机",
        "电话号码",
        "联系号码",
        "移动电话",
        "本人电话",
        "联系手机",
    ),
    "current_address": (
        "现住址",
        "居住地址",
        "实际居住地",
        "现居住地址",
        "家庭住址",
        "住址",
        "现居住地",
        "居住地",
        "现住地址",
        "实际居住地址",
        "居住地详细地址",
        "现居地址",
        "常住地址",
    ),
    "hukou_address": (
        "户籍地址",
        "户籍所在地",
        "户口所在地",
        "户籍地",
        "户口地址",
        "户籍住址",
        "户籍所在地址",
        "户口登记地址",
    ),
    "birth_date": ("出生日期", "出生年月", "出生年月日", "生日", "出生时间"),
    "gender": ("性别",),
    "ethnicity": ("民族",),
    "education": ("文化程度", "学历", "最高学历"),
    "marital_status": ("婚姻状况", "婚姻状态", "婚否"),
    "political_status": ("政治面貌",),
    "employer": ("工作单位", "就业单位", "现工作单位"),
    "occupation": ("职业", "职业类别"),
    "native_place": ("籍贯",),
    "household_no": ("户号", "户口簿户号"),
    "relation_to_head": ("与户主关系", "与户主的关系"),
    "disability_grade": ("残疾等级", "残疾类别及等级", "残疾类别"),
    "health_condition": ("健康状况", "身体状况"),
    "family_size": ("家庭人口数", "家庭人口", "家庭成员人数", "家庭人数"),
    # where a record belongs
    "town": ("所属镇街", "所在镇街", "镇街", "所属街道", "镇（街）", "镇街名称"),
    "village": (
        "所属村社",
        "所在村（居）",
        "所在村居",
        "所属村居",
        "村（社区）",
        "村社区",
        "所在村",
        "所在社区",
        "村居",
        "村（居）委会",
        "所在村社",
        "村社",
        "村（居）",
    ),
    "grid_code": ("网格编码", "网格编号", "所属网格", "网格"),
    "created_at": ("登记时间", "登记日期", "录入时间", "登记日期时间"),
    # enterprises and organisations
    "org_name": (
        "单位名称",
        "企业名称",
        "企业全称",
        "机构名称",
        "单位全称",
        "公司名称",
        "商户名称",
        "经营主体名称",
        "市场主体名称",
    ),
    "credit_code": ("统一社会信用代码", "社会信用代码", "信用代码", "统一信用代码"),
    "reg_address": ("注册地址", "住所", "注册地", "登记住所"),
    "business_address": ("经营地址", "经营场所", "生产经营地址", "实际经营地址", "经营场所地址"),
    "business_scope": ("经营范围",),
    "reg_capital": ("注册资本", "注册资金"),
    "established_on": ("成立日期", "成立时间"),
    "industry": ("所属行业", "行业类别", "行业", "行业分类"),
    "employees": ("从业人数", "从业人员数", "员工人数", "职工人数", "从业人员数量", "用工人数"),
    "org_type": ("单位类型", "企业类型", "市场主体类型", "单位性质"),
    # places
    "address": ("详细地址", "地址", "门牌地址", "标准地址"),
    "place_name": ("场所名称",),
    "floor_area": ("建筑面积", "面积"),
    "floors": ("层数", "楼层数", "建筑层数"),
    "usage": ("房屋用途", "用途"),
    "lat": ("纬度",),
    "lon": ("经度",),
    "rooms": ("房间数", "出租房间数", "房间数量"),
    "rental_code": ("出租屋编码", "出租屋编号"),
    # cases
    "location": ("发生地点", "事发地点", "案发地点", "事发地址"),
    "penalty_amount": ("罚款金额", "处罚金额", "罚没金额"),
    # vehicles, rivers, statistics
    "plate_no": ("车牌号码", "车牌号", "号牌号码"),
    "river": ("河涌名称", "河涌", "河道名称"),
    "water_quality": ("水质类别", "水质"),
    "meter_no": ("电表户号", "用电户号"),
    "bank_account": ("银行账号", "银行卡号", "账号", "银行账户"),
}

# role -> its surface forms. A bare role is the person's name (联系人 = the contact's name).
ROLES: dict[str, tuple[str, ...]] = {
    "guardian": ("监护人",),
    "legal_rep": ("法定代表人", "法人代表", "法定代表人（负责人）", "法人"),
    "contact": ("联系人", "业务联系人"),
    "emergency": ("紧急联系人",),
    "landlord": ("房东", "出租人", "房主"),
    "party": ("当事人",),
    "applicant": ("申请人",),
    "card_holder": ("持卡人",),
    "household_head": ("户主",),
    "owner": ("产权人", "业主"),
    "manager": ("管理责任人", "责任人", "负责人", "安全责任人"),
    "handler": ("经办人",),
    "inspector": ("检查人员", "检查人", "巡查人员"),
    "river_chief": ("河长",),
    "grid_worker": ("网格员",),
    "spouse": ("配偶",),
    "filler": ("填报人", "填表人"),
}

# Words that qualify a place concept without changing it (出租屋地址 is an address).
PLACE_WORDS = ("出租屋", "房屋", "场所", "楼栋", "建筑", "门店")
PLACE_CONCEPTS = {"address", "floor_area", "floors", "usage", "place_name"}

# Column labels that name no data the hub could supply (every form has them).
GENERIC = {
    "序号", "备注", "状态", "说明", "其他", "记录编号", "编号", "填报单位", "填报日期", "填表日期",
    "审核人", "填报人", "填表人", "签字", "盖章", "更新时间",
}  # fmt: skip

_BRACKETS = re.compile(r"[（(][^）)]*[）)]")
_NOISE = re.compile(r"[\s:：,，。.;；、/\-_*#]+")

_SURFACE: dict[str, str] = {s: c for c, forms in CONCEPTS.items() for s in forms}
_ROLE_SURFACE = sorted(
    ((s, r) for r, forms in ROLES.items() for s in forms), key=lambda p: -len(p[0])
)


def normalise(label: str) -> str:
    """Trim a label to its words: units in brackets out ("注册资本（万元）" -> "注册资本")
    unless the brackets are the label (村（居）), punctuation and spaces out."""
    label = label.strip().replace("(", "（").replace(")", "）")
    if label in _SURFACE:
        return label
    stripped = _BRACKETS.sub("", label)
    return _NOISE.sub("", stripped or label)


def read_label(label: str) -> tuple[str | None, str] | None:
    """(role, concept) when the whole label is understood, else None."""
    text = normalise(label)
    if text in _SURFACE:
        return None, _SURFACE[text]
    for surface, role in _ROLE_SURFACE:
        if text.startswith(surface):
            rest = text[len(surface) :]
            if not rest or rest in ("姓名", "名字"):
                return role, "name"
            if rest in _SURFACE:
                return role, _SURFACE[rest]
    for word in PLACE_WORDS:
        rest = text.removeprefix(word)
        if rest != text and _SURFACE.get(rest) in PLACE_CONCEPTS:
            return None, _SURFACE[rest]
    return None


def roles_in(label: str) -> frozenset[str]:
    """The roles a label mentions anywhere (for labels the table does not read fully)."""
    text = normalise(label)
    found, rest = set(), text
    for surface, role in _ROLE_SURFACE:
        if surface in rest:
            found.add(role)
            rest = rest.replace(surface, "|")
    return frozenset(found)


def is_generic(label: str) -> bool:
    return normalise(label) in GENERIC


def surfaces(concept: str) -> tuple[str, ...]:
    return CONCEPTS.get(concept, ())


def all_surfaces() -> list[str]:
    """Every form of the table, for the word segmenter's dictionary."""
    roles = [s for forms in ROLES.values() for s in forms]
    return [*_SURFACE, *roles, *PLACE_WORDS]
