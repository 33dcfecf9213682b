"""数据差异 (/datahub/discrepancies/): the work list by town and village with filters by kind
and state, and an item's page with its evidence, its trail and the state actions.

Lists and items come from `discrepancies.visible_to` (a village its own, a town its
villages', district roles all); the actions are `discrepancies.confirm/correct/dismiss/
reopen`, which check the state (409) and the reason (422) themselves.
"""

import json

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from huying.calls.views.polling import refresh_when_signed_out
from huying.core.errors import BusinessError, Invalid
from huying.core.masking import mask_in_text
from huying.core.permissions import require_roles
from huying.core.scoping import scope_for
from huying.datahub import discrepancies, privacy
from huying.datahub.choices import DiscrepancyKind, DiscrepancyState
from huying.datahub.evidence import evidence_lines
from huying.orgs.choices import OrgKind
from huying.orgs.models import Org

PAGE_SIZE = 50
ACTIONS = {
    "confirm": (discrepancies.confirm, gettext_lazy("确认属实")),
    "correct": (discrepancies.correct, gettext_lazy("已更正")),
    "dismiss": (discrepancies.dismiss, gettext_lazy("排除")),
    "reopen": (discrepancies.reopen, gettext_lazy("重新打开")),
}
# Which actions each state offers (the services hold the same rule and answer 409 otherwise).
OFFERED = {
    DiscrepancyState.OPEN: ("confirm", "correct", "dismiss"),
    DiscrepancyState.CONFIRMED: ("correct", "dismiss"),
    DiscrepancyState.CORRECTED: ("reopen",),
    DiscrepancyState.DISMISSED: ("reopen",),
}
TOWN_KINDS = (OrgKind.TOWN, OrgKind.STREET)
VILLAGE_KINDS = (OrgKind.VILLAGE, OrgKind.COMMUNITY)


class Filters(forms.Form):
    town = forms.CharField(required=False, max_length=32)
    village = forms.CharField(required=False, max_length=32)
    kind = forms.ChoiceField(required=False, choices=[("", ""), *DiscrepancyKind.choices])
    state = forms.ChoiceField(
        required=False, choices=[("", ""), ("active", "active"), *DiscrepancyState.choices]
    )


def filtered(user, data) -> tuple[object, dict]:
    """The visible items narrowed by the filters (the page's and the API's list)."""
    form = Filters(data)
    form.is_valid()
    f = {k: form.cleaned_data.get(k) or "" for k in ("town", "village", "kind", "state")}
    items = discrepancies.visible_to(user).select_related("town", "village", "resident")
    if f["town"]:
        items = items.filter(town__code=f["town"])
    if f["village"]:
        items = items.filter(village__code=f["village"])
    if f["kind"]:
        items = items.filter(kind=f["kind"])
    if f["state"] == "active":
        items = items.filter(state__in=[DiscrepancyState.OPEN, DiscrepancyState.CONFIRMED])
    elif f["state"]:
        items = items.filter(state=f["state"])
    return items.order_by("-opened_at", "-id"), f


def places_for(user):
    scope = scope_for(user)
    orgs = scope.filter(Org.objects.filter(is_active=True), "").order_by("path")
    return (
        list(orgs.filter(kind__in=TOWN_KINDS)),
        list(orgs.filter(kind__in=VILLAGE_KINDS).select_related("parent")),
    )


@require_GET
@require_roles(*privacy.HUB_ROLES)
@refresh_when_signed_out
def discrepancy_list(request):
    data = request.GET.copy()
    data.setdefault("state", "active")
    items, f = filtered(request.user, data)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {"page": page, "f": f, "query": params.urlencode()}
    if request.htmx:
        return render(request, "datahub/discrepancies/_list.html", context)
    towns, villages = places_for(request.user)
    context |= {
        "towns": towns,
        "villages": villages,
        "kinds": DiscrepancyKind.choices,
        "states": DiscrepancyState.choices,
    }
    return render(request, "datahub/discrepancies/list.html", context)


def evidence_rows(evidence: dict) -> list[tuple[str, str]]:
    """The evidence as (key, text) lines for the API (its keys are the detectors'; the page
    reads them in Chinese: evidence.py); masked again in case a detector forgot."""
    rows = []
    for key, value in (evidence or {}).items():
        if key == "fingerprint":
            continue
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, indent=1)
        rows.append((key, mask_in_text(text)))
    return rows


def state_label(value: str) -> str:
    """The Chinese label of a state code as the trail stores it ("" before the first)."""
    return str(DiscrepancyState(value).label) if value in DiscrepancyState.values else value


def events_of(item) -> list:
    """The trail, each event with its states' labels (`from_label`, `to_label`)."""
    events = list(item.events.select_related("actor"))
    for e in events:
        e.from_label, e.to_label = state_label(e.from_state), state_label(e.to_state)
    return events


def _detail(request, item, status=200):
    may_act = request.user.role in privacy.DISCREPANCY_ACTORS
    context = {
        "item": item,
        "evidence": evidence_lines(item.evidence),
        "events": events_of(item),
        "actions": [(v, ACTIONS[v][1]) for v in OFFERED.get(item.state, ())] if may_act else [],
    }
    return render(request, "datahub/discrepancies/detail.html", context, status=status)


@require_GET
@require_roles(*privacy.HUB_ROLES)
def discrepancy_detail(request, pk: int):
    return _detail(request, discrepancies.discrepancy_for(request.user, pk))


@require_POST
@require_roles(*privacy.DISCREPANCY_ACTORS)
def discrepancy_action(request, pk: int, verb: str):
    if verb not in ACTIONS:
        raise Http404
    item = discrepancies.discrepancy_for(request.user, pk)
    note = request.POST.get("note", "").strip()[:1000]
    service, label = ACTIONS[verb]
    try:
        service(item, request.user, note)
    except Invalid as exc:
        messages.error(request, exc.message)
        return _detail(request, item, status=422)
    except BusinessError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已%(action)s") % {"action": label})
    return redirect("datahub:discrepancy", pk=pk)
