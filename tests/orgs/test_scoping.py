"""Scoping of the org tree, the acceptance point, persona by persona.

"A village user sees its village; a town user its town and the town's villages; a department
user what is addressed to its department; command centre, supervisor and leader see the whole
district. Out of scope is 404" -- on the API (/api/v1/orgs) and on the pages (/orgs/), and every
refused attempt at an existing unit leaves a "core.permission_denied" row in the audit log.

Expected scopes are computed from the tree's parent links and the demo facts, never from
`path`, so a wrong path or a wrong scope filter shows up here.
"""

import re

import pytest

from huying.demo import district as facts
from huying.orgs import services
from huying.orgs.choices import OrgKind
from huying.orgs.models import Org, User

ALL_PERSONAS = [
    "renhe-village",
    "yuncheng",
    "renhe",
    "chengguan",
    "command",
    "supervisor",
    "leader",
    "admin",
    "inspector",
]
DISTRICT_WIDE = ["command", "supervisor", "leader", "admin"]
NARROW = ["renhe-village", "yuncheng", "renhe", "chengguan", "inspector"]
TOWN_KINDS = (OrgKind.TOWN, OrgKind.STREET)


def villages_in_facts(town_name: str) -> int:
    return next(t[4] for t in facts.TOWNS if t[0] == town_name)


def expected_scope(user: User) -> set[str]:
    """What the acceptance point says the persona sees, from parent links."""
    if user.username in DISTRICT_WIDE:
        return set(Org.objects.filter(is_active=True).values_list("code", flat=True))
    own = user.org
    if own.kind in TOWN_KINDS:
        children = own.children.filter(is_active=True).values_list("code", flat=True)
        return {own.code, *children}
    return {own.code}  # a village, or a department (its own unit is what is addressed to it)


def api_scope(client, **params) -> tuple[int, set[str]]:
    response = client.get("/api/v1/orgs", {"limit": 1000, **params})
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"items", "count"}
    codes = [item["code"] for item in body["items"]]
    assert len(codes) == len(set(codes)), "a unit is listed twice"
    return body["count"], set(codes)


def page_scope(client, **params) -> tuple[int, set[str]]:
    """Walk every page of /orgs/; check the shown total agrees with the rows."""
    codes: set[str] = set()
    number = 1
    while True:
        response = client.get("/orgs/", {"page": number, **params})
        assert response.status_code == 200
        page = response.context["page"]
        html = response.content.decode()
        shown = re.search(r'data-testid="org-count">([^<]*)<', html).group(1)
        assert re.search(rf"\b{page.paginator.count}\b", shown), shown
        for org in page.object_list:
            assert f'href="/orgs/{org.code}/"' in html
            codes.add(org.code)
        if not page.has_next():
            return page.paginator.count, codes
        number += 1


def assert_hidden(api_client, page_client, user: User, code: str, audit_log) -> None:
    """404 on the API and on the page for an existing unit, each attempt audited."""
    audit_log.mark()
    response = api_client.get(f"/api/v1/orgs/{code}")
    assert response.status_code == 404
    assert response.json()["detail"] == "未找到，或不在您的可见范围内"
    response = page_client.get(f"/orgs/{code}/")
    assert response.status_code == 404
    assert "不在您的可见范围内" in response.content.decode()
    denied = audit_log.new("core.permission_denied")
    assert [(e.actor_id, e.object_type, e.object_id) for e in denied] == [
        (user.pk, "orgs.org", code),
        (user.pk, "orgs.org", code),
    ]


def assert_shown(api_client, page_client, org: Org) -> None:
    response = api_client.get(f"/api/v1/orgs/{org.code}")
    assert response.status_code == 200
    assert (response.json()["code"], response.json()["name"]) == (org.code, org.name)
    response = page_client.get(f"/orgs/{org.code}/")
    assert response.status_code == 200
    assert response.context["org"] == org


def far_village() -> Org:
    """A community of 鹤龙街道: outside every narrow persona's scope here."""
    return Org.objects.filter(parent__name="鹤龙街道").order_by("code").last()


# --- the acceptance point, one persona at a time -------------------------------------------


def test_village_cadre_sees_only_its_village(api, browser_client, persona, audit_log):
    user = persona("renhe-village")
    village = user.org
    assert village.is_key_village and village.parent.name == "人和镇"
    api_client, page_client = api(user.username), browser_client(user.username)

    assert api_scope(api_client) == (1, {village.code})
    assert page_scope(page_client) == (1, {village.code})
    assert_shown(api_client, page_client, village)
    # Not even its own town, nor the village next door.
    assert_hidden(api_client, page_client, user, village.parent.code, audit_log)
    neighbour = village.parent.children.exclude(pk=village.pk).first()
    assert_hidden(api_client, page_client, user, neighbour.code, audit_log)


