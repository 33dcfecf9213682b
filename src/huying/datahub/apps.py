from django.apps import AppConfig


class DatahubConfig(AppConfig):
    name = "huying.datahub"
    label = "datahub"
    verbose_name = "数据共享"
