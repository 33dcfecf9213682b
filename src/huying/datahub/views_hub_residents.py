"""实有人口 (/datahub/residents/): search, a resident's page, a dwelling's page, revealing one
field with a reason, and a village's Excel export.

ID numbers and phones are masked on every page; every page that shows a person writes the
lookup log (privacy.log_access): one access per page or search, with the residents it showed.
"""

import logging

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huying.core import clock
from huying.core.errors import BusinessError, Forbidden, Invalid
from huying.core.permissions import require_roles
from huying.core.scoping import scope_for
from huying.datahub import dwelling_history, exports, hub_selectors, privacy
from huying.datahub.choices import OPEN_DISCREPANCY_STATES
from huying.datahub.discrepancies import visible_to as discrepancies_visible_to
from huying.datahub.models import AccessKind, AccessVia
from huying.orgs.choices import OrgKind
from huying.orgs.models import Org

log = logging.getLogger(__name__)

SHOWN_FIELDS = ["name", "gender", "birth_date", "id_number", "phone", "hukou_address",
                "current_address", "employer", "dwelling"]  # fmt: skip
LIST_FIELDS = ["name", "gender", "id_number", "phone", "village", "dwelling"]
VILLAGE_KINDS = (OrgKind.VILLAGE, OrgKind.COMMUNITY)


class RevealForm(forms.Form):
    field = forms.ChoiceField(choices=[("id_number", "id_number"), ("phone", "phone")])
    reason = forms.CharField(label=gettext_lazy("查看理由"), max_length=300, required=False)


class ExportForm(forms.Form):
    village = forms.CharField(max_length=32)
    unmasked = forms.BooleanField(required=False)
    reason = forms.CharField(max_length=300, required=False)


def villages_for(user):
    return (
        scope_for(user)
        .filter(Org.objects.filter(kind__in=VILLAGE_KINDS, is_active=True), "")
        .order_by("path")
    )


@require_http_methods(["GET", "POST"])
@require_roles(*privacy.HUB_ROLES)
def resident_search(request):
    """GET: the form. POST: the search, the query in the body (htmx swaps the results in).
    Never GET with the query: a full ID number in a URL stays in access logs and history."""
    q = request.POST.get("q", "").strip()[:64] if request.method == "POST" else ""
    context = {"q": q, "may_reveal": privacy.may_reveal(request.user)}
    if q:
        try:
            found = hub_selectors.search(request.user, q)
        except (Invalid, Forbidden) as exc:
            context["error"] = exc.message
        else:
            for r in found.residents:
                r.id_masked = privacy.masked(r, "id_number")
                r.phone_masked = privacy.masked(r, "phone")
            context |= {"found": found, "key_label": hub_selectors.key_labels()[found.key]}
            privacy.log_access(
                request.user, [r.pk for r in found.residents], kind=AccessKind.SEARCH,
                purpose=_("查询：%(key)s") % {"key": context["key_label"]},
                fields=LIST_FIELDS, via=AccessVia.PAGE,
            )  # fmt: skip
    if request.htmx:
        return render(request, "datahub/residents/_results.html", context)
    context["villages"] = villages_for(request.user)
    return render(request, "datahub/residents/search.html", context)


def _explain(resident) -> dict | None:
    """Why the records were linked (linkage_explain); None when it cannot say. The page must
    not fail because a model file or the run's snapshot has gone: the rest still stands."""
    try:
        from huying.datahub.linkage_explain import explain
    except ImportError:  # linkage not installed in this build
        return None
    try:
        return explain(resident)
    except Exception:  # see the docstring
        log.exception("explaining resident %s failed", resident.pk)
        return None


