"""The data catalogue: the demo catalogue's totals, search, who may read what, and access
requests through approval, decline, withdrawal and revocation."""

import csv
from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from huying.core import clock
from huying.core.errors import Conflict, Forbidden, Invalid
from huying.core.models import AuditEntry
from huying.datahub import catalogue, catalogue_demo, formats
from huying.datahub import catalogue_selectors as selectors
from huying.datahub.catalogue_demo import load_demo_catalogue
from huying.datahub.choices import AccessPolicy, AccessRequestState, Source
from huying.datahub.loading import load_folder
from huying.datahub.models import AccessGrant, AccessRequest, Category, CategoryField
from huying.notify.models import Notification
from huying.orgs import services as org_services
from huying.orgs.choices import Role
from huying.orgs.models import Org

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI)
TODAY = NOW.date()


@pytest.fixture(scope="module")
def loaded_once(django_db_setup, django_db_blocker):
    """The demo catalogue, loaded once (committed beside the demo district; idempotent)."""
    with django_db_blocker.unblock():
        load_demo_catalogue()


@pytest.fixture
def demo_catalogue(db, loaded_once):
    return None


@pytest.fixture(autouse=True)
def frozen():
    with clock.frozen_at(NOW):
        yield


@pytest.fixture
def make_category(db):
    """A small category of 城管局 (whose head is the persona chengguan-head)."""

    def make(policy=AccessPolicy.ON_REQUEST, code="T-0001", owner="440111-cgj", **kw):
        category = Category.objects.create(
            code=code,
            name=kw.pop("name", f"测试类目{code}"),
            description="测试用",
            owner=Org.objects.get(code=owner),
            source_system="数字城管平台",
            update_frequency="daily",
            record_count=1000,
            access_policy=policy,
            updated_at=NOW,
            **kw,
        )
        for order, (name, label, sensitivity) in enumerate(
            [("case_no", "案件编号", 1), ("party_name", "当事人姓名", 3),
             ("party_phone", "当事人电话", 4)], start=1,
        ):  # fmt: skip
            CategoryField.objects.create(
                category=category,
                name=name,
                label=label,
                meaning=f"{label}的含义",
                sensitivity=sensitivity,
                order=order,
            )
        return category

    return make


def ask(persona, category, fields=None, purpose="核对辖内占道经营案件"):
    return catalogue.request_access(
        actor=persona("yuncheng"), category=category, purpose=purpose, fields=fields
    )


# --- the demo catalogue ------------------------------------------------------------------------


def test_the_demo_catalogue_holds_1250_categories_and_3_78_billion_records(demo_catalogue):
    assert Category.objects.count() == catalogue_demo.CATEGORIES == 1250
    total = sum(Category.objects.values_list("record_count", flat=True))
    assert abs(total - 3_783_000_000) <= 3_783_000_000 * 0.005
    totals = selectors.totals()
    assert (totals.categories, totals.records) == (1250, total)
    names = list(Category.objects.values_list("name", flat=True))
    assert len(set(names)) == len(names)  # no duplicates


def test_the_demo_catalogue_is_spread_over_departments_with_mixed_policies(demo_catalogue):
    by_owner = Counter(Category.objects.values_list("owner__short_name", flat=True))
    departments = Org.objects.filter(kind="department").count()
    assert len(by_owner) == departments  # every department shares something
    biggest = {name for name, _ in by_owner.most_common(4)}
    assert biggest == {"公安分局", "来穗人员服务管理局", "住建局", "政务服务数据管理局"}
    policies = Counter(Category.objects.values_list("access_policy", flat=True))
    assert policies[AccessPolicy.OPEN] == pytest.approx(500, abs=20)
    assert policies[AccessPolicy.ON_REQUEST] == pytest.approx(562, abs=20)
    assert policies[AccessPolicy.RESTRICTED] == pytest.approx(188, abs=20)
    # Nothing holding ID numbers or phones is open.
    assert not Category.objects.filter(
        access_policy=AccessPolicy.OPEN, fields__sensitivity=4
    ).exists()
    counts = Counter(CategoryField.objects.values_list("category_id", flat=True))
    assert min(counts.values()) >= 3 and max(counts.values()) <= 20
    assert CategoryField.objects.filter(name="id_number", label="身份证号", sensitivity=4).exists()
    as_of = Category.objects.exclude(hub_source__isnull=False).values_list("as_of", flat=True)
    loaded_on = timezone.localdate(timezone.now())  # loaded once, on the real clock
    assert all(loaded_on - timedelta(days=365) <= d <= loaded_on for d in as_of)


