from django.apps import AppConfig


class PatrolConfig(AppConfig):
    name = "huying.patrol"
    label = "patrol"
    verbose_name = "出租屋巡查"
