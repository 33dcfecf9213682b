"""Reads of the org tree, always through the user's scope."""

from django.db.models import QuerySet

from huying.core.scoping import get_visible_or_404, scope_for
from huying.orgs.models import Org, User


def orgs_visible_to(user: User) -> QuerySet[Org]:
    return scope_for(user).filter(Org.objects.select_related("parent"), "")


def org_list(
    user: User, *, kind: str | None = None, parent_code: str | None = None, q: str | None = None
) -> QuerySet[Org]:
    orgs = orgs_visible_to(user).filter(is_active=True)
    if kind:
        orgs = orgs.filter(kind=kind)
    if parent_code:
        orgs = orgs.filter(parent__code=parent_code)
    if q:
        orgs = orgs.filter(name__contains=q)
    return orgs.order_by("path")


def org_detail(user: User, code: str) -> Org:
    return get_visible_or_404(orgs_visible_to(user), user, code=code)


def org_counts(user: User) -> dict[str, int]:
    """How many units of each kind the user's view holds (home pages)."""
    counts: dict[str, int] = {}
    for kind in orgs_visible_to(user).filter(is_active=True).values_list("kind", flat=True):
        counts[kind] = counts.get(kind, 0) + 1
    return counts
