"""A call with its timeline, and the forms of the actions this user may take on it.

GET /calls/<pk>/ shows the call (404 and audited when out of scope); an htmx poll gets the
timeline alone. POST /calls/<pk>/<action>/ validates one form and runs its one service; a
refusal re-renders the page with the error on the field it names and the input kept (422 bad
input, 409 the state does not allow it, 403 not this user's to do). Which forms are shown is
`detail_selectors.available_actions`; whether an action happens is always the service's call.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from huying.calls import api_files, detail_selectors, request_selectors, selectors
from huying.calls.detail_forms import FORMS
from huying.calls.views.polling import refresh_when_signed_out
from huying.core import clock
from huying.core.errors import BusinessError
from huying.orgs.choices import Role

# Where "back" leads from a call: the list the user's role works from.
BACK = {
    Role.CALLER: "calls:town",
    Role.RESPONDER: "calls:department",
    Role.DEPARTMENT_HEAD: "calls:department",
    Role.OPERATOR: "calls:board",
    Role.SUPERVISOR: "calls:supervision",
}
UNPROCESSABLE = 422


def _forms(call, data, failed) -> list[tuple[str, object]]:
    """(action, form) for each action offered; the refused one keeps its input and errors."""
    refused_action, refused_form = failed or (None, None)
    forms = []
    for action in data.actions:
        if action == refused_action:
            forms.append((action, refused_form))
        else:
            forms.append((action, FORMS[action](call=call, departments=data.departments)))
    return forms


def _page(request, pk: int, *, failed=None, status: int = 200):
    call = selectors.call_detail_with_timeline(request.user, pk)
    if request.htmx and failed is None:
        # The poll: the timeline alone, and a word if the state moved since the page was drawn.
        seen = request.GET.get("status") or call.status
        return render(request, "calls/detail/_timeline.html", {"call": call, "seen": seen})
    data = detail_selectors.detail_data(request.user, call)
    context = {
        "call": call,
        "data": data,
        "forms": _forms(call, data, failed),
        # A refused action whose form is not on the page (a crafted post): its error on top.
        "orphan_error": failed[1] if failed and failed[0] not in data.actions else None,
        "back": BACK.get(request.user.role, "home"),
        "now": clock.now(),
    }
    return render(request, "calls/detail/page.html", context, status=status)


@require_GET
@refresh_when_signed_out
@login_required
def call_detail(request, pk: int):
    return _page(request, pk)


@require_POST
@login_required
def act(request, pk: int, action: str):
    form_class = FORMS.get(action)
    call = selectors.call_detail(request.user, pk)  # out of scope: 404 before anything else
    if form_class is None:
        raise Http404("未找到，或不在您的可见范围内")
    needs = action in detail_selectors.NEEDS_DEPARTMENTS
    departments = detail_selectors.active_departments() if needs else []
    form = form_class(request.POST, request.FILES, call=call, departments=departments)
    status = UNPROCESSABLE
    if form.is_valid():
        try:
            form.perform(request.user)
        except BusinessError as exc:
            form.add_service_error(exc)
            status = exc.status
        else:
            messages.success(request, form.success)
            return redirect("calls:detail", pk=pk)
    return _page(request, pk, failed=(action, form), status=status)


@require_GET
@login_required
def attachment(request, pk: int):
    """A photo or document the user may see (scoped: 404 otherwise), streamed."""
    return api_files.download(request_selectors.attachment_for(request.user, pk))
