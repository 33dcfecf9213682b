"""Background work of the hub, run by `huying worker` (django-tasks, database backend)."""

from django_tasks import task


@task()
def run_load_task(load_id: int) -> str:
    """A load submitted from a page or the API; a load that changed something is then linked
    (incrementally: only its new and changed records are matched)."""
    from huying.datahub.choices import LoadStatus
    from huying.datahub.linkage import link_task
    from huying.datahub.loading import run_load
    from huying.datahub.models import Load

    load = run_load(Load.objects.get(pk=load_id))
    if load.status == LoadStatus.SUCCEEDED and load.changed:
        link_task.enqueue()
    return load.status
