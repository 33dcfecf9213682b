from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "huying.notify"
    label = "notify"
    verbose_name = "消息通知"

    def ready(self):
        from huying.core.worker import register_sweep
        from huying.notify.sweeps import deliver_outbox, prune_outbox

        register_sweep("notify.deliver_outbox", 10, deliver_outbox)
        register_sweep("notify.prune_outbox", 3600, prune_outbox)
