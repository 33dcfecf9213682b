"""Call statistics for a period, grouped by department, town or domain, and the rankings.

Counts are computed in the database (one grouped query); a village's calls count for its town.
`report` is what the page, its Excel export and the API all ask for: the figures, the
district total, the ranking and the summary sentence for one period (calls/periods.py).
"""

from dataclasses import asdict, dataclass
from datetime import date, datetime

from django.conf import settings
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from huying.calls.choices import CallStatus, Domain
from huying.calls.models import Call, Rating
from huying.calls.periods import Period
from huying.core.errors import Forbidden, Invalid
from huying.orgs.choices import Role
from huying.orgs.models import Org

GROUPINGS = {"department": "lead_department_id", "town": "caller_org_id", "domain": "domain"}
# What a group is called in the page and the sheet (msgids; translate when shown).
GROUP_LABELS = {
    "department": gettext_noop("部门"),
    "town": gettext_noop("镇街"),
    "domain": gettext_noop("领域"),
}

# Who sees the statistics: district-wide aggregates with no names or personal data. Beyond the
# district-wide roles, department heads answer for their department's figures and towns' cadres
# rate the departments (two-way evaluation), and the district publishes these rankings to the
# units it ranks. Responders and inspectors work single calls and rounds, not the report.
VIEWER_ROLES = frozenset(
    {Role.OPERATOR, Role.LEADER, Role.SUPERVISOR, Role.ADMIN, Role.DEPARTMENT_HEAD, Role.CALLER}
)


@dataclass
class Row:
    key: str
    name: str
    calls: int = 0
    responded: int = 0
    responded_on_time: int = 0
    resolved: int = 0
    resolved_on_time: int = 0
    closed: int = 0
    redos: int = 0
    returns: int = 0
    response_seconds_total: float = 0.0
    ratings: int = 0
    satisfaction_total: int = 0
    perfunctory: int = 0

    def add(self, other: "Row") -> None:
        for name, value in asdict(other).items():
            if name not in ("key", "name"):
                setattr(self, name, getattr(self, name) + value)

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "name": self.name,
            "calls": self.calls,
            "responded": self.responded,
            "responded_on_time": self.responded_on_time,
            "resolved": self.resolved,
            "closed": self.closed,
            "redos": self.redos,
            "returns": self.returns,
            "on_time_resolution_rate": _rate(self.resolved_on_time, self.resolved),
            "on_time_response_rate": _rate(self.responded_on_time, self.responded),
            "average_response_seconds": (
                round(self.response_seconds_total / self.responded) if self.responded else None
            ),
            "average_satisfaction": (
                round(self.satisfaction_total / self.ratings, 2) if self.ratings else None
            ),
            "perfunctory_flags": self.perfunctory,
        }


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _period(start: datetime | None, end: datetime | None) -> Q:
    if start and end and end <= start:
        raise Invalid("结束时间应晚于开始时间", field="end")
    q = Q()
    if start:
        q &= Q(called_at__gte=start)
    if end:
        q &= Q(called_at__lt=end)
    return q


def _call_counts() -> dict:
    response_time = ExpressionWrapper(
        F("responded_at") - F("response_clock_from"), output_field=DurationField()
    )
    return {
        "n": Count("pk"),
        "responded_n": Count("pk", filter=Q(responded_at__isnull=False)),
        "responded_on_time_n": Count("pk", filter=Q(responded_at__lte=F("response_due_at"))),
        "resolved_n": Count("pk", filter=Q(resolved_at__isnull=False)),
        "resolved_on_time_n": Count("pk", filter=Q(resolved_at__lte=F("resolution_due_at"))),
        "closed_n": Count("pk", filter=Q(status=CallStatus.CLOSED)),
        "redos_n": Sum("redo_count"),
        "returns_n": Sum("return_count"),
        "response_total": Sum(response_time, filter=Q(responded_at__isnull=False)),
    }


def _rating_aggregates() -> dict:
    return {
        "n": Count("pk"),
        "total": Sum("satisfaction"),
        "perfunctory_n": Count("pk", filter=Q(perfunctory=True)),
    }


def _grouped_counts(calls: QuerySet, field: str) -> list[dict]:
    return list(calls.values(field).annotate(**_call_counts()))


def _rating_counts(calls: QuerySet, field: str) -> dict:
    ratings = (
        Rating.objects.filter(call__in=calls)
        .values(f"call__{field}")
        .annotate(**_rating_aggregates())
    )
    return {r[f"call__{field}"]: r for r in ratings}


def _total(calls: QuerySet) -> Row:
    """Every call of the period, also those not yet routed to a department."""
    ratings = Rating.objects.filter(call__in=calls).aggregate(**_rating_aggregates())
    return _row("", calls.aggregate(**_call_counts()), ratings)


