"""Existing lookup-log rows get their kind and their subjects: the one `resident` of a page
view, reveal or export row, or the `resident_ids` a search (or a dwelling's page) returned.
Ids of residents that no longer exist are dropped (a subject is a foreign key)."""

from django.db import migrations

CHUNK = 2000
DWELLING_PAGE = ["name", "basis"]  # the fields a dwelling page logs for its occupants


def _kinds(PersonAccess) -> None:
    rows = PersonAccess.objects
    rows.filter(via="export").update(kind="export")
    single = rows.exclude(via="export").filter(resident__isnull=False)
    single.filter(unmasked=True).update(kind="reveal")
    single.filter(unmasked=False).update(kind="view")
    listed = rows.exclude(via="export").filter(resident__isnull=True)
    listed.update(kind="search")
    listed.filter(fields=DWELLING_PAGE).update(kind="view")


def forwards(apps, schema_editor):
    PersonAccess = apps.get_model("datahub", "PersonAccess")
    Subject = apps.get_model("datahub", "PersonAccessSubject")
    Resident = apps.get_model("datahub", "Resident")
    _kinds(PersonAccess)
    rows = PersonAccess.objects.order_by("pk").values_list(
        "pk", "at", "resident_id", "resident_ids"
    )
    last = 0
    while chunk := list(rows.filter(pk__gt=last)[:CHUNK]):
        last = chunk[-1][0]
        wanted = {
            (pk, at, rid) for pk, at, one, ids in chunk for rid in ([one] if one else ids or [])
        }
        known = set(
            Resident.objects.filter(pk__in={w[2] for w in wanted}).values_list("pk", flat=True)
        )
        Subject.objects.bulk_create(
            [
                Subject(access_id=pk, at=at, resident_id=rid)
                for pk, at, rid in sorted(wanted)
                if rid in known
            ],
            batch_size=1000,
        )


def backwards(apps, schema_editor):
    PersonAccess = apps.get_model("datahub", "PersonAccess")
    Subject = apps.get_model("datahub", "PersonAccessSubject")
    by_access: dict[int, list[int]] = {}
    for access_id, resident_id in Subject.objects.order_by("access_id", "resident_id").values_list(
        "access_id", "resident_id"
    ):
        by_access.setdefault(access_id, []).append(resident_id)
    changed = []
    for access in PersonAccess.objects.filter(pk__in=by_access).only("pk", "kind", "fields"):
        ids = by_access[access.pk]
        if access.kind != "search" and access.fields != DWELLING_PAGE and len(ids) == 1:
            access.resident_id = ids[0]
        else:
            access.resident_ids = ids
        changed.append(access)
    PersonAccess.objects.bulk_update(changed, ["resident", "resident_ids"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("datahub", "0004_person_access_subjects"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
