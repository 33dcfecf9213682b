"""减负成效 (/supervision/metrics/): the burden metrics of a year with ECharts, and the Excel
export of every table. The figures come from supervision.metrics, the same the API gives
(api_metrics.py), for the same roles (metrics.VIEWER_ROLES)."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from huying.calls.excel import xlsx_response
from huying.core.permissions import require_roles
from huying.supervision import metrics, metrics_excel


def _year(request) -> int:
    value = request.GET.get("year", "")
    this = metrics.default_year()
    return int(value) if value.isdigit() and this - 10 <= int(value) <= this else this


@require_GET
@require_roles(*metrics.VIEWER_ROLES)
def metrics_page(request):
    year = _year(request)
    found = metrics.metrics(year)
    this = metrics.default_year()
    context = {"m": found, "chart": _chart(found), "years": range(this, this - 4, -1),
               "a": found.assessments, "f": found.filling, "r": found.reminders,
               "d": found.discipline, "t": found.town_tasks}  # fmt: skip
    return render(request, "supervision/metrics.html", context)


@require_GET
@require_roles(*metrics.VIEWER_ROLES)
def metrics_export(request):
    found = metrics_excel.export(request.user, _year(request))
    return xlsx_response(found.content, found.filename)


def _months() -> list[str]:
    return [_("%(n)s月") % {"n": n} for n in metrics.MONTHS]


def _chart(found: metrics.Metrics) -> dict:
    """What static/huying/supervision-metrics.js draws, its legends in the user's language."""
    a, f, d = found.assessments, found.filling, found.discipline
    return {
        "months": _months(),
        "assessments": {"last": a["cumulative_last"], "this": a["cumulative_this"],
                        "target": a["cumulative_target"]},
        "towns": found.town_tasks,
        "filling": {"prefilled": f["monthly_prefilled"], "typed": f["monthly_typed"],
                    "hours": f["monthly_hours"]},
        "levels": d["by_level"], "measures": d["by_measure"],
        "league": [{"name": r["name"], "burden": r["burden"], "flags": r["flags"]}
                   for r in found.league[:15]],
        "labels": {
            "last": _("%(y)s年累计") % {"y": found.year - 1},
            "this": _("%(y)s年累计") % {"y": found.year},
            "target": _("目标线（−30%）"), "prefilled": _("预填字段数"),
            "typed": _("手填字段数"), "hours": _("节省（小时）"), "tasks": _("任务数"),
            "burden": _("负担指数"),
            "level": _("级别"),
            "measure": _("处理方式"), "flags": _("检查发现"),
        },
    }  # fmt: skip
