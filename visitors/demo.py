"""Demo check-ins: three weeks at the demo venues with a daily rhythm, so that occupancy,
the daily counts (R-CI-9) and the leader lists (R-LD-1) have something to show.

- Check-ins from the first issue of each venue's codes (the venues in test mode have
  two days of them) until now, busiest at lunch and in the evening, fewer on Mondays;
  the cafe in Almaty is busy enough to pass the tier-A threshold of a city.
- About 1 % red and 2 % yellow at the door, turned away and reported (R-CI-3).
- Some people inside now at the guarded cafe, so its guard page shows an occupancy.
- The demo citizen +77010000001 has a few visits and guard look-ups of his status
  (R-PR-4), never in the last 30 minutes, so his own scan in the demo counts (R-CI-5).
- A few remote checks a day (R-CI-8), and the daily counts rolled up.

Deterministic (random.Random(2021)) relative to the moment of seeding. Runs after
venues.codes.demo (the guard account). A second run changes nothing: it stops when
the demo venues have check-ins.
"""

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from ashyq.accounts.models import User
from ashyq.demo import Credential
from ashyq.identifiers import make_iin
from statuses.persons import person_key
from venues.codes.demo import GUARD_PHONE, GUARDED_VENUE
from venues.demo import VENUES
from venues.models import Venue
from visitors import rules
from visitors.models import Colour, DoorReport, EntryMethod, ExitMethod, RemoteCheck, StatusLookup, Visit
from visitors.services.counts import counts_rebuild, counts_rollup

DAYS = 21
SEED = 2021
# Check-ins on an ordinary day, by venue name; other venues get 40.
PER_DAY = {
    "Кафе «Дастархан»": 160,
    "Кинотеатр «Арман»": 150,
    "Фитнес «Шымкент Спорт»": 60,
    "Отель «Сарыарка»": 40,
    "Бильярд «Кий»": 45,
    "Банк «Центр» (отделение)": 40,
}
# Local hour → weight: lunch and evening peaks, closed at night.
HOURS = {9: 2, 10: 3, 11: 4, 12: 7, 13: 8, 14: 5, 15: 4, 16: 4, 17: 5, 18: 8, 19: 9, 20: 7, 21: 4, 22: 2}
WEEKDAY_FACTOR = [0.8, 0.9, 0.9, 1.0, 1.2, 1.3, 1.1]  # Monday … Sunday
PEOPLE = 4000
INSIDE_NOW = 12  # people in the guarded cafe at the moment of seeding


def _people() -> list[str]:
    """Blind indexes of synthetic adults (never the demo citizens' IINs)."""
    return [
        person_key(iin=make_iin(birth_date=date(1960, 1, 1) + timedelta(days=n * 5), sex="male", serial=5000 + n))
        for n in range(PEOPLE)
    ]


def _colour(rng: random.Random) -> str:
    draw = rng.random()
    if draw < 0.01:
        return Colour.RED
    if draw < 0.03:
        return Colour.YELLOW
    if draw < 0.55:
        return Colour.GREEN
    return Colour.BLUE


def _visit(*, venue, entrance, person, colour, method, entered_at, now, rng, user=None) -> Visit:
    """One check-in as the services would have left it by `now`: red and yellow closed
    at once (R-CI-3), others left by an exit scan, closed after 4 h, or still inside."""
    visit = Visit(
        venue=venue, entrance=entrance, person=person, user=user, method=method, colour=colour, entered_at=entered_at
    )
    if colour in (Colour.RED, Colour.YELLOW):
        visit.exited_at, visit.exit_method = entered_at, ExitMethod.REFUSED
    elif rng.random() < 0.4:  # R-CI-4: exit scans are optional
        exited_at = entered_at + timedelta(minutes=rng.randint(20, 180))
        if exited_at <= now:
            visit.exited_at, visit.exit_method = exited_at, ExitMethod.SCAN
    if visit.exited_at is None and entered_at + rules.AUTO_CLOSE_AFTER <= now:
        visit.exited_at, visit.exit_method = entered_at + rules.AUTO_CLOSE_AFTER, ExitMethod.AUTO
    return visit


def _day_visits(venue, entrances, people, day: date, *, now, rng) -> list[Visit]:
    count = round(PER_DAY.get(venue.name, 40) * WEEKDAY_FACTOR[day.weekday()] * rng.uniform(0.85, 1.15))
    hours = rng.choices(list(HOURS), weights=list(HOURS.values()), k=count)
    visits, last_entry = [], {}
    for hour in sorted(hours):
        entered_at = timezone.make_aware(datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60))))
        person = rng.choice(people)
        if entered_at > now or entered_at < venue.codes_first_issued_at:
            continue
        if entered_at - last_entry.get(person, entered_at - rules.VISIT_WINDOW) < rules.VISIT_WINDOW:
            continue  # R-CI-5: the same visit
        last_entry[person] = entered_at
        method = EntryMethod.GUARD if rng.random() < 0.15 else EntryMethod.SCAN
        visits.append(
            _visit(
                venue=venue,
                entrance=rng.choice(entrances),
                person=person,
                colour=_colour(rng),
                method=method,
                entered_at=entered_at,
                now=now,
                rng=rng,
            )
        )
    return visits


