"""Polled fragments and an expired session: reload the whole page, so a wall screen shows the
login page instead of swapping it into a list (or going quietly stale)."""

from functools import wraps

from django.http import HttpResponse


def refresh_when_signed_out(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.htmx and not request.user.is_authenticated:
            return HttpResponse(status=204, headers={"HX-Refresh": "true"})
        return view(request, *args, **kwargs)

    return wrapped
