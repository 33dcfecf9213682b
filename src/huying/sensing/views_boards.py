"""水质看板 (/sensing/water/) and 企业风险 (/sensing/enterprises/): server-rendered boards whose
figures refresh themselves with htmx (the same URL answers a polled fragment) and whose charts
fetch their data from api_boards.py. Who sees what: board_selectors.view_for (404 otherwise).
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from huying.calls.views.polling import refresh_when_signed_out
from huying.core import clock
from huying.sensing import board_selectors as boards
from huying.sensing import water
from huying.sensing.hj212.codes import CODES

# GB 3838 classes on the boards: I–II blue, III green, IV yellow, V orange, 劣V red, none grey.
CLASS_COLOURS = {"I": "#1f6feb", "II": "#1f6feb", "III": "#16a34a", "IV": "#eab308",
                 "V": "#f97316", "劣V": "#dc2626", "": "#9ca3af"}  # fmt: skip
RISK_COLOURS = {"red": "#dc2626", "orange": "#f97316", "yellow": "#eab308", "blue": "#1f6feb"}
DEFAULT_PARAMETER = water.NH3N


@require_GET
@refresh_when_signed_out
@login_required
def water_board(request):
    view = boards.require_view(request.user, request.path)
    today = boards.water_today(view, clock.now())
    context = {"today": today, "now": clock.now()}
    if request.htmx:
        return render(request, "sensing/_water_live.html", context)
    context |= {
        "chart": _water_chart(today),
        "stations": [p.station for p in today.points],
        "parameters": [(code, _(CODES[code].name)) for code in boards.WATER_CODES],
        "default_parameter": DEFAULT_PARAMETER,
    }
    return render(request, "sensing/water_board.html", context)


def _water_chart(today: boards.WaterToday) -> dict:
    """What static/sensing/water-board.js needs besides the API's data: colours, labels in
    the user's language, the class limits for the trend chart's guide lines."""
    return {
        "points_url": reverse("api:sensing_boards_water"),
        "trend_url": reverse("api:sensing_boards_trend"),
        "colours": CLASS_COLOURS,
        "classes": ["I", "II", "III", "IV", "V", "劣V", ""],
        "labels": {
            "class": _("水质类别"), "river": _("河涌"), "deciding": _("定类参数"),
            "no_data": _("无数据"), "section": _("考核断面"), "target": _("目标类别"),
            "worse_than_v": _("劣V"), "limit_iii": _("III 类限值"), "empty": _("该时段没有数据"),
        },
        "limits": {p.code: {"iii": p.limits[2], "at_least": p.at_least}
                   for p in water.PARAMETERS if p.code != water.PH},
    }  # fmt: skip


@require_GET
@refresh_when_signed_out
@login_required
def enterprise_board(request):
    view = boards.require_view(request.user, request.path)
    rows = boards.enterprise_board(view)
    context = {"rows": rows, "counts": boards.risk_counts(rows), "now": clock.now()}
    if request.htmx:
        return render(request, "sensing/_enterprise_live.html", context)
    context["chart"] = {
        "url": reverse("api:sensing_boards_enterprises"),
        "colours": RISK_COLOURS,
        "labels": {"risk": _("风险等级"), "open": _("未解除告警"), "town": _("镇街")},
        "risk_labels": {colour: str(label) for colour, label, _n in context["counts"]},
    }
    return render(request, "sensing/enterprise_board.html", context)
