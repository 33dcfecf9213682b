"""Reads of the data catalogue: search, who may read a category, and the requests and grants
each user sees.

The catalogue itself (names, fields, counts) is visible to every signed-in user: knowing what
exists is what ends the re-typing. Reading the data is what `may_read` decides:

- open (开放): everyone;
- the owner department: always;
- district-wide roles (operator, supervisor, leader, admin): open and on request (依申请),
  restricted (受限) only with a grant;
- everyone else: a live grant for their unit (and their role, when the grant names one) that
  covers the fields asked for.
"""

from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from huying.core import clock
from huying.core.scoping import get_visible_or_404, scope_for
from huying.datahub.choices import AccessPolicy, AccessRequestState
from huying.datahub.models import AccessGrant, AccessRequest, Category, CategoryField
from huying.orgs.choices import Role
from huying.orgs.models import Org, User

ALL = None  # "every field" in a grant's coverage


def today():
    return timezone.localdate(clock.now())


# --- who may read ------------------------------------------------------------------------------


def live_grants(qs: QuerySet[AccessGrant] | None = None) -> QuerySet[AccessGrant]:
    qs = AccessGrant.objects.all() if qs is None else qs
    return qs.filter(revoked_at__isnull=True).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today())
    )


def _granted_fields(user: User, category: Category) -> set[str] | None:
    """The fields the user's live grants cover: ALL, a set of names, or an empty set."""
    grants = live_grants().filter(category=category, org_id=user.org_id)
    covered: set[str] = set()
    for fields in grants.filter(Q(role="") | Q(role=user.role)).values_list("fields", flat=True):
        if not fields:
            return ALL
        covered.update(fields)
    return covered


def reads_without_grant(user: User, category: Category) -> bool:
    """Open data, the owner's own data, or on-request data for a district-wide role."""
    if category.access_policy == AccessPolicy.OPEN:
        return True
    if user.org_id is not None and user.org_id == category.owner_id:
        return True
    return category.access_policy == AccessPolicy.ON_REQUEST and user.sees_whole_district


def may_read(user: User, category: Category, fields=None) -> bool:
    """May the user read `fields` of the category (None: all of them)?"""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if not category.is_active:
        return user.org_id == category.owner_id or user.role == Role.ADMIN
    if reads_without_grant(user, category):
        return True
    if user.org_id is None:
        return False
    covered = _granted_fields(user, category)
    if covered is ALL:
        return True
    # .all() uses the fields prefetched with the category, when they were.
    wanted = set(fields) if fields is not None else {f.name for f in category.fields.all()}
    return bool(wanted) and wanted <= covered


def readable_fields(user: User, category: Category) -> set[str] | None:
    """For the category page: ALL, or the names the user's grants cover (maybe none)."""
    if not category.is_active:
        return ALL if may_read(user, category) else set()
    if reads_without_grant(user, category):
        return ALL
    if user.org_id is None:
        return set()
    return _granted_fields(user, category)


def may_decide(user: User, category: Category) -> bool:
    """The owner department's head decides its requests and grants; so may an administrator."""
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.DEPARTMENT_HEAD and user.org_id == category.owner_id


# --- search ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Search:
    q: str = ""
    owner: str = ""  # the owner department's code
    policy: str = ""
    min_sensitivity: int | None = None  # holds at least one field this sensitive
    hub_only: bool = False


def search(filters: Search) -> QuerySet[Category]:
    """Active categories matching the filters, with the owner and field figures, in one query.

    Matching fields go through a subquery (not a join), so a category matching by several
    fields comes back once and the counts stay right.
    """
    qs = Category.objects.filter(is_active=True)
    q = filters.q.strip()
    if q:
        in_fields = CategoryField.objects.filter(
            Q(label__icontains=q) | Q(meaning__icontains=q) | Q(name__icontains=q)
        ).values("category_id")
        qs = qs.filter(
            Q(name__icontains=q)
            | Q(description__icontains=q)
            | Q(code__iexact=q)
            | Q(source_system__icontains=q)
            | Q(owner__name__icontains=q)
            | Q(owner__short_name__icontains=q)
            | Q(pk__in=in_fields)
        )
    if filters.owner:
        qs = qs.filter(owner__code=filters.owner)
    if filters.policy:
        qs = qs.filter(access_policy=filters.policy)
    if filters.min_sensitivity:
        qs = qs.filter(
            pk__in=CategoryField.objects.filter(sensitivity__gte=filters.min_sensitivity).values(
                "category_id"
            )
        )
    if filters.hub_only:
        qs = qs.filter(hub_source__isnull=False)
    return (
        qs.select_related("owner")
        .annotate(field_count=Count("fields"), max_sensitivity=Max("fields__sensitivity"))
        .order_by("code")
    )