def _citizen_rows(venue, entrance, guard, *, now) -> tuple[list[Visit], list[StatusLookup]]:
    """The demo citizen's own history: three visits to the cafe, two of them entered
    by the guard (look-ups of his status that he sees, R-PR-4)."""
    from ashyq.mocks.demo import DEMO_IIN_GREEN_PCR

    person = person_key(iin=DEMO_IIN_GREEN_PCR)
    citizen = User.objects.filter(phone="+77010000001").first()
    visits, lookups = [], []
    for days_ago, hour, by_guard in ((9, 13, True), (4, 19, False), (1, 12, True)):
        at = timezone.make_aware(datetime.combine(timezone.localdate(now) - timedelta(days=days_ago), time(hour, 5)))
        method = EntryMethod.GUARD if by_guard else EntryMethod.SCAN
        visit = Visit(
            venue=venue,
            entrance=entrance,
            person=person,
            user=None if by_guard else citizen,
            method=method,
            colour=Colour.GREEN,
            entered_at=at,
            exited_at=at + timedelta(hours=1, minutes=20),
            exit_method=ExitMethod.SCAN,
        )
        visits.append(visit)
        if by_guard and guard is not None:
            lookups.append(StatusLookup(actor=guard, venue=venue, person=person, colour=Colour.GREEN, at=at))
    return visits, lookups


SILENT_VENUE = "Бильярд «Кий»"
SILENT_DAYS = 5


def seed() -> list[Credential]:
    names = [row[1] for row in VENUES]
    venues = list(
        Venue.objects.filter(name__in=names, codes_first_issued_at__isnull=False)
        .select_related("region")
        .prefetch_related("entrances")
        .order_by("pk")
    )
    if not venues or Visit.objects.filter(venue__in=venues).exists():
        return []
    now = timezone.now()
    rng = random.Random(SEED)  # noqa: S311 (demo data, not a secret)
    people = _people()
    today = timezone.localdate(now)
    visits: list[Visit] = []
    for venue in venues:
        entrances = list(venue.entrances.all())
        # The billiard club has fallen silent for five days: the monitoring demo flags it
        # for inactivity (R-MN-2).
        last_back = SILENT_DAYS if venue.name == SILENT_VENUE else 0
        for back in range(DAYS, last_back - 1, -1):
            day = today - timedelta(days=back)
            visits += _day_visits(venue, entrances, people[:-INSIDE_NOW], day, now=now, rng=rng)

    cafe = next((v for v in venues if v.name == GUARDED_VENUE), venues[0])
    cafe_entrance = cafe.entrances.all()[0]
    # People inside right now, whatever the hour of seeding (R-CI-6).
    for n in range(INSIDE_NOW):
        entered_at = now - timedelta(minutes=rng.randint(5, 200))
        visits.append(
            Visit(
                venue=cafe,
                entrance=cafe_entrance,
                person=people[-1 - n],
                method=EntryMethod.SCAN,
                colour=rng.choice([Colour.GREEN, Colour.BLUE]),
                entered_at=entered_at,
            )
        )
    guard = User.objects.filter(phone=GUARD_PHONE).first()
    citizen_visits, lookups = _citizen_rows(cafe, cafe_entrance, guard, now=now)
    visits += citizen_visits
    Visit.objects.bulk_create(visits, batch_size=1000)
    StatusLookup.objects.bulk_create(lookups)
    by_pk = {venue.pk: venue for venue in venues}
    DoorReport.objects.bulk_create(
        DoorReport(venue_id=v.venue_id, region_id=by_pk[v.venue_id].region_id, at=v.entered_at, colour=v.colour)
        for v in visits
        if v.colour in (Colour.RED, Colour.YELLOW)
    )
    remote = []
    for back in range(DAYS, -1, -1):
        day = today - timedelta(days=back)
        for _ in range(rng.randint(15, 30)):
            at = timezone.make_aware(datetime.combine(day, time(rng.randint(7, 22), rng.randrange(60))))
            if at <= now:
                remote.append(RemoteCheck(at=at, colour=_colour(rng)))
    RemoteCheck.objects.bulk_create(remote)
    for back in range(DAYS, -1, -1):
        counts_rebuild(day=today - timedelta(days=back), now=now)
    counts_rollup(now=now)  # and on from the mark, as the worker does every few minutes
    return []
