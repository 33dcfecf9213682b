"""The people the demo's call history needs: a caller for every town and key village, a
responder for every department.

The documented demo accounts (district.ACCOUNTS) are reused where they exist (`yuncheng`,
`chengguan`, ...). The others are made here with the same naming: a town's caller is its
pinyin (`taihe`), a key village's caller is the town's pinyin with `-village` (`taihe-village`,
`taihe-village2`, ...), a department's responder is the pinyin of its short name (`gongan`).
They have no password (they cannot sign in): Argon2 for some eighty accounts would cost the
demo more than the whole history, and the documented accounts already show every role.
"""

from dataclasses import dataclass, field

from faker import Faker

from huying.demo import district as facts
from huying.orgs import services as org_services
from huying.orgs.choices import OrgKind, Role
from huying.orgs.models import Org, User

TOWN_PINYIN = {
    "景泰街道": "jingtai",
    "松洲街道": "songzhou",
    "同德街道": "tongde",
    "黄石街道": "huangshi",
    "棠景街道": "tangjing",
    "新市街道": "xinshi",
    "同和街道": "tonghe",
    "京溪街道": "jingxi",
    "永平街道": "yongping",
    "嘉禾街道": "jiahe",
    "均禾街道": "junhe",
    "石井街道": "shijing",
    "金沙街道": "jinsha",
    "云城街道": "yuncheng",
    "鹤龙街道": "helong",
    "白云湖街道": "baiyunhu",
    "石门街道": "shimen",
    "龙归街道": "longgui",
    "大源街道": "dayuan",
    "三元里街道": "sanyuanli",
    "人和镇": "renhe",
    "太和镇": "taihe",
    "钟落潭镇": "zhongluotan",
    "江高镇": "jianggao",
}

# department code suffix -> responder username (the six of district.ACCOUNTS come first)
DEPARTMENT_PINYIN = {
    "cgj": "chengguan",
    "zjj": "zhujian",
    "ghj": "guihua",
    "swj": "shuiwu",
    "sthj": "huanjing",
    "yjj": "yingji",
    "sfj": "sifa",
    "gaj": "gongan",
    "scjgj": "shichang",
    "wjj": "weijian",
    "jyj": "jiaoyu",
    "jtj": "jiaotong",
    "mzj": "minzheng",
    "rsj": "renshe",
    "lsj": "laisui",
    "zsj": "zhengshu",
    "fgj": "fagai",
    "czj": "caizheng",
    "gxj": "gongxin",
    "kjj": "keji",
    "nyj": "nongye",
    "swuj": "shangwu",
    "wglt": "wenguang",
    "tyjr": "tuiyi",
    "sjj": "shenji",
    "tjj": "tongji",
    "ybj": "yibao",
    "lyyl": "linyuan",
    "xfj": "xinfang",
    "xfdd": "xiaofang",
    "jjdd": "jiaojing",
    "swju": "shuishou",
    "gzw": "guozi",
    "cl": "canlian",
    "zgh": "gonghui",
    "gdj": "gongdian",
    "qxj": "qixiang",
    "cgzx": "gengxin",
}


@dataclass
class Cast:
    """Who acts in the history: by org id, plus the command centre and the commission."""

    command: User
    supervisor: User
    callers: dict[int, User] = field(default_factory=dict)
    responders: dict[int, User] = field(default_factory=dict)
    created: int = 0

    def caller(self, org: Org) -> User:
        return self.callers[org.pk]

    def responder(self, department_id: int) -> User:
        return self.responders[department_id]


def cast_of_the_history(faker: Faker) -> Cast:
    cast = Cast(
        command=User.objects.get(username="command"),
        supervisor=User.objects.get(username="supervisor"),
    )
    for town in Org.objects.filter(kind__in=(OrgKind.TOWN, OrgKind.STREET)).order_by("code"):
        pinyin = TOWN_PINYIN[town.name]
        _ensure(cast, cast.callers, town, Role.CALLER, pinyin, faker)
        key_villages = town.children.filter(has_calling_right=True).order_by("code")
        for n, village in enumerate(key_villages, start=1):
            username = f"{pinyin}-village" + (str(n) if n > 1 else "")
            _ensure(cast, cast.callers, village, Role.CALLER, username, faker)
    for suffix, username in DEPARTMENT_PINYIN.items():
        department = Org.objects.get(code=facts.department_code(suffix))
        _ensure(cast, cast.responders, department, Role.RESPONDER, username, faker)
    return cast


def _ensure(cast: Cast, into: dict, org: Org, role: str, username: str, faker: Faker) -> None:
    """The org's first user of the role, or a new one named `username`."""
    name, phone = faker.name(), faker.phone_number()  # drawn always: stable across runs
    user = User.objects.filter(org=org, role=role, is_active=True).order_by("pk").first()
    if user is None:
        user = _create(username, role, org, name, phone)
        cast.created += 1
    into[org.pk] = user


def _create(username: str, role: str, org: Org, name: str, phone: str) -> User:
    return org_services.create_user(
        actor=None,
        username=username,
        password=None,  # no sign-in: see the module docstring
        role=role,
        org=org,
        full_name=name,
        phone=phone,
    )