@dataclass(frozen=True)
class Totals:
    categories: int
    records: int


def totals(qs: QuerySet[Category] | None = None) -> Totals:
    """How many categories and records (the whole active catalogue, or a search's result)."""
    qs = Category.objects.filter(is_active=True) if qs is None else qs
    row = qs.order_by().aggregate(n=Count("pk", distinct=True), records=Sum("record_count"))
    return Totals(categories=row["n"] or 0, records=row["records"] or 0)


def search_totals(filters: Search) -> Totals:
    """`totals` of a search, without its per-category annotations (which would multiply rows)."""
    ids = search(filters).order_by().values("pk")
    return totals(Category.objects.filter(pk__in=ids))


def owners() -> QuerySet[Org]:
    """The departments that own categories (the owner filter's options)."""
    return Org.objects.filter(
        pk__in=Category.objects.filter(is_active=True).values("owner_id")
    ).order_by("sort_order", "code")


def category(code: str) -> Category:
    """One category with its owner and fields (the catalogue is visible to all; 404 if none)."""
    found = (
        Category.objects.select_related("owner").prefetch_related("fields").filter(code=code)
    ).first()
    if found is None:
        raise Http404("未找到该数据类目")
    return found


# --- requests and grants -----------------------------------------------------------------------


def _about_own_or_scope(user: User) -> Q:
    """A request or grant of a unit in the user's scope, or about a category the user's unit
    owns (the owner department sees who asks for its data)."""
    scope = scope_for(user)
    if scope.whole_district:
        return Q()  # (an empty Q would vanish from an OR below)
    owned = Q(category__owner_id=user.org_id) if user.org_id else Q(pk__in=[])
    return scope.q("org") | owned


def requests_visible_to(user: User) -> QuerySet[AccessRequest]:
    return AccessRequest.objects.filter(_about_own_or_scope(user)).select_related(
        "category__owner", "org", "requested_by", "decided_by"
    )


def request_detail(user: User, pk: int) -> AccessRequest:
    return get_visible_or_404(requests_visible_to(user), user, pk=pk)


def my_requests(user: User) -> QuerySet[AccessRequest]:
    """The requests of the user's own unit, newest first."""
    if user.org_id is None:
        return AccessRequest.objects.none()
    return requests_visible_to(user).filter(org_id=user.org_id)


def to_decide(user: User) -> QuerySet[AccessRequest]:
    """待我审批: pending requests for the categories the user decides on, oldest first."""
    pending = requests_visible_to(user).filter(state=AccessRequestState.PENDING)
    if user.role == Role.ADMIN:
        return pending.order_by("created_at", "pk")
    if user.role != Role.DEPARTMENT_HEAD or user.org_id is None:
        return AccessRequest.objects.none()
    return pending.filter(category__owner_id=user.org_id).order_by("created_at", "pk")


def decided_by_owner(user: User, limit: int = 20) -> list[AccessRequest]:
    """The latest decided requests on the user's unit's categories (the decider's record)."""
    if user.org_id is None:
        return []
    qs = requests_visible_to(user).exclude(state=AccessRequestState.PENDING)
    if user.role != Role.ADMIN:
        qs = qs.filter(category__owner_id=user.org_id)
    return list(qs.order_by("-decided_at", "-pk")[:limit])


def grants_visible_to(user: User) -> QuerySet[AccessGrant]:
    return AccessGrant.objects.filter(_about_own_or_scope(user)).select_related(
        "category__owner", "org", "granted_by"
    )


def grant_detail(user: User, pk: int) -> AccessGrant:
    return get_visible_or_404(grants_visible_to(user), user, pk=pk)


def category_requests(user: User, category: Category) -> list[AccessRequest]:
    """On a category page: my unit's requests, or every request when the user decides."""
    qs = requests_visible_to(user).filter(category=category)
    if not may_decide(user, category):
        qs = qs.filter(org_id=user.org_id)
    return list(qs[:50])


def category_grants(user: User, category: Category) -> list[AccessGrant]:
    """On a category page: the live grants (the owner's people and deciders see them all)."""
    qs = live_grants(grants_visible_to(user)).filter(category=category)
    if not (may_decide(user, category) or user.org_id == category.owner_id):
        qs = qs.filter(org_id=user.org_id)
    return list(qs[:100])


def with_field_labels(items):
    """Set `field_labels` on requests or grants: their field names in Chinese (one query)."""
    items = list(items)
    ids = {item.category_id for item in items if item.fields}
    labels = {
        (category_id, name): label
        for category_id, name, label in CategoryField.objects.filter(
            category_id__in=ids
        ).values_list("category_id", "name", "label")
    }
    for item in items:
        item.field_labels = [labels.get((item.category_id, n), n) for n in item.fields]
    return items
