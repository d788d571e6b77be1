"""Guards of the sync's speed-ups (the benchmark B3): however the feed is cut, the result is a clean run's.

The sync writes in bulk, recomputes the history of only the persons whose records
changed in what the rules read, and reads the next page ahead; none of that may change
what a citizen sees (R-RG-2, R-ST-8, R-ST-10).
"""

import random
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from ashyq.mocks import services as mocks
from ashyq.mocks.models import MODELS as MOCK_MODELS
from statuses import rules, services
from statuses.clients import HEALTH_REGISTRIES
from statuses.tests.factories import local
from statuses.tests.test_services import forget_everything_synced, load_data_set, snapshot


def sync_everything(limit: int) -> None:
    for registry in HEALTH_REGISTRIES:
        report = services.registry_sync(registry=registry, now=timezone.now(), limit=limit)
        assert report.complete and not report.error


def correct_some_records(people: list[str]) -> None:
    """What registries send later: corrections, a record moved to another person, one re-sent unchanged."""
    pcrs = list(MOCK_MODELS["pcr"].objects.filter(iin__isnull=False).order_by("seq"))
    moved = next(pcr for pcr in pcrs if pcr.result == "positive" and pcr.iin != people[-1])
    others = [pcr for pcr in pcrs if pcr.pk != moved.pk]
    # The wrong person at first (R-RG-2: upsert by id): his red goes, the other one's comes.
    mocks.record_update("pcr", moved.pk, iin=people[-1])
    mocks.record_update("pcr", others[0].pk, result="positive" if others[0].result == "negative" else "negative")
    mocks.record_update("pcr", others[1].pk, sampled_at=others[1].sampled_at - timedelta(days=3))  # a late sample
    mocks.record_update("pcr", others[2].pk)  # sent again, unchanged
    mocks.pcr_add(iin=people[0], result="positive", sampled_at=local(2021, 5, 20, 9))
    contact = MOCK_MODELS["contacts"].objects.order_by("seq").first()
    mocks.record_update("contacts", contact.pk, contact_date=contact.contact_date - timedelta(days=5))


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("registry")
@pytest.mark.parametrize("limit", [1, 4, 13])
def test_a_feed_applied_in_pages_of_any_size_ends_like_one_clean_run(limit):
    # R-RG-2: the same records, statuses and history whether the feed comes in pages of
    # 1, 4 or 13 records, partly before and partly after the corrections, or in one page.
    people = load_data_set()
    sync_everything(limit)
    correct_some_records(people)
    sync_everything(limit)
    sync_everything(limit)  # a rerun finds nothing new and changes nothing
    paged = snapshot(people)

    forget_everything_synced()
    sync_everything(5000)
    clean = snapshot(people)

    assert paged == clean
    assert {status[0] for status in clean["statuses"]} == {"red", "yellow", "green", "blue"}
    assert len(clean["history"]) > 40


def random_records(seed: int):
    rng = random.Random(seed)  # noqa: S311
    base = datetime(2021, 4, 1, tzinfo=UTC)

    def moment():
        return base + timedelta(hours=rng.randrange(24 * 40), minutes=rng.choice([0, rng.randrange(60)]))

    pcrs = [rules.PcrRecord(str(rng.randrange(6)), rng.random() < 0.4, moment()) for _ in range(rng.randrange(5))]
    contacts = [
        rules.ContactRecord(str(rng.randrange(6)), (base + timedelta(days=rng.randrange(40))).date(), moment())
        for _ in range(rng.randrange(3))
    ]
    vaccinations = [
        rules.VaccinationRecord(
            str(rng.randrange(6)), rng.randrange(3), rng.randrange(3), (base + timedelta(days=rng.randrange(40))).date()
        )
        for _ in range(rng.randrange(3))
    ]
    return {"pcrs": pcrs, "contacts": contacts, "vaccinations": vaccinations}, base + timedelta(days=rng.randrange(60))


def changes_from_the_timeline(records: dict, end: datetime) -> list[rules.Status]:
    """R-ST-10 as the history was first computed: the timeline, kept where the colour changes."""
    changes, colour = [], rules.Colour.BLUE
    for status in rules.timeline(**records, start=datetime(1970, 1, 1, tzinfo=UTC), end=end):
        if status.since is not None and status.colour != colour:
            changes.append(status)
        colour = status.colour
    return changes


def fields(status: rules.Status) -> tuple:
    return (status.colour, status.valid_until, status.rule, status.record, status.since, status.changes_at)


def test_r_st_10_the_history_shortcuts_give_exactly_the_timelines_changes_of_colour():
    for seed in range(3000):
        records, end = random_records(seed)
        expected = changes_from_the_timeline(records, end)
        assert [fields(s) for s in rules.colour_changes(**records, end=end)] == [fields(s) for s in expected], seed
        assert [str(s.reason) for s in rules.colour_changes(**records, end=end)] == [str(s.reason) for s in expected]
        assert rules.colour_change_keys(**records, end=end) == [
            (s.since, s.colour, s.rule, s.registry, s.record) for s in expected
        ], seed


def test_r_st_10_a_red_ending_at_local_midnight_is_one_change_in_both_shortcuts():
    # R-ST-3: a positive sample on 1 May 10:00 is red until 00:00 of 15 May (Almaty),
    # then blue; a negative sample on 20 May is green for 72 hours.
    pcrs = [
        rules.PcrRecord("1", True, local(2021, 5, 1, 10)),
        rules.PcrRecord("2", False, local(2021, 5, 20, 9)),
    ]
    keys = rules.colour_change_keys(pcrs=pcrs, contacts=[], vaccinations=[], end=local(2021, 6, 1))

    assert [(since, str(colour), registry, record) for since, colour, _rule, registry, record in keys] == [
        (local(2021, 5, 1, 10), "red", "pcr", "1"),
        (local(2021, 5, 15), "blue", None, None),
        (local(2021, 5, 20, 9), "green", "pcr", "2"),
        (local(2021, 5, 23, 9), "blue", None, None),
    ]