def test_town_cadre_sees_its_town_and_the_towns_villages(api, browser_client, persona, audit_log):
    user = persona("renhe")
    town = user.org
    villages = set(town.children.values_list("code", flat=True))
    assert town.name == "人和镇" and len(villages) == villages_in_facts("人和镇") == 26
    api_client, page_client = api(user.username), browser_client(user.username)

    assert api_scope(api_client) == (27, {town.code, *villages})
    assert page_scope(page_client) == (27, {town.code, *villages})
    for org in (town, Org.objects.get(code=min(villages))):
        assert_shown(api_client, page_client, org)
    assert_hidden(api_client, page_client, user, town.parent.code, audit_log)  # the district
    assert_hidden(api_client, page_client, user, far_village().code, audit_log)


def test_street_cadre_sees_its_street_and_its_communities(api, browser_client, persona, audit_log):
    user = persona("yuncheng")
    street = user.org
    communities = set(street.children.values_list("code", flat=True))
    assert street.name == "云城街道" and len(communities) == villages_in_facts("云城街道")
    assert {c.kind for c in street.children.all()} == {OrgKind.COMMUNITY}
    api_client, page_client = api(user.username), browser_client(user.username)

    assert api_scope(api_client) == (12, {street.code, *communities})
    assert page_scope(page_client) == (12, {street.code, *communities})
    assert_hidden(api_client, page_client, user, persona("renhe").org.code, audit_log)


def test_inspector_sees_the_street_they_patrol(api, browser_client, persona, audit_log):
    user = persona("inspector")
    assert user.org == persona("yuncheng").org
    api_client, page_client = api(user.username), browser_client(user.username)
    assert api_scope(api_client) == (12, expected_scope(user))
    assert page_scope(page_client) == (12, expected_scope(user))
    assert_hidden(api_client, page_client, user, far_village().code, audit_log)


def test_department_responder_sees_only_its_department(api, browser_client, persona, audit_log):
    user = persona("chengguan")
    department = user.org
    assert (department.code, department.kind) == ("440111-cgj", OrgKind.DEPARTMENT)
    api_client, page_client = api(user.username), browser_client(user.username)

    assert api_scope(api_client) == (1, {"440111-cgj"})
    assert page_scope(page_client) == (1, {"440111-cgj"})
    assert_shown(api_client, page_client, department)
    for code in ("440111-zjj", "440111", persona("renhe").org.code):
        assert_hidden(api_client, page_client, user, code, audit_log)


@pytest.mark.parametrize("username", DISTRICT_WIDE)
def test_district_wide_personas_see_every_unit(username, api, browser_client, org):
    every = set(Org.objects.values_list("code", flat=True))
    villages = sum(t[4] for t in facts.TOWNS)
    # The district, the commission, the command centre, departments, towns, villages.
    assert len(every) == 3 + len(facts.DEPARTMENTS) + len(facts.TOWNS) + villages == 398
    api_client, page_client = api(username), browser_client(username)
    assert api_scope(api_client) == (398, every)
    assert page_scope(page_client) == (398, every)
    for code in ("440111", "440111-cgj", far_village().code):
        assert_shown(api_client, page_client, org(code))


# --- the same rules, checked across all nine personas ---------------------------------------


@pytest.mark.parametrize("username", ALL_PERSONAS)
def test_api_and_page_list_exactly_the_persona_scope(username, api, browser_client, persona):
    user = persona(username)
    expected = expected_scope(user)
    assert api_scope(api(username)) == (len(expected), expected)
    assert page_scope(browser_client(username)) == (len(expected), expected)


