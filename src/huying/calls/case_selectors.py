"""Reads of accountability cases (问责) and of the ratings they may start from, through scope.

The discipline commission, the command centre, leaders and administrators see every case; a
department's staff see the cases against their department; callers and everyone else none.
Out of scope is 404, audited by `get_visible_or_404`.
"""

from dataclasses import dataclass

from django.db.models import QuerySet

from huying.calls.models import AccountabilityCase, Rating
from huying.calls.selectors import calls_visible_to
from huying.core.scoping import get_visible_or_404, scope_for
from huying.orgs.choices import OrgKind
from huying.orgs.models import User


def cases_visible_to(user: User) -> QuerySet[AccountabilityCase]:
    cases = AccountabilityCase.objects.all()
    if scope_for(user).whole_district:
        return cases
    if user.org is not None and user.org.kind == OrgKind.DEPARTMENT:
        return cases.filter(department=user.org)
    return cases.none()


@dataclass(frozen=True)
class CaseFilter:
    status: str | None = None
    reason: str | None = None
    department: str | None = None  # an org code: the department held to account


def case_list(user: User, filters: CaseFilter) -> QuerySet[AccountabilityCase]:
    """The user's cases, filtered, newest first; one query per page."""
    cases = cases_visible_to(user).select_related("call", "department", "opened_by")
    if filters.status:
        cases = cases.filter(status=filters.status)
    if filters.reason:
        cases = cases.filter(reason=filters.reason)
    if filters.department:
        cases = cases.filter(department__code=filters.department)
    return cases.order_by("-opened_at", "-pk")


def case_detail(user: User, pk: int) -> AccountabilityCase:
    visible = cases_visible_to(user).select_related("call", "department", "opened_by")
    return get_visible_or_404(visible, user, pk=pk)


def rating_for_call(user: User, call_id: int) -> Rating:
    """The rating given when the call was confirmed (404 when out of scope or not rated)."""
    ratings = Rating.objects.filter(call__in=calls_visible_to(user).values("pk"))
    return get_visible_or_404(ratings.select_related("call", "department"), user, call_id=call_id)
