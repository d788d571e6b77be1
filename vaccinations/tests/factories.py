"""Vaccines, medical workers and entries, as the pages and services leave them."""

import factory
from django.utils import timezone

from ashyq.accounts.models import Role
from ashyq.accounts.tests.factories import UserFactory
from vaccinations.models import Vaccine


class VaccineFactory(factory.django.DjangoModelFactory):
    """A reference vaccine; the data migration's (gone in transactional tests) are reused."""

    class Meta:
        model = Vaccine
        django_get_or_create = ("code",)

    code = "sputnik-v"
    name = factory.LazyAttribute(lambda o: {"sputnik-v": "Sputnik V", "qazvac": "QazVac"}.get(o.code, o.code))
    maker = "Gamaleya Research Institute"
    doses = 2
    registry_names = "Спутник V"
    product = "Sputnik-V"
    manufacturer = "Gamaleya-Research-Institute"


class MedicFactory(UserFactory):
    role = Role.MEDIC
    organisation = "Городская поликлиника № 5"


def today():
    return timezone.localdate()
