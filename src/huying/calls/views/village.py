"""Village requests (村社上报): a village without the calling right raises a matter to its town;
the town forwards it as its own call (rewording it first if it likes) or declines it with a
reason; the village follows the outcome, and once forwarded the call's state and time left.

Callers see their own scope (a village its requests, a town its villages'); district-wide roles
may read them all. Everything else about who may do what is the services'.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from huying.calls import request_selectors, submissions, town_selectors, village_requests
from huying.calls.call_forms import CallForm, DeclineForm, ForwardForm
from huying.calls.choices import VillageRequestStatus
from huying.calls.views.town import call_url
from huying.core import clock
from huying.core.errors import BusinessError, Conflict, Forbidden
from huying.core.permissions import require_roles
from huying.orgs.choices import DISTRICT_WIDE_ROLES, Role

READERS = (Role.CALLER, *DISTRICT_WIDE_ROLES)


@require_roles(Role.CALLER)
def request_new(request):
    if town_selectors.may_call(request.user):
        messages.info(request, _("贵单位持有呼叫权，请直接发起呼叫。"))
        return redirect("calls:new")
    form = CallForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            raised = submissions.request_with_photos(
                request.user, form.new_call(), form.cleaned_data["files"]
            )
        except BusinessError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request, _("已上报：%(number)s，等待镇街处理") % {"number": raised.number}
            )
            return redirect("calls:request", pk=raised.pk)
    selected = form["matter"].value()
    context = {
        "form": form,
        "selected": selected,
        "options": town_selectors.matter_options(request.user, "", selected or ""),
    }
    return render(request, "calls/village/new.html", context, status=400 if form.errors else 200)


@require_GET
@require_roles(*READERS)
def request_list(request):
    """The requests in scope, newest first (?status= filters, ?page= pages)."""
    if request.user.role == Role.CALLER and not town_selectors.handles_requests(request.user):
        return redirect("calls:town")  # a key village calls itself; it raises nothing
    status = request.GET.get("status") or ""
    if status not in VillageRequestStatus.values:
        status = ""
    page = town_selectors.request_page(request.user, status, request.GET.get("page"))
    context = {
        "page": page,
        "status": status,
        "statuses": VillageRequestStatus.choices,
        "now": clock.now(),
    }
    return render(request, "calls/village/list.html", context)


def _detail(request, pk: int, *, forward_form=None, decline_form=None, status=200):
    raised = request_selectors.request_detail(request.user, pk)
    may_decide = town_selectors.may_decide(request.user, raised)
    context = {
        "raised": raised,
        "attachments": list(raised.attachments.order_by("pk")),
        "may_decide": may_decide,
        "may_open_call": town_selectors.may_open_call(request.user, raised),
        "now": clock.now(),
    }
    if may_decide:
        context["forward_form"] = forward_form or ForwardForm(
            initial=ForwardForm.initial_for(raised)
        )
        context["decline_form"] = decline_form or DeclineForm()
        selected = context["forward_form"]["matter"].value()
        context["selected"] = selected
        context["options"] = town_selectors.matter_options(request.user, "", selected or "")
    return render(request, "calls/village/detail.html", context, status=status)


@require_GET
@require_roles(*READERS)
def request_detail(request, pk: int):
    return _detail(request, pk)


@require_POST
@require_roles(Role.CALLER)
def request_forward(request, pk: int):
    raised = request_selectors.request_detail(request.user, pk)
    form = ForwardForm(request.POST)
    if form.is_valid():
        try:
            call = village_requests.forward_request(
                actor=request.user, request=raised, edits=form.edits(raised)
            )
        except (Conflict, Forbidden) as exc:  # decided meanwhile, or not this user's to decide
            messages.error(request, exc.message)
            return redirect("calls:request", pk=pk)
        except BusinessError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("已转为本单位的呼叫：%(number)s") % {"number": call.number})
            return redirect(call_url(call))
    return _detail(request, pk, forward_form=form, status=400)


@require_POST
@require_roles(Role.CALLER)
def request_decline(request, pk: int):
    raised = request_selectors.request_detail(request.user, pk)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            village_requests.decline_request(
                actor=request.user, request=raised, reason=form.cleaned_data["reason"]
            )
        except (Conflict, Forbidden) as exc:  # decided meanwhile, or not this user's to decide
            messages.error(request, exc.message)
            return redirect("calls:request", pk=pk)
        except BusinessError as exc:
            form.add_error("reason" if exc.field == "reason" else None, exc.message)
        else:
            messages.success(request, _("已答复村社：不予转呼"))
            return redirect("calls:request", pk=pk)
    return _detail(request, pk, decline_form=form, status=400)
