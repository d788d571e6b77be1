"""R-VN-9: each existing venue's standing history, built from the rows that recorded it
so far — the first issue of its codes, its exclusions (with their returns and the
appeals that cancelled them) and its leader terms — by replaying them as the services
now write them (monitoring.selectors.expected_histories, given this migration's
models). A venue that has a history already is left alone, so running it again changes
nothing."""

from django.db import migrations

BATCH = 2000


def build(apps, schema_editor):
    from monitoring.selectors import expected_histories

    models = {
        "venue_model": apps.get_model("venues", "Venue"),
        "sanction_model": apps.get_model("monitoring", "Sanction"),
        "leader_model": apps.get_model("leaders", "Leader"),
    }
    Standing = apps.get_model("venues", "Standing")
    done = set(Standing.objects.values_list("venue_id", flat=True).distinct())
    pending = [pk for pk in models["venue_model"].objects.order_by("pk").values_list("pk", flat=True) if pk not in done]
    for start in range(0, len(pending), BATCH):
        histories = expected_histories(pending[start : start + BATCH], **models)
        Standing.objects.bulk_create(
            [
                Standing(
                    venue_id=venue_id,
                    kind=interval.kind,
                    starts_at=interval.starts_at,
                    ends_at=interval.ends_at,
                    cause=interval.cause,
                    ref=interval.ref,
                )
                for venue_id, history in histories.items()
                for interval in history
            ],
            batch_size=BATCH,
        )


def forget(apps, schema_editor):
    apps.get_model("venues", "Standing").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0003_standing"),
        ("venues", "0006_standing"),
        ("leaders", "0002_review_decision_runs"),
    ]

    operations = [migrations.RunPython(build, forget)]
