"""The one row of the read generation, so writers only ever update it (no racing inserts)."""

from django.db import migrations


def create_row(apps, schema_editor):
    apps.get_model("calls", "ReadGeneration").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("calls", "0007_read_generation")]

    operations = [migrations.RunPython(create_row, migrations.RunPython.noop)]
