"""Rows of check-ins, look-ups and reports, and venues ready to take check-ins."""

from datetime import datetime

import factory
from django.utils import timezone

from ashyq.accounts.models import Role
from ashyq.accounts.tests.factories import UserFactory
from statuses.persons import person_key
from statuses.tests.factories import iin
from venues.codes.services import codes_issue
from venues.models import GuardConsent, Venue
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
    """A guard (R-VN-7): a citizen's phone account; pass `venue` to make it that venue's
    guard, the holder having accepted."""

    role = Role.CITIZEN
    phone = factory.Sequence(lambda n: f"+7703{n:07d}")
    password = factory.django.Password(None)

    @factory.post_generation
    def venue(obj, create, extracted, **kwargs):
        if extracted is not None:
            accepted = {"guard_phone": obj.phone, "guard_consent": GuardConsent.ACCEPTED}
            Venue.objects.filter(pk=extracted.pk).update(**accepted)
            extracted.guard_phone, extracted.guard_consent = obj.phone, GuardConsent.ACCEPTED


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
    company = factory.LazyAttribute(lambda o: o.venue.company if o.venue else None)
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
    """Count every day that has check-ins or look-ups again (visitors.services.counts.counts_rebuild),
    as far as the mark: the rollup counts check-ins written now, not those a test
    writes with past moments."""
    days = {timezone.localdate(moment) for moment in Visit.objects.values_list("entered_at", flat=True)}
    days |= {timezone.localdate(moment) for moment in StatusLookup.objects.values_list("at", flat=True)}
    for day in sorted(days):
        counts_rebuild(day=day)
