"""Role checks for pages: a user without the role gets 404 (not 403), and it is audited."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404

from huying.core import audit


def require_roles(*roles):
    allowed = frozenset(roles)

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if request.user.role not in allowed:
                audit.record(
                    "core.permission_denied",
                    actor=request.user,
                    object_repr=request.path[:200],
                    reason="角色无权访问",
                )
                raise Http404("未找到，或不在您的可见范围内")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
