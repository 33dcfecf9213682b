"""督查检查考核计划 (/supervision/plans/): a department's plan for the year with its items and
the submit button; the district's approval list; the merge proposals with their shared items
and a merge button; the assessments launched, the unplanned ones marked. A plan's own page
(/supervision/plans/<pk>/) edits its items while a draft and takes the district's decision.

Every POST calls one service and redirects back with its message (a BusinessError's message
shown as an error); who may do what and the transitions are the services'.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_POST

from huying.core import clock
from huying.core.errors import BusinessError
from huying.core.scoping import get_visible_or_404, scope_for
from huying.supervision import merges, plan_selectors, plans
from huying.supervision.choices import Frequency, InspectionKind, PlanStatus


class ItemForm(forms.Form):
    name = forms.CharField(max_length=120)
    kind = forms.ChoiceField(choices=InspectionKind.choices)
    scope = forms.CharField(max_length=200)
    items = forms.CharField()
    frequency = forms.ChoiceField(choices=Frequency.choices)
    targets = forms.CharField(max_length=200)
    start_year = forms.IntegerField(required=False, min_value=2000, max_value=2100)
    end_year = forms.IntegerField(required=False, min_value=2000, max_value=2100)


def _year(request) -> int:
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or 0)
    except ValueError:
        year = 0
    return year if year in plans.YEARS else timezone.localdate(clock.now()).year


def _run(request, action, *args) -> bool:
    """Call a service; its refusal becomes the page's error message."""
    try:
        action(*args)
    except BusinessError as exc:
        field = f"（{exc.field}）" if exc.field else ""
        messages.error(request, f"{exc.message}{field}")
        return False
    return True


@require_GET
@login_required
def plans_page(request):
    user, year = request.user, _year(request)
    if not scope_for(user).whole_district and plan_selectors.own_department(user) is None:
        raise Http404(_("未找到，或不在您的可见范围内"))
    department = plan_selectors.own_department(user)
    own = plan_selectors.plan_list(user, plan_selectors.PlanFilter(year=year))
    context = {
        "year": year,
        "years": range(year - 2, year + 2),
        "department": department,
        "own_plan": own.filter(department=department).first() if department else None,
        "plans": own,
        "awaiting": plan_selectors.awaiting_decision(user) if plans.may_decide(user) else [],
        "may_decide": plans.may_decide(user),
        "may_merge": user.role in merges.MERGER_ROLES,
        "proposals": plan_selectors.proposals(user, year),
        "merges": plan_selectors.merge_list(user, year),
        "assessments": plan_selectors.assessment_list(
            user, plan_selectors.AssessmentFilter(year=year)
        )[:200],
    }
    return render(request, "supervision/plans.html", context)


def _visible_plan(request, pk: int):
    return get_visible_or_404(plan_selectors.plan_detail(request.user), request.user, pk=pk)


@require_GET
@login_required
def plan_page(request, pk: int):
    plan = _visible_plan(request, pk)
    editable = plan.status in plans.EDITABLE and plans.may_draft(request.user, plan.department)
    context = {
        "plan": plan,
        "items": list(plan.items.all()),
        "editable": editable,
        "may_decide": plans.may_decide(request.user) and plan.status == PlanStatus.SUBMITTED,
        "form": ItemForm(),
        "kinds": InspectionKind.choices,
        "frequencies": Frequency.choices,
    }
    return render(request, "supervision/plan_detail.html", context)


@require_POST
@login_required
def plan_create(request):
    department = plan_selectors.own_department(request.user)
    if department is None:
        raise Http404(_("未找到，或不在您的可见范围内"))
    year = _year(request)
    if _run(request, plans.create_plan, request.user, department, year):
        messages.success(request, _("已新建 %(year)s 年度计划") % {"year": year})
    return redirect(f"{_plans_url()}?year={year}")


def _plans_url() -> str:
    return reverse("supervision:plans")


@require_POST
@login_required
def item_add(request, pk: int):
    plan = _visible_plan(request, pk)
    form = ItemForm(request.POST)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        messages.error(
            request, _("请检查“%(field)s”：%(error)s") % {"field": field, "error": errors[0]}
        )
        return redirect("supervision:plan", pk=pk)
    data = plans.ItemData(**form.cleaned_data)
    if _run(request, plans.add_item, request.user, plan, data):
        messages.success(request, _("已添加事项"))
    return redirect("supervision:plan", pk=pk)


@require_POST
@login_required
def item_delete(request, pk: int, item_pk: int):
    visible = plan_selectors.items_visible_to(request.user)
    item = get_visible_or_404(visible, request.user, pk=item_pk, plan_id=pk)
    if _run(request, plans.delete_item, request.user, item):
        messages.success(request, _("已删除事项"))
    return redirect("supervision:plan", pk=pk)


ACTIONS = {
    "submit": lambda user, plan, note: plans.submit(user, plan),
    "approve": plans.approve,
    "return": plans.return_plan,
}
DONE = {
    "submit": gettext_noop("已报送区里审批"),
    "approve": gettext_noop("已批准"),
    "return": gettext_noop("已退回修改"),
}


@require_POST
@login_required
def plan_act(request, pk: int, action: str):
    if action not in ACTIONS:
        raise Http404
    plan = _visible_plan(request, pk)
    note = request.POST.get("note", "")[:300]
    if _run(request, ACTIONS[action], request.user, plan, note):
        messages.success(request, _(DONE[action]))
    return redirect("supervision:plan", pk=pk)


@require_POST
@login_required
def merge(request):
    visible = plan_selectors.items_visible_to(request.user)
    try:
        kept = get_visible_or_404(visible, request.user, pk=int(request.POST.get("kept", 0)))
        # A proposal's form sends the pair and which one to keep: the other is merged.
        pair = [int(v) for v in request.POST.get("pair", "").split(",") if v]
        ids = [int(v) for v in request.POST.getlist("merged")] or [
            pk for pk in pair if pk != kept.pk
        ]
    except ValueError:
        raise Http404 from None
    merged = [get_visible_or_404(visible, request.user, pk=pk) for pk in ids]
    reason = request.POST.get("reason", "")
    if _run(request, merges.merge, request.user, kept, merged, reason):
        messages.success(request, _("已合并：保留“%(name)s”") % {"name": kept.name})
    return redirect(f"{_plans_url()}?year={kept.plan.year}#merges")


urlpatterns = [
    path("plans/", plans_page, name="plans"),
    path("plans/new/", plan_create, name="plan-create"),
    path("plans/<int:pk>/", plan_page, name="plan"),
    path("plans/<int:pk>/items/", item_add, name="plan-item-add"),
    path("plans/<int:pk>/items/<int:item_pk>/delete/", item_delete, name="plan-item-delete"),
    path("plans/<int:pk>/<str:action>/", plan_act, name="plan-act"),
    path("merges/", merge, name="merge"),
]
