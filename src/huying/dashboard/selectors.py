"""What each role's home page shows, read through the user's scope."""

from django.db.models import Count, Q

from huying.core.selectors import recent_security_events
from huying.orgs.choices import OrgKind, Role
from huying.orgs.models import Org
from huying.orgs.selectors import org_counts, orgs_visible_to

VILLAGE_KINDS = (OrgKind.VILLAGE, OrgKind.COMMUNITY)
TOWN_KINDS = (OrgKind.TOWN, OrgKind.STREET)

# Which home-page template each role opens on.
HOME_TEMPLATES = {
    Role.CALLER: "dashboard/home_unit.html",
    Role.INSPECTOR: "dashboard/home_unit.html",
    Role.RESPONDER: "dashboard/home_department.html",
    Role.DEPARTMENT_HEAD: "dashboard/home_department.html",
    Role.OPERATOR: "dashboard/home_district.html",
    Role.LEADER: "dashboard/home_district.html",
    Role.SUPERVISOR: "dashboard/home_district.html",
    Role.ADMIN: "dashboard/home_district.html",
}


def home_context(user) -> dict:
    context = {"counts": _labelled_counts(org_counts(user))}
    if user.sees_whole_district:
        context.update(_district_overview(user))
    elif user.org and user.org.kind == OrgKind.DEPARTMENT:
        context["colleagues"] = user.org.users.filter(is_active=True).order_by("username")
    else:
        context["villages"] = _villages_under(user)
    if user.role in (Role.SUPERVISOR, Role.ADMIN):
        context["security_events"] = recent_security_events()
    return context


def _labelled_counts(counts: dict[str, int]) -> list[dict]:
    return [
        {"kind": k, "label": OrgKind(k).label, "count": counts[k]}
        for k in OrgKind.values
        if counts.get(k)
    ]


def _villages_under(user):
    return (
        orgs_visible_to(user)
        .exclude(pk=user.org_id)  # a village user has none below it
        .filter(kind__in=VILLAGE_KINDS, is_active=True)
        .order_by("sort_order", "code")
    )


def _district_overview(user) -> dict:
    towns = (
        orgs_visible_to(user)
        .filter(kind__in=TOWN_KINDS, is_active=True)
        .annotate(
            village_count=Count("children", filter=Q(children__is_active=True)),
            key_village_count=Count("children", filter=Q(children__is_key_village=True)),
        )
        .order_by("sort_order", "code")
    )
    towns = list(towns)
    chart = {
        "towns": [t.name for t in towns],
        "villages": [t.village_count for t in towns],
        "key_villages": [t.key_village_count for t in towns],
        "points": [
            {"name": t.name, "value": [float(t.lon), float(t.lat), t.village_count]}
            for t in towns
            if t.lat is not None and t.lon is not None
        ],
    }
    departments = Org.objects.filter(kind=OrgKind.DEPARTMENT, is_active=True).order_by(
        "sort_order", "code"
    )
    return {"towns": towns, "chart": chart, "departments": departments}
