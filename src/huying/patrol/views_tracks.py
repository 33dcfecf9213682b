"""The day's route page (/patrol/track/?inspector=<id>&day=YYYY-MM-DD): the track drawn over
the area's dwellings, the stops with their dwelling and duration, and for the command centre
who is where today. An inspector looking at their own today sends positions from here."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from huying.core import audit, clock
from huying.orgs.choices import Role
from huying.patrol import track_selectors
from huying.patrol.api_tracks import stay_out


@require_GET
@login_required
def track_page(request):
    user, today = request.user, timezone.localdate(clock.now())
    inspector = _inspector(request)
    day = _day(request.GET.get("day"), today)
    points = list(track_selectors.day_points(inspector, day))
    stays = [stay_out(s) for s in track_selectors.day_stays(inspector, day)]
    dwellings = track_selectors.area_dwellings(inspector, points)
    sees_all = track_selectors.sees_all_tracks(user)
    chart = {
        "points": [[p.lon, p.lat, timezone.localtime(p.at).strftime("%H:%M")] for p in points],
        "dwellings": [[d.lon, d.lat, d.code] for d in dwellings],
        "stays": [[s["lon"], s["lat"], s["dwelling_code"] or "", s["minutes"]] for s in stays],
        "positions": [],
    }
    positions = track_selectors.positions_today(user) if sees_all else []
    chart["positions"] = [[p["lon"], p["lat"], p["name"]] for p in positions]
    return render(request, "patrol/track.html", {
        "inspector": inspector, "day": day, "today": today, "stays": stays,
        "point_count": len(points), "chart": chart, "positions": positions,
        "inspectors": track_selectors.inspectors_visible_to(user).order_by("username"),
        "can_send": user.pk == inspector.pk and day == today and user.role == Role.INSPECTOR,
    })  # fmt: skip


def _inspector(request):
    raw = request.GET.get("inspector", "")
    if not raw and request.user.role == Role.INSPECTOR:
        return request.user
    if not raw.isdigit():
        first = track_selectors.inspectors_visible_to(request.user).order_by("username").first()
        if first is None:
            audit.record(
                "core.permission_denied",
                actor=request.user,
                object_repr=request.path[:200],
                reason="角色无权查看轨迹",
            )
            raise Http404("未找到，或不在您的可见范围内")
        return first
    return track_selectors.inspector_for(request.user, int(raw))


def _day(raw: str | None, today: date) -> date:
    try:
        return date.fromisoformat(raw) if raw else today
    except ValueError:
        return today
