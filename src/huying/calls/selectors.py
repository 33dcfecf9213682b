"""Reads of calls, always through the user's scope."""

from django.db.models import Q, QuerySet

from huying.calls.models import Call, CallEvent
from huying.core.scoping import get_visible_or_404, scope_for
from huying.orgs.choices import OrgKind
from huying.orgs.models import User


def calls_visible_to(user: User) -> QuerySet[Call]:
    """Callers see their unit's calls (a town also its villages'); a department the calls
    addressed to it, now or before; district-wide roles everything."""
    scope = scope_for(user)
    calls = Call.objects.all()
    if scope.whole_district:
        return calls
    if user.org is not None and user.org.kind == OrgKind.DEPARTMENT:
        return calls.filter(Q(assignments__department=user.org)).distinct()
    return scope.filter(calls, "caller_org")


def call_detail(user: User, pk: int) -> Call:
    return get_visible_or_404(
        calls_visible_to(user).select_related("matter", "caller_org", "lead_department"),
        user,
        pk=pk,
    )


def call_events(call: Call) -> QuerySet[CallEvent]:
    return call.events.order_by("seq")
