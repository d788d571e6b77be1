"""Records of the mock registries. `create()` goes through services.record_save, so
every factory record has its change number and is in the feed like any other."""

from datetime import date, timedelta

import factory
from django.utils import timezone

from ashyq.identifiers import make_bin, make_iin
from ashyq.mocks.models import (
    CompanyRecord,
    ContactRecord,
    NotificationRecord,
    PcrRecord,
    SubscriberRecord,
    VaccinationRecord,
)
from ashyq.mocks.services import record_save


def iin(n: int) -> str:
    """A valid adult IIN, different for every n (0-9999)."""
    return make_iin(birth_date=date(1980, 1, 1) + timedelta(days=n % 7000), sex="female", serial=n % 10000)


def bin_(n: int) -> str:
    return make_bin(registered=date(2012, 6, 1), serial=n)


class RecordFactory(factory.Factory):
    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return record_save(model_class(*args, **kwargs))


class PcrRecordFactory(RecordFactory):
    class Meta:
        model = PcrRecord

    iin = factory.Sequence(iin)
    passport = None
    country = None
    result = "negative"
    sampled_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=10))
    resulted_at = factory.LazyAttribute(lambda o: o.sampled_at + timedelta(hours=6))

    class Params:
        foreigner = factory.Trait(iin=None, passport=factory.Sequence(lambda n: f"N{n:08d}"), country="DE")
        positive = factory.Trait(result="positive")


class ContactRecordFactory(RecordFactory):
    class Meta:
        model = ContactRecord

    iin = factory.Sequence(iin)
    registered_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    contact_date = factory.LazyAttribute(lambda o: timezone.localdate(o.registered_at) - timedelta(days=1))


class VaccinationRecordFactory(RecordFactory):
    class Meta:
        model = VaccinationRecord

    iin = factory.Sequence(iin)
    vaccine = "QazVac"
    dose = 2
    doses_in_scheme = 2
    administered_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))


class SubscriberRecordFactory(RecordFactory):
    class Meta:
        model = SubscriberRecord

    phone = factory.Sequence(lambda n: f"+7705{n:07d}")
    iin = factory.Sequence(iin)


class CompanyRecordFactory(RecordFactory):
    class Meta:
        model = CompanyRecord

    bin = factory.Sequence(bin_)
    name = factory.Sequence(lambda n: f"ТОО «Компания {n}»")
    oked = factory.LazyFunction(lambda: ["56101"])


class NotificationRecordFactory(RecordFactory):
    class Meta:
        model = NotificationRecord

    number = factory.Sequence(lambda n: f"KZ99UCA{n:08d}")
    date = date(2021, 4, 1)
    bin = factory.Sequence(bin_)
    address = factory.Sequence(lambda n: f"Алматы, ул. Абая, {n + 1}")
