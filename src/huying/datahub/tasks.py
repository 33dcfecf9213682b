"""Background work of the hub, run by `huying worker` (django-tasks, database backend)."""

from django_tasks import task


@task()
def run_load_task(load_id: int) -> str:
    from huying.datahub.loading import run_load
    from huying.datahub.models import Load

    load = Load.objects.get(pk=load_id)
    return run_load(load).status
