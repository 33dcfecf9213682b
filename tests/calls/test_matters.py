"""The special list (专项清单): its rules, its history of edits, the admin, and the demo list."""

import pytest

from huying.calls import matters
from huying.calls.choices import Domain
from huying.calls.limit_text import limit_text, parse_limit_text
from huying.calls.limits import Limit
from huying.calls.models import Matter
from huying.core.errors import Forbidden, Invalid
from huying.core.models import AuditEntry
from huying.demo import special_list
from huying.demo.services import load_demo_district
from huying.orgs import services as org_services
from huying.orgs.choices import OrgKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(persona):
    return persona("admin")


@pytest.fixture
def fields(db):
    """A valid new matter, written as the API writes it."""
    return {
        "code": "ZF-T90",
        "domain": Domain.LAW_ENFORCEMENT,
        "name": "违规设置地桩地锁",
        "description": "公共道路私设地桩地锁",
        "lead_department": "440111-cgj",
        "co_departments": ["440111-jjdd", "440111-zjj"],
        "response_limit": "PT4H",
        "resolution_limit": 3,
        "legal_basis": "《广州市市容环境卫生管理规定》",
    }


# --- creating and updating -----------------------------------------------------------------------


def test_create_matter_saves_it_and_records_a_snapshot(admin, fields):
    matter = matters.create_matter(admin, **fields)
    matter.refresh_from_db()
    assert matter.lead_department.code == "440111-cgj"
    assert sorted(matter.co_departments.values_list("code", flat=True)) == [
        "440111-jjdd",
        "440111-zjj",
    ]
    assert matter.response_limit == Limit(seconds=4 * 3600)
    assert matter.resolution_limit == Limit(working_days=3)
    [entry] = matters.matter_history(matter)
    assert entry.action == matters.CREATED and entry.actor_id == admin.pk
    assert entry.before is None
    assert entry.after == {
        "code": "ZF-T90",
        "domain": "law_enforcement",
        "name": "违规设置地桩地锁",
        "description": "公共道路私设地桩地锁",
        "lead_department": "440111-cgj",
        "co_departments": ["440111-jjdd", "440111-zjj"],
        "response_limit": "PT4H",
        "resolution_limit": 3,
        "legal_basis": "《广州市市容环境卫生管理规定》",
        "is_active": True,
    }


def test_update_matter_records_before_and_after_with_the_reason(admin, fields, org):
    matter = matters.create_matter(admin, **fields)
    matters.update_matter(
        admin,
        matter,
        reason="职责调整",
        response_limit="PT1H",
        co_departments=[org("440111-gaj")],
        lead_department=org("440111-jjdd"),
    )
    created, updated = matters.matter_history(matter)
    assert created.action == matters.CREATED and updated.action == matters.UPDATED
    assert updated.reason == "职责调整" and updated.actor_id == admin.pk
    assert updated.before["response_limit"] == "PT4H"
    assert updated.after["response_limit"] == "PT1H"
    assert updated.before["co_departments"] == ["440111-jjdd", "440111-zjj"]
    assert updated.after["co_departments"] == ["440111-gaj"]
    assert updated.after["lead_department"] == "440111-jjdd"
    assert [label for label, _, _ in matters.describe_changes(updated)] == [
        "牵头部门",
        "协办部门",
        "响应时限",
    ]


def test_an_update_that_changes_nothing_writes_no_history(admin, fields):
    matter = matters.create_matter(admin, **fields)
    assert matters.apply_update(admin, matter, name=fields["name"], resolution_limit=3) is False
    assert len(matters.matter_history(matter)) == 1


def test_a_limit_can_change_form_from_working_days_to_a_duration(admin, fields):
    matter = matters.create_matter(admin, **fields)
    matters.update_matter(admin, matter, resolution_limit=Limit(seconds=90))
    matter.refresh_from_db()
    assert (matter.resolution_seconds, matter.resolution_working_days) == (90, None)


def test_deactivating_keeps_the_matter(admin, fields):
    matter = matters.create_matter(admin, **fields)
    matters.update_matter(admin, matter, is_active=False, reason="停用")
    assert Matter.objects.get(code="ZF-T90").is_active is False
    assert matters.matter_history(matter).last().after["is_active"] is False


# --- the rules, each refused with its field ---------------------------------------------------


