"""Demo of Leader Ashyq (R-LD-1..5): in Almaty, Nur-Sultan, Shymkent and Karaganda, a few
clearly named venues with check-ins on both sides of each threshold (exactly the
threshold, which is not enough, and one more), for the last two closed periods.

- The period before last is computed, every list with candidates is submitted, and
  the commission's decision is dated on the first day of the current period, so its
  leaders are current today: the public pages list them and a leader's owner
  (owner-cafe in Almaty, Nur-Sultan and Shymkent, owner-hotel in Karaganda) sees the
  shifted conditions on the venue page (R-LD-5).
- The last closed period is computed; Shymkent's list is submitted and Almaty's is left
  "computed" for akimat-almaty to review. Almaty's karaoke has a burst day and more
  check-ins than its capacity can hold: it carries both flags.
- A trickle of check-ins every day since, so that no demo venue looks inactive (R-MN-2).

Runs after visitors.demo and monitoring.demo. Deterministic relative to the moment of
seeding; a second run changes nothing (venues by name, visits by venue and day, lists
and decisions by period).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models.functions import TruncDate
from django.utils import timezone

from ashyq.accounts.models import Role, User
from ashyq.demo import Credential
from ashyq.reference.models import Category, Region
from leaders import rules
from leaders.models import CandidateList, Decision, ListStatus, Period
from leaders.services import review
from leaders.services.compute import leaders_compute
from venues.codes.services import codes_issue
from venues.demo import demo_bin
from venues.models import Company, Entrance, Venue
from visitors.models import Colour, EntryMethod, ExitMethod, Visit
from visitors.services.counts import counts_rebuild, counts_rollup


@dataclass(frozen=True)
class DemoVenue:
    region: str
    company: int  # BIN serial of venues.demo's companies
    name: str
    address: str
    category: str
    capacity: int
    checkins: int  # in the last closed period
    burst: int = 0  # extra check-ins on one day of the last closed period
    before: bool = False  # the same count in the period before last (else a trickle)


# R-LD-1: city A 2000, city B 1000, oblast A 1000, oblast B 500. "Under" venues have
# exactly the threshold (or just under), which is not more than it.
# (region, BIN serial of venues.demo's company, name, address, category, capacity,
#  check-ins in the last closed period, burst, same count in the period before last)
# fmt: off
VENUES = [DemoVenue(*row) for row in [
    ("almaty", 101, "Ресторан «Көктем» (демо лидеров)", "Алматы, ул. Сатпаева, 30", "public-catering", 250, 2150, 0, True),
    ("almaty", 101, "Кинотеатр «Алатау» (демо лидеров)", "Алматы, ул. Розыбакиева, 12", "cinemas", 300, 2000),
    ("almaty", 101, "Гостиница «Медеу» (демо лидеров)", "Алматы, ул. Горная, 5", "hotels", 120, 1040, 0, True),
    ("almaty", 101, "Боулинг «Страйк» (демо лидеров)", "Алматы, пр. Достык, 85", "bowling-clubs", 60, 1000),
    ("almaty", 101, "Караоке «Жұлдыз» (демо лидеров)", "Алматы, ул. Жандосова, 2", "karaoke", 40, 1300, 800),
    ("nur-sultan", 101, "Театр «Есіл» (демо лидеров)", "Нур-Султан, ул. Туран, 20", "theatres", 400, 2100, 0, True),
    ("nur-sultan", 101, "Бассейн «Толқын» (демо лидеров)", "Нур-Султан, ул. Сыганак, 8", "swimming-pools", 150, 2000),
    ("nur-sultan", 101, "Сауна «Бу» (демо лидеров)", "Нур-Султан, ул. Кабанбай батыра, 3", "spa-centres", 40, 1001, 0, True),
    ("nur-sultan", 101, "Студия «Нота» (демо лидеров)", "Нур-Султан, ул. Бейбитшилик, 14", "rehearsal-studios", 30, 999),
    ("shymkent", 101, "Кафе «Самал» (демо лидеров)", "Шымкент, пр. Республики, 7", "public-catering", 200, 2300, 0, True),
    ("shymkent", 101, "Цирк «Шаттық» (демо лидеров)", "Шымкент, ул. Байтурсынова, 1", "circuses", 500, 1900),
    ("shymkent", 101, "Гостиница «Оазис» (демо лидеров)", "Шымкент, ул. Казыбек би, 9", "hotels", 90, 1100, 0, True),
    ("shymkent", 101, "Бильярд «Шар» (демо лидеров)", "Шымкент, ул. Тауке хана, 40", "billiard-clubs", 30, 1000),
    ("karaganda", 202, "Кафе «Шахтёр» (демо лидеров)", "Караганда, пр. Строителей, 15", "public-catering", 120, 1200, 0, True),
    ("karaganda", 202, "Кинотеатр «Бұқар» (демо лидеров)", "Караганда, ул. Гоголя, 40", "cinemas", 200, 1000),
    ("karaganda", 202, "Гостиница «Нұра» (демо лидеров)", "Караганда, ул. Ермекова, 58", "hotels", 80, 620, 0, True),
    ("karaganda", 202, "Боулинг «Кегля» (демо лидеров)", "Караганда, пр. Нуркена Абдирова, 3", "bowling-clubs", 40, 500),
]]
# fmt: on
# The burst falls on the 10th day of the last closed period.
BURST_DAY = 9
# Check-ins a day since the last period closed: well under every threshold.
TRICKLE = 25
# Last closed period: this region's akimat has submitted; Almaty's is left to review.
SUBMITTED_NOW = "shymkent"
OPENS, HOURS = time(10, 0), 10  # check-ins between 10:00 and 20:00 local


def _venues(now: datetime) -> list[Venue]:
    """The demo venues, created once with an entrance and codes issued 60 days ago."""
    companies = {serial: Company.objects.filter(bin=demo_bin(serial)).first() for serial in (101, 202)}
    regions = {r.code: r for r in Region.objects.filter(code__in={v.region for v in VENUES})}
    categories = {c.code: c for c in Category.objects.filter(code__in={v.category for v in VENUES})}
    venues = []
    for spec in VENUES:
        company = companies[spec.company]
        if company is None or spec.region not in regions or spec.category not in categories:
            continue
        venue, created = Venue.objects.get_or_create(
            company=company,
            name=spec.name,
            defaults={
                "address": spec.address,
                "region": regions[spec.region],
                "category": categories[spec.category],
                "capacity": spec.capacity,
            },
        )
        if created:
            Entrance.objects.create(venue=venue, name="Главный вход", position=0)
            codes_issue(venue=venue, actor=None, now=now - timedelta(days=60))
        venues.append(venue)
    return venues


def _per_day(spec: DemoVenue, day: date, *, last: date, current: date) -> int:
    """Check-ins of `spec` on local `day`: its period total spread evenly (the first
    days one more), plus the burst; a trickle in the current period, and in the
    period before last for the venues that are candidates only in the last."""
    start = rules.period_containing(day)[0]
    if day >= current or (start < last and not spec.before):
        return TRICKLE
    index = (day - start).days
    base, extra = divmod(spec.checkins, rules.PERIOD_DAYS)
    count = base + (1 if index < extra else 0)
    if start == last and index == BURST_DAY:
        count += spec.burst
    return count


def _visits(venue: Venue, day: date, count: int) -> list[Visit]:
    first = timezone.make_aware(datetime.combine(day, OPENS))
    step = timedelta(hours=HOURS) / max(count, 1)
    return [
        Visit(
            venue=venue,
            method=EntryMethod.SCAN,
            colour=Colour.GREEN,
            entered_at=first + step * n,
            exited_at=first + step * n + timedelta(hours=1),
            exit_method=ExitMethod.SCAN,
        )
        for n in range(count)
    ]


def _add_visits(venues: list[Venue], *, first: date, today: date, last: date, current: date) -> list[date]:
    """Check-ins for every day in [first, today) on which a demo venue has none yet."""
    specs = {spec.name: spec for spec in VENUES}
    since = timezone.make_aware(datetime.combine(first, time.min))
    seen = set(
        Visit.objects.filter(venue__in=venues, entered_at__gte=since)
        .annotate(day=TruncDate("entered_at", tzinfo=rules.LOCAL_TZ))
        .values_list("venue_id", "day")
        .distinct()
    )
    rows, days = [], set()
    for venue in venues:
        for offset in range((today - first).days):
            day = first + timedelta(days=offset)
            if (venue.pk, day) not in seen:
                rows += _visits(venue, day, _per_day(specs[venue.name], day, last=last, current=current))
                days.add(day)
    Visit.objects.bulk_create(rows, batch_size=2000)
    return sorted(days)


def _akimats() -> dict[int, User]:
    return {user.region_id: user for user in User.objects.filter(role=Role.AKIMAT).order_by("-pk")}


def _decide_before_last(start: date, *, current: date, now: datetime) -> None:
    """The period before last: every list with candidates submitted, and the decision
    dated on the first day of the current period (leaders from then for 2 weeks)."""
    period = Period.objects.get(starts_on=start)
    commission = User.objects.filter(role=Role.COMMISSION).order_by("pk").first()
    if commission is None or Decision.objects.filter(period=period).exists():
        return
    akimats = _akimats()
    lists = CandidateList.objects.filter(period=period, status=ListStatus.COMPUTED, candidates__isnull=False)
    for candidate_list in lists.distinct():
        review.submit(candidate_list, actor=akimats.get(candidate_list.region_id), now=now)
    number = f"ДЕМО-{start:%d%m%Y}"
    review.record_decision(period=period, number=number, date=current, actor=commission, now=now)


def _submit_one(start: date, *, now: datetime) -> None:
    candidate_list = CandidateList.objects.filter(
        period__starts_on=start, region__code=SUBMITTED_NOW, status=ListStatus.COMPUTED
    ).first()
    if candidate_list is not None and candidate_list.candidates.exists():
        review.submit(candidate_list, actor=_akimats().get(candidate_list.region_id), now=now)


def seed() -> list[Credential]:
    now = timezone.now()
    today = timezone.localdate(now)
    last, current = rules.last_closed_period(now)
    before = last - timedelta(days=rules.PERIOD_DAYS)
    venues = _venues(now)
    if not venues:
        return []
    days = _add_visits(venues, first=before, today=today, last=last, current=current)
    for day in days:
        counts_rebuild(day=day, now=now)
    counts_rollup(now=now)
    for start in (before, last):
        if not CandidateList.objects.filter(period__starts_on=start).exists():
            leaders_compute(period_start=start, now=now)
    _decide_before_last(before, current=current, now=now)
    if not CandidateList.objects.filter(period__starts_on=last).exclude(status=ListStatus.COMPUTED).exists():
        _submit_one(last, now=now)
    return []
