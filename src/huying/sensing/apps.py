from django.apps import AppConfig


class SensingConfig(AppConfig):
    name = "huying.sensing"
    label = "sensing"
    verbose_name = "感知监测"
