"""Who sees whose patrol coverage (巡查覆盖) and exports, and the period a figure covers.

| user | sees |
| --- | --- |
| inspector | themself |
| anyone named supervisor of an area (PatrolArea.supervisor) | the inspectors they supervise |
| a town's cadre (caller at a town or street) | the town's inspectors; the town's households only |
| command centre (operator, admin), district leader | every inspector |
| anyone else | nothing: 404, audited |

Tracks are narrower (track_selectors: no leader, no town): the "who is where" part of the
coverage page asks track_selectors, so a leader sees the figures but not where people are.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from huying.core import audit
from huying.core.errors import Invalid
from huying.datahub.models import Dwelling
from huying.orgs.choices import OrgKind, Role
from huying.orgs.models import Org, User
from huying.patrol.models import PatrolArea

SEE_ALL_ROLES = frozenset({Role.OPERATOR, Role.ADMIN, Role.LEADER})
TOWN_KINDS = (OrgKind.TOWN, OrgKind.STREET)
PERIODS = ("today", "week", "month")


@dataclass(frozen=True)
class Scope:
    inspectors: QuerySet  # whose visits and plans count
    town: Org | None = None  # a town's view: only the town's households count
    everything: bool = False

    def dwelling_q(self, field: str = "dwelling") -> Q:
        """Households in view, as a filter on `field` (a FK to Dwelling; "": Dwelling itself)."""
        if self.town is None:
            return Q()
        at = f"{field}__" if field else ""
        return Q(**{f"{at}town": self.town}) | Q(**{f"{at}village__parent": self.town})

    def dwellings(self) -> QuerySet[Dwelling] | None:
        """The households whose overdue revisits this view lists: the town's, the inspectors'
        areas', or None: every one (no filter at all; plan_selectors.revisits)."""
        if self.everything:
            return None
        if self.town is not None:
            return Dwelling.objects.filter(self.dwelling_q(""))
        return area_dwellings(self.inspectors)

    def villages(self) -> QuerySet[Org]:
        """The villages the view names rows for, even with nothing visited yet."""
        villages = Org.objects.filter(kind__in=(OrgKind.VILLAGE, OrgKind.COMMUNITY))
        if self.everything:
            return villages.filter(pk__in=_area_villages(self.inspectors))
        if self.town is not None:
            return villages.filter(parent=self.town)
        return villages.filter(pk__in=_area_villages(self.inspectors))


def _area_villages(inspectors: QuerySet):
    return PatrolArea.villages.through.objects.filter(patrolarea__inspector__in=inspectors).values(
        "org_id"
    )


def area_dwellings(inspectors: QuerySet) -> QuerySet[Dwelling]:
    """The dwellings of these inspectors' areas (listed ∪ in their villages): one query."""
    listed = PatrolArea.dwellings.through.objects.filter(
        patrolarea__inspector__in=inspectors
    ).values("dwelling_id")
    return Dwelling.objects.filter(Q(pk__in=listed) | Q(village_id__in=_area_villages(inspectors)))


def scope_of(user) -> Scope | None:
    """The user's view of coverage; None: they have none."""
    if not user.is_authenticated:
        return None
    inspectors = User.objects.filter(role=Role.INSPECTOR, is_active=True)
    if user.role in SEE_ALL_ROLES:
        return Scope(inspectors, everything=True)
    supervised = Q(patrol_area__supervisor=user)
    if user.role == Role.CALLER and user.org_id and user.org.kind in TOWN_KINDS:
        town = user.org
        working_here = User.objects.filter(
            Q(org__path__startswith=town.path)
            | Q(patrol_area__villages__path__startswith=town.path)
        ).values("pk")
        return Scope(inspectors.filter(Q(pk__in=working_here) | supervised), town=town)
    own = Q(pk=user.pk) if user.role == Role.INSPECTOR else Q(pk__in=[])
    mine = inspectors.filter(own | supervised)
    return Scope(mine) if mine.exists() else None


def may_view(user) -> bool:
    """The navigation's test: the same rule as the pages and the API."""
    return scope_of(user) is not None


def require_scope(user, path: str = "") -> Scope:
    scope = scope_of(user)
    if scope is None:
        audit.record("core.permission_denied", actor=user, object_repr=path[:200],
                      reason="角色无权查看巡查覆盖")  # fmt: skip
        raise Http404("未找到，或不在您的可见范围内")
    return scope


@dataclass(frozen=True)
class Period:
    """Whole local days (Asia/Shanghai): today, this week (Monday–Sunday) or this month."""

    kind: str
    first: date
    last: date  # included

    @classmethod
    def of(cls, kind: str, now: datetime) -> "Period":
        today = timezone.localdate(now)
        if kind == "today":
            return cls(kind, today, today)
        if kind == "week":
            monday = today - timedelta(days=today.weekday())
            return cls(kind, monday, monday + timedelta(days=6))
        if kind == "month":
            first = today.replace(day=1)
            following = (first + timedelta(days=32)).replace(day=1)
            return cls(kind, first, following - timedelta(days=1))
        raise Invalid("统计期间应为 today、week 或 month", field="period")

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.first, time.min))

    @property
    def end(self) -> datetime:  # exclusive
        return timezone.make_aware(datetime.combine(self.last + timedelta(days=1), time.min))
