"""The navigation bar by role. Each app adds its entries here as it arrives."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_noop

from huying.calls import statistics, town_selectors
from huying.datahub import privacy as datahub_privacy
from huying.orgs.choices import Role
from huying.patrol import coverage_scope
from huying.sensing import board_selectors as sensing_boards
from huying.sensing import video_selectors
from huying.supervision import metrics as supervision_metrics

EVERYONE = frozenset(Role)
# Department staff and the district-wide roles: who works with plans and reporting tasks.
DEPARTMENTS_AND_DISTRICT = frozenset(
    {Role.RESPONDER, Role.DEPARTMENT_HEAD, Role.SUPERVISOR, Role.LEADER, Role.OPERATOR, Role.ADMIN}
)


@dataclass(frozen=True)
class NavItem:
    # Chinese msgid, marked for makemessages; base.html translates it per request.
    label: str
    url_name: str
    roles: frozenset[Role] = EVERYONE
    badge: bool = False  # shows the unread-message count (notify's badge)
    # A finer test than the role, when the unit matters (e.g. holding the calling right).
    when: Callable | None = None


NAV_ITEMS = (
    NavItem(gettext_noop("首页"), "home"),
    NavItem(
        gettext_noop("呼叫工作台"),
        "calls:town",
        frozenset({Role.CALLER}),
        when=town_selectors.may_call,
    ),
    NavItem(
        gettext_noop("村社上报"),
        "calls:requests",
        frozenset({Role.CALLER}),
        when=town_selectors.handles_requests,
    ),
    NavItem(
        gettext_noop("部门工作台"),
        "calls:department",
        frozenset({Role.RESPONDER, Role.DEPARTMENT_HEAD}),
    ),
    NavItem(
        gettext_noop("指挥大屏"), "calls:board", frozenset({Role.OPERATOR, Role.LEADER, Role.ADMIN})
    ),
    NavItem(
        gettext_noop("督办问责"),
        "calls:supervision",
        frozenset({Role.SUPERVISOR, Role.LEADER, Role.ADMIN, Role.OPERATOR}),
    ),
    # Aggregates only; who may see them is decided in calls/statistics.py (VIEWER_ROLES).
    NavItem(gettext_noop("统计分析"), "calls:statistics", statistics.VIEWER_ROLES),
    NavItem(gettext_noop("数据目录"), "datahub:catalogue"),
    # The hub's registry and work list; who sees what of a person: datahub/privacy.py.
    NavItem(gettext_noop("实有人口"), "datahub:residents", datahub_privacy.HUB_ROLES),
    NavItem(gettext_noop("数据差异"), "datahub:discrepancies", datahub_privacy.HUB_ROLES),
    NavItem(gettext_noop("数据导入"), "datahub:loads", datahub_privacy.LOAD_ROLES),
    # The inspector's day plan (supervisors open an inspector's plan from their link or the API).
    NavItem(gettext_noop("巡查计划"), "patrol:plan", frozenset({Role.INSPECTOR})),
    # Households visited against the plan; who sees whose: patrol/coverage_scope.py.
    NavItem(gettext_noop("巡查覆盖"), "patrol:coverage", when=coverage_scope.may_view),
    # 感知监测: who sees which stations, enterprises and alarms: sensing/board_selectors.py.
    NavItem(gettext_noop("水质看板"), "sensing:water", when=sensing_boards.may_view),
    NavItem(gettext_noop("企业风险"), "sensing:enterprises", when=sensing_boards.may_view),
    NavItem(gettext_noop("告警列表"), "sensing:alarms", when=sensing_boards.may_view),
    # Video events: who sees which cameras' events: sensing/video_selectors.py.
    NavItem(gettext_noop("视频研判"), "sensing:video", when=video_selectors.may_view),
    # 督查检查考核计划: departments draft theirs, the district approves and merges.
    NavItem(
        gettext_noop("考核计划"),
        "supervision:plans",
        DEPARTMENTS_AND_DISTRICT,
    ),
    # 填表报数: departments register tasks; towns and villages fill them in one inbox
    # (whose tasks and inbox: supervision/task_selectors.py and supervision/inbox.py).
    NavItem(
        gettext_noop("填报任务"),
        "supervision:tasks",
        DEPARTMENTS_AND_DISTRICT,
    ),
    NavItem(
        gettext_noop("统一填报"),
        "supervision:inbox",
        frozenset({Role.CALLER, Role.SUPERVISOR, Role.LEADER, Role.OPERATOR, Role.ADMIN}),
    ),
    # 提醒, 问题台账 and 减负成效: who sees which: supervision/task_selectors.py,
    # supervision/case_selectors.py and supervision/metrics.py (VIEWER_ROLES).
    NavItem(gettext_noop("提醒"), "supervision:reminders", EVERYONE - {Role.INSPECTOR}),
    NavItem(
        gettext_noop("问题台账"),
        "supervision:cases",
        supervision_metrics.VIEWER_ROLES | {Role.DEPARTMENT_HEAD},
    ),
    NavItem(gettext_noop("减负成效"), "supervision:metrics", supervision_metrics.VIEWER_ROLES),
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
        if user.role not in item.roles or (item.when and not item.when(user)):
            continue
        url = reverse(item.url_name)
        active = current_path == url if url == "/" else current_path.startswith(url)
        items.append({"label": item.label, "url": url, "active": active, "badge": item.badge})
    return items
