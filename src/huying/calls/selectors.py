"""Reads of calls, always through the user's scope."""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    Case,
    Exists,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    When,
    prefetch_related_objects,
)

from huying.calls import ladder
from huying.calls.choices import AssignmentRole, CallStatus
from huying.calls.models import Call, CallAssignment, CallEvent, Matter, Rating
from huying.core import clock
from huying.core.errors import Invalid
from huying.core.scoping import get_visible_or_404, scope_for
from huying.orgs.choices import OrgKind
from huying.orgs.models import Org, User


def calls_visible_to(user: User) -> QuerySet[Call]:
    """Callers see their unit's calls (a town also its villages'); a department the calls
    addressed to it, now or before; district-wide roles everything."""
    scope = scope_for(user)
    calls = Call.objects.all()
    if scope.whole_district:
        return calls
    if _sees_what_is_addressed(user):
        # EXISTS rather than a join + DISTINCT: the workbench stays an index walk at scale.
        addressed = CallAssignment.objects.filter(call=OuterRef("pk"), department=user.org)
        return calls.filter(Exists(addressed))
    return scope.filter(calls, "caller_org")


def _sees_what_is_addressed(user: User) -> bool:
    return user.org is not None and user.org.kind == OrgKind.DEPARTMENT


def call_detail(user: User, pk: int) -> Call:
    return get_visible_or_404(
        calls_visible_to(user).select_related("matter", "caller_org", "lead_department"),
        user,
        pk=pk,
    )


def call_events(call: Call) -> QuerySet[CallEvent]:
    return call.events.order_by("seq")


# --- the API's list, detail and lookups ------------------------------------------------------

# The running clock is `ladder.running_clock`: the response clock while the call waits for the
# lead department, the resolution clock once it has signed; none in a return dispute, or once
# resolved, closed or withdrawn. `overdue_q` is the same rule as a query (a test holds them equal).
RESPONSE_CLOCK_STATUSES = (CallStatus.CALLED,)
RESOLUTION_CLOCK_STATUSES = (CallStatus.RESPONDED, CallStatus.IN_PROGRESS)


def current_due_at(call: Call) -> datetime | None:
    """The deadline of the running clock, if one runs."""
    running = ladder.running_clock(call)
    if running == ladder.RESPONSE:
        return call.response_due_at
    if running == ladder.RESOLUTION:
        return call.resolution_due_at
    return None


def seconds_left(call: Call, now: datetime) -> int | None:
    """Seconds until the running deadline; negative once it has passed."""
    due = current_due_at(call)
    return None if due is None else math.floor((due - now).total_seconds())


def overdue_q(now: datetime) -> Q:
    """The calls whose running deadline has passed."""
    return Q(status__in=RESPONSE_CLOCK_STATUSES, response_due_at__lt=now) | Q(
        status__in=RESOLUTION_CLOCK_STATUSES, resolution_due_at__lt=now
    )


@dataclass(frozen=True)
class CallFilter:
    statuses: Sequence[str] = ()
    overdue: bool | None = None
    department: str | None = None  # an org code: the lead or any active assigned department
    town: str | None = None  # an org code: the calling unit, or the town above it
    domain: str | None = None
    called_after: datetime | None = None
    called_before: datetime | None = None


def _visible_in_list(user: User, department_id: int | None) -> QuerySet[Call]:
    """`calls_visible_to(user)`, without its EXISTS when a department lists the calls it holds
    now: those are among the calls addressed to it, so the scope's EXISTS would repeat the
    filter's (a second index probe for every row the page and the count walk)."""
    own_workbench = department_id is not None and department_id == user.org_id
    if own_workbench and _sees_what_is_addressed(user) and not scope_for(user).whole_district:
        return Call.objects.all()
    return calls_visible_to(user)


def call_list(user: User, filters: CallFilter, *, now: datetime | None = None) -> QuerySet[Call]:
    """The user's calls, filtered, newest first; one query per page whatever the filters."""
    return with_overdue(listed(user, filters), filters.overdue, now or clock.now())


