"""巡查覆盖 (/patrol/coverage/?period=today|week|month&level=inspector|village|town): households
visited against the plan per inspector, village or town, the chart, overdue revisits, who is
where; and the export form (/patrol/coverage/export/, POST because of the reason).

The figures are coverage.report's, the same the API gives; who sees what is coverage_scope's.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from huying.calls.excel import xlsx_response
from huying.core import clock
from huying.core.errors import BusinessError
from huying.datahub import privacy
from huying.patrol import coverage, exports
from huying.patrol.coverage_scope import PERIODS, require_scope

PERIOD_LABELS = {"today": gettext_lazy("今天"), "week": gettext_lazy("本周"),
                 "month": gettext_lazy("本月")}  # fmt: skip
LEVEL_LABELS = {"inspector": gettext_lazy("按巡查员"), "village": gettext_lazy("按村社"),
                "town": gettext_lazy("按镇街")}  # fmt: skip


class ExportForm(forms.Form):
    subject = forms.CharField(max_length=40)  # "village:<code>" or "inspector:<id>"
    period = forms.ChoiceField(choices=[(p, p) for p in PERIODS])
    unmasked = forms.BooleanField(required=False)
    reason = forms.CharField(max_length=privacy.MAX_REASON, required=False)


def _choice(raw: str | None, allowed, default: str) -> str:
    return raw if raw in allowed else default


@require_GET
@login_required
def coverage_page(request):
    scope = require_scope(request.user, request.path)
    period = _choice(request.GET.get("period"), PERIODS, "today")
    level = _choice(request.GET.get("level"), coverage.LEVELS, "inspector")
    found = coverage.report(request.user, scope, period, level, clock.now())
    return render(request, "patrol/coverage.html", {
        "report": found, "period": period, "level": level,
        "periods": PERIOD_LABELS.items(), "levels": LEVEL_LABELS.items(),
        "chart": _chart(found), "may_reveal": privacy.may_reveal(request.user),
        "export_villages": exports.villages_in_view(scope).order_by("code"),
        "export_inspectors": scope.inspectors.order_by("username"),
    })  # fmt: skip


@require_POST
@login_required
def coverage_export(request):
    scope = require_scope(request.user, request.path)
    form = ExportForm(request.POST)
    back = redirect("patrol:coverage")
    if not form.is_valid():
        messages.error(request, _("请选择导出的村社或巡查员"))
        return back
    kind, _sep, value = form.cleaned_data["subject"].partition(":")
    try:
        if kind == "inspector" and value.isdigit():
            subject = exports.inspector_for(request.user, scope, int(value))
        else:
            subject = exports.village_for(request.user, scope, value)
        found = exports.export(
            request.user, scope, subject, period=form.cleaned_data["period"], now=clock.now(),
            unmasked=form.cleaned_data["unmasked"], reason=form.cleaned_data["reason"],
        )  # fmt: skip
    except BusinessError as exc:
        messages.error(request, exc.message)
        return back
    return xlsx_response(found.content, found.filename)


def _chart(found: coverage.Report) -> dict:
    """What static/huying/patrol-coverage.js draws, with its legends in the user's language."""
    rows = found.rows
    return {
        "names": [r.name for r in rows],
        "visited_planned": [r.visited_planned for r in rows],
        "not_visited": [r.planned - r.visited_planned for r in rows],
        "outside_plan": [r.outside_plan for r in rows],
        "labels": {
            "visited_planned": _("计划内已巡查"),
            "not_visited": _("计划内未巡查"),
            "outside_plan": _("计划外巡查"),
        },
    }
