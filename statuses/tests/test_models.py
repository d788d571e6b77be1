"""What the database itself guarantees: one row per registry record, one change per moment (R-RG-2, R-ST-10)."""

import pytest
from django.db import IntegrityError, connection, transaction

from statuses.models import RECORD_MODELS, StatusChange
from statuses.persons import person_key
from statuses.tests.factories import ContactFactory, PcrResultFactory, VaccinationFactory, iin, local


@pytest.mark.django_db
@pytest.mark.parametrize("factory", [PcrResultFactory, ContactFactory, VaccinationFactory])
def test_a_registry_record_is_stored_once(factory):
    factory(source_id="42")

    with pytest.raises(IntegrityError), transaction.atomic():
        factory(source_id="42")


@pytest.mark.django_db
def test_a_person_has_one_colour_change_per_moment():
    fields = {"person": person_key(iin=iin(1)), "changed_at": local(2021, 5, 1, 10), "recorded_at": local(2021, 5, 2)}
    StatusChange.objects.create(colour="red", rule="R-ST-3", **fields)

    with pytest.raises(IntegrityError), transaction.atomic():
        StatusChange.objects.create(colour="green", rule="R-ST-5", **fields)


def test_person_key_is_a_blind_index_that_ignores_spaces_and_case():
    number = iin(2)

    key = person_key(iin=number)

    assert len(key) == 64 and number not in key  # R-ID-5
    assert person_key(iin=f" {number[:6]} {number[6:]} ") == key
    assert person_key(passport="n 123 4567", country="de") == person_key(passport="N1234567", country="DE")
    assert person_key(passport="N1234567", country="DE") != person_key(passport="N1234567", country="FR")
    with pytest.raises(ValueError, match="needs an IIN"):
        person_key(passport="N1234567")


@pytest.mark.django_db
def test_the_demo_seed_lists_every_registry_for_operators_and_can_run_twice():
    from statuses import demo
    from statuses.models import SyncState

    assert demo.seed() == []
    assert demo.seed() == []

    assert sorted(SyncState.objects.values_list("registry", flat=True)) == ["contacts", "pcr", "vaccinations"]


def test_r_id_4_a_passport_is_the_same_person_with_or_without_dashes_and_spaces():
    from statuses.persons import person_key

    assert person_key(passport="N-123 4567", country="de") == person_key(passport="N1234567", country="DE")


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's pattern-ops indexes")
@pytest.mark.parametrize("model", list(RECORD_MODELS.values()))
def test_a_registry_table_has_an_index_per_look_up_and_no_more(model):
    """Each index is written for every record synced, which slows the sync (B3). Django's *_like twins
    (varchar_pattern_ops, for LIKE 'abc%') serve no look-up of a blind index or a
    registry id; migration 0004 drops them. What stays: the key, the registry id (the
    sync's upsert), the person (R-ST-8's look-up) and the date the admin lists by."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [model._meta.db_table])
        definitions = [definition for (definition,) in cursor.fetchall()]
    columns = sorted(definition.split(" USING btree ")[1] for definition in definitions)
    date = {"statuses_pcrresult": "sampled_at", "statuses_contact": "contact_date"}.get(
        model._meta.db_table, "administered_on"
    )
    # R-VP-6: the vaccinations' planning figures read a region's weeks by their own index.
    extra = ["(region, administered_on)"] if model._meta.db_table == "statuses_vaccination" else []
    assert columns == sorted(["(id)", "(source_id)", "(person)", f"({date})", *extra])


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's pattern-ops indexes")
def test_the_histories_due_have_their_key_and_nothing_else():
    """A row per person a page touched; its primary key is its only index (every index slows the sync, B3)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'statuses_historydue'")
        assert [definition.split(" USING btree ")[1] for (definition,) in cursor.fetchall()] == ["(person)"]