def inactive_department():
    return org_services.create_org(
        actor=None,
        code="440111-old",
        name="区已撤销局",
        kind=OrgKind.DEPARTMENT,
        parent=matters.department_by_code("440111", "x"),
        is_active=False,
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"code": ""}, "code"),
        ({"code": "ZF 01/2"}, "code"),
        ({"code": "Z" * 33}, "code"),
        ({"code": "ZF-001"}, "code"),  # the demo list holds it
        ({"domain": "weather"}, "domain"),
        ({"name": "   "}, "name"),
        ({"name": "名" * 101}, "name"),
        ({"description": "a\x00b"}, "description"),
        ({"lead_department": None}, "lead_department"),
        ({"lead_department": "440111-nope"}, "lead_department"),
        ({"lead_department": "440111014"}, "lead_department"),  # 云城街道, a street
        ({"lead_department": "440111-zh"}, "lead_department"),  # the command centre
        ({"co_departments": ["440111014"]}, "co_departments"),
        ({"co_departments": ["440111-cgj"]}, "co_departments"),  # the lead itself
        ({"co_departments": ["440111-nope"]}, "co_departments"),
        ({"response_limit": None}, "response_limit"),
        ({"response_limit": "soon"}, "response_limit"),
        ({"response_limit": 0}, "response_limit"),
        ({"response_limit": "PT0S"}, "response_limit"),
        ({"resolution_limit": 366}, "resolution_limit"),
        ({"resolution_limit": "P400D"}, "resolution_limit"),
        (
            {"resolution_limit": None, "resolution_seconds": 60, "resolution_working_days": 2},
            "resolution_limit",
        ),
        ({"response_limit": None, "response_seconds": None}, "response_limit"),
    ],
)
def test_a_bad_matter_is_refused_naming_the_field(admin, fields, changes, field):
    matters_before, audit_before = Matter.objects.count(), AuditEntry.objects.count()
    with pytest.raises(Invalid) as caught:
        matters.create_matter(admin, **(fields | changes))
    assert caught.value.field == field
    assert caught.value.message  # Chinese, for the user
    assert (Matter.objects.count(), AuditEntry.objects.count()) == (matters_before, audit_before)


def test_an_inactive_lead_department_is_refused(admin, fields):
    inactive_department()
    with pytest.raises(Invalid) as caught:
        matters.create_matter(admin, **(fields | {"lead_department": "440111-old"}))
    assert caught.value.field == "lead_department" and "已停用" in caught.value.message


def test_an_inactive_co_department_is_refused(admin, fields):
    inactive_department()
    with pytest.raises(Invalid) as caught:
        matters.create_matter(admin, **(fields | {"co_departments": ["440111-old"]}))
    assert caught.value.field == "co_departments"


def test_a_matter_whose_lead_was_dissolved_can_still_be_deactivated(admin, fields):
    matter = matters.create_matter(admin, **fields)
    org_services.update_org(actor=None, org=matter.lead_department, is_active=False)
    matter = Matter.objects.get(pk=matter.pk)
    with pytest.raises(Invalid) as caught:
        matters.update_matter(admin, matter, name="改名")
    assert caught.value.field == "lead_department"
    matters.update_matter(admin, Matter.objects.get(pk=matter.pk), is_active=False)
    assert Matter.objects.get(pk=matter.pk).is_active is False


def test_making_a_co_department_the_lead_is_refused_unless_it_leaves_the_co_list(admin, fields):
    matter = matters.create_matter(admin, **fields)
    with pytest.raises(Invalid) as caught:
        matters.update_matter(admin, matter, lead_department="440111-zjj")
    assert caught.value.field == "co_departments"
    matters.update_matter(
        admin, matter, lead_department="440111-zjj", co_departments=["440111-cgj"]
    )
    assert Matter.objects.get(code="ZF-T90").lead_department.code == "440111-zjj"


def test_renaming_onto_an_existing_code_is_refused_and_changes_nothing(admin, fields):
    matter = matters.create_matter(admin, **fields)
    with pytest.raises(Invalid) as caught:
        matters.update_matter(admin, Matter.objects.get(pk=matter.pk), code="ZF-001", name="新")
    assert caught.value.field == "code"
    assert Matter.objects.get(pk=matter.pk).name == fields["name"]
    assert len(matters.matter_history(matter)) == 1


@pytest.mark.parametrize("username", ["chengguan", "command", "leader", "yuncheng", "supervisor"])
def test_only_administrators_change_the_list(persona, fields, username):
    with pytest.raises(Forbidden) as caught:
        matters.create_matter(persona(username), **fields)
    assert caught.value.field == "actor" and "系统管理员" in caught.value.message
    with pytest.raises(Forbidden):
        matters.update_matter(persona(username), Matter.objects.get(code="ZF-001"), name="改")
    assert Matter.objects.get(code="ZF-001").name == "占道经营整治"


