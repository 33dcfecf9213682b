"""The demo district is Baiyun: real towns and departments, synthetic villages, 17 accounts."""

from huying.core import audit
from huying.demo import district as facts
from huying.demo.services import DEMO_PASSWORD, load_demo_district
from huying.orgs.choices import OrgKind, Role
from huying.orgs.models import Org, User

STREETS = (
    "景泰 松洲 同德 黄石 棠景 新市 同和 京溪 永平 嘉禾 "
    "均禾 石井 金沙 云城 鹤龙 白云湖 石门 龙归 大源 三元里"
)
TOWNS = "人和 太和 钟落潭 江高"
DEPARTMENTS = (
    "城管局 住建局 规划和自然资源分局 水务局 生态环境分局 应急管理局 司法局 公安分局 "
    "市场监管局 卫健局 教育局 交通运输局 民政局 人社局 来穗人员服务管理局 政务服务数据管理局"
)


def test_the_twenty_streets_and_four_towns_by_their_real_names(db):
    streets = set(Org.objects.filter(kind=OrgKind.STREET).values_list("name", flat=True))
    towns = set(Org.objects.filter(kind=OrgKind.TOWN).values_list("name", flat=True))
    assert streets == {f"{n}街道" for n in STREETS.split()}
    assert towns == {f"{n}镇" for n in TOWNS.split()}


def test_at_least_35_departments_with_their_usual_names(db):
    departments = Org.objects.filter(kind=OrgKind.DEPARTMENT)
    assert departments.count() >= 35
    short_names = set(departments.values_list("short_name", flat=True))
    assert set(DEPARTMENTS.split()) <= short_names


def test_commission_and_command_centre_are_units_of_their_own(db):
    district = Org.objects.get(kind=OrgKind.DISTRICT)
    for kind in (OrgKind.COMMISSION, OrgKind.COMMAND_CENTRE):
        unit = Org.objects.get(kind=kind)
        assert unit.parent == district


def test_300_villages_under_the_right_towns_some_key(db):
    villages = Org.objects.filter(kind__in=(OrgKind.VILLAGE, OrgKind.COMMUNITY))
    assert villages.count() >= 300
    for village in villages.select_related("parent"):
        assert village.parent.kind in (OrgKind.TOWN, OrgKind.STREET)
        assert village.path.startswith(village.parent.path)
        # Towns have villages (村), streets communities (社区).
        expected = OrgKind.VILLAGE if village.parent.kind == OrgKind.TOWN else OrgKind.COMMUNITY
        assert village.kind == expected
    key = villages.filter(is_key_village=True)
    assert 0 < key.count() < villages.count()
    assert all(v.has_calling_right for v in key)
    assert not villages.filter(is_key_village=False, has_calling_right=True).exists()


def test_every_town_holds_the_calling_right_and_has_a_location(db):
    for town in Org.objects.filter(kind__in=(OrgKind.TOWN, OrgKind.STREET)):
        assert town.has_calling_right
        assert 23.0 < float(town.lat) < 23.6 and 113.1 < float(town.lon) < 113.6


def test_demo_accounts_sign_in_with_the_demo_password(db):
    expected = {
        "admin": (Role.ADMIN, "广州市白云区"),
        "command": (Role.OPERATOR, "白云区综合指挥调度中心"),
        "yuncheng": (Role.CALLER, "云城街道"),
        "helong": (Role.CALLER, "鹤龙街道"),
        "renhe": (Role.CALLER, "人和镇"),
        "chengguan": (Role.RESPONDER, "区城市管理和综合执法局"),
        "chengguan-head": (Role.DEPARTMENT_HEAD, "区城市管理和综合执法局"),
        "inspector": (Role.INSPECTOR, "云城街道"),
    }
    for username, (role, org_name) in expected.items():
        user = User.objects.get(username=username)
        assert (user.role, user.org.name) == (role, org_name)
    assert User.objects.filter(username__in=[a[0] for a in facts.ACCOUNTS]).count() == 17
    for user in User.objects.filter(username__in=[a[0] for a in facts.ACCOUNTS]):
        assert user.check_password(DEMO_PASSWORD), user.username
        assert user.password.startswith("argon2")


def test_loading_again_duplicates_nothing_and_keeps_edits(db):
    town = Org.objects.get(name="云城街道")
    town.contact_name = "已改过的联系人"
    town.save()
    counts = (Org.objects.count(), User.objects.count())
    summary = load_demo_district()
    assert (Org.objects.count(), User.objects.count()) == counts
    assert summary.created == {}
    assert Org.objects.get(name="云城街道").contact_name == "已改过的联系人"
    assert audit.verify().ok


def test_demo_load_is_audited(db):
    assert audit.verify().ok
    from huying.core.models import AuditEntry

    created = AuditEntry.objects.filter(action="orgs.org_created").count()
    assert created == Org.objects.count()
