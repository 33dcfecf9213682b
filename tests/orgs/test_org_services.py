"""The org tree's rules, kept by orgs.services: kinds, the calling right, codes, paths, audit."""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from huying.core.errors import Invalid
from huying.orgs import services
from huying.orgs.choices import OrgKind, Role
from huying.orgs.models import Org, User


@pytest.fixture
def district(org) -> Org:
    return org("440111")


def assert_refused(field: str, call, audit_log) -> Invalid:
    """The service raises Invalid naming `field`, and the tree and the log are unchanged."""
    orgs = list(Org.objects.order_by("pk").values())
    with pytest.raises(Invalid) as refused:
        call()
    assert refused.value.field == field
    assert refused.value.status == 422
    assert refused.value.message
    assert list(Org.objects.order_by("pk").values()) == orgs
    assert audit_log.actions() == []
    return refused.value


def new_village(**fields):
    return lambda: services.create_org(actor=None, code="T-V1", name="测试村", **fields)


def assert_paths_follow_the_tree() -> None:
    for org in Org.objects.select_related("parent"):
        prefix = org.parent.path if org.parent else ""
        assert org.path == f"{prefix}{org.code}/", org.code


# --- creating -------------------------------------------------------------------------------


def test_village_must_hang_under_a_town_or_street(district, audit_log):
    refused = assert_refused(
        "parent", new_village(kind=OrgKind.VILLAGE, parent=district), audit_log
    )
    assert "镇" in refused.message and "街道" in refused.message
    assert_refused("parent", new_village(kind=OrgKind.VILLAGE, parent=None), audit_log)


def test_village_cannot_hang_under_a_village_or_department(org, persona, audit_log):
    for parent in (persona("renhe-village").org, org("440111-cgj")):
        assert_refused("parent", new_village(kind=OrgKind.VILLAGE, parent=parent), audit_log)


def test_town_and_department_hang_under_the_district_only(org, audit_log):
    town = org("人和镇")
    for kind in (OrgKind.TOWN, OrgKind.STREET, OrgKind.DEPARTMENT):
        assert_refused("parent", new_village(kind=kind, parent=town), audit_log)
        assert_refused("parent", new_village(kind=kind, parent=None), audit_log)


def test_the_district_has_no_parent(district, audit_log):
    refused = assert_refused(
        "parent",
        lambda: services.create_org(
            actor=None, code="440112", name="另一个区", kind=OrgKind.DISTRICT, parent=district
        ),
        audit_log,
    )
    assert "根" in refused.message


def test_calling_right_only_for_towns_and_key_villages(org, district, audit_log):
    town = org("人和镇")
    assert_refused(
        "has_calling_right",
        new_village(kind=OrgKind.VILLAGE, parent=town, has_calling_right=True),
        audit_log,
    )
    for kind in (OrgKind.DEPARTMENT, OrgKind.COMMAND_CENTRE, OrgKind.COMMISSION):
        assert_refused(
            "has_calling_right",
            new_village(kind=kind, parent=district, has_calling_right=True),
            audit_log,
        )


def test_only_villages_can_be_key_villages(district, audit_log):
    assert_refused(
        "is_key_village",
        new_village(kind=OrgKind.TOWN, parent=district, is_key_village=True),
        audit_log,
    )


def test_duplicate_code_is_refused(org, audit_log):
    taken = org("人和镇").children.first().code
    refused = assert_refused(
        "code",
        lambda: services.create_org(
            actor=None, code=taken, name="重名村", kind=OrgKind.VILLAGE, parent=org("太和镇")
        ),
        audit_log,
    )
    assert taken in refused.message


@pytest.mark.parametrize("code", ["", "440111014/evil", "a b", "村1", "x\x00"])
def test_code_must_be_a_plain_path_segment(code, district, audit_log):
    """A "/" in a code would put a unit inside another unit's subtree, and so in its scope."""
    assert_refused(
        "code",
        lambda: services.create_org(
            actor=None, code=code, name="测试部门", kind=OrgKind.DEPARTMENT, parent=district
        ),
        audit_log,
    )


def test_created_village_gets_its_path_and_one_audit_row(org, persona, audit_log):
    town, admin = org("人和镇"), persona("admin")
    village = services.create_org(
        actor=admin, code="440111021099", name="新建村", kind=OrgKind.VILLAGE, parent=town
    )
    assert village.path == f"{town.path}440111021099/"
    assert village.has_calling_right is False
    entry = audit_log.one("orgs.org_created")
    assert audit_log.actions() == ["orgs.org_created"]
    assert (entry.actor_id, entry.actor_name) == (admin.pk, admin.display_name)
    assert (entry.object_type, entry.object_id) == ("orgs.org", str(village.pk))
    assert entry.before is None
    assert entry.after["code"] == "440111021099" and entry.after["parent_id"] == town.pk
    assert entry.after["kind"] == "village"


