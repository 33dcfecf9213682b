"""Thin pages: the inbox, its read buttons (htmx or plain forms), and the header's badge."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from huying.core.errors import BusinessError, Invalid
from huying.notify import selectors, services

PAGE_SIZE = 30
# htmx stops polling on this status: a signed-out page stops asking for its badge.
HTMX_STOP_POLLING = 286
CHANGED_EVENT = "notify-changed"  # the badge listens for it and refreshes at once


def _inbox_context(request, params) -> dict:
    unread_only = params.get("unread") == "1"
    rows = selectors.inbox(request.user, unread=unread_only)
    return {
        "page": Paginator(rows, PAGE_SIZE).get_page(params.get("page")),
        "unread_only": unread_only,
        "unread": selectors.unread_count(request.user),
    }


@login_required
@require_GET
def inbox(request):
    template = "notify/_inbox.html" if request.htmx else "notify/inbox.html"
    return render(request, template, _inbox_context(request, request.GET))


def _after_change(request) -> HttpResponse:
    if not request.htmx:
        query = "?unread=1" if request.POST.get("unread") == "1" else ""
        return redirect(reverse("inbox") + query)
    response = render(request, "notify/_inbox.html", _inbox_context(request, request.POST))
    response["HX-Trigger"] = CHANGED_EVENT
    return response


def _ids(request) -> list[int]:
    try:
        return [int(value) for value in request.POST.getlist("ids")]
    except ValueError as exc:
        raise Invalid("消息编号应为整数", field="ids") from exc


@login_required
@require_POST
def mark_read(request):
    try:
        services.mark_read(request.user, _ids(request))
    except BusinessError as exc:
        messages.error(request, exc.message)
    return _after_change(request)


@login_required
@require_POST
def mark_all_read(request):
    services.mark_all_read(request.user)
    return _after_change(request)


@login_required
@require_GET
def open_notification(request, pk: int):
    notification = services.open_notification(request.user, pk)
    return redirect(notification.link or "inbox")


@never_cache
@require_GET
def badge(request):
    if not request.user.is_authenticated:
        return HttpResponse(status=HTMX_STOP_POLLING)
    return render(request, "notify/_badge.html", {"unread": selectors.unread_count(request.user)})
