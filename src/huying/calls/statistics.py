"""Call statistics for a period, grouped by department, town or domain, and the rankings.

Counts are computed in the database (one grouped query); a village's calls count for its town.
"""

from dataclasses import asdict, dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum

from huying.calls.choices import CallStatus, Domain
from huying.calls.models import Call, Rating
from huying.core.errors import Invalid
from huying.orgs.models import Org

GROUPINGS = {"department": "lead_department_id", "town": "caller_org_id", "domain": "domain"}


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


def _grouped_counts(calls: QuerySet, field: str) -> list[dict]:
    response_time = ExpressionWrapper(
        F("responded_at") - F("response_clock_from"), output_field=DurationField()
    )
    return list(
        calls.values(field).annotate(
            n=Count("pk"),
            responded_n=Count("pk", filter=Q(responded_at__isnull=False)),
            responded_on_time_n=Count("pk", filter=Q(responded_at__lte=F("response_due_at"))),
            resolved_n=Count("pk", filter=Q(resolved_at__isnull=False)),
            resolved_on_time_n=Count("pk", filter=Q(resolved_at__lte=F("resolution_due_at"))),
            closed_n=Count("pk", filter=Q(status=CallStatus.CLOSED)),
            redos_n=Sum("redo_count"),
            returns_n=Sum("return_count"),
            response_total=Sum(response_time, filter=Q(responded_at__isnull=False)),
        )
    )


def _rating_counts(calls: QuerySet, field: str) -> dict:
    ratings = (
        Rating.objects.filter(call__in=calls)
        .values(f"call__{field}")
        .annotate(
            n=Count("pk"),
            total=Sum("satisfaction"),
            perfunctory_n=Count("pk", filter=Q(perfunctory=True)),
        )
    )
    return {r[f"call__{field}"]: r for r in ratings}


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
        satisfaction_total=rating["total"] if rating else 0,
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


def summary_sentence(rows: list[dict], *, since: str = "今年以来") -> str:
    calls = sum(r["calls"] for r in rows)
    closed = sum(r["closed"] for r in rows)
    return f"{since}，镇街累计呼叫区直部门{calls}次，已经响应办结{closed}件"


def ranking(rows: list[dict], *, min_calls: int | None = None) -> list[dict]:
    """Best on-time resolution first; units with too few calls are left out (not ranked)."""
    least = settings.CALLS_RANKING_MIN_CALLS if min_calls is None else min_calls
    ranked = [r for r in rows if r["calls"] >= least and r["on_time_resolution_rate"] is not None]
    ranked.sort(key=lambda r: (-r["on_time_resolution_rate"], -(r["average_satisfaction"] or 0)))
    return [{"rank": i, **row} for i, row in enumerate(ranked, start=1)]
