"""The supervision pages: the task register and a town's inbox, the inspection plans, warnings,
formalism cases and the burden metrics."""

from django.urls import path

app_name = "supervision"

urlpatterns: list = []

# 督查检查考核计划: /supervision/plans/..., /supervision/merges/ (views_plans.urlpatterns).
from huying.supervision import views_plans  # noqa: E402

urlpatterns += views_plans.urlpatterns

# 问题台账, 提醒 and 减负成效 (views_cases, views_reminders, views_metrics).
from huying.supervision import views_cases, views_metrics, views_reminders  # noqa: E402

urlpatterns += [
    path("cases/", views_cases.case_list, name="cases"),
    path("cases/new/", views_cases.case_new, name="case-new"),
    path("cases/<int:pk>/", views_cases.case_detail, name="case"),
    path("cases/<int:pk>/<str:action>/", views_cases.case_act, name="case-act"),
    path("reminders/", views_reminders.reminder_list, name="reminders"),
    path("reminders/new/", views_reminders.reminder_new, name="reminder-new"),
    path("reminders/<int:pk>/", views_reminders.reminder_detail, name="reminder"),
    path("reminders/<int:pk>/<str:action>/", views_reminders.reminder_act, name="reminder-act"),
    path("metrics/", views_metrics.metrics_page, name="metrics"),
    path("metrics/export.xlsx", views_metrics.metrics_export, name="metrics-export"),
]

# 填表报数任务 and 统一填报 (views_tasks, views_inbox).
from huying.supervision import views_inbox, views_tasks  # noqa: E402

urlpatterns += [
    path("tasks/", views_tasks.task_list, name="tasks"),
    path("tasks/<int:pk>/", views_tasks.task_detail, name="task"),
    path("tasks/<int:pk>/<str:action>/", views_tasks.task_act, name="task-act"),
    path("inbox/", views_inbox.inbox_page, name="inbox"),
    path("fill/<int:task_id>/<str:period>/", views_inbox.fill_page, name="fill"),
    path(
        "fill/<int:task_id>/<str:period>/template.xlsx",
        views_inbox.fill_template,
        name="fill-template",
    ),
    path("fill/<int:task_id>/<str:period>/import/", views_inbox.fill_import, name="fill-import"),
]
