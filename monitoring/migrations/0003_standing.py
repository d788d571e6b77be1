"""Sanctions say when they were lifted (cancelled on appeal, or withdrawn after an
outage recorded later: R-MN-2, R-MN-6); a withdrawn inactivity flag no longer blocks
counting its stretch again."""

from django.db import migrations, models


def lifted_at_from_appeals(apps, schema_editor):
    """A sanction cancelled before this migration was lifted when its appeal was decided."""
    Sanction = apps.get_model("monitoring", "Sanction")
    Appeal = apps.get_model("monitoring", "Appeal")
    for sanction_id, decided_at in Appeal.objects.filter(sanction__state="cancelled").values_list(
        "sanction_id", "decided_at"
    ):
        Sanction.objects.filter(pk=sanction_id).update(lifted_at=decided_at)
    # A cancelled one with no decided appeal (set by hand): lifted when it was decided.
    Sanction.objects.filter(state="cancelled", lifted_at__isnull=True).update(lifted_at=models.F("created_at"))


class Migration(migrations.Migration):

    dependencies = [
        ('monitoring', '0002_risk_lists'),
        ('venues', '0006_standing'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='inactivityflag',
            name='inactivity_flag_once',
        ),
        migrations.AddField(
            model_name='inactivityflag',
            name='withdrawn_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='withdrawn at'),
        ),
        migrations.AddField(
            model_name='sanction',
            name='lifted_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='lifted at'),
        ),
        migrations.AlterField(
            model_name='sanction',
            name='state',
            field=models.CharField(choices=[('active', 'in force'), ('cancelled', 'cancelled on appeal'), ('withdrawn', 'withdrawn: an outage was recorded')], default='active', max_length=10, verbose_name='state'),
        ),
        migrations.RunPython(lifted_at_from_appeals, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='inactivityflag',
            index=models.Index(fields=['venue', '-last_day'], name='inactivity_flag_venue_last'),
        ),
        migrations.AddConstraint(
            model_name='inactivityflag',
            constraint=models.UniqueConstraint(condition=models.Q(('withdrawn_at__isnull', True)), fields=('venue', 'first_day'), name='inactivity_flag_once'),
        ),
        migrations.AddConstraint(
            model_name='sanction',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('lifted_at__isnull', True), ('state', 'active')), models.Q(models.Q(('state', 'active'), _negated=True), ('lifted_at__isnull', False)), _connector='OR'), name='sanction_lifted_when_not_active'),
        ),
    ]