# --- limits as people write them ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "limit"),
    [
        ("PT30M", Limit(seconds=1800)),
        ("pt2h", Limit(seconds=7200)),
        ("P1DT2H", Limit(seconds=93600)),
        ("PT2S", Limit(seconds=2)),
        ("30分钟", Limit(seconds=1800)),
        ("30分", Limit(seconds=1800)),
        ("2小时", Limit(seconds=7200)),
        ("2个小时", Limit(seconds=7200)),
        ("1小时30分钟", Limit(seconds=5400)),
        ("1天", Limit(seconds=86400)),
        ("45秒", Limit(seconds=45)),
        ("3个工作日", Limit(working_days=3)),
        ("3 个工作日", Limit(working_days=3)),
        ("３工作日", Limit(working_days=3)),
        ("3", Limit(working_days=3)),
        (3, Limit(working_days=3)),
        (3.0, Limit(working_days=3)),
    ],
)
def test_limits_are_read_in_iso_and_chinese_forms(text, limit):
    assert parse_limit_text(text, "response_limit") == limit


@pytest.mark.parametrize(
    "text", [None, "", "三天", "0", "PT", "P", "3.5", 3.5, True, "0分钟", "2周", "PT30X"]
)
def test_a_limit_that_cannot_be_read_names_the_field(text):
    with pytest.raises(Invalid) as caught:
        parse_limit_text(text, "resolution_limit")
    assert caught.value.field == "resolution_limit"


@pytest.mark.parametrize(
    "limit",
    [Limit(seconds=1800), Limit(seconds=5400), Limit(seconds=93784), Limit(working_days=5)],
)
def test_a_limit_written_in_chinese_reads_back_the_same(limit):
    assert parse_limit_text(limit_text(limit), "x") == limit


# --- the admin -----------------------------------------------------------------------------------


def matter_form(matter: Matter, **changes) -> dict:
    values = {
        "code": matter.code,
        "domain": matter.domain,
        "name": matter.name,
        "description": matter.description,
        "lead_department": matter.lead_department_id,
        "co_departments": list(matter.co_departments.values_list("pk", flat=True)),
        "response_limit": limit_text(matter.response_limit),
        "resolution_limit": limit_text(matter.resolution_limit),
        "legal_basis": matter.legal_basis,
        "is_active": matter.is_active,
        "reason": "",
    }
    values.update(changes)
    data = {k: v for k, v in values.items() if k != "is_active"}
    if values["is_active"]:
        data["is_active"] = "on"
    return data