def test_the_heavy_tail_a_few_categories_hold_most_records(demo_catalogue):
    counts = sorted(
        Category.objects.filter(hub_source__isnull=True).values_list("record_count", flat=True)
    )
    median, top = counts[len(counts) // 2], counts[-1]
    assert top > 100 * median
    assert sum(counts[-125:]) > 0.6 * sum(counts)  # the biggest tenth holds most records
    assert counts[0] >= catalogue_demo.MIN_RECORDS


def test_each_hub_source_has_its_category_with_exactly_the_load_format_columns(demo_catalogue):
    owners = {
        Source.DWELLINGS: "住建局",
        Source.DOOR_ACCESS_CARDS: "公安分局",
        Source.DOOR_ACCESS_EVENTS: "公安分局",
        Source.PUBLIC_SECURITY_PERSONS: "公安分局",
        Source.MIGRANT_REGISTRATIONS: "来穗人员服务管理局",
    }
    for source, owner in owners.items():
        category = Category.objects.get(hub_source=source)
        assert category.owner.short_name == owner
        fields = list(category.fields.order_by("order"))
        assert [f.name for f in fields] == formats.FORMATS[source.value].names
        assert all(f.label and f.meaning.endswith("。") for f in fields)
        grades = {f.name: f.sensitivity for f in fields}
        for name in ("id_number", "phone", "owner_id_number", "owner_phone"):
            assert grades.get(name, 4) == 4
    assert Category.objects.get(hub_source=Source.PUBLIC_SECURITY_PERSONS).source_system == (
        "平安白云"
    )


def test_loading_the_demo_catalogue_again_adds_nothing(demo_catalogue):
    fields = CategoryField.objects.count()
    again = load_demo_catalogue()
    assert (again.created, again.existing) == (0, 1250)
    assert (Category.objects.count(), CategoryField.objects.count()) == (1250, fields)


def test_the_plan_is_the_same_on_every_run():
    first, second = catalogue_demo.plan(TODAY), catalogue_demo.plan(TODAY)
    assert [(p.code, p.name, p.records, p.policy, p.fields) for p in first] == [
        (p.code, p.name, p.records, p.policy, p.fields) for p in second
    ]


def test_a_load_refreshes_the_hub_categorys_count_and_date(demo_catalogue, settings, tmp_path):
    settings.DATAHUB_DIR = tmp_path / "hub"
    folder = tmp_path / "extract"
    folder.mkdir()
    with (folder / "dwellings.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(formats.FORMATS["dwellings"].names)
        writer.writerow(["YC-1", "云城西路1号101房", "云城街道", "", "", "", "", "2", "4", "", ""])
        writer.writerow(["YC-2", "云城西路1号102房", "云城街道", "", "", "", "", "1", "2", "", ""])
    load_folder(folder)
    category = Category.objects.get(hub_source=Source.DWELLINGS)
    assert (category.record_count, category.as_of) == (2, TODAY)
    load_folder(folder)  # the same extract again: nothing new
    assert Category.objects.get(pk=category.pk).record_count == 2


# --- search ------------------------------------------------------------------------------------


def test_search_finds_categories_by_field_label_in_one_query(demo_catalogue):
    with CaptureQueriesContext(connection) as queries:
        found = list(selectors.search(selectors.Search(q="身份证号")))
    assert len(queries) == 1
    assert len(found) > 100
    with_label = set(
        CategoryField.objects.filter(label__contains="身份证号").values_list(
            "category__code", flat=True
        )
    )
    assert with_label <= {c.code for c in found}
    assert all(c.owner.name for c in found)  # the owner came with the query
    hub = next(c for c in found if c.hub_source == Source.PUBLIC_SECURITY_PERSONS)
    assert hub.field_count == 9 and hub.max_sensitivity == 4


def test_search_by_name_owner_policy_and_sensitivity(demo_catalogue):
    found = list(selectors.search(selectors.Search(q="出租屋")))
    assert "出租屋基本信息" in {c.name for c in found}
    mine = list(selectors.search(selectors.Search(owner="440111-gaj")))
    assert mine and {c.owner.code for c in mine} == {"440111-gaj"}
    restricted = list(selectors.search(selectors.Search(policy=AccessPolicy.RESTRICTED)))
    assert len(restricted) == Category.objects.filter(access_policy="restricted").count()
    sensitive = list(selectors.search(selectors.Search(min_sensitivity=4)))
    assert sensitive and all(c.max_sensitivity == 4 for c in sensitive)
    combined = selectors.search_totals(selectors.Search(q="出租屋", owner="440111-zjj"))
    assert 1 <= combined.categories < len(found)
    assert list(selectors.search(selectors.Search(q="没有这种数据"))) == []


# --- may_read ----------------------------------------------------------------------------------


def test_open_data_is_for_everyone(persona, make_category):
    category = make_category(AccessPolicy.OPEN)
    for who in ("yuncheng", "zhujian", "command", "inspector"):
        assert selectors.may_read(persona(who), category)


def test_on_request_the_owner_and_district_wide_roles_read_others_need_a_grant(
    persona, make_category
):
    category = make_category(AccessPolicy.ON_REQUEST)
    assert selectors.may_read(persona("chengguan"), category)  # the owner department
    assert selectors.may_read(persona("command"), category)
    assert selectors.may_read(persona("leader"), category)
    assert not selectors.may_read(persona("yuncheng"), category)
    assert not selectors.may_read(persona("zhujian"), category)


def test_restricted_data_needs_a_grant_even_for_district_wide_roles(persona, make_category):
    category = make_category(AccessPolicy.RESTRICTED)
    assert selectors.may_read(persona("chengguan-head"), category)  # the owner
    for who in ("command", "leader", "supervisor", "admin", "yuncheng"):
        assert not selectors.may_read(persona(who), category), who


def _grant(category, org, *, fields=(), role="", **kw):
    return AccessGrant.objects.create(
        category=category,
        org=org,
        role=role,
        fields=list(fields),
        granted_by=org.users.first() or category.owner.users.first(),
        granted_at=NOW,
        **kw,
    )


def test_a_grant_covers_its_unit_its_role_and_its_fields(persona, make_category):
    category = make_category(AccessPolicy.RESTRICTED)
    yuncheng = persona("yuncheng")
    _grant(category, yuncheng.org, fields=["case_no", "party_name"])
    assert selectors.may_read(yuncheng, category, ["case_no"])
    assert selectors.may_read(yuncheng, category, ["case_no", "party_name"])
    assert not selectors.may_read(yuncheng, category, ["party_phone"])
    assert not selectors.may_read(yuncheng, category)  # not every field
    assert selectors.readable_fields(yuncheng, category) == {"case_no", "party_name"}
    assert not selectors.may_read(persona("yuncheng-community"), category)  # another unit

    role_only = make_category(AccessPolicy.RESTRICTED, code="T-0002")
    _grant(role_only, yuncheng.org, role=Role.CALLER)
    assert selectors.may_read(yuncheng, role_only)
    assert not selectors.may_read(persona("inspector"), role_only)  # same street, other role


def test_revoked_or_expired_grants_read_nothing(persona, make_category):
    category = make_category(AccessPolicy.ON_REQUEST)
    yuncheng = persona("yuncheng")
    grant = _grant(category, yuncheng.org, valid_until=TODAY)
    assert selectors.may_read(yuncheng, category)  # the last day counts
    with clock.frozen_at(NOW + timedelta(days=1)):
        assert not selectors.may_read(yuncheng, category)
    AccessGrant.objects.filter(pk=grant.pk).update(valid_until=None, revoked_at=NOW)
    assert not selectors.may_read(yuncheng, category)


# --- requests and grants -----------------------------------------------------------------------


def test_request_approve_grant_then_read(persona, make_category):
    category = make_category(AccessPolicy.RESTRICTED)
    yuncheng, head = persona("yuncheng"), persona("chengguan-head")
    request = ask(persona, category, fields=["party_name", "case_no"])
    assert request.state == AccessRequestState.PENDING
    assert request.fields == ["case_no", "party_name"]  # the category's order
    assert Notification.objects.filter(recipient=head, kind="datahub.access_requested").exists()
    assert list(selectors.to_decide(head)) == [request]
    assert not selectors.may_read(yuncheng, category, ["case_no"])

    grant = catalogue.approve(
        actor=head, request=request, note="同意，仅限整治使用", valid_until=date(2027, 6, 30)
    )
    request.refresh_from_db()
    assert (request.state, request.decided_by, request.decision_note) == (
        AccessRequestState.APPROVED,
        head,
        "同意，仅限整治使用",
    )
    assert (grant.org, grant.fields, grant.request, grant.valid_until) == (
        yuncheng.org,
        ["case_no", "party_name"],
        request,
        date(2027, 6, 30),
    )
    assert selectors.may_read(yuncheng, category, ["case_no", "party_name"])
    assert not selectors.may_read(yuncheng, category, ["party_phone"])
    assert Notification.objects.filter(recipient=yuncheng, kind="datahub.access_approved").exists()
    actions = list(
        AuditEntry.objects.filter(object_type="datahub.accessrequest", object_id=str(request.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["datahub.access_requested", "datahub.access_approved"]
    assert not selectors.to_decide(head).exists()


def test_requests_are_refused_with_the_field_named(persona, make_category):
    open_data = make_category(AccessPolicy.OPEN, code="T-0009")
    with pytest.raises(Conflict):
        ask(persona, open_data)
    category = make_category(AccessPolicy.ON_REQUEST)
    with pytest.raises(Invalid) as empty:
        ask(persona, category, purpose="   ")
    assert empty.value.field == "purpose"
    with pytest.raises(Invalid) as unknown:
        ask(persona, category, fields=["case_no", "salary"])
    assert unknown.value.field == "fields" and "salary" in unknown.value.message
    with pytest.raises(Conflict):  # the owner department reads its own data
        catalogue.request_access(
            actor=persona("chengguan"), category=category, purpose="自查", fields=None
        )
    ask(persona, category)
    with pytest.raises(Conflict):  # one pending request per unit
        ask(persona, category)
    assert AccessRequest.objects.filter(category=category).count() == 1


def test_decline_needs_a_reason(persona, make_category):
    request = ask(persona, make_category())
    head = persona("chengguan-head")
    with pytest.raises(Invalid) as refused:
        catalogue.decline(actor=head, request=request, reason="  ")
    assert refused.value.field == "reason"
    request.refresh_from_db()
    assert request.state == AccessRequestState.PENDING
    catalogue.decline(actor=head, request=request, reason="用途与数据无关")
    request.refresh_from_db()
    assert (request.state, request.decision_note) == (AccessRequestState.DECLINED, "用途与数据无关")
    assert not AccessGrant.objects.filter(request=request).exists()
    with pytest.raises(Conflict):
        catalogue.approve(actor=head, request=request)


def test_only_the_owner_departments_head_or_an_admin_decides(persona, make_category):
    request = ask(persona, make_category())
    for who in ("chengguan", "command", "leader", "yuncheng"):
        with pytest.raises(Forbidden):
            catalogue.approve(actor=persona(who), request=request)
    other_head = org_services.create_user(
        actor=None,
        username="zhujian-head",
        password="x-123456789",
        role=Role.DEPARTMENT_HEAD,
        org=Org.objects.get(code="440111-zjj"),
    )
    with pytest.raises(Forbidden):
        catalogue.decline(actor=other_head, request=request, reason="不是我的")
    assert catalogue.approve(actor=persona("admin"), request=request).request == request


def test_the_requester_withdraws_a_pending_request(persona, make_category):
    request = ask(persona, make_category())
    with pytest.raises(Forbidden):  # a colleague of the same street
        catalogue.withdraw(actor=persona("inspector"), request=request)
    catalogue.withdraw(actor=persona("yuncheng"), request=request)
    request.refresh_from_db()
    assert request.state == AccessRequestState.WITHDRAWN
    with pytest.raises(Conflict):
        catalogue.approve(actor=persona("chengguan-head"), request=request)
    with pytest.raises(Conflict):
        catalogue.withdraw(actor=persona("yuncheng"), request=request)


def test_revoking_a_grant_ends_reading(persona, make_category):
    category = make_category(AccessPolicy.RESTRICTED)
    head, yuncheng = persona("chengguan-head"), persona("yuncheng")
    grant = catalogue.approve(actor=head, request=ask(persona, category))
    assert selectors.may_read(yuncheng, category)
    with pytest.raises(Forbidden):
        catalogue.revoke(actor=persona("chengguan"), grant=grant, reason="到期")
    with pytest.raises(Invalid) as no_reason:
        catalogue.revoke(actor=head, grant=grant, reason="")
    assert no_reason.value.field == "reason"
    catalogue.revoke(actor=head, grant=grant, reason="整治已结束")
    assert not selectors.may_read(yuncheng, category)
    assert AuditEntry.objects.filter(
        action="datahub.access_revoked", object_id=str(grant.pk), reason="整治已结束"
    ).exists()
    with pytest.raises(Conflict):
        catalogue.revoke(actor=head, grant=grant, reason="再撤一次")


def test_requests_are_seen_by_their_unit_the_owner_and_district_wide_roles(persona, make_category):
    request = ask(persona, make_category())
    for who in ("yuncheng", "inspector", "chengguan", "chengguan-head", "command"):
        assert selectors.requests_visible_to(persona(who)).filter(pk=request.pk).exists(), who
    for who in ("zhujian", "helong", "yuncheng-community"):
        assert not selectors.requests_visible_to(persona(who)).filter(pk=request.pk).exists()