@pytest.mark.parametrize("username", NARROW)
def test_out_of_scope_unit_is_404_on_api_and_page_and_audited(
    username, api, browser_client, persona, audit_log
):
    user = persona(username)
    outside = list(Org.objects.exclude(code__in=expected_scope(user)).order_by("code"))
    outside = [outside[0], outside[len(outside) // 2], outside[-1]]
    api_client, page_client = api(username), browser_client(username)
    for org in outside:
        assert_hidden(api_client, page_client, user, org.code, audit_log)


@pytest.mark.parametrize("username", ["renhe-village", "chengguan"])
def test_outsider_gets_404_for_every_unit_outside_its_scope(username, api, persona, audit_log):
    user = persona(username)
    client = api(username)
    visible = expected_scope(user)
    audit_log.mark()
    outside = []
    for code in Org.objects.order_by("path").values_list("code", flat=True):
        response = client.get(f"/api/v1/orgs/{code}")
        if code in visible:
            assert response.status_code == 200, code
            assert response.json()["code"] == code
        else:
            assert response.status_code == 404, code
            outside.append(code)
    assert len(outside) == Org.objects.count() - len(visible) == 397
    denied = audit_log.new("core.permission_denied")
    assert [e.object_id for e in denied] == outside
    assert {e.actor_id for e in denied} == {user.pk}


def test_unknown_code_gives_the_same_404_as_a_hidden_one_but_no_audit_row(api, audit_log):
    client = api("renhe-village")
    audit_log.mark()
    hidden = client.get("/api/v1/orgs/440111")
    unknown = client.get("/api/v1/orgs/no-such-unit")
    assert (hidden.status_code, unknown.status_code) == (404, 404)
    assert hidden.json() == unknown.json()  # no oracle for which codes exist
    assert [e.object_id for e in audit_log.new("core.permission_denied")] == ["440111"]


# --- filters never widen the scope ----------------------------------------------------------


def test_parent_filter_cannot_reach_outside_the_scope(api, persona):
    yuncheng = persona("yuncheng").org
    assert api_scope(api("renhe-village"), parent=yuncheng.code) == (0, set())
    assert api_scope(api("renhe"), parent=yuncheng.code) == (0, set())
    count, codes = api_scope(api("yuncheng"), parent=yuncheng.code)
    assert count == 11 and codes == set(yuncheng.children.values_list("code", flat=True))


def test_search_and_kind_filters_stay_inside_the_scope(api, browser_client, persona):
    far = far_village()
    assert api_scope(api("renhe"), q=far.name) == (0, set())
    assert page_scope(browser_client("renhe"), q=far.name) == (0, set())
    assert api_scope(api("command"), q=far.name) == (1, {far.code})
    count, codes = api_scope(api("renhe"), kind="village")
    assert count == 26 and persona("renhe").org.code not in codes
    assert page_scope(browser_client("renhe"), kind="village")[0] == 26
    assert api_scope(api("chengguan"), kind="town") == (0, set())


def test_htmx_partial_of_the_org_list_is_scoped(browser_client, persona):
    response = browser_client("renhe-village").get("/orgs/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html  # only the rows
    assert [o.code for o in response.context["page"].object_list] == [
        persona("renhe-village").org.code
    ]


def test_detail_page_lists_the_visible_children_only(browser_client, persona):
    town = persona("renhe").org
    response = browser_client("renhe").get(f"/orgs/{town.code}/")
    assert {c.code for c in response.context["children"]} == set(
        town.children.values_list("code", flat=True)
    )
    assert "下级单位（26）" in response.content.decode()
    village_page = browser_client("renhe-village").get(
        f"/orgs/{persona('renhe-village').org.code}/"
    )
    assert village_page.status_code == 200 and not village_page.context["children"]


def test_deactivated_unit_drops_out_of_the_lists(api, browser_client, persona):
    village = persona("renhe").org.children.order_by("code").last()
    Org.objects.filter(pk=village.pk).update(is_active=False)
    count, codes = api_scope(api("renhe"))
    assert count == 26 and village.code not in codes
    assert village.code not in page_scope(browser_client("renhe"))[1]


def test_scope_follows_a_village_moved_to_another_town(api, persona, org):
    village = persona("renhe-village").org
    services.create_user(
        actor=None, username="taihe", password=None, role="caller", org=org("太和镇")
    )
    services.update_org(actor=persona("admin"), org=village, parent=org("太和镇"))
    assert village.code not in api_scope(api("renhe"))[1]
    assert village.code in api_scope(api("taihe"))[1]
    assert api_scope(api("renhe-village")) == (1, {village.code})


# --- who may look at all ---------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/orgs/", "/orgs/440111/"])
def test_anonymous_visitor_is_sent_to_login_from_org_pages(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={path}"


@pytest.mark.parametrize("path", ["/api/v1/orgs", "/api/v1/orgs/440111", "/api/v1/auth/me"])
def test_anonymous_api_call_is_401(client, path):
    response = client.get(path)
    assert response.status_code == 401
    assert response.json()["detail"].startswith("请先登录")


def test_deactivated_user_session_sees_nothing(browser_client, persona):
    client = browser_client("renhe")
    User.objects.filter(username="renhe").update(is_active=False)
    assert client.get("/orgs/").status_code == 302
    assert client.get("/api/v1/orgs").status_code == 401
