from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "huying.core"
    label = "core"
    verbose_name = "平台基础"

    def ready(self):
        from huying.core.sweeps import prune_heartbeats
        from huying.core.worker import register_sweep

        register_sweep("core.prune_heartbeats", 3600, prune_heartbeats)
