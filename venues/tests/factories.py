from datetime import date

import factory
from django.utils import timezone

from ashyq.accounts.models import Role
from ashyq.accounts.tests.factories import UserFactory
from ashyq.identifiers import make_bin
from ashyq.reference.tests.factories import CategoryFactory, RegionFactory
from venues.models import Application, ApplicationStatus, Company, Entrance, Venue
from venues.standing.services import standing_issue, standing_open


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    bin = factory.Sequence(lambda n: make_bin(registered=date(2016, 1 + n % 12, 1), serial=10000 + n))
    name = factory.Sequence(lambda n: f"ТОО «Компания {n}»")
    owner = factory.SubFactory(UserFactory, role=Role.OWNER)


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue
        skip_postgeneration_save = True

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Объект {n}")
    address = factory.Sequence(lambda n: f"г. Алматы, ул. Абая, {n}")
    region = factory.SubFactory(RegionFactory)
    category = factory.SubFactory(CategoryFactory)
    capacity = 100
    phone = factory.Sequence(lambda n: f"+7702{n:07d}")
    created_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def standing(venue, create, extracted, **kwargs):
        """R-VN-9: the history the services write — test mode from the first issue of
        codes (`codes_first_issued_at`), else approved without codes."""
        if not create:
            return
        if venue.codes_first_issued_at is not None:
            standing_issue(venue=venue, at=venue.codes_first_issued_at)
        else:
            standing_open(venue=venue, at=venue.created_at)


class EntranceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entrance

    venue = factory.SubFactory(VenueFactory)
    name = factory.Sequence(lambda n: f"Вход {n}")
    position = factory.Sequence(int)


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A decided application; refused by default, with one failed OKED check."""

    class Meta:
        model = Application

    company = factory.SubFactory(CompanyFactory)
    submitted_by = factory.LazyAttribute(lambda o: o.company.owner)
    submitted_at = factory.LazyFunction(timezone.now)
    name = factory.Sequence(lambda n: f"Заявка {n}")
    address = factory.Sequence(lambda n: f"г. Алматы, ул. Абая, {n}")
    region = factory.SubFactory(RegionFactory)
    category = factory.SubFactory(CategoryFactory)
    oked = "56101"
    notification_number = factory.Sequence(lambda n: f"KZ-TEST-{n}")
    notification_date = date(2021, 4, 1)
    capacity = 50
    entrances = factory.LazyFunction(lambda: ["Главный вход", "Двор"])
    phone = factory.Sequence(lambda n: f"+7705{n:07d}")
    status = ApplicationStatus.REFUSED
    checks = factory.LazyFunction(
        lambda: [
            {
                "code": "bin_registered",
                "passed": True,
                "reason": "ok",
                "params": {"bin": "x", "name": "x"},
                "message": "",
            },
            {
                "code": "oked_category",
                "passed": False,
                "reason": "mismatch",
                "params": {"oked": "56101", "category": "Караоке", "codes": "93290"},
                "message": "OKED mismatch",
            },
        ]
    )
    decided_at = factory.LazyAttribute(lambda o: o.submitted_at)
