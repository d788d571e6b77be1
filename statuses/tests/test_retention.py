"""The end of the registry copies and of the colour history (docs/rules.md, R-PR-2 "ours"):
a PCR result or a contact goes 45 days after its date, once it can change no colour of
the last month; the history before that month is settled and stays as it was recorded;
the colour history goes after a year, but for the change still in force."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from statuses import rules, services
from statuses.models import Contact, PcrResult, QuarantinedRecord, StatusChange, SyncState, Vaccination
from statuses.persons import person_key
from statuses.selectors import history_for
from statuses.tests.factories import ContactFactory, PcrResultFactory, VaccinationFactory, iin, local

NOW = local(2021, 9, 1, 3, 0)
US = timedelta(microseconds=1)


@pytest.mark.django_db
def test_a_pcr_result_goes_45_days_after_its_sample_and_not_a_moment_before():
    gone = PcrResultFactory(sampled_at=NOW - rules.RECORDS_KEPT - US, positive=True)
    kept = PcrResultFactory(sampled_at=NOW - rules.RECORDS_KEPT, positive=True)

    report = services.records_retention(now=NOW)

    assert report.deleted_pcr == 1
    assert list(PcrResult.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not PcrResult.objects.filter(pk=gone.pk).exists()


@pytest.mark.django_db
def test_a_contact_goes_once_its_date_is_45_days_old_a_vaccination_never():
    today = rules.local_date(NOW - rules.RECORDS_KEPT)
    ContactFactory(contact_date=today - timedelta(days=1), registered_at=NOW - timedelta(days=50))
    kept = ContactFactory(contact_date=today, registered_at=NOW - timedelta(days=45))
    dose = VaccinationFactory(administered_on=rules.local_date(NOW) - timedelta(days=700))  # R-ST-5: no end

    report = services.records_retention(now=NOW)

    assert report.deleted_contacts == 1
    assert list(Contact.objects.all()) == [kept]
    assert list(Vaccination.objects.all()) == [dose]


@pytest.mark.django_db
def test_r_st_10_the_history_of_a_deleted_record_stays_and_says_what_it_was():
    """Red from a positive PCR two months ago: the PCR goes, the red and its end stay in
    the citizen's history, named by their kind."""
    person_iin = iin(7)
    person = person_key(iin=person_iin)
    sampled = NOW - timedelta(days=60)
    PcrResultFactory(iin=person_iin, sampled_at=sampled, positive=True)
    services.history_update(persons=[person], now=NOW)
    before = list(StatusChange.objects.filter(person=person).values_list("changed_at", "colour").order_by("changed_at"))
    assert [colour for _at, colour in before] == ["red", "blue"]

    services.records_retention(now=NOW)
    assert not PcrResult.objects.exists()
    services.history_update(persons=[person], now=NOW + timedelta(hours=1))  # a later sync or look-up

    after = list(StatusChange.objects.filter(person=person).values_list("changed_at", "colour").order_by("changed_at"))
    assert after == before
    with translation.override("en"):
        rows = [(row.colour, str(row.reason)) for row in history_for(iin=person_iin, now=NOW + timedelta(hours=1))]
    assert rows == [("blue", "No PCR result, contact or vaccination in force"), ("red", "PCR positive")]


@pytest.mark.django_db
def test_r_st_10_after_records_went_a_later_record_still_rewrites_the_month_it_changes():
    """Settled is only what lies before the month: a late negative PCR of last week still
    enters the history, with its date."""
    person_iin = iin(8)
    person = person_key(iin=person_iin)
    PcrResultFactory(iin=person_iin, sampled_at=NOW - timedelta(days=60), positive=True)
    services.history_update(persons=[person], now=NOW)
    services.records_retention(now=NOW)

    PcrResultFactory(iin=person_iin, sampled_at=NOW - timedelta(days=7), positive=False)
    services.history_update(persons=[person], now=NOW)

    colours = list(StatusChange.objects.filter(person=person).order_by("changed_at").values_list("colour", flat=True))
    assert colours == ["red", "blue", "green", "blue"]
    with translation.override("en"):
        reason = str(history_for(iin=person_iin, now=NOW)[1].reason)
    assert reason.startswith("PCR negative, sampled ")


@pytest.mark.django_db
def test_without_a_retention_run_nothing_is_settled():
    assert services.history_settled_before() is None
    services.records_retention(now=NOW)
    assert services.history_settled_before() == NOW - rules.HISTORY_SETTLED
    services.records_retention(now=NOW - timedelta(days=1))  # a clock set back settles nothing back
    assert set(SyncState.objects.values_list("settled_before", flat=True)) == {NOW - rules.HISTORY_SETTLED}


def _change(person: str, at, colour: str) -> StatusChange:
    return StatusChange.objects.create(
        person=person, colour=colour, rule=rules.RULES[rules.Colour(colour)], changed_at=at, recorded_at=at
    )


