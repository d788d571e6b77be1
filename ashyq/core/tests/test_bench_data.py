"""The benchmarks' data set (BENCHMARKS.md) at a tiny size: valid adult IINs whose colour
is the one status_for computes from what the command stored, venues in every region and
category, and four weeks of check-ins with a daily rhythm. PostgreSQL only (COPY,
generate_series); on SQLite the command refuses with a clear message."""

from collections import Counter
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from ashyq.accounts.models import Role, User
from ashyq.core.management.commands.bench_data import colour_of, iin_for, kind_of
from ashyq.identifiers import parse_iin
from ashyq.reference.models import Category, Region
from statuses.persons import person_key
from statuses.selectors import status_for
from venues.models import QrCode, Venue
from visitors.models import Visit

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="bench_data needs PostgreSQL")
SIZES = {"people": 4000, "venues": 60, "checkins": 6000, "scale": 1.0, "guards": 5, "citizens": 20, "processes": 1}


def _fill():
    cache.clear()
    call_command("bench_data", **SIZES, stdout=open("/dev/null", "w"))  # noqa: SIM115 (closed at exit)


def _persons() -> dict[int, tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT n, person, colour FROM bench_person")
        return {n: (person, colour) for n, person, colour in cursor.fetchall()}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the refusal on SQLite")
def test_refuses_sqlite_with_a_clear_message():
    with pytest.raises(CommandError, match="needs PostgreSQL"):
        call_command("bench_data", scale=0.0001)
    assert not Venue.objects.exists()


def test_iins_are_valid_unique_adults():
    """R-ID-1, R-ID-2: every bench person has a valid IIN, adult in 2021, none twice."""
    numbers = [iin_for(n) for n in range(0, 2_000_000, 37)]
    assert len(set(numbers)) == len(numbers)
    for number in numbers[::500]:
        assert parse_iin(number).is_adult_on(timezone.localdate().replace(year=2021))


@postgres_only
def test_people_have_the_colour_status_for_computes_from_the_stored_records():
    """R-ST-1…R-ST-6: the mix is stored where status_for reads it (our copy of the
    registries, by blind index, R-ID-5): each kind gives its colour; 70 % are in no
    registry and blue."""
    _fill()
    persons = _persons()
    pool = len(persons)
    assert pool == 1200  # 30 % of 4,000
    samples = {}
    for n in range(pool):
        samples.setdefault(kind_of(n)[0], n)
    assert set(samples) == {"vaccinated", "pcr_negative", "pcr_old", "contact", "pcr_positive", "contact_old"}
    expected = {"vaccinated": "green", "pcr_negative": "green", "pcr_old": "blue", "contact": "yellow"}
    expected |= {"pcr_positive": "red", "contact_old": "blue"}
    for kind, n in samples.items():
        assert persons[n] == (person_key(iin=iin_for(n)), expected[kind])
        report = status_for(iin=iin_for(n))
        assert (str(report.colour), report.fresh) == (expected[kind], True), kind
    assert str(status_for(iin=iin_for(pool + 5)).colour) == "blue" == colour_of(pool + 5, pool=pool)
    colours = Counter(colour for _person, colour in persons.values())
    assert colours["green"] > colours["blue"] > colours["yellow"] > colours["red"] > 0


@postgres_only
def test_venues_cover_every_region_and_category_as_participants():
    """R-REF-1, R-REF-3, R-VN-4, R-VN-6: every region and category has venues, each
    with a company and an owner and live entry and exit codes; most are past test mode."""
    _fill()
    venues = Venue.objects.all()
    assert venues.count() == 60
    assert set(venues.values_list("region", flat=True)) == set(Region.objects.values_list("pk", flat=True))
    assert set(venues.values_list("category", flat=True)) == set(Category.objects.values_list("pk", flat=True))
    assert not venues.filter(codes_first_issued_at__isnull=True).exists()
    assert venues.filter(company__owner__role=Role.OWNER).count() == 60
    live = QrCode.objects.filter(revoked_at__isnull=True, entrance__position=0)
    assert live.filter(direction="entry").count() == live.filter(direction="exit").count() == 60
    past_test_mode = venues.filter(codes_first_issued_at__lt=timezone.now() - timedelta(days=7)).count()
    assert 50 <= past_test_mode < 60
    guarded = venues.filter(guard_consent="accepted").values("guard_phone")
    assert User.objects.filter(role=Role.CITIZEN, phone__in=guarded).count() == 5
    assert User.objects.filter(role=Role.CITIZEN, iin_index__isnull=False).count() == 20


@postgres_only
def test_checkins_cover_four_weeks_with_a_daily_rhythm():
    """R-CI-1…R-CI-6 at scale: the 28 days up to now, every day some, evenings busier
    than nights; refused red and yellow visitors are closed at once (R-CI-3); visits of
    the last hours still open, the older ones closed (R-CI-4)."""
    now = timezone.now()
    _fill()
    visits = list(Visit.objects.values_list("entered_at", "colour", "exit_method", "exited_at", "person"))
    assert len(visits) == 6000
    assert all(now - timedelta(days=28) <= at < timezone.now() for at, *_rest in visits)
    days = Counter(timezone.localdate(at) for at, *_rest in visits)
    assert len([day for day, count in days.items() if count >= 100]) >= 27
    assert not [at for at, _c, _m, exited_at, _p in visits if exited_at is None and at < now - timedelta(hours=4)]
    hours = Counter(timezone.localtime(at).hour for at, *_rest in visits)
    evening, night = sum(hours[h] for h in (18, 19, 20, 21)), sum(hours[h] for h in (2, 3, 4, 5))
    assert evening > 10 * max(night, 1)
    persons = {person for person, _colour in _persons().values()}
    for _at, colour, exit_method, exited_at, person in visits[:500]:
        assert person in persons
        assert (exit_method == "refused") == (colour in ("red", "yellow"))
        if exit_method == "refused":
            assert exited_at == _at


@postgres_only
def test_refuses_a_database_that_holds_a_data_set():
    _fill()
    with pytest.raises(CommandError, match="already holds"):
        call_command("bench_data", **SIZES)
    assert Venue.objects.count() == 60
