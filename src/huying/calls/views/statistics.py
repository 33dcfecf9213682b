"""统计分析: call statistics for a period, grouped by department, town or domain, with the
ranking, charts and the Excel export. The figures come from calls.statistics.report, the same
report the API gives (api_stats.py), for the same roles (statistics.VIEWER_ROLES)."""

from django import forms
from django.conf import settings
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from huying.calls import periods, statistics, statistics_excel
from huying.calls.excel import xlsx_response
from huying.core.errors import Invalid
from huying.core.permissions import require_roles

PAGE = "calls/statistics/page.html"
RESULTS = "calls/statistics/_results.html"
PERIOD_CHOICES = [
    ("year", gettext_lazy("本年")),
    ("quarter", gettext_lazy("本季度")),
    ("month", gettext_lazy("本月")),
    ("last_month", gettext_lazy("上月")),
    (periods.CUSTOM, gettext_lazy("自定义")),
]
GROUP_CHOICES = [(key, gettext_lazy(label)) for key, label in statistics.GROUP_LABELS.items()]


def _date_input():
    return forms.DateInput(attrs={"type": "date"})


class StatisticsFilters(forms.Form):
    period = forms.ChoiceField(
        label=gettext_lazy("统计期间"), choices=PERIOD_CHOICES, required=False
    )
    start = forms.DateField(
        label=gettext_lazy("开始日期"),
        required=False,
        widget=_date_input(),
    )
    end = forms.DateField(
        label=gettext_lazy("结束日期"),
        required=False,
        widget=_date_input(),
    )
    group_by = forms.ChoiceField(label=gettext_lazy("分组"), choices=GROUP_CHOICES, required=False)
    min_calls = forms.IntegerField(
        label=gettext_lazy("参与排名最少呼叫次数"), min_value=0, max_value=100_000, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["min_calls"].widget.attrs["placeholder"] = settings.CALLS_RANKING_MIN_CALLS

    def filters(self) -> dict:
        """The keywords of statistics.report; the dates count only for a period of one's own."""
        data = self.cleaned_data
        custom = data["period"] == periods.CUSTOM
        return {
            "group_by": data["group_by"] or "department",
            "period": data["period"] or "year",
            "start": data["start"] if custom else None,
            "end": data["end"] if custom else None,
            "min_calls": data["min_calls"],
        }


@require_GET
@require_roles(*statistics.VIEWER_ROLES)
def statistics_page(request):
    form = StatisticsFilters(request.GET)
    report = _run(form, lambda **filters: statistics.report(request.user, **filters))
    # An htmx filter change swaps the results only; a history restore wants the whole page.
    partial = bool(request.htmx) and not request.htmx.history_restore_request
    context = {
        "form": form,
        "report": report,
        "chart": _chart(report) if report else None,
        "query": request.GET.urlencode(),
    }
    # htmx swaps only 2xx answers: the fragment with the errors comes back 200.
    status = 200 if report or partial else 400
    response = render(request, RESULTS if partial else PAGE, context, status=status)
    patch_vary_headers(response, ("HX-Request",))  # the fragment and the page share a URL
    return response


@require_GET
@require_roles(*statistics.VIEWER_ROLES)
def statistics_export(request):
    form = StatisticsFilters(request.GET)
    found = _run(form, lambda **filters: statistics_excel.export(request.user, **filters))
    if found is None:
        context = {"form": form, "report": None, "query": request.GET.urlencode()}
        return render(request, PAGE, context, status=400)
    return xlsx_response(found.content, found.filename)


def _run(form: StatisticsFilters, action):
    """The action's result for valid filters; None with the errors on the form otherwise."""
    if not form.is_valid():
        return None
    try:
        return action(**form.filters())
    except Invalid as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return None


def _chart(report: statistics.Report) -> dict:
    """What static/huying/statistics-charts.js draws, with its legends in the user's language."""
    rows = report.rows
    return {
        "names": [r["name"] for r in rows],
        "calls": [r["calls"] for r in rows],
        "resolved": [r["resolved"] for r in rows],
        "on_time_rate": [
            None
            if r["on_time_resolution_rate"] is None
            else round(r["on_time_resolution_rate"] * 100, 1)
            for r in rows
        ],
        "satisfaction": [r["average_satisfaction"] for r in rows],
        "labels": {
            "calls": _("呼叫次数"),
            "resolved": _("已办结"),
            "rate": _("按时办结率"),
            "satisfaction": _("平均满意度"),
        },
    }


def _percent(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)
