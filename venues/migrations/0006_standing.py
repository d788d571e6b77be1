"""R-VN-9: the standing history of each venue. On PostgreSQL its intervals are kept
from overlapping by an exclusion constraint (btree_gist for the venue's "="); SQLite
has the writer's check (venues.standing.rules.check). The history itself is built
from the existing rows by monitoring 0004, which knows the sanctions and leaders."""

import django.db.models.deletion
from django.db import migrations, models


NO_OVERLAP = "standing_no_overlap"


def add_no_overlap(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"ALTER TABLE venues_standing ADD CONSTRAINT {NO_OVERLAP} EXCLUDE USING gist "
        "(venue_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)"
    )


def drop_no_overlap(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE venues_standing DROP CONSTRAINT IF EXISTS {NO_OVERLAP}")


class Migration(migrations.Migration):

    dependencies = [
        ('venues', '0005_participants_index_include'),
    ]

    operations = [
        migrations.CreateModel(
            name='Standing',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('applied', 'approved, QR codes not issued yet'), ('test_mode', 'test mode'), ('participant', 'participant'), ('volunteer', 'volunteer participant'), ('leader', 'Leader Ashyq'), ('excluded', 'excluded'), ('awaiting_return', "excluded, awaiting the owner's return")], max_length=16, verbose_name='standing')),
                ('starts_at', models.DateTimeField(verbose_name='from')),
                ('ends_at', models.DateTimeField(blank=True, null=True, verbose_name='until')),
                ('cause', models.CharField(choices=[('created', 'application approved'), ('issue', 'QR codes issued'), ('test_mode_end', 'test mode ended'), ('sanction', 'exclusion'), ('sanction_end', "the exclusion's term ended"), ('return', 'the owner returned'), ('lift', 'the exclusion was lifted'), ('leader', "the commission's decision"), ('leader_end', 'the Leader Ashyq term ended')], max_length=16, verbose_name='cause')),
                ('ref', models.PositiveIntegerField(blank=True, null=True, verbose_name='sanction or decision')),
                ('venue', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='standings', to='venues.venue', verbose_name='venue')),
            ],
            options={
                'verbose_name': 'standing',
                'verbose_name_plural': 'standing history',
                'ordering': ['venue', 'starts_at'],
                'indexes': [models.Index(fields=['kind', 'ends_at'], name='standing_kind_ends')],
                'constraints': [models.UniqueConstraint(fields=('venue', 'starts_at'), name='standing_venue_start'), models.CheckConstraint(condition=models.Q(('ends_at__isnull', True), ('ends_at__gt', models.F('starts_at')), _connector='OR'), name='standing_ends_after_start'), models.CheckConstraint(condition=models.Q(('kind__in', ('applied', 'test_mode', 'participant', 'volunteer', 'leader', 'excluded', 'awaiting_return'))), name='standing_kind_valid')],
            },
        ),
        migrations.RunPython(add_no_overlap, drop_no_overlap),
    ]
