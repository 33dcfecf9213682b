"""Reads for the department workbench: the open calls on the user's department, in three piles.

待响应 (to_respond): the department has not signed yet, as lead or co-department.
办理中 (in_progress): it has signed and the call is being worked on.
已超期 (overdue): the running deadline has passed, signed or not.

Each call sits in exactly one pile: an overdue call is in 已超期 whatever its signature, so the
counts add up and a late call is never buried under fresh ones. Each pile is one bounded query,
the counts one more, whatever the department's load.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, DateTimeField, Exists, F, OuterRef, Q, QuerySet, When

from huying.calls import meeting_selectors
from huying.calls.choices import CallStatus
from huying.calls.models import ActionItem, Call, CallAssignment
from huying.calls.selectors import (
    RESOLUTION_CLOCK_STATUSES,
    RESPONSE_CLOCK_STATUSES,
    calls_visible_to,
    overdue_q,
)
from huying.orgs.models import User

PILE_SIZE = 50
PILES = ("to_respond", "in_progress", "overdue")
# The states in which a department still has work on a call (a return dispute is the command
# centre's; a resolved call waits for the caller).
WORKING_STATUSES = (CallStatus.CALLED, CallStatus.RESPONDED, CallStatus.IN_PROGRESS)


def due_at_expression() -> Case:
    """The running deadline as SQL (`selectors.current_due_at` in Python): for sorting."""
    return Case(
        When(status__in=RESPONSE_CLOCK_STATUSES, then=F("response_due_at")),
        When(status__in=RESOLUTION_CLOCK_STATUSES, then=F("resolution_due_at")),
        default=None,
        output_field=DateTimeField(),
    )


def _assignment(user: User, **extra) -> Exists:
    """The user's department is on the call now (an active assignment)."""
    mine = CallAssignment.objects.filter(
        call=OuterRef("pk"), department_id=user.org_id, is_active=True, **extra
    )
    return Exists(mine)


def department_calls(user: User) -> QuerySet[Call]:
    """Open calls the department is on, with `due_at` and `awaiting_signature` annotated."""
    return (
        calls_visible_to(user)
        .filter(_assignment(user), status__in=WORKING_STATUSES)
        .annotate(
            due_at=due_at_expression(),
            awaiting_signature=_assignment(user, signed_at__isnull=True),
        )
    )


def pile_filters(now: datetime) -> dict[str, Q]:
    late = overdue_q(now)
    return {
        "to_respond": Q(awaiting_signature=True) & ~late,
        "in_progress": Q(awaiting_signature=False) & ~late,
        "overdue": late,
    }


def pile(user: User, name: str, now: datetime) -> QuerySet[Call]:
    """One pile, soonest deadline first (for 已超期 that is the most overdue first)."""
    return (
        department_calls(user)
        .filter(pile_filters(now)[name])
        .select_related("matter", "caller_org", "caller_org__parent", "lead_department")
        .order_by("due_at", "pk")
    )


def pile_counts(user: User, now: datetime) -> dict[str, int]:
    """The size of every pile in one query."""
    counts = {name: Count("pk", filter=q) for name, q in pile_filters(now).items()}
    return department_calls(user).aggregate(**counts)


def open_action_items(user: User, limit: int = PILE_SIZE) -> list[ActionItem]:
    """The department's unfinished coordination-meeting action items, soonest first."""
    items = meeting_selectors.action_items_visible_to(user).filter(
        owner_department_id=user.org_id, done_at__isnull=True
    )
    return list(items.select_related("call", "meeting").order_by("due_at", "pk")[:limit])


@dataclass(frozen=True)
class Pile:
    name: str
    total: int
    calls: list[Call]  # the first PILE_SIZE

    @property
    def has_more(self) -> bool:
        return self.total > len(self.calls)


@dataclass(frozen=True)
class Workbench:
    counts: dict[str, int]
    piles: list[Pile]
    action_items: list[ActionItem]


def workbench(user: User, now: datetime) -> Workbench:
    """Everything the workbench shows: five queries whatever the load."""
    counts = pile_counts(user, now)
    piles = [Pile(name, counts[name], list(pile(user, name, now)[:PILE_SIZE])) for name in PILES]
    return Workbench(counts=counts, piles=piles, action_items=open_action_items(user))


def pile_page(user: User, name: str, now: datetime, page: str | None) -> Page:
    """One pile in pages of PILE_SIZE (the "more" link of a full pile)."""
    return Paginator(pile(user, name, now), PILE_SIZE).get_page(page)
