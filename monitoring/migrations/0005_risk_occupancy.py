# The risk list counts the hours with more people inside at once than allowed (R-MN-7
# with R-CI-6), no longer the hours with more entries than the capacity.

from django.db import migrations, models


def forget_stored_lists(apps, schema_editor):
    """The stored lists counted another thing under the old name: the page computes a
    region's list afresh when none is stored, and the hourly task stores it again."""
    apps.get_model("monitoring", "RiskList").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0004_standing_history"),
    ]

    operations = [
        migrations.RunPython(forget_stored_lists, migrations.RunPython.noop),
        migrations.RenameField(model_name="riskentry", old_name="over_capacity_hours", new_name="over_limit_hours"),
        migrations.AlterField(
            model_name="riskentry",
            name="over_limit_hours",
            field=models.PositiveIntegerField(verbose_name="hours over the allowed occupancy"),
        ),
        migrations.AddField(
            model_name="riskentry",
            name="peak_inside",
            field=models.PositiveIntegerField(default=0, verbose_name="most people inside at once"),
        ),
        migrations.AddField(
            model_name="riskentry",
            name="peak_allowed",
            field=models.PositiveIntegerField(default=0, verbose_name="allowed occupancy then"),
        ),
        migrations.AddField(
            model_name="riskentry",
            name="peak_hour",
            field=models.DateTimeField(blank=True, null=True, verbose_name="hour of the most people inside"),
        ),
    ]
