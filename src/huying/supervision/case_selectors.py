"""Reads of formalism cases through scope.

The commission, leaders, the command centre and administrators see the whole register; a unit
sees the cases against it (as the responsible or the guiding unit; its cadres and staff);
everyone else nothing.
Out of scope is 404, audited by `get_visible_or_404`.
"""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from huying.core.scoping import get_visible_or_404, scope_for
from huying.orgs.choices import Role
from huying.orgs.models import User
from huying.supervision.models import CaseEvidence, FormalismCase

RELATED = ("unit", "guiding_unit", "opened_by")
# Who speaks for a unit: its cadres and staff (an inspector patrols, it does not answer).
UNIT_ROLES = (Role.CALLER, Role.RESPONDER, Role.DEPARTMENT_HEAD)


def cases_visible_to(user: User) -> QuerySet[FormalismCase]:
    cases = FormalismCase.objects.all()
    scope = scope_for(user)
    if scope.whole_district:
        return cases
    if scope.path_prefix is None or user.role not in UNIT_ROLES:
        return cases.none()
    return cases.filter(Q(unit=user.org_id) | Q(guiding_unit=user.org_id))


@dataclass(frozen=True)
class CaseFilter:
    status: str | None = None
    unit: str | None = None  # an org code: the responsible or the guiding unit
    year: int | None = None


def case_list(user: User, filters: CaseFilter = CaseFilter()) -> QuerySet[FormalismCase]:
    """Newest first, with the number of evidence items and people; one query per page."""
    cases = cases_visible_to(user).select_related(*RELATED)
    if filters.status:
        cases = cases.filter(status=filters.status)
    if filters.unit:
        cases = cases.filter(Q(unit__code=filters.unit) | Q(guiding_unit__code=filters.unit))
    if filters.year:
        cases = cases.filter(opened_at__year=filters.year)
    cases = cases.annotate(
        evidence_count=Count("evidence", distinct=True), people_count=Count("people", distinct=True)
    )
    return cases.order_by("-opened_at", "-pk")


def case_detail(user: User, pk: int) -> FormalismCase:
    evidence = CaseEvidence.objects.select_related("call", "task", "assessment").order_by("pk")
    visible = (
        cases_visible_to(user)
        .select_related(*RELATED)
        .prefetch_related(Prefetch("evidence", queryset=evidence), "people")
    )
    return get_visible_or_404(visible, user, pk=pk)


def may_write(user: User) -> bool:
    return user.is_authenticated and user.role == Role.SUPERVISOR