def _resident_page(request, resident, *, revealed=None, form=None, status=200):
    provenance = resident.provenance or {}
    rows = []
    for field, label, value in (
        ("name", _("姓名"), resident.name),
        ("gender", _("性别"), resident.gender),
        ("birth_date", _("出生日期"), resident.birth_date),
        ("id_number", _("身份证号"), privacy.masked(resident, "id_number")),
        ("phone", _("电话"), privacy.masked(resident, "phone")),
        ("hukou_address", _("户籍地址"), resident.hukou_address),
        ("current_address", _("现住地址"), resident.current_address),
        ("employer", _("工作单位"), resident.employer),
    ):
        prov = provenance.get(field) or {}
        rows.append(
            {"field": field, "label": label, "value": value,
             "revealed": (revealed or {}).get(field), "prov": prov,
             "source_label": _source_label(prov.get("source"))}
        )  # fmt: skip
    records = hub_selectors.records_of(resident)
    for rec in records:
        rec["id_masked"] = privacy.SENSITIVE[type(resident)]["id_number"](rec["id_number"])
        rec["phone_masked"] = privacy.SENSITIVE[type(resident)]["phone"](rec["phone"])
    explanation = _explain(resident)
    if explanation:
        by_key = {(e["source"], e["source_key"]): e for e in explanation["records"]}
        for rec in records:
            rec["explain"] = by_key.get((rec["source"], rec["source_key"]))
    open_items = discrepancies_visible_to(request.user).filter(
        resident=resident, state__in=OPEN_DISCREPANCY_STATES
    )
    context = {
        "resident": resident,
        "rows": rows,
        "records": records,
        "explanation": explanation,
        "discrepancies": list(open_items.order_by("-opened_at")[:20]),
        "occupancies": list(resident.occupancies.select_related("dwelling")),
        "accesses": list(privacy.access_log(resident)),
        "may_reveal": privacy.may_reveal(request.user),
        "reveal_form": form or RevealForm(),
    }
    return render(request, "datahub/residents/detail.html", context, status=status)


def _source_label(source: str | None) -> str:
    from huying.datahub.choices import Source

    return Source(source).label if source in Source.values else ""


@require_GET
@require_roles(*privacy.HUB_ROLES)
def resident_detail(request, pk: int):
    resident = hub_selectors.resident_for(request.user, pk)
    privacy.log_access(request.user, [resident.pk], kind=AccessKind.VIEW, purpose=_("查看人员详情"),
                       fields=SHOWN_FIELDS, via=AccessVia.PAGE)  # fmt: skip
    return _resident_page(request, resident)


@require_POST
@require_roles(*privacy.HUB_ROLES)
def resident_reveal(request, pk: int):
    resident = hub_selectors.resident_for(request.user, pk)
    form = RevealForm(request.POST)
    if form.is_valid():
        field = form.cleaned_data["field"]
        try:
            value = privacy.reveal(request.user, resident, field, form.cleaned_data["reason"])
        except Forbidden as exc:
            messages.error(request, exc.message)
            return redirect("datahub:resident", pk=pk)
        except BusinessError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return _resident_page(request, resident, revealed={field: value})
    return _resident_page(request, resident, form=form, status=422)


@require_GET
@require_roles(*privacy.HUB_ROLES)
def dwelling_detail(request, pk: int):
    dwelling = hub_selectors.dwelling_for(request.user, pk)
    occupancies = hub_selectors.occupants(dwelling)
    history = dwelling_history.history(dwelling, clock.now())
    # The page names today's occupants and those its history names: each one's log says so.
    shown = {o.resident_id for o in occupancies} | {e.resident_id for e in history}
    privacy.log_access(
        request.user, sorted(shown - {None}), kind=AccessKind.VIEW,
        purpose=_("查看出租屋住户"), fields=["name", "basis"], via=AccessVia.PAGE,
    )  # fmt: skip
    context = {
        "dwelling": dwelling,
        "owner_id": privacy.masked(dwelling, "owner_id_number"),
        "owner_phone": privacy.masked(dwelling, "owner_phone"),
        "occupancies": occupancies,
        "over": bool(dwelling.max_occupants and dwelling.occupants > dwelling.max_occupants),
        "history": history,
        "history_limit": dwelling_history.LIMIT,
        "discrepancies": list(
            discrepancies_visible_to(request.user)
            .filter(dwelling=dwelling, state__in=OPEN_DISCREPANCY_STATES)
            .order_by("-opened_at")[:20]
        ),
    }
    return render(request, "datahub/dwellings/detail.html", context)


@require_POST
@require_roles(*privacy.HUB_ROLES)
def village_export(request):
    form = ExportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择村社"))
        return redirect("datahub:residents")
    village = villages_for(request.user).filter(code=form.cleaned_data["village"]).first()
    if village is None:
        messages.error(request, _("未找到，或不在您的可见范围内"))
        return redirect("datahub:residents")
    try:
        content, _n = exports.village_workbook(
            request.user, village, unmasked=form.cleaned_data["unmasked"],
            reason=form.cleaned_data["reason"],
        )  # fmt: skip
    except BusinessError as exc:
        messages.error(request, exc.message)
        return redirect("datahub:residents")
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="residents-{village.code}.xlsx"'
    return response
