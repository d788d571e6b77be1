"""Rows of our copy of the registries (as a sync would have left them) and their sync state.

Tests of the sync itself go through the mock registries over HTTP (the `registry`
fixture); these factories serve the reads (selectors, commands) that start from data
already synced.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import factory
from django.db.models import F
from django.utils import timezone

from ashyq.identifiers import make_iin
from statuses.models import RECORD_MODELS, Contact, PcrResult, SyncState, Vaccination
from statuses.persons import person_key

ALMATY = ZoneInfo("Asia/Almaty")


def local(*args: int) -> datetime:
    """An aware Asia/Almaty datetime (+06:00 in 2021)."""
    return datetime(*args, tzinfo=ALMATY)


def iin(n: int) -> str:
    """A valid adult IIN, different for every n (0-9999)."""
    return make_iin(birth_date=date(1975, 3, 1) + timedelta(days=n % 9000), sex="male", serial=n % 10000)


class RecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    class Params:
        iin = factory.Sequence(iin)

    source_id = factory.Sequence(lambda n: str(100000 + n))
    person = factory.LazyAttribute(lambda o: person_key(iin=o.iin))
    changed_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        record = super()._create(model_class, *args, **kwargs)
        # As a sync page does: new records bump the registry's version (a change counter).
        registry = {model: name for name, model in RECORD_MODELS.items()}[model_class]
        SyncState.objects.filter(registry=registry).update(version=F("version") + 1)
        return record


class PcrResultFactory(RecordFactory):
    class Meta:
        model = PcrResult

    positive = False
    sampled_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=10))
    resulted_at = factory.LazyAttribute(lambda o: o.sampled_at + timedelta(hours=6))


class ContactFactory(RecordFactory):
    class Meta:
        model = Contact

    contact_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=1))
    registered_at = factory.LazyFunction(timezone.now)


class VaccinationFactory(RecordFactory):
    class Meta:
        model = Vaccination

    vaccine = "Sputnik V"
    dose = 2
    doses_in_scheme = 2
    administered_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))


def synced(at: datetime, registries=("pcr", "contacts", "vaccinations")) -> None:
    """Every named registry last synced successfully at `at` (R-ST-9 tests)."""
    for registry in registries:
        SyncState.objects.update_or_create(registry=registry, defaults={"last_success_at": at})
