"""A SyncState row for each health registry, so that operators see all three from the start."""

from django.db import migrations

REGISTRIES = ("pcr", "contacts", "vaccinations")


def create(apps, schema_editor):
    SyncState = apps.get_model("statuses", "SyncState")
    for registry in REGISTRIES:
        SyncState.objects.get_or_create(registry=registry)


class Migration(migrations.Migration):
    dependencies = [("statuses", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
