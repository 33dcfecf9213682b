from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "huying.orgs"
    label = "orgs"
    verbose_name = "组织与用户"

    def ready(self):
        from huying.core.worker import register_sweep
        from huying.orgs.sweeps import prune_api_tokens

        register_sweep("orgs.prune_api_tokens", 3600, prune_api_tokens)
