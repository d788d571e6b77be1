"""R-VN-9: each existing venue's standing history, built from the rows that recorded it
so far — the first issue of its codes, its exclusions (with their returns and the
appeals that cancelled them) and its leader terms — by replaying them as the services
now write them (venues.standing.rules.replay). A venue that has a history already is
left alone, so running it again changes nothing."""

from django.db import migrations

BATCH = 2000


def build(apps, schema_editor):
    from venues.standing import rules  # the replay the services' writes follow

    Venue = apps.get_model("venues", "Venue")
    Standing = apps.get_model("venues", "Standing")
    Sanction = apps.get_model("monitoring", "Sanction")
    Leader = apps.get_model("leaders", "Leader")
    done = set(Standing.objects.values_list("venue_id", flat=True).distinct())
    venues = Venue.objects.values_list("pk", "created_at", "codes_first_issued_at", "category__is_volunteer")
    pending = [row for row in venues.order_by("pk").iterator(chunk_size=BATCH) if row[0] not in done]
    for start in range(0, len(pending), BATCH):
        batch = pending[start : start + BATCH]
        ids = [row[0] for row in batch]
        exclusions: dict[int, list] = {}
        for pk, venue_id, starts_at, ends_at, returned_at, lifted_at in Sanction.objects.filter(
            venue_id__in=ids, kind="exclusion"
        ).values_list("pk", "venue_id", "starts_at", "ends_at", "returned_at", "lifted_at"):
            exclusions.setdefault(venue_id, []).append(
                rules.ExclusionFacts(pk, starts_at, ends_at, returned_at=returned_at, lifted_at=lifted_at)
            )
        terms: dict[int, list] = {}
        for venue_id, decision_id, recorded_at, starts_on, ends_on in Leader.objects.filter(
            venue_id__in=ids
        ).values_list("venue_id", "decision_id", "decision__recorded_at", "starts_on", "ends_on"):
            terms.setdefault(venue_id, []).append(rules.LeaderFacts(decision_id, recorded_at, starts_on, ends_on))
        rows = []
        for pk, created_at, issued_at, volunteer in batch:
            history = rules.replay(
                created_at=min(created_at, issued_at) if issued_at else created_at,
                first_issued_at=issued_at,
                volunteer=bool(volunteer),
                exclusions=exclusions.get(pk, ()),
                leader_terms=terms.get(pk, ()),
            )
            rows += [
                Standing(
                    venue_id=pk,
                    kind=interval.kind,
                    starts_at=interval.starts_at,
                    ends_at=interval.ends_at,
                    cause=interval.cause,
                    ref=interval.ref,
                )
                for interval in history
            ]
        Standing.objects.bulk_create(rows, batch_size=BATCH)


def forget(apps, schema_editor):
    apps.get_model("venues", "Standing").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0003_standing"),
        ("venues", "0006_standing"),
        ("leaders", "0002_review_decision_runs"),
    ]

    operations = [migrations.RunPython(build, forget)]
