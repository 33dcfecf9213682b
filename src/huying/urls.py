from django.contrib import admin
from django.urls import include, path

from huying.api import api
from huying.core import views as core_views
from huying.dashboard import views as dashboard_views
from huying.orgs import views as org_views

admin.site.site_header = "呼应 · 后台管理"
admin.site.site_title = "呼应后台"
admin.site.index_title = "组织、用户与基础数据"
admin.site.login = org_views.admin_login_view

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path("login/", org_views.login_view, name="login"),
    path("logout/", org_views.logout_view, name="logout"),
    path("password/", org_views.password_change_view, name="password-change"),
    path("orgs/", org_views.org_list_view, name="org-list"),
    path("orgs/<str:code>/", org_views.org_detail_view, name="org-detail"),
    path("audit/", core_views.audit_list, name="audit-list"),
    path("inbox/", include("huying.notify.urls")),
    path("calls/", include("huying.calls.urls")),
    path("datahub/", include("huying.datahub.urls")),
    path("patrol/", include("huying.patrol.urls")),
    path("sensing/", include("huying.sensing.urls")),
    path("supervision/", include("huying.supervision.urls")),
    path("healthz", core_views.healthz, name="healthz"),
    path("metrics", core_views.metrics_view, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/logout/", org_views.logout_view),  # audited, like the page logout
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("open311/v2/", include("huying.open311.urls")),
]
