"""Thin pages: sign in, sign out, change password."""

from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from huying.core import audit
from huying.core.errors import BusinessError
from huying.orgs import authentication, selectors
from huying.orgs.choices import OrgKind
from huying.orgs.forms import LoginForm, PasswordChangeForm

BACKEND = "django.contrib.auth.backends.ModelBackend"


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return "/"


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = authentication.authenticate_user(
                form.cleaned_data["username"], form.cleaned_data["password"]
            )
        except BusinessError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            login(request, user, backend=BACKEND)
            return redirect(_next_url(request))
    status = 400 if form.errors else 200
    return render(
        request, "orgs/login.html", {"form": form, "next": _next_url(request)}, status=status
    )


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        audit.record("orgs.logout", actor=request.user, obj=request.user)
    logout(request)
    messages.info(request, _("您已安全退出"))
    return redirect("login")


@sensitive_post_parameters()
@login_required
def password_change_view(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            authentication.change_password(
                user=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except BusinessError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("密码已修改"))
            return redirect("home")
    return render(
        request, "orgs/password_change.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
def org_list_view(request):
    orgs = selectors.org_list(
        request.user, kind=request.GET.get("kind") or None, q=request.GET.get("q") or None
    )
    page = Paginator(orgs, 100).get_page(request.GET.get("page"))
    template = "orgs/_org_rows.html" if request.htmx else "orgs/org_list.html"
    return render(
        request,
        template,
        {
            "page": page,
            "kinds": OrgKind.choices,
            "kind": request.GET.get("kind", ""),
            "q": request.GET.get("q", ""),
        },
    )


@login_required
def org_detail_view(request, code: str):
    org = selectors.org_detail(request.user, code)
    children = selectors.orgs_visible_to(request.user).filter(parent=org, is_active=True)
    return render(request, "orgs/org_detail.html", {"org": org, "children": children})


def admin_login_view(request, extra_context=None):
    """The back office signs in through our login page (lockout, audit), never its own."""
    if request.user.is_authenticated:
        # Signed in but not staff: the admin sent them here because they may not enter.
        audit.record(
            "core.permission_denied",
            actor=request.user,
            object_repr=request.get_full_path()[:200],
            reason="非管理员访问后台",
        )
        raise Http404("未找到，或不在您的可见范围内")
    return redirect_to_login(request.GET.get("next") or "/admin/")
