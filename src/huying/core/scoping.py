"""Scoping has one home: what part of the org tree a user's view covers.

A village user sees its village; a town user its town and the town's villages; a department
user its department (each app adds "addressed to the department" for its own objects);
the command centre, the discipline commission, leaders and administrators see the district.
Apps build their `visible_to(user)` querysets from `scope_for(user).filter(qs, "<org field>")`.
Out of scope is 404, never 403: `get_visible_or_404` also writes the denial to the audit log.
"""

from dataclasses import dataclass

from django.db.models import Model, Q, QuerySet
from django.http import Http404

from huying.core import audit


@dataclass(frozen=True)
class Scope:
    whole_district: bool
    path_prefix: str | None  # the user's org path; None = sees nothing

    def q(self, org_field: str) -> Q:
        """A filter on `org_field` (a FK to Org, or "" for the Org itself)."""
        if self.whole_district:
            return Q()
        if self.path_prefix is None:
            return Q(pk__in=[])
        lookup = f"{org_field}__path__startswith" if org_field else "path__startswith"
        return Q(**{lookup: self.path_prefix})

    def filter(self, qs: QuerySet, org_field: str) -> QuerySet:
        return qs.filter(self.q(org_field))


NOTHING = Scope(whole_district=False, path_prefix=None)


def scope_for(user) -> Scope:
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.sees_whole_district:
        return Scope(whole_district=True, path_prefix=None)
    if user.org_id is None:
        return NOTHING
    return Scope(whole_district=False, path_prefix=user.org.path)


def get_visible_or_404(visible: QuerySet, user, **lookup) -> Model:
    """Fetch one object from the user's visible queryset; outside it, audit and 404."""
    obj = visible.filter(**lookup).first()
    if obj is not None:
        return obj
    model = visible.model
    if model._default_manager.filter(**lookup).exists():
        audit.record(
            "core.permission_denied",
            actor=user,
            object_type=model._meta.label_lower,
            object_id=str(next(iter(lookup.values()), "")),
            reason="超出可见范围",
        )
    raise Http404("未找到，或不在您的可见范围内")
