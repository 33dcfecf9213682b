"""The catalogue pages (/datahub/catalogue/): search, a category with its fields and the form
to ask for access, my unit's requests, and 待我审批 for the owner departments' heads.

Every signed-in user may browse the catalogue; what they may read, ask and decide is the
selectors' and services' to say. The search answers htmx with the results fragment only.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from huying.core.errors import BusinessError, Conflict, Forbidden
from huying.core.permissions import require_roles
from huying.datahub import catalogue
from huying.datahub import catalogue_selectors as selectors
from huying.datahub.catalogue_forms import (
    AccessRequestForm,
    ApproveForm,
    DeclineForm,
    ReasonForm,
)
from huying.datahub.choices import AccessPolicy, AccessRequestState, Sensitivity
from huying.orgs.choices import Role

PAGE_SIZE = 50
DECIDERS = (Role.DEPARTMENT_HEAD, Role.ADMIN)


def records_text(n: int) -> str:
    """A record count as people say it: 37.83 亿, 12.5 万, 864."""
    if n >= 100_000_000:
        return _("%(n)s 亿") % {"n": f"{n / 100_000_000:.2f}"}
    if n >= 10_000:
        return _("%(n)s 万") % {"n": f"{n / 10_000:.1f}"}
    return f"{n:,}"


def _filters(request) -> selectors.Search:
    policy = request.GET.get("policy", "")
    try:
        sensitivity = int(request.GET.get("sensitivity") or 0) or None
    except ValueError:
        sensitivity = None
    return selectors.Search(
        q=request.GET.get("q", "")[:100],
        owner=request.GET.get("owner", "")[:32],
        policy=policy if policy in AccessPolicy.values else "",
        min_sensitivity=sensitivity if sensitivity in Sensitivity.values else None,
    )


@require_GET
@login_required
def catalogue_list(request):
    filters = _filters(request)
    page = Paginator(selectors.search(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    for category in page.object_list:
        category.records_text = records_text(category.record_count)
    filtered = any((filters.q, filters.owner, filters.policy, filters.min_sensitivity))
    found = selectors.search_totals(filters) if filtered else None
    context = {
        "page": page,
        "filters": filters,
        "found": found,
        "found_records": records_text(found.records) if found else "",
        "query": _query_without_page(request),
    }
    if request.headers.get("HX-Request"):
        return render(request, "datahub/catalogue/_results.html", context)
    totals = selectors.totals()
    context |= {
        "totals": totals,
        "total_yi": f"{totals.records / 100_000_000:.2f}",
        "owners": selectors.owners(),
        "policies": AccessPolicy.choices,
        "sensitivities": Sensitivity.choices,
        "to_decide": selectors.to_decide(request.user).count()
        if request.user.role in DECIDERS
        else 0,
    }
    return render(request, "datahub/catalogue/list.html", context)


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _offers_form(user, category, readable, requests) -> bool:
    """Show "apply for access" when the data is not open, not yet readable in full, and the
    unit has no pending request for it."""
    return (
        category.is_active
        and category.access_policy != AccessPolicy.OPEN
        and readable is not None
        and user.org_id is not None
        and not any(
            r.state == AccessRequestState.PENDING and r.org_id == user.org_id for r in requests
        )
    )


def _detail(request, code: str, *, form=None, status=200):
    user = request.user
    category = selectors.category(code)
    readable = selectors.readable_fields(user, category)
    requests = selectors.category_requests(user, category)
    may_decide = selectors.may_decide(user, category)
    context = {
        "category": category,
        "fields": list(category.fields.all()),
        "readable": readable,
        "reads_all": readable is None,
        "records_text": records_text(category.record_count),
        "requests": selectors.with_field_labels(requests),
        "grants": selectors.with_field_labels(selectors.category_grants(user, category)),
        "may_decide": may_decide,
        "offer_form": _offers_form(user, category, readable, requests),
    }
    if context["offer_form"]:
        context["form"] = form or AccessRequestForm(category=category)
    return render(request, "datahub/catalogue/detail.html", context, status=status)


@require_GET
@login_required
def category_detail(request, code: str):
    return _detail(request, code)


@require_POST
@login_required
def apply(request, code: str):
    category = selectors.category(code)
    form = AccessRequestForm(request.POST, category=category)
    if form.is_valid():
        try:
            catalogue.request_access(
                actor=request.user,
                category=category,
                purpose=form.cleaned_data["purpose"],
                fields=form.cleaned_data["items"],
                valid_until=form.cleaned_data["valid_until"],
            )
        except Conflict as exc:  # open data, already readable, or a request already pending
            messages.error(request, exc.message)
            return redirect("datahub:category", code=code)
        except BusinessError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request, _("申请已提交，等待%(owner)s审批") % {"owner": category.owner}
            )
            return redirect("datahub:category", code=code)
    return _detail(request, code, form=form, status=400)


@require_GET
@login_required
def my_requests(request):
    page = Paginator(selectors.my_requests(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.object_list = selectors.with_field_labels(page.object_list)
    return render(request, "datahub/catalogue/requests.html", {"page": page})


def _review(request, *, forms_for: dict | None = None, status=200):
    pending = selectors.with_field_labels(selectors.to_decide(request.user)[:100])
    forms_for = forms_for or {}
    for item in pending:
        item.approve_form, item.decline_form = forms_for.get(
            item.pk, (ApproveForm(prefix=f"a{item.pk}"), DeclineForm(prefix=f"d{item.pk}"))
        )
    decided = selectors.with_field_labels(selectors.decided_by_owner(request.user))
    context = {"pending": pending, "decided": decided}
    return render(request, "datahub/catalogue/review.html", context, status=status)


@require_GET
@require_roles(*DECIDERS)
def review(request):
    return _review(request)


@require_POST
@require_roles(*DECIDERS)
def approve(request, pk: int):
    access = selectors.request_detail(request.user, pk)
    form = ApproveForm(request.POST, prefix=f"a{pk}")
    if form.is_valid():
        try:
            catalogue.approve(
                actor=request.user,
                request=access,
                note=form.cleaned_data["note"],
                valid_until=form.cleaned_data["valid_until"],
            )
        except (Conflict, Forbidden) as exc:  # decided meanwhile, or not this user's to decide
            messages.error(request, exc.message)
            return redirect("datahub:review")
        except BusinessError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request,
                _("已批准%(org)s查阅「%(category)s」")
                % {"org": access.org, "category": access.category.name},
            )
            return redirect("datahub:review")
    return _review(request, forms_for={pk: (form, DeclineForm(prefix=f"d{pk}"))}, status=400)


@require_POST
@require_roles(*DECIDERS)
def decline(request, pk: int):
    access = selectors.request_detail(request.user, pk)
    form = DeclineForm(request.POST, prefix=f"d{pk}")
    if form.is_valid():
        try:
            catalogue.decline(
                actor=request.user, request=access, reason=form.cleaned_data["reason"]
            )
        except (Conflict, Forbidden) as exc:
            messages.error(request, exc.message)
            return redirect("datahub:review")
        except BusinessError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("已驳回%(org)s的申请") % {"org": access.org})
            return redirect("datahub:review")
    return _review(request, forms_for={pk: (ApproveForm(prefix=f"a{pk}"), form)}, status=400)


@require_POST
@login_required
def withdraw(request, pk: int):
    access = selectors.request_detail(request.user, pk)
    try:
        catalogue.withdraw(actor=request.user, request=access)
    except BusinessError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("申请已撤回"))
    return redirect("datahub:category", code=access.category.code)


@require_POST
@require_roles(*DECIDERS)
def revoke(request, pk: int):
    grant = selectors.grant_detail(request.user, pk)
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        catalogue.revoke(actor=request.user, grant=grant, reason=form.cleaned_data.get("reason"))
    except BusinessError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已撤销%(org)s的授权") % {"org": grant.org})
    return redirect("datahub:category", code=grant.category.code)
