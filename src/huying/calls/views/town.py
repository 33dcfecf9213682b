"""The town workbench: my calls by state with live countdowns, the village requests waiting for
the town, and the new-call form (matter picker, place, photos).

Callers only. A village without the calling right is sent to its own page (村社上报) with a
word of why, rather than to a form whose every submission would be refused.
"""

from contextlib import suppress

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from huying.calls import submissions, town_selectors
from huying.calls.call_forms import CallForm
from huying.calls.selectors import matter_for_call
from huying.calls.views.polling import refresh_when_signed_out
from huying.core import clock
from huying.core.errors import BusinessError
from huying.core.permissions import require_roles
from huying.orgs.choices import Role

# The workbench's sections (town_selectors.SECTIONS) as the tabs name them.
SECTION_LABELS = {
    "waiting": gettext_lazy("待响应"),
    "working": gettext_lazy("办理中"),
    "to_confirm": gettext_lazy("待我确认"),
    "finished": gettext_lazy("已办结"),
    "all": gettext_lazy("全部"),
}


def call_url(call) -> str:
    return reverse("calls:detail", args=[call.pk])


def _without_calling_right(request):
    messages.info(
        request,
        _("贵单位没有呼叫权：请向所属镇街上报，由镇街决定是否转为呼叫。"),
    )
    return redirect("calls:request-new")


@require_GET
@refresh_when_signed_out
@require_roles(Role.CALLER)
def workbench(request):
    """My calls in sections (?section=, ?page=); an htmx poll gets the lists alone."""
    if not town_selectors.may_call(request.user):
        return redirect("calls:requests")
    section = request.GET.get("section") or "all"
    if section not in town_selectors.SECTIONS:
        raise Http404("未找到，或不在您的可见范围内")
    wb = town_selectors.workbench(request.user, section, request.GET.get("page"))
    tabs = [(name, label, wb.counts[name]) for name, label in SECTION_LABELS.items()]
    context = {"wb": wb, "tabs": tabs, "section_label": SECTION_LABELS[section], "now": clock.now()}
    template = "calls/town/_calls.html" if request.htmx else "calls/town/workbench.html"
    return render(request, template, context)


@require_roles(Role.CALLER)
def new_call(request):
    if not town_selectors.may_call(request.user):
        return _without_calling_right(request)
    form = CallForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            call = submissions.call_with_photos(
                request.user, form.new_call(), form.cleaned_data["files"]
            )
        except BusinessError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _sent_message(call))
            return redirect(call_url(call))
    selected = form["matter"].value()
    context = {
        "form": form,
        "selected": selected,
        "options": town_selectors.matter_options(request.user, "", selected or ""),
    }
    return render(request, "calls/town/new.html", context, status=400 if form.errors else 200)


def _sent_message(call) -> str:
    if call.lead_department_id:
        return _("呼叫已发出：%(number)s，已通知承办部门") % {"number": call.number}
    return _("呼叫已发出：%(number)s，等待指挥中心分派") % {"number": call.number}


@require_GET
@require_roles(Role.CALLER)
def matter_options(request):
    """The picker's list for a search (htmx), keeping the matter already chosen."""
    options = town_selectors.matter_options(
        request.user, request.GET.get("q", ""), request.GET.get("matter", "")
    )
    return render(
        request,
        "calls/town/_matter_options.html",
        {"options": options, "selected": request.GET.get("matter")},
    )


@require_GET
@require_roles(Role.CALLER)
def deadline_preview(request):
    """The deadlines the call would get if sent now (htmx, as the form changes)."""
    code = request.GET.get("matter")
    preview = None
    if code is not None:  # something is picked: a matter, or "" for a free-form call
        with suppress(BusinessError):  # an unknown code: nothing to promise
            matter = matter_for_call(code) if code else None
            urgency = request.GET.get("urgency", "")
            preview = town_selectors.deadline_preview(matter, urgency, clock.now())
    return render(request, "calls/town/_deadline_preview.html", {"preview": preview})
