"""Reads for day plans: the households each reason puts on an inspector's plan, who may see or
manage a plan, what has been visited. The plan itself is made in `plans.py`.

The reasons' rules (each takes the plan's `now`, so tests move the clock):
- discrepancy: an open or confirmed (not yet corrected or dismissed) hub discrepancy on a
  dwelling of the area, or on a resident living in one;
- revisit: the dwelling's last visit found a problem and PATROL_REVISIT_DAYS days have passed
  since; a later visit that finds nothing wrong ends it;
- new_registration: a valid migrant registration made in the last NEW_REGISTRATION_DAYS days
  and not visited since;
- expiring: a valid registration that expires within EXPIRING_DAYS;
- routine: the area's dwellings not visited for the longest (never visited first).
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from huying.datahub.choices import DiscrepancyState, OccupancyBasis, Source
from huying.datahub.models import Discrepancy, Dwelling, Occupancy
from huying.orgs.models import User
from huying.patrol import areas
from huying.patrol.choices import ItemStatus, PlanReason
from huying.patrol.findings import found_problem  # noqa: F401  (the rule's former home)
from huying.patrol.models import DayPlan, PlanItem, Visit

NEW_REGISTRATION_DAYS = 7
EXPIRING_DAYS = 7
ACTIVE_DISCREPANCY = (DiscrepancyState.OPEN, DiscrepancyState.CONFIRMED)


@dataclass(frozen=True)
class Candidate:
    """A household one reason wants on the plan, with what the ordering needs."""

    dwelling_id: int
    reason: str
    village_code: str = ""
    code: str = ""
    discrepancy_id: int | None = None
    last_visit: datetime | None = None


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


# --- the reasons -------------------------------------------------------------------------------


def candidates(inspector, day: date, now: datetime) -> list[Candidate]:
    """Every household any reason puts on the inspector's plan for `day` (duplicates across
    reasons included: the ordering keeps each dwelling's most urgent one)."""
    area = areas.area_of(inspector)
    dwellings = areas.area_dwellings(area)
    found = [
        *discrepancies(dwellings),
        *revisits(dwellings, day, now),
        *new_registrations(dwellings, now),
        *expiring(dwellings, now),
        *routine(dwellings, now, settings.PATROL_DAILY_CAP),
    ]
    return _with_places(found)


def discrepancies(dwellings: QuerySet[Dwelling]) -> list[Candidate]:
    items = (
        Discrepancy.objects.filter(state__in=ACTIVE_DISCREPANCY)
        .filter(
            Q(dwelling__in=dwellings) | Q(dwelling__isnull=True, resident__dwelling__in=dwellings)
        )
        .annotate(where=F("dwelling_id"), lives=F("resident__dwelling_id"))
        .order_by("opened_at", "pk")
        .values_list("pk", "where", "lives")
    )
    seen: dict[int, int] = {}
    for pk, where, lives in items:  # the oldest item of a dwelling is the one linked
        seen.setdefault(where or lives, pk)
    return [Candidate(d, PlanReason.DISCREPANCY, discrepancy_id=pk) for d, pk in seen.items()]


def revisits(dwellings: QuerySet[Dwelling] | None, day: date, now: datetime) -> list[Candidate]:
    """Dwellings (None: every one) whose last visit before `now` found a problem
    (Visit.found_problem) on or before `day` minus PATROL_REVISIT_DAYS: one query, narrowed in
    SQL to problem visits (the partial index visit_problem_idx) that no later visit follows
    (visit_dwelling_idx). Every dwelling is no filter rather than `IN (all dwellings)`: with
    that, SQLite walked the district's 318,000 dwellings instead of the problem visits (0.45 s
    against 0.06 s on the bench data)."""
    _, due_end = day_bounds(day - timedelta(days=settings.PATROL_REVISIT_DAYS))
    after_it = Q(visited_at__gt=OuterRef("visited_at")) | Q(
        visited_at=OuterRef("visited_at"), pk__gt=OuterRef("pk")
    )
    later = Visit.objects.filter(after_it, dwelling=OuterRef("dwelling"), visited_at__lt=now)
    problems = Visit.objects.filter(found_problem=True, visited_at__lt=min(due_end, now))
    if dwellings is not None:
        problems = problems.filter(dwelling__in=dwellings)
    rows = problems.filter(~Exists(later)).values_list("dwelling_id", "visited_at")
    return [Candidate(d, PlanReason.REVISIT, last_visit=at) for d, at in rows]


