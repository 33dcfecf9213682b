from django.apps import AppConfig


class SensingConfig(AppConfig):
    name = "huying.sensing"
    label = "sensing"
    verbose_name = "感知监测"

    def ready(self):
        from huying.core.worker import register_sweep
        from huying.sensing import daily, dispatch, escalation, history, silence

        register_sweep("sensing.escalation", 30, escalation.sweep)
        register_sweep("sensing.silence", 60, silence.sweep)
        register_sweep("sensing.dispatch", 10, dispatch.sweep)
        register_sweep("sensing.daily", 300, daily.sweep)
        register_sweep("sensing.history", 3600, history.sweep)

        from huying.core.metrics import register_collector
        from huying.sensing.metrics import SensingCollector

        register_collector(SensingCollector())
