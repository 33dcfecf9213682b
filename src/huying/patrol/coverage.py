"""巡查覆盖: households visited per inspector, village or town in a period, against the plan;
overdue revisits; who is where. One report feeds the page and the API (`report`).

Counts are of households (distinct dwellings) in the period, never of visits, so that
`visited = visited_planned + outside_plan` holds on every row:
- visited: households with a Visit by an inspector in view in the period;
- planned: households on a day plan (of an inspector in view) of a day in the period;
- visited_planned: planned households that were visited in the period (at the inspector
  level, by that inspector; at village and town level, by anyone in view);
- outside_plan: visited households that were on no plan in the period.
The total row counts each household once for the whole view (two inspectors visiting one
household count it once), so it is not the sum of the inspector rows.

Each level is two queries whatever the number of inspectors: the distinct (row, household)
pairs visited and those planned (Visit's (inspector, visited_at) index, DayPlan's (inspector,
day), then each household's place by id); the rows, visited-and-planned and the total row are
then set arithmetic on those pairs.
One pass instead of the former six grouped counts (three per level, three for the total, the
visited-and-planned ones a correlated `Exists` per visit): SQLite's month view went from 1.6 s
to under 1 s on a million residents (docs/performance.md, Patrol).
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from operator import itemgetter

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from huying.core.errors import Invalid
from huying.datahub.models import Dwelling
from huying.orgs.models import Org, User
from huying.patrol import plan_selectors, track_selectors
from huying.patrol.coverage_scope import Period, Scope
from huying.patrol.models import PatrolArea, PlanItem, Visit

LEVELS = ("inspector", "village", "town")
# The inspector level groups by who visited (Visit field) or whose plan (PlanItem field); the
# others by the household's place (Dwelling field).
INSPECTOR_OF = {"visits": "inspector_id", "items": "plan__inspector_id"}
PLACE_OF = {"village": "village_id", "town": "town_id"}
MAX_OVERDUE = 200  # rows the page and the API list; the count is always whole


@dataclass
class Row:
    key: int | None
    name: str
    parent: str = ""  # the village's town, the inspector's unit
    username: str = ""  # inspectors: the plan page's ?inspector=
    visited: int = 0
    planned: int = 0
    visited_planned: int = 0

    @property
    def outside_plan(self) -> int:
        return self.visited - self.visited_planned

    @property
    def plan_rate(self) -> float | None:
        return None if not self.planned else self.visited_planned / self.planned


@dataclass
class Overdue:
    dwelling_id: int
    code: str
    address: str
    village: str
    last_visit: datetime
    due: date  # the revisit day that passed
    days_overdue: int
    inspectors: list[dict] = field(default_factory=list)  # {"id", "username", "name"}


@dataclass
class Report:
    period: Period
    level: str
    rows: list[Row]
    total: Row
    overdue: list[Overdue]
    overdue_count: int
    positions: list[dict]


def report(user, scope: Scope, period: str, level: str, now: datetime) -> Report:
    if level not in LEVELS:
        raise Invalid("统计层级应为 inspector、village 或 town", field="level")
    span = Period.of(period, now)
    visited = _pairs(_visits(scope, span), level, INSPECTOR_OF["visits"])
    planned = _pairs(_items(scope, span), level, INSPECTOR_OF["items"])
    overdue, overdue_count = overdue_revisits(scope, now, MAX_OVERDUE)
    return Report(
        period=span,
        level=level,
        rows=_rows(scope, level, visited, planned),
        total=_total(visited, planned),
        overdue=overdue,
        overdue_count=overdue_count,
        positions=track_selectors.positions_today(user),
    )


def _visits(scope: Scope, span: Period) -> QuerySet[Visit]:
    return Visit.objects.filter(
        scope.dwelling_q(), inspector__in=scope.inspectors,
        visited_at__gte=span.start, visited_at__lt=span.end,
    )  # fmt: skip


def _items(scope: Scope, span: Period) -> QuerySet[PlanItem]:
    return PlanItem.objects.filter(
        scope.dwelling_q(), plan__inspector__in=scope.inspectors,
        plan__day__gte=span.first, plan__day__lte=span.last,
    )  # fmt: skip


def _pairs(qs: QuerySet, level: str, inspector: str) -> set[tuple]:
    """The distinct (row key, household) pairs of the visits or plan items. A place is looked
    up once per household (`id IN (…)`), not joined to every visit: on SQLite that halves the
    month's 0.24 s per query (the lookups come in id order)."""
    if level == "inspector":
        return set(qs.order_by().values_list(inspector, "dwelling_id").distinct())
    households = Dwelling.objects.filter(pk__in=qs.order_by().values("dwelling_id"))
    return set(households.values_list(PLACE_OF[level], "pk"))


def _rows(scope: Scope, level: str, visited: set[tuple], planned: set[tuple]) -> list[Row]:
    """A pair both visited and planned is a planned household visited: at the inspector level
    by that inspector on their own plan; at village and town level (the key is the household's
    place) by anyone in view, on anyone's plan."""
    counts = [Counter(map(itemgetter(0), p)) for p in (visited, planned, visited & planned)]
    rows = _named_rows(scope, level, {*counts[0], *counts[1]})
    for key, row in rows.items():
        row.visited, row.planned, row.visited_planned = (c.get(key, 0) for c in counts)
    return sorted(rows.values(), key=lambda r: (r.parent, r.name, r.key or 0))