def test_towns_and_key_villages_get_the_calling_right_by_default(org, district):
    town = services.create_org(actor=None, code="T-TOWN", name="新镇", kind="town", parent=district)
    key = services.create_org(
        actor=None, code="T-KEY", name="重点村", kind="village", parent=town, is_key_village=True
    )
    plain = services.create_org(
        actor=None, code="T-PLAIN", name="普通村", kind="village", parent=town
    )
    assert (town.has_calling_right, key.has_calling_right, plain.has_calling_right) == (
        True,
        True,
        False,
    )


def test_a_town_may_be_created_without_the_calling_right(district):
    town = services.create_org(
        actor=None,
        code="T-TOWN",
        name="新镇",
        kind="town",
        parent=district,
        has_calling_right=False,
    )
    assert town.has_calling_right is False


# --- updating -------------------------------------------------------------------------------


def test_moving_a_village_to_another_town_rewrites_its_path(org, persona, audit_log):
    village, renhe, taihe = persona("renhe-village").org, org("人和镇"), org("太和镇")
    services.update_org(actor=persona("admin"), org=village, parent=taihe, reason="区划调整")
    village.refresh_from_db()
    assert village.parent == taihe
    assert village.path == f"{taihe.path}{village.code}/"
    assert not Org.objects.filter(path__startswith=renhe.path, pk=village.pk).exists()
    entry = audit_log.one("orgs.org_updated")
    assert audit_log.actions() == ["orgs.org_updated"]
    assert (entry.before["parent_id"], entry.after["parent_id"]) == (renhe.pk, taihe.pk)
    assert entry.reason == "区划调整" and entry.actor_id == persona("admin").pk
    assert_paths_follow_the_tree()


def test_changing_a_towns_code_rewrites_every_village_path(org, audit_log):
    town = org("人和镇")
    old_path = town.path
    services.update_org(actor=None, org=town, code="440111021X")
    assert Org.objects.get(pk=town.pk).path == "440111/440111021X/"
    assert not Org.objects.filter(path__startswith=old_path).exists()
    assert Org.objects.filter(path__startswith="440111/440111021X/").count() == 27
    assert_paths_follow_the_tree()
    entry = audit_log.one("orgs.org_updated")
    assert (entry.before["code"], entry.after["code"]) == ("440111021", "440111021X")


def test_move_under_a_parent_held_since_before_its_recode_uses_the_stored_path(org, persona):
    """Found by the property test below: a stale parent instance must not write a stale path."""
    held_town = org("太和镇")
    services.update_org(actor=None, org=org("太和镇"), code="440111022X")
    village = persona("renhe-village").org
    services.update_org(actor=None, org=village, parent=held_town)
    assert Org.objects.get(pk=village.pk).path == f"440111/440111022X/{village.code}/"
    assert_paths_follow_the_tree()


def test_update_records_before_and_after_of_what_changed(org, persona, audit_log):
    department = org("440111-cgj")
    old_phone = department.contact_phone
    services.update_org(actor=persona("admin"), org=department, contact_phone="020-12345678")
    entry = audit_log.one("orgs.org_updated")
    changed = {k for k in entry.after if entry.after[k] != entry.before[k]}
    assert changed == {"contact_phone"}
    assert (entry.before["contact_phone"], entry.after["contact_phone"]) == (
        old_phone,
        "020-12345678",
    )


def test_update_that_changes_nothing_writes_no_audit_row(org, audit_log):
    department = org("440111-cgj")
    services.update_org(actor=None, org=department, name=department.name)
    assert audit_log.actions() == []


def test_invalid_update_changes_nothing(org, persona, audit_log):
    plain = org("人和镇").children.filter(is_key_village=False).first()
    assert_refused(
        "has_calling_right",
        lambda: services.update_org(actor=None, org=plain, has_calling_right=True),
        audit_log,
    )
    assert_refused(
        "parent",
        lambda: services.update_org(
            actor=None, org=persona("renhe-village").org, parent=org("440111")
        ),
        audit_log,
    )
    assert_refused(
        "code",
        lambda: services.update_org(
            actor=None, org=persona("renhe-village").org, code="440111-cgj"
        ),
        audit_log,
    )


def test_key_village_losing_its_status_must_lose_the_calling_right(persona, audit_log):
    village = persona("renhe-village").org
    assert_refused(
        "has_calling_right",
        lambda: services.update_org(actor=None, org=village, is_key_village=False),
        audit_log,
    )
    services.update_org(actor=None, org=village, is_key_village=False, has_calling_right=False)
    assert Org.objects.get(pk=village.pk).has_calling_right is False


def test_town_with_villages_cannot_become_a_department(org, audit_log):
    """Its villages would hang under a department and its callers sit in one."""
    refused = assert_refused(
        "kind",
        lambda: services.update_org(
            actor=None, org=org("人和镇"), kind=OrgKind.DEPARTMENT, has_calling_right=False
        ),
        audit_log,
    )
    assert "下级" in refused.message


def test_unit_whose_users_would_not_fit_cannot_change_kind(district, audit_log):
    town = services.create_org(actor=None, code="T-TOWN", name="新镇", kind="town", parent=district)
    services.create_user(actor=None, username="t-caller", password=None, role="caller", org=town)
    audit_log.mark()
    assert_refused(
        "kind",
        lambda: services.update_org(
            actor=None, org=town, kind=OrgKind.DEPARTMENT, has_calling_right=False
        ),
        audit_log,
    )


