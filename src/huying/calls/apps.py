from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "huying.calls"
    label = "calls"
    verbose_name = "有呼必应"
