"""Operational endpoints: /healthz and /metrics."""

from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from huying.core import audit, metrics, selectors
from huying.core.permissions import require_roles
from huying.orgs.choices import Role


@never_cache
@require_GET
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # the database is down: say so, don't 500
        return JsonResponse({"status": "error", "database": str(exc)[:200]}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@never_cache
@require_GET
def metrics_view(request):
    return HttpResponse(metrics.render(), content_type=CONTENT_TYPE_LATEST)


@require_roles(Role.SUPERVISOR, Role.ADMIN)
def audit_list(request):
    entries = selectors.audit_entries(
        action=request.GET.get("action") or None, q=request.GET.get("q") or None
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    context = {"page": page, "action": request.GET.get("action", ""), "q": request.GET.get("q", "")}
    if request.GET.get("verify"):
        context["report"] = audit.verify()
    return render(request, "core/audit_list.html", context)
