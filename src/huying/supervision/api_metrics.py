"""The burden metrics through the API (/api/v1/supervision/metrics): the same figures as the
metrics page, for the same roles (metrics.VIEWER_ROLES; others 404)."""

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from huying.core import audit
from huying.supervision import metrics
from huying.supervision.api_plans import ERRORS

router = Router(tags=["减负成效"])


class SupMetricsQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="年度，默认今年")


class SupMetricsAssessments(Schema):
    this_year: int
    last_year: int
    target: int = Field(description="目标：上年数量 × (1 − 30%)")
    change: float | None = Field(description="同比变化（−0.3 即下降 30%）")
    met: bool
    unplanned: int
    monthly_this: list[int]
    monthly_last: list[int]


class SupMetricsTowns(Schema):
    towns: list[str]
    codes: list[str]
    grid: list[list[int]] = Field(description="每个镇街 12 个月的任务数")


class SupMetricsFilling(Schema):
    submissions: int
    prefilled: int
    typed: int
    prefilled_share: float | None
    hours_saved: float


class SupMetricsReminders(Schema):
    raised: int
    open: int
    answered: int
    closed: int
    overdue: int
    automatic: int
    answer_rate: float | None


class SupMetricsDiscipline(Schema):
    cases: int
    concluded: int
    guiding: int
    people: int
    by_level: dict[str, int]
    by_measure: dict[str, int]


class SupMetricsLeagueRow(Schema):
    rank: int
    name: str
    tasks: int
    recipients: int
    burden: int
    flags: int


class SupMetricsOut(Schema):
    year: int
    assessments: SupMetricsAssessments
    town_tasks: SupMetricsTowns
    filling: SupMetricsFilling
    reminders: SupMetricsReminders
    discipline: SupMetricsDiscipline
    league: list[SupMetricsLeagueRow]

    @staticmethod
    def resolve_discipline(m) -> dict:
        d = m.discipline
        return {**d, "by_level": dict(d["by_level"]), "by_measure": dict(d["by_measure"])}


@router.get("", response={200: SupMetricsOut, **ERRORS}, summary="减负成效统计（年度）")
def get_metrics(request: HttpRequest, query: Query[SupMetricsQuery]):
    if not metrics.may_view(request.auth):
        audit.record("core.permission_denied", actor=request.auth,
                     object_repr=request.path[:200], reason="角色无权访问")  # fmt: skip
        raise Http404("未找到，或不在您的可见范围内")
    return metrics.metrics(query.year)
