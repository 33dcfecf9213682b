from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "huying.dashboard"
    label = "dashboard"
    verbose_name = "指挥中心页面"