def test_admin_lists_searches_and_offers_excel(browser_client):
    client = browser_client("admin")
    response = client.get("/admin/calls/matter/", {"q": "积水"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "内涝积水" in html and "占道经营整治" not in html
    for url in ("export.xlsx", "template.xlsx", "import/"):
        assert f"/admin/calls/matter/{url}" in html
    assert client.get("/admin/calls/matter/", {"domain__exact": "emergency"}).status_code == 200


def test_admin_change_saves_through_the_service_and_shows_the_history(browser_client, admin, org):
    matter = Matter.objects.get(code="ZF-001")
    client = browser_client("admin")
    url = f"/admin/calls/matter/{matter.pk}/change/"
    data = matter_form(
        matter,
        response_limit="1小时",
        co_departments=[org("440111-scjgj").pk, org("440111-gaj").pk],
        reason="夜市季节加强",
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = matters.matter_history(matter).last()
    assert entry.action == matters.UPDATED and entry.actor_id == admin.pk
    assert entry.reason == "夜市季节加强"
    assert (entry.before["response_limit"], entry.after["response_limit"]) == ("PT2H", "PT1H")
    assert entry.after["co_departments"] == ["440111-gaj", "440111-scjgj"]
    html = client.get(url).content.decode()
    assert "修改记录" in html and "夜市季节加强" in html and "2小时 → 1小时" in html


def test_admin_form_shows_the_services_error_on_the_field(browser_client, org):
    matter = Matter.objects.get(code="ZF-001")
    response = browser_client("admin").post(
        f"/admin/calls/matter/{matter.pk}/change/",
        matter_form(matter, co_departments=[matter.lead_department_id], response_limit="很快"),
    )
    form = response.context["adminform"].form
    assert response.status_code == 200
    assert "response_limit" in form.errors
    response = browser_client("admin").post(
        f"/admin/calls/matter/{matter.pk}/change/",
        matter_form(matter, co_departments=[matter.lead_department_id]),
    )
    assert "不能同时是协办部门" in str(response.context["adminform"].form.errors["co_departments"])
    assert len(matters.matter_history(matter)) == 1


def test_admin_adds_a_matter_through_the_service(browser_client, admin, org):
    data = {
        "code": "YJ-T90",
        "domain": "emergency",
        "name": "地面沉降",
        "description": "",
        "lead_department": org("440111-zjj").pk,
        "co_departments": [org("440111-yjj").pk],
        "response_limit": "PT30M",
        "resolution_limit": "1天",
        "legal_basis": "",
        "is_active": "on",
    }
    response = browser_client("admin").post("/admin/calls/matter/add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    matter = Matter.objects.get(code="YJ-T90")
    assert matter.resolution_limit == Limit(seconds=86400)
    assert list(matter.co_departments.values_list("code", flat=True)) == ["440111-yjj"]
    assert matters.matter_history(matter).get().actor_id == admin.pk


def test_admin_cannot_delete_but_can_deactivate(browser_client):
    client = browser_client("admin")
    matter = Matter.objects.get(code="ZF-002")
    assert client.get(f"/admin/calls/matter/{matter.pk}/delete/").status_code in (302, 403)
    response = client.post(
        "/admin/calls/matter/", {"action": "deactivate", "_selected_action": [matter.pk]}
    )
    assert response.status_code == 302
    matter.refresh_from_db()
    assert matter.is_active is False
    assert matters.matter_history(matter).last().reason == "后台批量停用"


def test_admin_exports_the_selection(browser_client):
    matter = Matter.objects.get(code="ZF-002")
    response = browser_client("admin").post(
        "/admin/calls/matter/", {"action": "export_selected", "_selected_action": [matter.pk]}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_only_administrators_reach_the_matter_admin(browser_client):
    assert browser_client("chengguan").get("/admin/calls/matter/").status_code == 302


# --- the demo list -------------------------------------------------------------------------------


def test_the_demo_list_has_sixty_active_matters_across_the_three_domains():
    demo = Matter.objects.filter(code__in=[m.code for m in special_list.MATTERS])
    assert demo.filter(is_active=True).count() >= 60
    assert set(demo.values_list("domain", flat=True)) == set(Domain.values)
    for domain in Domain.values:
        assert demo.filter(domain=domain).count() >= 15


def test_every_demo_lead_and_co_department_is_an_active_department():
    for matter in Matter.objects.filter(code__in=[m.code for m in special_list.MATTERS]):
        for org in (matter.lead_department, *matter.co_departments.all()):
            assert org.kind == OrgKind.DEPARTMENT and org.is_active, (matter.code, org.code)
        assert matter.legal_basis.startswith("《"), matter.code


def test_demo_emergencies_answer_within_an_hour_and_key_work_counts_working_days():
    for matter in Matter.objects.filter(code__in=[m.code for m in special_list.MATTERS]):
        if matter.domain == Domain.EMERGENCY:
            assert matter.response_seconds is not None and matter.response_seconds <= 3600
        if matter.domain == Domain.KEY_WORK:
            assert matter.resolution_working_days is not None


def test_demo_leads_fit_the_matter(org):
    leads = {
        m.code: m.lead_department.code for m in Matter.objects.select_related("lead_department")
    }
    assert leads["ZF-001"] == "440111-cgj"  # 占道经营
    assert leads["ZF-002"] == "440111-cgj"  # 违法建设
    assert leads["ZD-003"] == "440111-swj"  # 河涌整治
    assert leads["ZD-004"] == "440111-jyj"  # 学位建设
    assert leads["YJ-001"] == "440111-swj"  # 内涝积水
    assert leads["YJ-002"] == "440111-yjj"  # 危化品泄漏
    assert leads["YJ-005"] == "440111-lyyl"  # 森林火警


def test_loading_the_demo_again_leaves_the_list_alone():
    Matter.objects.filter(code="ZF-001").update(name="本地改过的名称")
    before = AuditEntry.objects.count()
    summary = load_demo_district()
    assert summary.created.get("清单事项", 0) == 0
    assert summary.existing["清单事项"] == len(special_list.MATTERS)
    assert Matter.objects.get(code="ZF-001").name == "本地改过的名称"
    assert AuditEntry.objects.count() == before


def test_the_free_form_code_is_reserved_for_open311(org):
    lead = org("440111-cgj")
    matter = Matter(code="Free-Form", domain=Domain.KEY_WORK, name="x", lead_department=lead)
    with pytest.raises(Invalid) as caught:
        matters.validate_matter(matter, [])
    assert caught.value.field == "code" and "自由呼叫" in caught.value.message