def _total(visited: set[tuple], planned: set[tuple]) -> Row:
    """Each household once for the whole view, whoever visited or planned it."""
    seen, listed = set(map(itemgetter(1), visited)), set(map(itemgetter(1), planned))
    return Row(None, _("合计"), visited=len(seen), planned=len(listed),
               visited_planned=len(seen & listed))  # fmt: skip


def _named_rows(scope: Scope, level: str, keys: set) -> dict:
    """A row for each unit with counts, and for each unit in view with none (an inspector who
    has visited nobody today is what a supervisor looks for)."""
    if level == "inspector":
        people = User.objects.filter(pk__in=scope.inspectors.values("pk")) | User.objects.filter(
            pk__in=[k for k in keys if k]
        )
        return {
            u.pk: Row(u.pk, u.display_name, u.org.name if u.org_id else "", u.username)
            for u in people.select_related("org")
        }
    villages = Org.objects.filter(pk__in=scope.villages().values("pk"))
    if level == "village":
        orgs = (villages | Org.objects.filter(pk__in=[k for k in keys if k])).select_related(
            "parent"
        )
        rows = {o.pk: Row(o.pk, o.name, o.parent.name if o.parent_id else "") for o in orgs}
    else:
        towns = Org.objects.filter(pk__in=villages.values("parent_id")) | Org.objects.filter(
            pk__in=[k for k in keys if k]
        )
        rows = {o.pk: Row(o.pk, o.name) for o in towns}
    if None in keys:  # households the hub could not place in a village or town
        rows[None] = Row(None, _("未划分"), "~")
    return rows


def overdue_revisits(scope: Scope, now: datetime, limit: int) -> tuple[list[Overdue], int]:
    """Problem rentals whose revisit day has passed with no revisit: plan_selectors' revisit
    rule asked for yesterday, so a household due today is not yet overdue. Longest overdue
    first, the first `limit` of them, and how many there are in all."""
    today = timezone.localdate(now)
    due = plan_selectors.revisits(scope.dwellings(), today - timedelta(days=1), now)
    if not due:
        return [], 0
    # Places and inspectors only for the households that can be listed (a district's list runs
    # to thousands): the oldest visit days up to the limit-th household's, ties included.
    # Sorted by the visit's time, which orders the local days too, so that only the listed
    # ones become local days (zoneinfo, ~0.1 s for the district's 12,712).
    due.sort(key=lambda c: c.last_visit)
    last_day = timezone.localdate(due[min(limit, len(due)) - 1].last_visit)
    day_of = {}
    for c in due:
        day = timezone.localdate(c.last_visit)
        if day > last_day:
            break
        day_of[c.dwelling_id] = day
    shown = due[: len(day_of)]
    ids = [c.dwelling_id for c in shown]
    places = {
        d.pk: d
        for d in Dwelling.objects.filter(pk__in=ids)
        .select_related("village")
        .only("pk", "code", "address", "village__name")
    }
    whose = _inspectors_of(ids, scope)
    out = []
    for c in shown:
        place = places[c.dwelling_id]
        day = day_of[c.dwelling_id] + timedelta(days=settings.PATROL_REVISIT_DAYS)
        out.append(Overdue(
            place.pk, place.code, place.address, place.village.name if place.village_id else "",
            c.last_visit, day, (today - day).days, whose.get(place.pk, []),
        ))  # fmt: skip
    return sorted(out, key=lambda o: (-o.days_overdue, o.code))[:limit], len(due)


def _inspectors_of(dwelling_ids: list[int], scope: Scope) -> dict[int, list[dict]]:
    """Which inspectors in view have each household in their area (listed or by village)."""
    areas = (
        PatrolArea.objects.filter(inspector__in=scope.inspectors)
        .select_related("inspector")
        .prefetch_related("villages")
    )
    # One pass over the households (not areas × households: the district's overdue list
    # runs to thousands), each area's inspector in the areas' order.
    people, order, village_areas = {}, {}, {}
    for n, area in enumerate(areas):
        order[area.pk] = n
        people[area.pk] = {"id": area.inspector_id, "username": area.inspector.username,
                           "name": area.inspector.display_name}  # fmt: skip
        for village in area.villages.all():
            village_areas.setdefault(village.pk, []).append(area.pk)
    listed = PatrolArea.dwellings.through.objects.filter(dwelling_id__in=dwelling_ids)
    listed_areas: dict[int, set[int]] = {}
    for area_id, dwelling_id in listed.values_list("patrolarea_id", "dwelling_id"):
        if area_id in people:
            listed_areas.setdefault(dwelling_id, set()).add(area_id)
    village_of = dict(Dwelling.objects.filter(pk__in=dwelling_ids).values_list("pk", "village_id"))
    out: dict[int, list[dict]] = {}
    for pk in dwelling_ids:
        found = listed_areas.get(pk, set()).union(village_areas.get(village_of.get(pk), ()))
        if found:
            out[pk] = [people[a] for a in sorted(found, key=order.__getitem__)]
    return out
