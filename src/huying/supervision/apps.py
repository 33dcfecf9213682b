from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "huying.supervision"
    label = "supervision"
    verbose_name = "精准监督"
