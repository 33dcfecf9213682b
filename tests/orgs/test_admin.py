"""The back office (/admin/): administrators only; every save goes through orgs.services."""

import pytest

from huying.orgs.models import Org, User

ORG_FORM_FIELDS = (
    "code",
    "name",
    "short_name",
    "kind",
    "parent",
    "contact_name",
    "contact_phone",
    "address",
    "lat",
    "lon",
    "sort_order",
)
ORG_FLAGS = ("is_key_village", "has_calling_right", "is_active")


def org_form(org: Org, **changes) -> dict:
    """What the admin's change form posts for `org`, with `changes` applied."""
    values = {name: getattr(org, name) for name in (*ORG_FORM_FIELDS, *ORG_FLAGS)}
    values["parent"] = org.parent_id
    values.update(changes)
    data = {}
    for name, value in values.items():
        if name in ORG_FLAGS:
            if value:
                data[name] = "on"
        else:
            data[name] = "" if value is None else str(value.pk if isinstance(value, Org) else value)
    return data


def change_url(org: Org) -> str:
    return f"/admin/orgs/org/{org.pk}/change/"


# --- administrators -------------------------------------------------------------------------


def test_admin_sees_the_back_office_index(browser_client):
    response = browser_client("admin").get("/admin/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "呼应 · 后台管理" in html
    assert "/admin/orgs/org/" in html and "/admin/orgs/user/" in html


def test_admin_lists_every_org(browser_client):
    response = browser_client("admin").get("/admin/orgs/org/")
    assert response.status_code == 200
    changelist = response.context["cl"]
    assert changelist.result_count == changelist.full_result_count == Org.objects.count()
    first_page = list(Org.objects.order_by("path").values_list("name", flat=True)[:100])
    assert [o.name for o in changelist.result_list] == first_page
    assert "区城市管理和综合执法局" in response.content.decode()


def test_admin_finds_an_org_by_name(browser_client, org):
    response = browser_client("admin").get("/admin/orgs/org/", {"q": "城管局"})
    assert [o.code for o in response.context["cl"].result_list] == ["440111-cgj"]


def test_admin_change_form_saves_through_the_service_and_is_audited(
    browser_client, persona, org, audit_log
):
    department = org("440111-cgj")
    client = browser_client("admin")
    assert client.get(change_url(department)).status_code == 200
    response = client.post(change_url(department), org_form(department, contact_name="李明"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Org.objects.get(pk=department.pk).contact_name == "李明"
    entry = audit_log.one("orgs.org_updated")
    assert entry.actor_id == persona("admin").pk
    assert (entry.before["contact_name"], entry.after["contact_name"]) == (
        department.contact_name,
        "李明",
    )
    assert {k for k in entry.after if entry.after[k] != entry.before[k]} == {"contact_name"}


def test_admin_moving_a_village_rewrites_its_path(browser_client, persona, org, audit_log):
    village, taihe = persona("renhe-village").org, org("太和镇")
    response = browser_client("admin").post(change_url(village), org_form(village, parent=taihe))
    assert response.status_code == 302
    assert Org.objects.get(pk=village.pk).path == f"{taihe.path}{village.code}/"
    assert audit_log.one("orgs.org_updated").after["parent_id"] == taihe.pk


def test_admin_invalid_change_shows_the_chinese_error_and_changes_nothing(
    browser_client, org, audit_log
):
    plain = org("人和镇").children.filter(is_key_village=False).order_by("code").first()
    before = Org.objects.filter(pk=plain.pk).values().get()
    response = browser_client("admin").post(
        change_url(plain), org_form(plain, has_calling_right=True)
    )
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors == {"has_calling_right": ["呼叫权只授予镇街和重点村"]}
    assert "呼叫权只授予镇街和重点村" in response.content.decode()
    assert Org.objects.filter(pk=plain.pk).values().get() == before
    assert "orgs.org_updated" not in audit_log.actions()


def test_admin_kind_change_that_strands_villages_is_refused(browser_client, org, audit_log):
    town = org("人和镇")
    response = browser_client("admin").post(
        change_url(town), org_form(town, kind="department", has_calling_right=False)
    )
    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["kind"]
    assert Org.objects.get(pk=town.pk).kind == "town"
    assert audit_log.actions() == []


def test_admin_adds_a_village_through_the_service(browser_client, org, audit_log):
    town = org("人和镇")
    new = Org(code="440111021099", name="新建村", kind="village", parent=town, is_active=True)
    response = browser_client("admin").post("/admin/orgs/org/add/", org_form(new))
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = Org.objects.get(code="440111021099")
    assert created.path == f"{town.path}440111021099/"
    assert audit_log.one("orgs.org_created").object_id == str(created.pk)


def test_admin_add_of_a_village_under_the_district_is_refused(browser_client, org, audit_log):
    new = Org(code="T-BAD", name="错挂村", kind="village", parent=org("440111"), is_active=True)
    response = browser_client("admin").post("/admin/orgs/org/add/", org_form(new))
    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["parent"]
    assert not Org.objects.filter(code="T-BAD").exists()
    assert audit_log.actions() == []


def test_orgs_cannot_be_deleted_in_the_admin(browser_client, org):
    department = org("440111-cgj")
    response = browser_client("admin").post(
        f"/admin/orgs/org/{department.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 403
    assert Org.objects.filter(pk=department.pk).exists()


def test_admin_user_form_refuses_a_role_in_the_wrong_unit(browser_client, persona, org, audit_log):
    user = persona("chengguan")
    data = {
        "username": user.username,
        "full_name": user.full_name,
        "phone": user.phone,
        "org": org("人和镇").pk,
        "role": user.role,
        "is_active": "on",
    }
    response = browser_client("admin").post(f"/admin/orgs/user/{user.pk}/change/", data)
    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["org"]
    assert User.objects.get(pk=user.pk).org == org("440111-cgj")
    assert audit_log.actions() == []


def test_admin_user_change_goes_through_the_service(browser_client, persona, audit_log):
    user = persona("chengguan")
    data = {
        "username": user.username,
        "full_name": "新名字",
        "phone": user.phone,
        "org": user.org_id,
        "role": "department_head",
        "is_active": "on",
    }
    response = browser_client("admin").post(f"/admin/orgs/user/{user.pk}/change/", data)
    assert response.status_code == 302
    entry = audit_log.one("orgs.user_updated")
    assert (entry.before["role"], entry.after["role"]) == ("responder", "department_head")
    assert entry.after["full_name"] == "新名字"


# --- everyone else --------------------------------------------------------------------------

NOT_ADMINS = [
    "renhe-village",
    "yuncheng",
    "renhe",
    "chengguan",
    "chengguan-head",
    "command",
    "supervisor",
    "leader",
    "inspector",
]


@pytest.mark.parametrize("username", NOT_ADMINS)
@pytest.mark.parametrize("path", ["/admin/", "/admin/orgs/org/", "/admin/orgs/user/"])
def test_non_admin_personas_get_404_from_the_back_office_and_it_is_audited(
    browser_client, persona, audit_log, username, path
):
    response = browser_client(username).get(path, follow=True)
    assert response.status_code == 404
    assert response.redirect_chain == [(f"/admin/login/?next={path}", 302)]
    entry = audit_log.one("core.permission_denied")
    assert (entry.actor_id, entry.reason) == (persona(username).pk, "非管理员访问后台")


def test_non_admin_cannot_post_to_the_back_office(browser_client, org):
    department = org("440111-cgj")
    response = browser_client("leader").post(
        change_url(department), org_form(department, name="被改名"), follow=True
    )
    assert response.status_code == 404
    assert Org.objects.get(pk=department.pk).name == department.name


def test_anonymous_visitor_is_sent_to_the_audited_login_page(client):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain == [
        ("/admin/login/?next=/admin/", 302),
        ("/login/?next=/admin/", 302),
    ]
    assert response.status_code == 200
    assert response.templates[0].name == "orgs/login.html"


def test_admin_signs_in_through_the_login_page_and_lands_in_the_back_office(db, client, password):
    response = client.post(
        "/login/", {"username": "admin", "password": password, "next": "/admin/"}
    )
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_admin_logout_is_the_audited_post_only_logout(browser_client, persona, audit_log):
    client = browser_client("admin")
    assert client.get("/admin/logout/").status_code == 405
    response = client.post("/admin/logout/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert audit_log.one("orgs.logout").actor_id == persona("admin").pk
