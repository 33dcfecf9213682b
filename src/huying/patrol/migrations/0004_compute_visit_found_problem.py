"""Judge the visits stored before Visit.found_problem existed, with the one rule
(findings.found_problem: it imports no model, so the historical models can use it), against
the dwelling's max_occupants as it is now: what plan_selectors.revisits judged them by until
then. Chunked by primary key, so memory stays flat whatever the number of visits."""

from django.db import migrations

from huying.patrol.findings import found_problem

CHUNK = 2000


def compute(apps, schema_editor):
    Visit = apps.get_model("patrol", "Visit")
    VisitOccupant = apps.get_model("patrol", "VisitOccupant")
    after = 0
    while True:
        visits = list(
            Visit.objects.filter(pk__gt=after)
            .order_by("pk")
            .values_list("pk", "checklist", "dwelling__max_occupants")[:CHUNK]
        )
        if not visits:
            return
        outcomes: dict[int, list[str]] = {}
        occupants = VisitOccupant.objects.filter(visit_id__in=[v[0] for v in visits])
        for visit_id, outcome in occupants.values_list("visit_id", "outcome"):
            outcomes.setdefault(visit_id, []).append(outcome)
        problems = [
            pk
            for pk, checklist, most in visits
            if found_problem(checklist, outcomes.get(pk, []), most)
        ]
        Visit.objects.filter(pk__in=problems).update(found_problem=True)
        after = visits[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("patrol", "0003_visit_found_problem"),
    ]

    operations = [
        migrations.RunPython(compute, migrations.RunPython.noop),
    ]