def listed(user: User, filters: CallFilter) -> QuerySet[Call]:
    """`call_list` but for its overdue filter, which depends on the moment (`with_overdue`)."""
    department_id = None
    if filters.department:
        # The id is looked up first: a join on the code (or an IN list of the department's
        # calls) made PostgreSQL scan half a million rows.
        department_id = (
            Org.objects.filter(code=filters.department).values_list("pk", flat=True).first()
        )
    calls = _visible_in_list(user, department_id).select_related(
        "matter", "caller_org", "caller_org__parent", "lead_department"
    )
    if filters.statuses:
        calls = calls.filter(status__in=filters.statuses)
    if filters.department:
        # The lead always holds an active assignment too, so one EXISTS on the assignments
        # covers lead and co-departments.
        addressed = CallAssignment.objects.filter(
            call=OuterRef("pk"), department_id=department_id, is_active=True
        )
        calls = calls.filter(Exists(addressed))
    if filters.town:
        calls = calls.filter(
            Q(caller_org__code=filters.town) | Q(caller_org__parent__code=filters.town)
        )
    if filters.domain:
        calls = calls.filter(domain=filters.domain)
    if filters.called_after:
        calls = calls.filter(called_at__gte=filters.called_after)
    if filters.called_before:
        calls = calls.filter(called_at__lt=filters.called_before)
    return calls.order_by("-called_at", "-pk")


def with_overdue(calls: QuerySet[Call], overdue: bool | None, now: datetime) -> QuerySet[Call]:
    if overdue is True:
        # Naming the clocked statuses once more lets PostgreSQL see that the open calls' index
        # (newest first) holds every overdue call: without it, it gathered and sorted all of
        # them (tens of thousands of rows) for each page.
        clocked = (*RESPONSE_CLOCK_STATUSES, *RESOLUTION_CLOCK_STATUSES)
        return calls.filter(overdue_q(now), status__in=clocked)
    if overdue is False:
        return calls.exclude(overdue_q(now))
    return calls


def next_crossing(calls: QuerySet[Call], now: datetime) -> datetime | None:
    """When the next of `calls` (a `listed` list) passes its running deadline: until then an
    overdue filter over them picks the same calls (`read_cache`). One query over the open
    calls' index."""
    clocked = (*RESPONSE_CLOCK_STATUSES, *RESOLUTION_CLOCK_STATUSES)
    running = (
        calls.filter(status__in=clocked)
        .order_by()
        .aggregate(
            response=Min(
                "response_due_at",
                filter=Q(status__in=RESPONSE_CLOCK_STATUSES, response_due_at__gte=now),
            ),
            resolution=Min(
                "resolution_due_at",
                filter=Q(status__in=RESOLUTION_CLOCK_STATUSES, resolution_due_at__gte=now),
            ),
        )
    )
    return min((due for due in running.values() if due is not None), default=None)


def counted(calls: QuerySet[Call], filters: CallFilter) -> QuerySet[Call]:
    """The rows the list's capped count walks: the list in its own order (PostgreSQL then walks
    the open calls' index, newest first, and stops at the cap), except the overdue list, whose
    calls are mostly old: from the newest it would visit tens of thousands of rows, where the
    two deadline indexes find them directly (about 40 ms rather than 60–200 at a million)."""
    return calls.order_by() if filters.overdue else calls


# A call's departments: the current ones first, the lead before co-departments.
ASSIGNMENT_ORDER = ("-is_active", Case(When(role=AssignmentRole.LEAD, then=0), default=1), "pk")


def call_with_timeline(call: Call) -> Call:
    """The call with its events (oldest first, with the actor's unit and files), its departments
    (current first, the lead before co-departments) and its rating: four queries."""
    prefetch_related_objects(
        [call],
        Prefetch(
            "events",
            queryset=CallEvent.objects.select_related("actor_org")
            .prefetch_related("attachments")
            .order_by("seq"),
        ),
        Prefetch(
            "assignments",
            queryset=CallAssignment.objects.select_related("department").order_by(
                *ASSIGNMENT_ORDER
            ),
        ),
        Prefetch("rating", queryset=Rating.objects.select_related("department")),
    )
    return call


def call_detail_with_timeline(user: User, pk: int) -> Call:
    """`call_detail` (404 and audit when out of scope) with its timeline and departments."""
    return call_with_timeline(call_detail(user, pk))


def matter_for_call(code: str) -> Matter:
    """The special-list matter a new call names, by code (422 naming `matter` if unknown)."""
    matter = Matter.objects.select_related("lead_department").filter(code=code).first()
    if matter is None:
        raise Invalid(f"清单中没有编号为“{code}”的事项", field="matter")
    return matter


def department_by_code(code: str) -> Org:
    """A district department by code (422 naming `department` when it is not one)."""
    department = Org.objects.filter(code=code, kind=OrgKind.DEPARTMENT).first()
    if department is None:
        raise Invalid(f"“{code}”不是区直部门的编码", field="department")
    return department
