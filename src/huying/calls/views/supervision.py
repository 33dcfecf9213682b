"""The supervision page (督办问责): calls under urging and the accountability cases, and a case's
page with its evidence trail and the supervisor's outcome form."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from huying.calls import accountability, case_forms, case_selectors, supervision_selectors
from huying.calls.choices import CaseReason, CaseStatus
from huying.core import audit, clock
from huying.core.errors import BusinessError
from huying.core.permissions import require_roles
from huying.orgs.choices import Role

# The operator reads; only the supervisor records outcomes (the service enforces it).
SUPERVISION_ROLES = (Role.SUPERVISOR, Role.LEADER, Role.ADMIN, Role.OPERATOR)


def _case_filter(params) -> case_selectors.CaseFilter:
    """Known values only: anything else in the query string shows every case."""
    status = params.get("status")
    reason = params.get("reason")
    return case_selectors.CaseFilter(
        status=status if status in CaseStatus.values else None,
        reason=reason if reason in CaseReason.values else None,
    )


@require_http_methods(["GET"])
@require_roles(*SUPERVISION_ROLES)
def supervision(request):
    filters = _case_filter(request.GET)
    urgings = supervision_selectors.urgings(request.user)
    context = {
        "urgings": Paginator(urgings, supervision_selectors.LIST_SIZE).get_page(
            request.GET.get("urge_page")
        ),
        "cases": supervision_selectors.cases_page(request.user, filters, request.GET.get("page")),
        "filters": filters,
        "statuses": CaseStatus.choices,
        "reasons": CaseReason.choices,
        "now": clock.now(),
    }
    return render(request, "calls/supervision/supervision.html", context)


@require_http_methods(["GET", "POST"])
@require_roles(*SUPERVISION_ROLES)
def case_detail(request, pk: int):
    case = case_selectors.case_detail(request.user, pk)
    data = request.POST if request.method == "POST" else None
    form = case_forms.OutcomeForm(data)
    people = case_forms.PeopleFormSet(data, prefix="people")
    status = 200
    if data is not None:
        status = 422
        if form.is_valid() and people.is_valid():
            rows, row_forms = case_forms.people_rows(people)
            try:
                accountability.record_outcome(
                    actor=request.user, case=case, outcome=form.cleaned_data["outcome"], people=rows
                )
            except BusinessError as exc:
                if exc.status == 403:  # a service refused this role: audited, as the API does
                    audit.record(
                        "core.permission_denied",
                        actor=request.user,
                        object_repr=request.path[:200],
                        reason=exc.message,
                    )
                case_forms.place_error(exc, form, row_forms)
                status = exc.status
            else:
                messages.success(request, _("已记录处理结果，案件已结案"))
                return redirect("calls:case", pk=case.pk)
    context = {
        "case": case,
        "evidence": supervision_selectors.evidence_rows(case),
        "form": form,
        "people_forms": people,
        "may_record": request.user.role == Role.SUPERVISOR and case.status == CaseStatus.OPEN,
    }
    return render(request, "calls/supervision/case.html", context, status=status)
