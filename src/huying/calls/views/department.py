"""The department workbench: the calls on the user's department, to respond, in progress and
overdue, with live countdowns; the lists refresh themselves (htmx polling every 15 s)."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from huying.calls import workbench_selectors
from huying.calls.views.polling import refresh_when_signed_out
from huying.core import clock
from huying.core.permissions import require_roles
from huying.orgs.choices import Role

DEPARTMENT_ROLES = (Role.RESPONDER, Role.DEPARTMENT_HEAD)


@require_GET
@refresh_when_signed_out
@require_roles(*DEPARTMENT_ROLES)
def workbench(request):
    """Every pile (the first 50 of each), or with ?pile= one pile in pages."""
    now = clock.now()
    name = request.GET.get("pile")
    if name:
        if name not in workbench_selectors.PILES:
            raise Http404("未找到，或不在您的可见范围内")
        page = workbench_selectors.pile_page(request.user, name, now, request.GET.get("page"))
        context = {"pile_name": name, "page": page, "now": now}
        template = (
            "calls/department/_pile_page.html" if request.htmx else "calls/department/pile.html"
        )
        return render(request, template, context)
    context = {"wb": workbench_selectors.workbench(request.user, now), "now": now}
    template = "calls/department/_lists.html" if request.htmx else "calls/department/workbench.html"
    return render(request, template, context)