def statistics(
    *, group_by: str, start: datetime | None = None, end: datetime | None = None
) -> list[dict]:
    if group_by not in GROUPINGS:
        raise Invalid("分组方式应为 department、town 或 domain", field="group_by")
    field = GROUPINGS[group_by]
    calls = Call.objects.filter(_period(start, end))
    ratings = _rating_counts(calls, field)
    names = _names(group_by)
    rows: dict[str, Row] = {}
    for counts in _grouped_counts(calls, field):
        key = counts[field]
        if key is None:
            continue  # a free-form call not yet routed has no department
        row = _row(str(key), counts, ratings.get(key))
        key, name = names(key)
        rows.setdefault(key, Row(key=key, name=name)).add(row)
    return [row.as_dict() for row in sorted(rows.values(), key=lambda r: -r.calls)]


def _row(key: str, counts: dict, rating: dict | None) -> Row:
    seconds = counts["response_total"]
    return Row(
        key=key,
        name="",
        calls=counts["n"],
        responded=counts["responded_n"],
        responded_on_time=counts["responded_on_time_n"],
        resolved=counts["resolved_n"],
        resolved_on_time=counts["resolved_on_time_n"],
        closed=counts["closed_n"],
        redos=counts["redos_n"] or 0,
        returns=counts["returns_n"] or 0,
        response_seconds_total=seconds.total_seconds() if seconds else 0.0,
        ratings=rating["n"] if rating else 0,
        satisfaction_total=(rating["total"] or 0) if rating else 0,
        perfunctory=rating["perfunctory_n"] if rating else 0,
    )


def _names(group_by: str):
    """Key → (group key, display name); villages fold into their town."""
    if group_by == "domain":
        return lambda key: (key, str(Domain(key).label))
    orgs = {o.pk: o for o in Org.objects.select_related("parent")}

    def name(pk):
        org = orgs[pk]
        if group_by == "town" and org.is_village:
            org = org.parent
        return org.code, org.name

    return name


def summary_sentence(rows: list[dict], *, since: str | None = None) -> str:
    """'今年以来，镇街累计呼叫区直部门410次，已经响应办结331件' (办结 = confirmed closed)."""
    return _("%(since)s，镇街累计呼叫区直部门%(calls)s次，已经响应办结%(closed)s件") % {
        "since": since or _("今年以来"),
        "calls": sum(r["calls"] for r in rows),
        "closed": sum(r["closed"] for r in rows),
    }


def ranking(rows: list[dict], *, min_calls: int | None = None) -> list[dict]:
    """Best on-time resolution first; units with too few calls are left out (not ranked)."""
    least = settings.CALLS_RANKING_MIN_CALLS if min_calls is None else min_calls
    ranked = [r for r in rows if r["calls"] >= least and r["on_time_resolution_rate"] is not None]
    ranked.sort(key=lambda r: (-r["on_time_resolution_rate"], -(r["average_satisfaction"] or 0)))
    return [{"rank": i, **row} for i, row in enumerate(ranked, start=1)]


# --- the report the page, the export and the API share ------------------------------------------


@dataclass(frozen=True)
class Report:
    period: Period
    group_by: str
    min_calls: int
    rows: list[dict]
    total: dict  # every call of the period; a department table leaves out unrouted calls
    ranking: list[dict]
    summary: str

    @property
    def ungrouped_calls(self) -> int:
        """Calls in no row: free-form calls the command centre has not routed to a department."""
        return self.total["calls"] - sum(r["calls"] for r in self.rows)

    @property
    def unranked(self) -> int:
        return len(self.rows) - len(self.ranking)


def require_viewer(actor) -> None:
    if getattr(actor, "role", None) not in VIEWER_ROLES:
        raise Forbidden("您的角色无权查看呼叫统计", field="actor")


def report(
    actor,
    *,
    group_by: str = "department",
    period: str = "year",
    start: date | datetime | None = None,
    end: date | datetime | None = None,
    min_calls: int | None = None,
) -> Report:
    require_viewer(actor)
    span = Period.of(period, start, end)
    least = settings.CALLS_RANKING_MIN_CALLS if min_calls is None else min_calls
    if least < 0:
        raise Invalid("最少呼叫次数不能为负数", field="min_calls")
    rows = statistics(group_by=group_by, start=span.start, end=span.end)
    total = _total(Call.objects.filter(_period(span.start, span.end))).as_dict()
    total["name"] = _("全区合计")
    return Report(
        period=span,
        group_by=group_by,
        min_calls=least,
        rows=rows,
        total=total,
        ranking=ranking(rows, min_calls=least),
        summary=summary_sentence([total], since=span.since),
    )
