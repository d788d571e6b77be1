"""Rows of check-ins, look-ups and reports, and venues ready to take check-ins."""

from datetime import datetime

import factory
from django.utils import timezone

from ashyq.accounts.models import Role
from ashyq.accounts.tests.factories import UserFactory
from statuses.persons import person_key
from statuses.tests.factories import iin
from venues.codes.services import codes_issue
from venues.models import Venue
from venues.tests.factories import EntranceFactory, VenueFactory
from visitors.models import Colour, DoorReport, EntryMethod, RemoteCheck, StatusLookup, Visit
from visitors.services.counts import counts_rebuild


def open_venue(*, now: datetime | None = None, entrances: int = 1, **fields) -> Venue:
    """An approved venue with `entrances` entrances and their live entry and exit
    codes (R-VN-4), as the application decision leaves it."""
    venue = VenueFactory(**fields)
    for position in range(entrances):
        EntranceFactory(venue=venue, name=f"Вход {position + 1}", position=position)
    codes_issue(venue=venue, actor=None, now=now or timezone.now())
    return venue


class GuardFactory(UserFactory):
    """A guard account (R-VN-7); pass `venue` to make it that venue's guard."""

    role = Role.GUARD
    phone = factory.Sequence(lambda n: f"+7703{n:07d}")
    password = factory.django.Password(None)

    @factory.post_generation
    def venue(obj, create, extracted, **kwargs):
        if extracted is not None:
            Venue.objects.filter(pk=extracted.pk).update(guard_phone=obj.phone)
            extracted.guard_phone = obj.phone


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    class Params:
        iin = factory.Sequence(lambda n: iin(5000 + n))

    venue = factory.SubFactory(VenueFactory)
    entrance = None
    person = factory.LazyAttribute(lambda o: person_key(iin=o.iin))
    method = EntryMethod.SCAN
    colour = Colour.GREEN
    entered_at = factory.LazyFunction(timezone.now)


class StatusLookupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StatusLookup

    class Params:
        iin = factory.Sequence(lambda n: iin(7000 + n))

    actor = factory.SubFactory(GuardFactory)
    venue = factory.SubFactory(VenueFactory)
    person = factory.LazyAttribute(lambda o: person_key(iin=o.iin))
    colour = Colour.GREEN
    at = factory.LazyFunction(timezone.now)


class DoorReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DoorReport

    venue = factory.SubFactory(VenueFactory)
    region = factory.LazyAttribute(lambda o: o.venue.region)
    colour = Colour.RED
    at = factory.LazyFunction(timezone.now)


class RemoteCheckFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RemoteCheck

    colour = Colour.GREEN
    at = factory.LazyFunction(timezone.now)


def count_visits() -> None:
    """Count every day that has check-ins again (visitors.services.counts.counts_rebuild),
    as far as the mark: the rollup counts check-ins written now, not those a test
    writes with past moments."""
    days = {timezone.localdate(moment) for moment in Visit.objects.values_list("entered_at", flat=True)}
    for day in sorted(days):
        counts_rebuild(day=day)
