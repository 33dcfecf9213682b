from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "huying.calls"
    label = "calls"
    verbose_name = "有呼必应"

    def ready(self):
        from django.conf import settings

        from huying.calls.attachments import prune_staged
        from huying.calls.sweeps import sweep
        from huying.core.worker import register_sweep

        register_sweep("calls.sweep", settings.CALLS_SWEEP_SECONDS, sweep)
        register_sweep("calls.prune_attachments", 3600, prune_staged)