@pytest.mark.django_db
def test_the_colour_history_goes_after_a_year_but_the_change_in_force_then():
    cutoff = NOW - rules.HISTORY_KEPT
    a, b = "a" * 64, "b" * 64
    old = _change(a, cutoff - timedelta(days=100), "green")
    in_force = _change(a, cutoff - US, "red")  # passed the year a moment ago
    recent = _change(a, NOW - timedelta(days=10), "blue")
    alone = _change(b, cutoff - timedelta(days=400), "green")  # the only change of b: in force

    assert services.records_retention(now=NOW, dry_run=True).deleted_changes == 1
    assert StatusChange.objects.count() == 4
    report = services.records_retention(now=NOW)

    assert report.deleted_changes == 1
    assert set(StatusChange.objects.all()) == {in_force, recent, alone}
    assert not StatusChange.objects.filter(pk=old.pk).exists()


@pytest.mark.django_db
def test_quarantined_records_go_after_90_days():
    for days in (91, 89):
        QuarantinedRecord.objects.create(
            registry="pcr", source_id=str(days), problem="bad", received_at=NOW - timedelta(days=days)
        )
    assert services.records_retention(now=NOW).deleted_quarantined == 1
    assert list(QuarantinedRecord.objects.values_list("source_id", flat=True)) == ["89"]


@pytest.mark.django_db
def test_the_retention_command_says_what_a_dry_run_would_delete_and_deletes_nothing():
    PcrResultFactory(sampled_at=NOW - timedelta(days=50))
    ContactFactory(contact_date=rules.local_date(NOW) - timedelta(days=50))
    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("retention", "--dry-run", stdout=out)
    assert "would delete: 1 PCR results, 1 contacts, 0 colour changes, 0 quarantined records" in out.getvalue()
    assert PcrResult.objects.count() == Contact.objects.count() == 1
    assert services.history_settled_before() is None

    with time_machine.travel(NOW, tick=False):
        call_command("retention", stdout=StringIO())
    assert not PcrResult.objects.exists() and not Contact.objects.exists()


# --- The property behind it: deleting what the retention deletes changes no colour after
# the settled moment, whatever the records (pure rules, no database).

_offsets = st.integers(min_value=0, max_value=90 * 24 * 60)  # minutes before NOW
_pcrs = st.builds(
    lambda minutes, positive, ref: rules.PcrRecord(f"p{ref}", positive, NOW - timedelta(minutes=minutes), None),
    _offsets,
    st.booleans(),
    st.integers(0, 10**6),
)
_contacts = st.builds(
    lambda days, late, ref: rules.ContactRecord(
        f"c{ref}",
        rules.local_date(NOW) - timedelta(days=days),
        NOW - timedelta(days=days) + timedelta(hours=late),
    ),
    st.integers(0, 90),
    st.integers(0, 20 * 24),
    st.integers(0, 10**6),
)
_vaccinations = st.builds(
    lambda days, dose, ref: rules.VaccinationRecord(f"v{ref}", dose, 2, rules.local_date(NOW) - timedelta(days=days)),
    st.integers(0, 120),
    st.integers(1, 2),
    st.integers(0, 10**6),
)


def _kept(pcrs, contacts):
    cutoff = NOW - rules.RECORDS_KEPT
    return (
        [p for p in pcrs if p.sampled_at >= cutoff],
        [c for c in contacts if c.contact_date >= rules.local_date(cutoff)],
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pcrs=st.lists(_pcrs, max_size=6, unique_by=lambda p: p.ref),
    contacts=st.lists(_contacts, max_size=4, unique_by=lambda c: c.ref),
    vaccinations=st.lists(_vaccinations, max_size=2, unique_by=lambda v: v.ref),
    minutes_after=st.integers(min_value=0, max_value=31 * 24 * 60),
)
def test_records_past_their_age_change_no_colour_after_the_settled_moment(pcrs, contacts, vaccinations, minutes_after):
    settled = NOW - rules.HISTORY_SETTLED
    kept_pcrs, kept_contacts = _kept(pcrs, contacts)
    end = NOW + timedelta(days=1)

    def changes(p, c):
        keys = rules.colour_change_keys(pcrs=p, contacts=c, vaccinations=vaccinations, end=end)
        return [key for key in keys if key[0] >= settled]

    assert changes(pcrs, contacts) == changes(kept_pcrs, kept_contacts)
    at = settled + timedelta(minutes=minutes_after)
    full = rules.status_at(pcrs=pcrs, contacts=contacts, vaccinations=vaccinations, at=at)
    kept = rules.status_at(pcrs=kept_pcrs, contacts=kept_contacts, vaccinations=vaccinations, at=at)
    assert (full.colour, full.rule, full.record, full.valid_until) == (
        kept.colour,
        kept.rule,
        kept.record,
        kept.valid_until,
    )
