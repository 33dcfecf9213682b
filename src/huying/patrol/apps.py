from django.apps import AppConfig


class PatrolConfig(AppConfig):
    name = "huying.patrol"
    label = "patrol"
    verbose_name = "出租屋巡查"

    def ready(self):
        from huying.core.worker import register_sweep
        from huying.patrol import corrections
        from huying.patrol.tracks import sweep_retention

        register_sweep("patrol.track_retention", 3600, sweep_retention)
        register_sweep("patrol.corrections", corrections.SWEEP_SECONDS, corrections.sweep)
