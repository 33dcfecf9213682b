"""The navigation bar by role. Each app adds its entries here as it arrives."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_noop

from huying.orgs.choices import Role

EVERYONE = frozenset(Role)


@dataclass(frozen=True)
class NavItem:
    # Chinese msgid, marked for makemessages; base.html translates it per request.
    label: str
    url_name: str
    roles: frozenset[Role] = EVERYONE
    badge: bool = False  # shows the unread-message count (notify's badge)


NAV_ITEMS = (
    NavItem(gettext_noop("首页"), "home"),
    NavItem(gettext_noop("组织架构"), "org-list"),
    NavItem(gettext_noop("消息"), "inbox", badge=True),
    NavItem(gettext_noop("审计日志"), "audit-list", frozenset({Role.SUPERVISOR, Role.ADMIN})),
    NavItem(
        gettext_noop("接口文档"),
        "api:openapi-view",
        frozenset({Role.ADMIN, Role.OPERATOR, Role.LEADER, Role.SUPERVISOR}),
    ),
    NavItem(gettext_noop("后台管理"), "admin:index", frozenset({Role.ADMIN})),
)


def items_for(user, current_path: str) -> list[dict]:
    items = []
    for item in NAV_ITEMS:
        if user.role not in item.roles:
            continue
        url = reverse(item.url_name)
        active = current_path == url if url == "/" else current_path.startswith(url)
        items.append({"label": item.label, "url": url, "active": active, "badge": item.badge})
    return items