def test_town_may_become_a_street(org):
    town = org("人和镇")
    services.update_org(actor=None, org=town, kind=OrgKind.STREET)
    assert Org.objects.get(pk=town.pk).kind == OrgKind.STREET


@hypothesis_settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    moves=st.lists(
        st.tuples(st.sampled_from(["move", "recode"]), st.integers(0, 400), st.integers(0, 40)),
        min_size=1,
        max_size=6,
    )
)
def test_paths_always_follow_the_tree_after_moves_and_recodes(db, moves):
    with transaction.atomic():
        towns = list(Org.objects.filter(kind__in=("town", "street")).order_by("code"))
        villages = list(Org.objects.filter(kind__in=("village", "community")).order_by("code"))
        for n, (what, i, j) in enumerate(moves):
            if what == "move":
                village = Org.objects.get(pk=villages[i % len(villages)].pk)
                target = towns[j % len(towns)]
                services.update_org(actor=None, org=village, parent=target)
            else:
                town = Org.objects.get(pk=towns[j % len(towns)].pk)
                services.update_org(actor=None, org=town, code=f"{town.code}r{n}")
            assert_paths_follow_the_tree()
        transaction.set_rollback(True)


# --- users ----------------------------------------------------------------------------------


def test_user_in_the_wrong_kind_of_unit_is_refused(org, audit_log):
    cases = [
        (Role.RESPONDER, org("人和镇")),
        (Role.CALLER, org("440111-cgj")),
        (Role.OPERATOR, org("440111")),
        (Role.SUPERVISOR, org("440111-zh")),
        (Role.LEADER, org("440111-jw")),
        (Role.ADMIN, org("人和镇")),
        (Role.CALLER, None),
    ]
    for role, unit in cases:
        with pytest.raises(Invalid) as refused:
            services.create_user(
                actor=None, username="new-user", password="x" * 12, role=role, org=unit
            )
        assert refused.value.field == "org", (role, unit)
    assert not User.objects.filter(username="new-user").exists()
    assert audit_log.actions() == []


def test_responder_in_a_town_is_refused_naming_org(org):
    with pytest.raises(Invalid) as refused:
        services.create_user(
            actor=None, username="x-resp", password=None, role="responder", org=org("人和镇")
        )
    assert refused.value.field == "org"
    assert "区直部门" in refused.value.message


@pytest.mark.parametrize("username", ["renhe", "  renhe  "])
def test_duplicate_username_is_refused(username, org, audit_log):
    with pytest.raises(Invalid) as refused:
        services.create_user(
            actor=None, username=username, password=None, role="caller", org=org("太和镇")
        )
    assert refused.value.field == "username"
    assert User.objects.filter(username="renhe").count() == 1
    assert audit_log.actions() == []


def test_blank_username_is_refused(org):
    with pytest.raises(Invalid) as refused:
        services.create_user(
            actor=None, username="  ", password=None, role="caller", org=org("太和镇")
        )
    assert refused.value.field == "username"


def test_created_user_is_audited_without_the_password(org, persona, audit_log):
    user = services.create_user(
        actor=persona("admin"),
        username="taihe-caller",
        password="Tai-he-2026-pass",
        role="caller",
        org=org("太和镇"),
        full_name="王芳",
    )
    assert user.password.startswith("argon2$") and user.check_password("Tai-he-2026-pass")
    assert not user.is_staff and not user.is_superuser
    entry = audit_log.one("orgs.user_created")
    assert entry.after["username"] == "taihe-caller" and entry.after["role"] == "caller"
    assert "password" not in entry.after
    assert "argon2" not in str(entry.after) and "Tai-he" not in str(entry.after)


def test_administrators_get_the_back_office(org):
    admin = services.create_user(
        actor=None, username="admin2", password=None, role="admin", org=org("440111")
    )
    assert admin.is_staff and admin.is_superuser
    assert not admin.has_usable_password()


def test_update_user_refuses_a_unit_that_does_not_fit(persona, org, audit_log):
    user = persona("chengguan")
    with pytest.raises(Invalid) as refused:
        services.update_user(actor=None, user=user, org=org("人和镇"))
    assert refused.value.field == "org"
    assert User.objects.get(pk=user.pk).org == org("440111-cgj")
    assert audit_log.actions() == []


def test_update_user_refuses_a_taken_username(persona, audit_log):
    user = persona("chengguan")
    with pytest.raises(Invalid) as refused:
        services.update_user(actor=None, user=user, username="renhe")
    assert refused.value.field == "username"
    assert User.objects.get(pk=user.pk).username == "chengguan"


def test_promoting_a_user_to_admin_grants_staff_and_is_audited(persona, org, audit_log):
    user = persona("leader")
    services.update_user(actor=persona("admin"), user=user, role=Role.ADMIN)
    user.refresh_from_db()
    assert user.is_staff and user.is_superuser
    entry = audit_log.one("orgs.user_updated")
    assert (entry.before["role"], entry.after["role"]) == ("leader", "admin")
    assert (entry.before["is_staff"], entry.after["is_staff"]) == (False, True)
