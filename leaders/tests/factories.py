"""Helpers of the leaders tests: venues of a tier and region kind, and their visits."""

from datetime import date, datetime, timedelta

from ashyq.accounts.models import Role
from ashyq.accounts.tests.factories import UserFactory
from ashyq.reference.models import Tier
from ashyq.reference.tests.factories import CategoryFactory, RegionFactory
from leaders import rules
from leaders.models import Decision, Leader, Period
from venues.standing.rules import local_midnight
from venues.standing.services import standing_lead
from venues.tests.factories import VenueFactory
from visitors.models import Colour, EntryMethod, ExitMethod, Visit
from visitors.tests.factories import count_visits

PERIOD = date(2021, 5, 10)  # anchor + 14 days: 10 May – 24 May 2021 (R-LD-2)


def tier_venue(*, tier: str = Tier.A, city: bool = False, region=None, capacity: int = 1000, **fields):
    """A venue of a category of `tier` ("" for no tier) in a city or an oblast."""
    region = region or RegionFactory(city=city)
    category = CategoryFactory(tier=tier) if tier else CategoryFactory(untiered=True)
    return VenueFactory(region=region, category=category, capacity=capacity, **fields)


def add_visits(
    venue, count: int, *, start: datetime | None = None, refused: bool = False, method: str = EntryMethod.SCAN
) -> None:
    """`count` check-ins at `venue`, spread evenly over the 14 days from `start`
    (the period's first moment by default) so that no day stands out; scanned by the
    visitors unless `method` says they were typed by the guard."""
    start = start or rules.period_bounds_utc(PERIOD)[0]
    step = timedelta(days=14) / max(count, 1)
    Visit.objects.bulk_create(
        Visit(
            venue=venue,
            method=method,
            colour=Colour.RED if refused else Colour.GREEN,
            entered_at=start + step * n,
            exited_at=start + step * n if refused else None,
            exit_method=ExitMethod.REFUSED if refused else None,
        )
        for n in range(count)
    )
    count_visits()


def leader_term(venue, starts_on: date, ends_on: date, *, recorded_at: datetime | None = None, period=None) -> Leader:
    """A Leader row of `venue` for [starts_on, ends_on) by a decision recorded at
    `recorded_at` (the first moment of `starts_on` by default), and the venue's leader
    standing as the decision writes it (R-LD-3, R-VN-9)."""
    recorded_at = recorded_at or local_midnight(starts_on)
    period = (
        period or Period.objects.get_or_create(starts_on=date(2021, 4, 26), defaults={"ends_on": date(2021, 5, 10)})[0]
    )
    decision = Decision.objects.create(
        period=period,
        number=f"L-{venue.pk}-{starts_on.isoformat()}",
        date=starts_on,
        recorded_by=UserFactory(role=Role.COMMISSION),
        recorded_at=recorded_at,
    )
    leader = Leader.objects.create(venue=venue, decision=decision, starts_on=starts_on, ends_on=ends_on)
    standing_lead(
        venue_id=venue.pk,
        at=max(recorded_at, local_midnight(starts_on)),
        until=local_midnight(ends_on),
        decision=decision.pk,
    )
    return leader