def new_registrations(dwellings: QuerySet[Dwelling], now: datetime) -> list[Candidate]:
    held = dict(
        Occupancy.objects.filter(
            dwelling__in=dwellings, basis=OccupancyBasis.REGISTRATION
        ).values_list("source_key", "dwelling_id")
    )
    since = now - timedelta(days=NEW_REGISTRATION_DAYS)
    newest: dict[int, datetime] = {}
    for key, registered in registered_since(list(held), since).items():
        dwelling = held[key]
        newest[dwelling] = max(registered, newest.get(dwelling, registered))
    if not newest:
        return []
    visited = dict(
        Visit.objects.filter(dwelling__in=list(newest), visited_at__lt=now)
        .values("dwelling_id")
        .annotate(last=Max("visited_at"))
        .values_list("dwelling_id", "last")
    )
    return [
        Candidate(d, PlanReason.NEW_REGISTRATION)
        for d, registered in newest.items()
        if d not in visited or visited[d] < registered
    ]


def registered_since(keys: list[str], since: datetime) -> dict[str, datetime]:
    """When each of these registrations was made, for those made at or after `since` (the
    registration date lives in the loaded records, not in the database)."""
    from huying.datahub import store

    if not keys:
        return {}
    con = store.connect()
    try:
        if not store.current_relation(con, Source.MIGRANT_REGISTRATIONS, "patrol_reg"):
            return {}
        rows = con.execute(
            "SELECT _key, epoch(registered_at) FROM patrol_reg "
            "WHERE _key IN (SELECT unnest(?)) AND epoch(registered_at) >= ?",
            [keys, since.timestamp()],
        ).fetchall()
    finally:
        con.close()
    return {key: datetime.fromtimestamp(seconds, UTC) for key, seconds in rows}


def expiring(dwellings: QuerySet[Dwelling], now: datetime) -> list[Candidate]:
    ids = (
        Occupancy.objects.filter(
            dwelling__in=dwellings,
            basis=OccupancyBasis.REGISTRATION,
            valid_until__gt=now,
            valid_until__lte=now + timedelta(days=EXPIRING_DAYS),
        )
        .values_list("dwelling_id", flat=True)
        .distinct()
    )
    return [Candidate(d, PlanReason.EXPIRING) for d in ids]


def routine(dwellings: QuerySet[Dwelling], now: datetime, limit: int) -> list[Candidate]:
    rows = (
        dwellings.annotate(last=Max("visits__visited_at", filter=Q(visits__visited_at__lt=now)))
        .order_by(F("last").asc(nulls_first=True), "village__code", "code")
        .values_list("pk", "last")[:limit]
    )
    return [Candidate(pk, PlanReason.ROUTINE, last_visit=last) for pk, last in rows]


def _with_places(found: list[Candidate]) -> list[Candidate]:
    """Fill in the village and dwelling codes the walking order sorts by."""
    ids = {c.dwelling_id for c in found}
    places = dict(
        (pk, (village or "", code))
        for pk, village, code in Dwelling.objects.filter(pk__in=ids).values_list(
            "pk", "village__code", "code"
        )
    )
    return [
        Candidate(c.dwelling_id, c.reason, *places[c.dwelling_id], c.discrepancy_id, c.last_visit)
        for c in found
        if c.dwelling_id in places
    ]


# --- who sees what ------------------------------------------------------------------------------


def may_manage(user, inspector) -> bool:
    """The command centre, or the inspector's supervisor (PatrolArea.supervisor)."""
    if areas.is_command(user):
        return True
    return areas.PatrolArea.objects.filter(inspector=inspector, supervisor=user).exists()


def items_visible_to(user) -> QuerySet[PlanItem]:
    """Items of the user's own plans, of the inspectors they supervise, or all (command)."""
    items = PlanItem.objects.select_related("plan", "plan__inspector", "dwelling")
    if areas.is_command(user):
        return items
    return items.filter(Q(plan__inspector=user) | Q(plan__inspector__patrol_area__supervisor=user))


def plan_rows(plan: DayPlan) -> list[PlanItem]:
    """The plan's items in order, each with `visited` (a visit by the plan's inspector to the
    dwelling that day, or the item marked visited)."""
    start, end = day_bounds(plan.day)
    visited = set(
        Visit.objects.filter(
            inspector_id=plan.inspector_id, visited_at__gte=start, visited_at__lt=end
        ).values_list("dwelling_id", flat=True)
    )
    rows = list(
        plan.items.select_related("dwelling", "dwelling__village", "discrepancy").order_by("rank")
    )
    for item in rows:
        item.visited = item.status == ItemStatus.VISITED or item.dwelling_id in visited
    return rows


def managed_inspectors(user) -> QuerySet[User]:
    """Inspectors whose plans the user may open besides their own."""
    if areas.is_command(user):
        return User.objects.filter(patrol_area__isnull=False).order_by("username")
    return User.objects.filter(patrol_area__supervisor=user).order_by("username")
