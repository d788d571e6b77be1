"""Reading a person's colour from the synced data: freshness (R-ST-9), never outliving its records (R-ST-8), history (R-ST-10)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import translation

from ashyq.mocks import services as mocks
from statuses import services
from statuses.models import StatusChange
from statuses.persons import person_key
from statuses.selectors import history_for, records_for, status_for, sync_states
from statuses.tests.factories import ContactFactory, PcrResultFactory, VaccinationFactory, iin, local, synced

US = timedelta(microseconds=1)
T = local(2021, 5, 3, 12)


# --- R-ST-9 staleness ---------------------------------------------------------------


@pytest.mark.django_db
def test_data_synced_exactly_the_allowed_age_ago_is_fresh_and_a_microsecond_more_is_stale(settings):
    settings.REGISTRY_MAX_AGE_MINUTES = 30
    synced(T)

    with time_machine.travel(T + timedelta(minutes=30), tick=False):
        at_limit = status_for(iin=iin(1))
    with time_machine.travel(T + timedelta(minutes=30) + US, tick=False):
        past_limit = status_for(iin=iin(1))

    assert (at_limit.fresh, at_limit.stale_registries, at_limit.last_sync_at) == (True, [], T)
    assert past_limit.fresh is False
    assert past_limit.stale_registries == ["pcr", "contacts", "vaccinations"]
    assert past_limit.last_sync_at == T


@pytest.mark.django_db
def test_one_late_registry_makes_the_status_stale_and_gives_the_oldest_sync():
    synced(T, registries=("pcr", "vaccinations"))
    synced(T - timedelta(hours=2), registries=("contacts",))

    with time_machine.travel(T + timedelta(minutes=5), tick=False):
        report = status_for(iin=iin(1))

    assert (report.fresh, report.stale_registries) == (False, ["contacts"])
    assert report.last_sync_at == T - timedelta(hours=2)


@pytest.mark.django_db
def test_a_registry_never_synced_is_stale_and_there_is_no_last_sync_time():
    synced(T, registries=("pcr", "contacts"))

    with time_machine.travel(T, tick=False):
        report = status_for(iin=iin(1))

    assert (report.fresh, report.stale_registries, report.last_sync_at) == (False, ["vaccinations"], None)


# --- Colour from the synced copy ------------------------------------------------------


@pytest.mark.django_db
def test_the_status_carries_colour_validity_rule_and_record():
    pcr = PcrResultFactory(iin=iin(2), positive=False, sampled_at=local(2021, 5, 1, 10))
    ContactFactory(iin=iin(3), contact_date=local(2021, 5, 1).date(), registered_at=local(2021, 5, 2, 9))
    VaccinationFactory(iin=iin(4), administered_on=local(2021, 4, 1).date())

    green = status_for(iin=iin(2), at=T)
    yellow = status_for(iin=iin(3), at=T)
    vaccinated = status_for(iin=iin(4), at=T)
    blue = status_for(iin=iin(5), at=T)

    assert (green.colour, green.valid_until, green.rule, green.record) == (
        "green",
        local(2021, 5, 4, 10),
        "R-ST-5",
        pcr.source_id,
    )
    assert (yellow.colour, yellow.valid_until, yellow.rule) == ("yellow", local(2021, 5, 15), "R-ST-4")
    assert (vaccinated.colour, vaccinated.valid_until) == ("green", None)
    assert (blue.colour, blue.valid_until, blue.rule, blue.record) == ("blue", None, "R-ST-1", None)
    with translation.override("en"):
        assert str(green.reason) == "PCR negative, sampled 1 May 10:00"


@pytest.mark.django_db
def test_a_foreigner_is_found_by_passport_and_country():
    PcrResultFactory(person=person_key(passport="N7654321", country="DE"), positive=True, sampled_at=T)

    assert status_for(passport="n 7654321", country="de", at=T).colour == "red"
    assert status_for(passport="N7654321", country="FR", at=T).colour == "blue"


@pytest.mark.django_db
def test_status_reads_the_sync_state_and_the_records_in_one_query(django_assert_num_queries):
    synced(T)
    PcrResultFactory(iin=iin(6), positive=False, sampled_at=T - timedelta(hours=1))
    VaccinationFactory(iin=iin(6), dose=1, doses_in_scheme=2, administered_on=T.date() - timedelta(days=3))
    ContactFactory(iin=iin(6), contact_date=T.date() - timedelta(days=40))

    with time_machine.travel(T, tick=False):
        # One statement (the benchmark B5): the sync states and the three registries' records in one UNION ALL.
        with django_assert_num_queries(1):
            first = status_for(iin=iin(6))
        with django_assert_num_queries(1):  # R-ST-8: computed again from the records, the same
            second = status_for(iin=iin(6))

    assert first == second
    assert first.colour == "green"


@pytest.mark.django_db
def test_one_person_s_records_in_one_query_are_the_records_of_the_three_tables():
    """records_for of one person (one UNION ALL) gives what the bulk path (three
    queries) gives for the same person: every record, newest first per registry."""
    for hours in (5, 50, 30):
        PcrResultFactory(iin=iin(6), positive=hours == 50, sampled_at=T - timedelta(hours=hours))
    VaccinationFactory(iin=iin(6), dose=1, doses_in_scheme=2, administered_on=T.date() - timedelta(days=40))
    VaccinationFactory(iin=iin(6), dose=2, doses_in_scheme=2, administered_on=T.date() - timedelta(days=10))
    ContactFactory(iin=iin(6), contact_date=T.date() - timedelta(days=3))
    PcrResultFactory(iin=iin(7), positive=True, sampled_at=T - timedelta(hours=1))  # someone else's
    person = person_key(iin=iin(6))

    one = records_for([person])[person]
    bulk = records_for([person, person_key(iin=iin(7))])[person]

    assert one == bulk
    assert [record.sampled_at for record in one.pcrs] == [T - timedelta(hours=h) for h in (5, 30, 50)]
    assert [record.positive for record in one.pcrs] == [False, False, True]
    assert [record.dose for record in one.vaccinations] == [2, 1]
    assert [record.contact_date for record in one.contacts] == [T.date() - timedelta(days=3)]
    assert records_for([]) == {}


# --- R-ST-8: a status never outlives new records or valid_until ----------------------------


@pytest.mark.django_db
def test_a_status_seen_is_not_served_after_new_records():
    synced(T)
    with time_machine.travel(T, tick=False):
        assert status_for(iin=iin(7)).colour == "blue"  # seen once
        PcrResultFactory(iin=iin(7), positive=True, sampled_at=T - timedelta(hours=1))  # bumps the version

        assert status_for(iin=iin(7)).colour == "red"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("registry")
def test_a_status_seen_is_not_served_after_a_sync_brought_new_records():
    with time_machine.travel(T, tick=False):
        services.sync_all(now=T)
        assert status_for(iin=iin(8)).colour == "blue"  # seen once
        mocks.pcr_add(iin=iin(8), result="positive", sampled_at=T - timedelta(hours=1))
        # Not synced yet: the status comes from our copy, never from the registry.
        assert status_for(iin=iin(8)).colour == "blue"

        services.sync_all(now=T)

        assert status_for(iin=iin(8)).colour == "red"


@pytest.mark.django_db
def test_a_status_seen_is_not_served_at_or_past_its_valid_until():
    synced(T)
    PcrResultFactory(iin=iin(9), positive=False, sampled_at=T - timedelta(hours=71))
    end = T + timedelta(hours=1)  # R-ST-5: green for 72 hours from the sample

    with time_machine.travel(T, tick=False):
        cached = status_for(iin=iin(9))
        assert (cached.colour, cached.valid_until) == ("green", end)
        assert status_for(iin=iin(9), at=end - US).colour == "green"
        assert status_for(iin=iin(9), at=end).colour == "blue"
        # Nor before the moment it began.
        assert status_for(iin=iin(9), at=T - timedelta(hours=72)).colour == "blue"
    with time_machine.travel(end, tick=False):
        assert status_for(iin=iin(9)).colour == "blue"


# --- R-ST-10 history ------------------------------------------------------------------


@pytest.mark.django_db
def test_history_shows_red_then_green_then_blue_with_their_causes_and_catches_up_with_the_clock():
    person = iin(11)
    positive = PcrResultFactory(iin=person, positive=True, sampled_at=local(2021, 5, 1, 10))
    negative = PcrResultFactory(iin=person, positive=False, sampled_at=local(2021, 5, 14, 12))
    # What the sync stored on 2 May: only the red had happened.
    services.history_update(persons=[person_key(iin=person)], now=local(2021, 5, 2))
    assert StatusChange.objects.count() == 1

    rows = history_for(iin=person, now=local(2021, 5, 20))
    again = history_for(iin=person, now=local(2021, 5, 20))

    expected = [
        ("blue", local(2021, 5, 17, 12), "R-ST-1", ""),  # 72 hours after the negative sample (R-ST-6)
        ("green", local(2021, 5, 15), "R-ST-5", negative.source_id),  # red ends at 00:00 of D+14 (R-ST-3)
        ("red", local(2021, 5, 1, 10), "R-ST-3", positive.source_id),
    ]
    assert [(r.colour, r.changed_at, r.rule, r.record) for r in rows] == expected
    assert [(r.colour, r.changed_at, r.rule, r.record) for r in again] == expected
    assert StatusChange.objects.count() == 3
    assert rows[-1].recorded_at == local(2021, 5, 2) and rows[0].recorded_at == local(2021, 5, 20)
    with translation.override("en"):
        assert [str(r.reason) for r in rows] == [
            "No PCR result, contact or vaccination in force",
            "PCR negative, sampled 14 May 12:00",
            "PCR positive, sampled 1 May 10:00",
        ]


@pytest.mark.django_db
def test_history_shows_nothing_from_the_future_and_only_the_persons_own_changes():
    PcrResultFactory(iin=iin(12), positive=True, sampled_at=local(2021, 5, 1, 10))
    PcrResultFactory(iin=iin(13), positive=True, sampled_at=local(2021, 4, 1, 10))

    rows = history_for(iin=iin(12), now=local(2021, 5, 14, 23, 59))

    assert [(r.colour, r.changed_at) for r in rows] == [("red", local(2021, 5, 1, 10))]
    assert history_for(iin=iin(14), now=local(2021, 5, 14)) == []


@pytest.mark.django_db
def test_history_is_limited_to_the_newest_changes():
    person = iin(15)
    for day in (1, 5, 9, 13):  # four negative PCRs: green, blue, green, blue, …
        PcrResultFactory(iin=person, positive=False, sampled_at=local(2021, 5, day, 9))

    rows = history_for(iin=person, limit=3, now=local(2021, 6, 1))

    assert [(r.colour, r.changed_at) for r in rows] == [
        ("blue", local(2021, 5, 16, 9)),
        ("green", local(2021, 5, 13, 9)),
        ("blue", local(2021, 5, 12, 9)),
    ]


# --- Operators --------------------------------------------------------------------------


@pytest.mark.django_db
def test_sync_states_list_every_registry_with_its_lag_even_one_never_synced(settings):
    settings.REGISTRY_MAX_AGE_MINUTES = 30
    synced(T, registries=("pcr",))
    synced(T - timedelta(minutes=31), registries=("contacts",))

    states = {state.registry: state for state in sync_states(now=T + timedelta(minutes=10))}

    assert list(states) == ["pcr", "contacts", "vaccinations"]
    assert (states["pcr"].lag, states["pcr"].stale) == (timedelta(minutes=10), False)
    assert (states["contacts"].lag, states["contacts"].stale) == (timedelta(minutes=41), True)
    assert (states["vaccinations"].last_success_at, states["vaccinations"].stale) == (None, True)
