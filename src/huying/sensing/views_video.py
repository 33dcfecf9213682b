"""视频事件研判 (/sensing/video/): the operator's review queue.

The page shows pending events newest first; the queue refreshes itself (htmx polling) and an
event opens beside it (htmx) with its big snapshot, the box, the camera's history and the
confirm and dismiss buttons. A decision posts with htmx, swaps the panel and tells the queue
to refresh; a refusal (409 reviewed already, 403 not a reviewer) shows in the panel.
Who sees what is video_selectors'; who may decide is video.may_review.
"""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from huying.calls.attachments import sniff
from huying.calls.views.polling import refresh_when_signed_out
from huying.core.errors import BusinessError
from huying.sensing import video, video_selectors
from huying.sensing.choices import VideoEventStatus

QUEUE_SIZE = 50
ACTIONS = {"confirm": video.confirm, "dismiss": video.dismiss}


def _require_view(user) -> None:
    if not video_selectors.may_view(user):
        raise Http404("未找到，或不在您的可见范围内")


def _queue_context(request, selected: int | None) -> dict:
    events = video_selectors.queue(request.user, status=VideoEventStatus.PENDING)
    return {"events": events[:QUEUE_SIZE], "selected": selected,
            "pending": video_selectors.pending_count(request.user)}  # fmt: skip


def _panel_context(request, event, error: str = "") -> dict:
    return {"event": event, "history": video_selectors.camera_history(event), "error": error,
            "may_review": video.may_review(request.user)}  # fmt: skip


@require_GET
@login_required
def video_page(request):
    _require_view(request.user)
    selected = request.GET.get("event", "")
    event = video_selectors.event_for(request.user, int(selected)) if selected.isdigit() else None
    context = _queue_context(request, event.pk if event else None)
    context["precision"] = video_selectors.precision_rows(request.user)
    if event is not None:
        context |= _panel_context(request, event)
    return render(request, "sensing/video_queue.html", context)


@require_GET
@refresh_when_signed_out
@login_required
def queue_fragment(request):
    _require_view(request.user)
    selected = request.GET.get("selected", "")
    context = _queue_context(request, int(selected) if selected.isdigit() else None)
    return render(request, "sensing/video_queue_list.html", context)


@require_GET
@login_required
def event_panel(request, pk: int):
    _require_view(request.user)
    if not request.htmx:
        return redirect(f"{reverse('sensing:video')}?event={pk}")
    event = video_selectors.event_for(request.user, pk)
    return render(request, "sensing/video_event.html", _panel_context(request, event))


@require_POST
@login_required
def review(request, pk: int, action: str):
    _require_view(request.user)
    if action not in ACTIONS:
        raise Http404("未找到，或不在您的可见范围内")
    event = video_selectors.event_for(request.user, pk)
    try:
        event = ACTIONS[action](request.user, event, request.POST.get("note", ""))
    except BusinessError as exc:
        event = video_selectors.event_for(request.user, pk)
        context = _panel_context(request, event, error=exc.message)
        return render(request, "sensing/video_event.html", context, status=exc.status)
    if not request.htmx:
        return redirect(f"{reverse('sensing:video')}?event={pk}")
    response = render(request, "sensing/video_event.html", _panel_context(request, event))
    response["HX-Trigger"] = "video-queue-changed"
    return response


@require_GET
@login_required
def snapshot(request, pk: int):
    """The event's snapshot, for those who may see the event (404 otherwise)."""
    event = video_selectors.event_for(request.user, pk)
    if not event.snapshot:
        raise Http404("没有抓拍图片")
    handle = event.snapshot.open("rb")
    kind = sniff(handle.read(16))
    handle.seek(0)
    response = FileResponse(handle, content_type=kind[0] if kind else "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
