"""Reads of the audit log for the pages."""

from django.db.models import QuerySet

from huying.core.models import AuditEntry

SECURITY_ACTIONS = (
    "orgs.login_failed",
    "orgs.login_refused_locked",
    "orgs.user_locked",
    "orgs.token_rejected",
    "core.permission_denied",
)


def audit_entries(*, action: str | None = None, q: str | None = None) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.order_by("-seq")
    if action:
        entries = entries.filter(action=action)
    if q:
        entries = entries.filter(actor_name__contains=q) | entries.filter(object_repr__contains=q)
    return entries


def recent_security_events(limit: int = 10) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action__in=SECURITY_ACTIONS).order_by("-seq")[:limit])
