"""告警列表 (/sensing/alarms/): open alarms first, with filters, refreshed every 10 s by htmx;
an alarm's history on expand; acknowledge and clear (htmx POST, one row swapped back); an
alarm's own page (/sensing/alarms/<pk>/, where notifications link).

Who sees what: board_selectors.view_for; the state changes and their rules (409 when the alarm
is no longer in that state) are sensing.alarms'.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from huying.calls.views.polling import refresh_when_signed_out
from huying.core.errors import BusinessError
from huying.core.scoping import get_visible_or_404
from huying.sensing import alarms as alarm_services
from huying.sensing import board_selectors as boards
from huying.sensing.choices import AlarmStatus, RuleKind, Severity
from huying.sensing.hj212.codes import CODES

PAGE_SIZE = 50
STATUS_CHOICES = [("open", gettext_lazy("未解除（告警中和已确认）")), *AlarmStatus.choices,
                  ("all", gettext_lazy("全部"))]  # fmt: skip
ACTIONS = {"acknowledge": alarm_services.acknowledge, "clear": alarm_services.clear}


class Filters(forms.Form):
    status = forms.ChoiceField(required=False, choices=STATUS_CHOICES)
    severity = forms.TypedChoiceField(
        required=False, choices=[("", ""), *Severity.choices], coerce=int, empty_value=None
    )
    town = forms.CharField(required=False, max_length=32)
    kind = forms.ChoiceField(required=False, choices=[("", ""), *RuleKind.choices])


class ActForm(forms.Form):
    note = forms.CharField(required=False, max_length=300)


def _filters(data) -> dict:
    form = Filters(data)
    form.is_valid()  # a wrong value is dropped: the list shows its default instead
    found = {k: form.cleaned_data.get(k) or "" for k in ("status", "severity", "town", "kind")}
    found["status"] = found["status"] or "open"
    return found


@require_GET
@refresh_when_signed_out
@login_required
def alarm_list(request):
    view = boards.require_view(request.user, request.path)
    f = _filters(request.GET)
    chosen = {**f, "status": "" if f["status"] == "all" else f["status"]}
    alarms = boards.alarm_list(view, **chosen)
    page = Paginator(alarms, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = [_labelled(a) for a in page.object_list]
    context = {
        "page": page, "f": f, "counts": boards.alarm_counts(view),
        "may_act": boards.may_act(request.user), "query": _query(f),
    }  # fmt: skip
    if request.htmx and request.headers.get("HX-Target") == "alarm-list":
        return render(request, "sensing/_alarm_list.html", context)
    context |= {"statuses": STATUS_CHOICES, "severities": Severity.choices,
                "towns": view.towns(), "kinds": RuleKind.choices}  # fmt: skip
    return render(request, "sensing/alarms.html", context)


def _query(f: dict) -> str:
    return "&".join(f"{k}={v}" for k, v in f.items() if v)


def _visible_alarm(request, pk: int):
    view = boards.require_view(request.user, request.path)
    return get_visible_or_404(view.alarms().select_related(*boards.ALARM_RELATED), request.user,
                              pk=pk)  # fmt: skip


@require_GET
@refresh_when_signed_out
@login_required
def alarm_detail(request, pk: int):
    alarm = _visible_alarm(request, pk)
    return render(request, "sensing/alarm_detail.html", _row_context(request, alarm))


@require_GET
@refresh_when_signed_out
@login_required
def alarm_events(request, pk: int):
    alarm = _visible_alarm(request, pk)
    return render(request, "sensing/_alarm_events.html", _row_context(request, alarm))


@require_POST
@login_required
def alarm_act(request, pk: int, action: str):
    if action not in ACTIONS:
        raise Http404
    alarm = _visible_alarm(request, pk)
    if not boards.may_act(request.user):
        raise Http404("未找到，或不在您的可见范围内")
    form = ActForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    error = None
    try:
        alarm = ACTIONS[action](request.user, alarm, note)
    except BusinessError as exc:
        error = exc.message
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("sensing:alarm", pk=pk)
    alarm = _visible_alarm(request, pk)  # re-read with its related rows for the fragment
    return render(request, "sensing/_alarm_row.html", _row_context(request, alarm, error=error))


def _labelled(alarm):
    """The parameter as people read it: its name and unit (the code stays in the data)."""
    code = CODES.get(alarm.parameter)
    alarm.parameter_name = _(code.name) if code else alarm.parameter
    alarm.unit = code.unit if code else ""
    return alarm


def _row_context(request, alarm, error=None) -> dict:
    _labelled(alarm)
    events = alarm.events.select_related("actor").order_by("-at", "-id")
    return {"alarm": alarm, "events": events, "open": True, "error": error,
            "may_act": boards.may_act(request.user)}  # fmt: skip
