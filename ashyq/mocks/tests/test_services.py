"""Writes to the mock registries (R-RG-4): the load file, record changes, the failure switch, the demo."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils import translation

from ashyq.mocks import demo
from ashyq.mocks.models import (
    CompanyRecord,
    ContactRecord,
    MockCursor,
    MockFailure,
    NotificationRecord,
    PcrRecord,
    SubscriberRecord,
    VaccinationRecord,
)
from ashyq.mocks.services import (
    company_set,
    contact_add,
    failure_set,
    notification_set,
    pcr_add,
    record_update,
    records_load,
    subscriber_set,
    vaccination_add,
)
from ashyq.mocks.tests.factories import PcrRecordFactory, bin_, iin
from ashyq.reference.models import OkedCode

pytestmark = pytest.mark.django_db

ALMATY = ZoneInfo("Asia/Almaty")
T0 = datetime(2021, 5, 10, 12, 0, tzinfo=ALMATY)


@pytest.fixture(autouse=True)
def english():
    # The messages are compared word for word; Russian is the default language.
    with translation.override("en"):
        yield


def load_file() -> dict:
    return {
        "pcr": [
            {
                "iin": iin(1),
                "passport": None,
                "country": None,
                "result": "positive",
                "sampled_at": "2021-05-01T10:00:00+06:00",
                "resulted_at": "2021-05-02T09:00:00+06:00",
            },
            {
                "iin": None,
                "passport": "N1234567",
                "country": "DE",
                "result": "negative",
                "sampled_at": "2021-05-01T10:00:00+06:00",
                "resulted_at": None,
            },
        ],
        "contacts": [{"iin": iin(2), "contact_date": "2021-05-01", "registered_at": "2021-05-02T12:00:00+06:00"}],
        "vaccinations": [
            {"iin": iin(3), "vaccine": "QazVac", "dose": 2, "doses_in_scheme": 2, "administered_on": "2021-05-01"}
        ],
        "subscribers": [{"phone": "+7 701 123 45 67", "iin": iin(1)}],
        "companies": [{"bin": bin_(1), "name": "ТОО «Тест»", "oked": ["56101"]}],
        "notifications": [{"number": "KZ36UCA00000001", "date": "2021-04-01", "bin": bin_(1), "address": "Алматы"}],
    }


def all_counts() -> list[int]:
    models = [PcrRecord, ContactRecord, VaccinationRecord, SubscriberRecord, CompanyRecord, NotificationRecord]
    return [model.objects.count() for model in models]


def messages(exc_info) -> list[str]:
    return exc_info.value.messages


class TestRecordsLoad:
    def test_loads_every_registry_and_counts(self):
        counts = records_load(load_file())
        assert counts == {
            "pcr": 2,
            "contacts": 1,
            "vaccinations": 1,
            "subscribers": 1,
            "companies": 1,
            "notifications": 1,
        }
        assert all_counts() == [2, 1, 1, 1, 1, 1]

    def test_stores_aware_datetimes_normalised_phones_and_foreigners(self):
        records_load(load_file())
        citizen = PcrRecord.objects.get(iin=iin(1))
        assert citizen.sampled_at == datetime(2021, 5, 1, 4, 0, tzinfo=UTC)
        foreigner = PcrRecord.objects.get(passport="N1234567")
        assert (foreigner.iin, foreigner.country, foreigner.resulted_at) == (None, "DE", None)
        assert SubscriberRecord.objects.get().phone == "+77011234567"
        assert VaccinationRecord.objects.get().administered_on == date(2021, 5, 1)

    def test_change_numbers_follow_the_file_order(self):
        records_load(load_file())
        assert list(PcrRecord.objects.order_by("seq").values_list("iin", flat=True)) == [iin(1), None]

    def test_one_bad_record_loads_nothing_and_says_where(self):
        data = load_file()
        data["vaccinations"][0]["administered_on"] = "01.05.2021"
        with pytest.raises(ValidationError) as exc_info:
            records_load(data)
        assert messages(exc_info) == ["vaccinations[0]: administered_on: must be a date as YYYY-MM-DD"]
        assert all_counts() == [0, 0, 0, 0, 0, 0]
        assert not MockCursor.objects.exists()

    def test_every_bad_record_is_listed(self):
        data = load_file()
        data["pcr"][0]["sampled_at"] = "2021-05-01T10:00:00"  # naive
        data["pcr"][1]["iin"] = iin(5)  # both an IIN and a passport
        data["contacts"][0]["iin"] = iin(2)[:-1] + str((int(iin(2)[-1]) + 1) % 10)  # wrong check digit
        data["companies"][0]["oked"] = "56101"
        with pytest.raises(ValidationError) as exc_info:
            records_load(data)
        found = messages(exc_info)
        assert len(found) == 4
        assert found[0] == "pcr[0]: sampled_at: must give its UTC offset, such as +06:00"
        assert found[1] == "pcr[1]: give either iin, or passport and country (not both)"
        assert found[2].startswith("contacts[0]: iin: ")
        assert found[3] == "companies[0]: oked: must be a non-empty list of OKED codes"
        assert all_counts() == [0, 0, 0, 0, 0, 0]

    @pytest.mark.parametrize(
        ("change", "expected"),
        [
            ({"iin": None}, "pcr[0]: give either iin, or passport and country (not both)"),
            ({"iin": None, "passport": "N1234567"}, "pcr[0]: give either iin, or passport and country (not both)"),
            ({"result": "unknown"}, 'pcr[0]: result: must be "positive" or "negative"'),
            ({"resulted_at": "2021-04-30T10:00:00+06:00"}, "pcr[0]: resulted_at: must not be before sampled_at"),
            ({"colour": "red"}, "pcr[0]: colour: unknown field"),
        ],
    )
    def test_pcr_record_checks(self, change, expected):
        data = {"pcr": [load_file()["pcr"][0] | change]}
        with pytest.raises(ValidationError) as exc_info:
            records_load(data)
        assert messages(exc_info) == [expected]

    def test_a_missing_field_is_named(self):
        record = load_file()["contacts"][0]
        del record["registered_at"]
        with pytest.raises(ValidationError) as exc_info:
            records_load({"contacts": [record]})
        assert messages(exc_info) == ["contacts[0]: registered_at: missing"]

    def test_dose_beyond_the_scheme_is_refused(self):
        record = load_file()["vaccinations"][0] | {"dose": 3}
        with pytest.raises(ValidationError, match="dose: must not be greater than doses_in_scheme"):
            records_load({"vaccinations": [record]})

    def test_unknown_registry_and_wrong_container_are_refused(self):
        with pytest.raises(ValidationError) as exc_info:
            records_load({"passports": [], "pcr": {}})
        assert messages(exc_info)[0].startswith("passports: unknown registry")
        assert messages(exc_info)[1] == "pcr: must be a list of records"
        with pytest.raises(ValidationError):
            records_load([])

    def test_a_key_twice_in_one_file_is_refused(self):
        data = {"subscribers": [{"phone": "+77011234567", "iin": iin(1)}, {"phone": "87011234567", "iin": iin(2)}]}
        with pytest.raises(ValidationError) as exc_info:
            records_load(data)
        assert messages(exc_info) == ["subscribers[1]: phone: the same as subscribers[0]"]

    def test_loading_a_known_key_again_updates_the_record_and_moves_it_in_the_feed(self):
        records_load({"subscribers": [{"phone": "+77011234567", "iin": iin(1)}]})
        before = SubscriberRecord.objects.get()
        records_load({"subscribers": [{"phone": "+77011234567", "iin": iin(2)}]})
        after = SubscriberRecord.objects.get()
        assert (after.pk, after.iin) == (before.pk, iin(2))
        assert after.seq > before.seq

    def test_health_records_are_added_again(self):
        records_load({"pcr": load_file()["pcr"]})
        records_load({"pcr": load_file()["pcr"]})
        assert PcrRecord.objects.count() == 4


class TestRecordChanges:
    def test_every_helper_adds_a_feed_change(self):
        with time_machine.travel(T0, tick=False):
            made = [
                pcr_add(iin=iin(1), result="positive", sampled_at=T0 - timedelta(days=1)),
                pcr_add(passport="N1234567", country="DE", result="negative", sampled_at="2021-05-09T10:00:00+06:00"),
                contact_add(iin=iin(2), contact_date=date(2021, 5, 9), registered_at=T0),
                vaccination_add(iin=iin(3), vaccine="QazVac", dose=1, doses_in_scheme=2, administered_on="2021-05-01"),
                subscriber_set("+77011234567", iin(1)),
                company_set(bin_(1), "ТОО «Тест»", ["56101"]),
                notification_set("KZ1", date(2021, 4, 1), bin_(1), "Алматы"),
            ]
        assert all(record.pk and record.seq >= 1 and record.changed_at == T0 for record in made)
        assert made[1].seq == made[0].seq + 1  # one cursor per registry

    def test_helpers_refuse_bad_values_and_store_nothing(self):
        with pytest.raises(ValidationError, match="sampled_at"):
            pcr_add(iin=iin(1), result="positive", sampled_at=datetime(2021, 5, 1, 10, 0))  # noqa: DTZ001
        with pytest.raises(ValidationError):
            subscriber_set("12345", iin(1))
        assert all_counts() == [0, 0, 0, 0, 0, 0]

    def test_set_updates_by_key_with_a_new_change(self):
        first = subscriber_set("+77011234567", iin(1))
        second = subscriber_set("+7 701 123 45 67", iin(2))
        assert second.pk == first.pk
        assert second.seq > first.seq
        assert SubscriberRecord.objects.get().iin == iin(2)

    def test_record_update_keeps_the_id_and_takes_a_new_change_number(self):
        record, later = PcrRecordFactory.create_batch(2)
        with time_machine.travel(T0, tick=False):
            updated = record_update("pcr", record.pk, result="positive")
        assert updated.pk == record.pk
        assert updated.seq > later.seq
        assert updated.changed_at == T0
        assert PcrRecord.objects.get(pk=record.pk).result == "positive"

    def test_a_bad_update_changes_nothing(self):
        record = PcrRecordFactory.create()
        with pytest.raises(ValidationError):
            record_update("pcr", record.pk, result="maybe")
        with pytest.raises(ValidationError, match="seq: unknown field"):
            record_update("pcr", record.pk, seq=1)
        stored = PcrRecord.objects.get(pk=record.pk)
        assert (stored.result, stored.seq) == (record.result, record.seq)

    def test_moving_a_key_onto_another_records_key_is_refused(self):
        subscriber_set("+77011234567", iin(1))
        other = subscriber_set("+77011234568", iin(2))
        with pytest.raises(ValidationError, match="another record"):
            record_update("subscribers", other.pk, phone="+77011234567")


class TestFailureSet:
    def test_sets_and_resets_the_request_count(self):
        failure = failure_set("pcr", error_rate=0.5, latency_ms=100, malformed_rate=0.1, bad_record_rate=0.2, seed=1)
        MockFailure.objects.filter(pk=failure.pk).update(requests=7)
        failure = failure_set("pcr", error_rate=0.5, seed=1)
        assert (failure.error_rate, failure.latency_ms, failure.malformed_rate, failure.requests) == (0.5, 0, 0, 0)
        assert MockFailure.objects.count() == 1

    @pytest.mark.parametrize(
        "kwargs",
        [{"error_rate": 1.5}, {"malformed_rate": -0.1}, {"bad_record_rate": "half"}, {"latency_ms": -1}, {"seed": "x"}],
    )
    def test_refuses_values_out_of_range(self, kwargs):
        with pytest.raises(ValidationError):
            failure_set("pcr", **kwargs)
        assert not MockFailure.objects.exists()

    def test_refuses_an_unknown_registry(self):
        with pytest.raises(ValidationError, match="Unknown registry"):
            failure_set("passports", error_rate=1)


class TestDemo:
    def test_demo_records_give_each_colour_their_inputs(self):
        with time_machine.travel(T0, tick=False):
            assert demo.seed() == []
        red = PcrRecord.objects.get(iin=demo.DEMO_IIN_RED)
        assert (red.result, red.sampled_at) == ("positive", T0 - timedelta(days=2))
        assert ContactRecord.objects.get(iin=demo.DEMO_IIN_YELLOW).registered_at == T0 - timedelta(days=1)
        green = PcrRecord.objects.get(iin=demo.DEMO_IIN_GREEN_PCR)
        assert (green.result, green.sampled_at) == ("negative", T0 - timedelta(hours=10))
        final = VaccinationRecord.objects.get(iin=demo.DEMO_IIN_GREEN_VACCINATED, dose=2)
        assert (final.doses_in_scheme, final.administered_on) == (2, date(2021, 4, 10))
        assert not PcrRecord.objects.filter(iin=demo.DEMO_IIN_BLUE).exists()
        assert not ContactRecord.objects.filter(iin=demo.DEMO_IIN_BLUE).exists()
        assert PcrRecord.objects.get(passport=demo.DEMO_PASSPORT, country=demo.DEMO_COUNTRY).result == "negative"
        assert dict(SubscriberRecord.objects.values_list("phone", "iin")) == {
            "+77010000001": demo.DEMO_IIN_GREEN_PCR,
            "+77010000002": demo.DEMO_IIN_RED,
            "+77010000003": demo.DEMO_IIN_GREEN_VACCINATED,
            "+77010000004": demo.DEMO_IIN_YELLOW,
            "+77010000005": demo.DEMO_IIN_BLUE,
        }

    def test_demo_companies_have_the_oked_of_their_venues_and_notifications_match(self):
        from venues.demo import VENUES, demo_bin

        demo.seed()
        for serial, _name, address, _region, category, _capacity in VENUES:
            company = CompanyRecord.objects.get(bin=demo_bin(serial))
            # R-VN-2: some code of the company matches the venue's category (R-REF-5).
            assert OkedCode.objects.filter(code__in=company.oked, categories__code=category).exists()
            assert NotificationRecord.objects.filter(bin=demo_bin(serial), address=address).exists()
        mismatch = CompanyRecord.objects.get(bin=demo.DEMO_OKED_MISMATCH["bin"])
        category = demo.DEMO_OKED_MISMATCH["category"]
        assert not OkedCode.objects.filter(code__in=mismatch.oked, categories__code=category).exists()
        assert NotificationRecord.objects.get(number=demo.DEMO_OKED_MISMATCH["notification_number"]).bin == mismatch.bin

    def test_a_second_run_changes_nothing(self):
        with time_machine.travel(T0, tick=False):
            demo.seed()
        before = [model.objects.aggregate(Max("seq"))["seq__max"] for model in (PcrRecord, SubscriberRecord)]
        counts = all_counts()
        with time_machine.travel(T0 + timedelta(minutes=30), tick=False):
            demo.seed()
        assert [model.objects.aggregate(Max("seq"))["seq__max"] for model in (PcrRecord, SubscriberRecord)] == before
        assert all_counts() == counts

    def test_a_run_days_later_moves_the_health_records_to_now(self):
        with time_machine.travel(T0, tick=False):
            demo.seed()
        later = T0 + timedelta(days=5)
        with time_machine.travel(later, tick=False):
            demo.seed()
        assert PcrRecord.objects.get(iin=demo.DEMO_IIN_GREEN_PCR).sampled_at == later - timedelta(hours=10)
        assert PcrRecord.objects.get(iin=demo.DEMO_IIN_RED).sampled_at == later - timedelta(days=2)
        assert PcrRecord.objects.count() == 3
