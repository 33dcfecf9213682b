"""Reads for the command-centre board: live counts, the overdue list, the arbitration queue and
the free-form calls waiting to be routed. A handful of queries whatever the district's load."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from huying.calls.choices import OPEN_STATUSES, CallStatus, EventKind
from huying.calls.models import Call, CallEvent
from huying.calls.selectors import (
    RESOLUTION_CLOCK_STATUSES,
    calls_visible_to,
    overdue_q,
)
from huying.calls.workbench_selectors import due_at_expression
from huying.orgs.models import User

LIST_SIZE = 50
RELATED = ("matter", "caller_org", "caller_org__parent", "lead_department")


def day_start(now: datetime) -> datetime:
    """Local midnight today (the board counts the district's day, not UTC's)."""
    return timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)


def week_start(now: datetime) -> datetime:
    """Local midnight on this week's Monday."""
    today = day_start(now)
    return today - timedelta(days=today.weekday())


def counts(user: User, now: datetime) -> dict[str, int]:
    """The board's numbers: one aggregate over open and today's calls, one over urgings."""
    calls = calls_visible_to(user)
    # Open calls or today's: the counts need nothing else, so the rest of history is not read.
    current = calls.filter(Q(status__in=OPEN_STATUSES) | Q(called_at__gte=day_start(now)))
    unrouted = Q(status=CallStatus.CALLED, lead_department__isnull=True)
    result = current.aggregate(
        today=Count("pk", filter=Q(called_at__gte=day_start(now))),
        awaiting_response=Count("pk", filter=Q(status=CallStatus.CALLED) & ~unrouted),
        awaiting_routing=Count("pk", filter=unrouted),
        in_progress=Count("pk", filter=Q(status__in=RESOLUTION_CLOCK_STATUSES)),
        awaiting_confirmation=Count("pk", filter=Q(status=CallStatus.RESOLVED)),
        overdue=Count("pk", filter=overdue_q(now)),
        in_dispute=Count("pk", filter=Q(status=CallStatus.RETURNED)),
    )
    urged = CallEvent.objects.filter(
        kind=EventKind.URGED, at__gte=week_start(now), call__in=calls.values("pk")
    )
    result["urged_this_week"] = urged.values("call_id").distinct().count()
    return result


def overdue_calls(user: User, now: datetime, limit: int = LIST_SIZE) -> list[Call]:
    """Calls past their running deadline, the most overdue first."""
    late = calls_visible_to(user).filter(overdue_q(now)).annotate(due_at=due_at_expression())
    return list(late.select_related(*RELATED).order_by("due_at", "pk")[:limit])


def _last_return(field: str) -> Subquery:
    returns = CallEvent.objects.filter(call=OuterRef("pk"), kind=EventKind.RETURNED)
    return Subquery(returns.order_by("-seq").values(field)[:1])


def arbitration_queue(user: User, limit: int = LIST_SIZE) -> list[Call]:
    """Returned calls waiting for the command centre, the longest waiting first, each with
    `returned_at` and `return_reason` from its last `returned` event. The lead department is
    still the one that returned it (arbitration changes it)."""
    disputed = (
        calls_visible_to(user)
        .filter(status=CallStatus.RETURNED)
        .annotate(returned_at=_last_return("at"), return_reason=_last_return("note"))
    )
    return list(disputed.select_related(*RELATED).order_by("returned_at", "pk")[:limit])


def awaiting_routing(user: User, limit: int = LIST_SIZE) -> list[Call]:
    """Free-form calls (no matter, so no lead department) the command centre must route,
    the soonest response deadline first: their response clock already runs."""
    unrouted = calls_visible_to(user).filter(status=CallStatus.CALLED, lead_department__isnull=True)
    return list(unrouted.select_related(*RELATED).order_by("response_due_at", "pk")[:limit])


@dataclass(frozen=True)
class Board:
    now: datetime
    counts: dict[str, int]
    overdue: list[Call]
    arbitration: list[Call]
    routing: list[Call]


def board(user: User, now: datetime) -> Board:
    return Board(
        now=now,
        counts=counts(user, now),
        overdue=overdue_calls(user, now),
        arbitration=arbitration_queue(user),
        routing=awaiting_routing(user),
    )
