"""Guards against regressions at national scale (BENCHMARKS.md): the check-in paths —
the guard's look-up (R-CI-2) and the visitor's scan (R-CI-1) — and the public list of
participants (R-VN-6) make the same number of queries however many rows the tables
hold; on PostgreSQL, the status look-up (R-ST-8) and the check-in dedupe (R-CI-5) are
answered from their indexes in a table of realistic size (no enable_seqscan tricks)."""

import dataclasses
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ashyq.accounts.tests.factories import CitizenFactory
from statuses.models import PcrResult, SyncState, Vaccination
from statuses.persons import person_key
from statuses.tests.factories import PcrResultFactory, VaccinationFactory, iin, local
from venues.codes.selectors import code_token
from venues.conditions import conditions_version
from venues.models import Direction, QrCode
from visitors import selectors
from visitors.models import StatusLookup, Visit, VisitWindow
from visitors.tests.factories import GuardFactory, StatusLookupFactory, VisitFactory, open_venue

pytestmark = pytest.mark.django_db

T0 = local(2021, 5, 3, 19)
LOOKUP = reverse("checkin:guard_lookup")

# B1: a guard's look-up, htmx or not — the session (1: from the database here,
# since the tests clear the cache; a signed-in guard's is in the cache) and the user (1);
# the venue's entrances joined to the venue, its region and category (1: the form is
# built from them, never read again); the door facts — R-CI-7, the rate limits, the
# enumeration count, the people inside — (1); the status: sync states and records in one
# UNION ALL (1); the look-up row, the visit window (one upsert) and the visit: on
# PostgreSQL one statement (1), elsewhere three in a transaction (3, and its SAVEPOINT
# and RELEASE here inside the test's transaction: 2); the occupancy rules: none, once
# the process has decided the share of the venue's region, category, standing and day
# under the version the door facts read (venues.conditions; the first look-up of each
# test reads the zone: 1 more). The session is written only when the guard changes entrance. On SQLite the counts and the
# write are one transaction besides (the embedded mode's limits hold under concurrency:
# its SAVEPOINT and RELEASE here, 2). The limits per venue and per company are counted
# in the door facts' one statement: no query more.
ONE_STATEMENT_WRITE = connection.vendor == "postgresql"
GUARD_LOOKUP_QUERIES = 6 if ONE_STATEMENT_WRITE else 12
# B2: a citizen's entry scan — the code with its entrance, venue and exclusion (1), the
# session and the user (2), the status (1), the visit window and the visit (PostgreSQL:
# one statement; elsewhere 2 in a transaction, and SAVEPOINT and RELEASE: 4).
SCAN_QUERIES = 5 if ONE_STATEMENT_WRITE else 8


@pytest.fixture(autouse=True)
def clock():
    cache.clear()  # every look-up below computes the status: a cached one would hide queries
    with time_machine.travel(T0, tick=False) as traveller:
        SyncState.objects.update(last_success_at=T0 - timedelta(minutes=3))
        yield traveller
    cache.clear()


@pytest.fixture
def venue():
    return open_venue(now=T0 - timedelta(days=20), entrances=2, capacity=500)


def _client(user) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


def _grow(venue, guard, *, rows: int, first: int) -> None:
    """More of what the check-in paths read: the venue's open and closed visits, the
    guard's look-ups of today (rate limits), other people's registry records."""
    for n in range(first, first + rows):
        VisitFactory(venue=venue, iin=iin(n), entered_at=T0 - timedelta(minutes=n % 200))
        StatusLookupFactory(actor=guard, venue=venue, iin=iin(n), at=T0 - timedelta(minutes=2 + n % 600))
        PcrResultFactory(iin=iin(n), positive=False, sampled_at=T0 - timedelta(hours=n % 90))


def test_guard_lookup_makes_the_same_queries_with_more_rows(venue):
    """R-CI-2: a guard's look-up costs the same queries with 2 or 62 visits, look-ups
    and registry records around it: nothing is read per row."""
    guard = GuardFactory(venue=venue)
    client = _client(guard)
    entrance = venue.entrances.order_by("position").first()
    # The first look-up keeps the entrance in the guard's session (written once).
    assert client.post(LOOKUP, {"entrance": entrance.pk, "iin": iin(8999), "consent": "on"}).status_code == 200

    def queries(person: int) -> int:
        PcrResultFactory(iin=iin(9000 + person), positive=False, sampled_at=T0 - timedelta(hours=5))
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            response = client.post(LOOKUP, {"entrance": entrance.pk, "iin": iin(9000 + person), "consent": "on"})
        assert response.status_code == 200
        assert 'data-status="green"' in response.content.decode()
        assert not [q for q in captured.captured_queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]
        return len(captured)

    _grow(venue, guard, rows=2, first=0)
    few = queries(1)
    _grow(venue, guard, rows=60, first=100)
    many = queries(2)
    assert many == few == GUARD_LOOKUP_QUERIES
    assert Visit.objects.filter(venue=venue, person=person_key(iin=iin(9002))).count() == 1
    assert StatusLookup.objects.filter(actor=guard).count() == 1 + 2 + 60 + 2


def test_guard_repeat_within_30_minutes_makes_no_more_queries_than_a_first_entry(venue):
    """R-CI-5: the second entry of a person within 30 minutes is found by the window's
    unique row, not by reading his visits; it records the look-up only."""
    guard = GuardFactory(venue=venue)
    client = _client(guard)
    entrance = venue.entrances.first()
    _grow(venue, guard, rows=20, first=0)
    data = {"entrance": entrance.pk, "iin": iin(7777), "consent": "on"}
    assert client.post(LOOKUP, {**data, "iin": iin(7776)}).status_code == 200  # the entrance is remembered
    cache.clear()
    with CaptureQueriesContext(connection) as first:
        assert client.post(LOOKUP, data).status_code == 200
    cache.clear()
    with CaptureQueriesContext(connection) as repeat:
        assert client.post(LOOKUP, data).status_code == 200
    # The window's upsert finds the row unexpired and returns nothing: no visit written
    # (PostgreSQL: the same statement inserts none and reopens none; elsewhere the
    # reopening of a visit closed by an exit, R-CI-5, in place of the visit's INSERT).
    assert len(first) == GUARD_LOOKUP_QUERIES
    assert len(repeat) == GUARD_LOOKUP_QUERIES
    assert not [q for q in repeat.captured_queries if q["sql"].startswith('INSERT INTO "visitors_visit" ')]
    assert Visit.objects.filter(person=person_key(iin=iin(7777))).count() == 1


def _entry_url(venue) -> str:
    code = QrCode.objects.select_related("entrance").get(
        entrance__venue=venue, entrance__position=0, direction=Direction.ENTRY, revoked_at__isnull=True
    )
    return reverse("checkin:scan", args=[code_token(code)])


def test_visitor_scan_makes_the_same_queries_with_more_rows(venue):
    """R-CI-1: a citizen's scan of /q/<token> costs the same queries whatever the
    number of visits, look-ups and registry records around it."""
    guard = GuardFactory(venue=venue)
    url = _entry_url(venue)

    def queries(person: int) -> int:
        citizen = CitizenFactory(iin=iin(8000 + person))
        VaccinationFactory(
            iin=iin(8000 + person), dose=2, doses_in_scheme=2, administered_on=T0.date() - timedelta(days=30)
        )
        client = _client(citizen)
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        assert 'data-status="green"' in response.content.decode()
        return len(captured)

    _grow(venue, guard, rows=2, first=0)
    few = queries(1)
    _grow(venue, guard, rows=60, first=100)
    assert queries(2) == few == SCAN_QUERIES
    assert Visit.objects.filter(venue=venue, person=person_key(iin=iin(8002)), method="scan").count() == 1


def test_a_repeated_scan_within_30_minutes_shows_the_first_time_at_no_extra_query(venue, clock):
    """R-CI-5: the second scan says when the counted one was, at the cost of a first
    scan on PostgreSQL: the write statement returns it (the open window's end).
    Elsewhere it is read from the citizen's visits, after the reopening of a visit
    closed by an exit (R-CI-5 with R-CI-6): one query more."""
    citizen = CitizenFactory(iin=iin(8100))
    VaccinationFactory(iin=iin(8100), dose=2, doses_in_scheme=2, administered_on=T0.date() - timedelta(days=30))
    client = _client(citizen)
    url = _entry_url(venue)
    assert client.get(url).status_code == 200
    clock.shift(timedelta(minutes=12))
    cache.clear()
    with CaptureQueriesContext(connection) as repeat:
        response = client.get(url)
    assert "Already checked in at 19:00" in response.content.decode()
    assert len(repeat) == SCAN_QUERIES + (0 if ONE_STATEMENT_WRITE else 1)
    assert Visit.objects.filter(person=person_key(iin=iin(8100))).count() == 1


def test_public_participants_make_the_same_queries_for_5_or_60_venues(venue, client):
    """R-VN-6: the region's public list is one page of 25 with its category, counted
    once: the queries do not grow with the venues."""
    region = venue.region
    url = reverse("codes:participant_list", args=[region.code])
    for _ in range(4):
        open_venue(now=T0 - timedelta(days=20), region=region)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured)

    few = queries()
    for _ in range(55):
        open_venue(now=T0 - timedelta(days=20), region=region)
    assert queries() == few
    assert client.get(url, {"page": 3}).status_code == 200


# --- PostgreSQL: the plans of the hot look-ups -----------------------------------------------------

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN plans of PostgreSQL")


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def _indexes_on(table: str, column: str) -> list[str]:
    """The names of the indexes of `table` on `column` (first)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
        names = [
            name
            for name, definition in cursor.fetchall()
            if definition.split(" USING btree ")[1].startswith(f"({column}")
        ]
    assert names
    return names


@postgres_only
def test_status_lookup_reads_the_records_by_their_person_index():
    """R-ST-8, R-ID-5: status_for finds a person's records by the blind index's own
    index among 30,000 PCR results and 20,000 vaccinations of other people."""
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO statuses_pcrresult (source_id, person, changed_at, positive, sampled_at)
               SELECT 'q' || g, md5(g::text) || md5((g + 1)::text), now(), false, now() - g * interval '1 minute'
               FROM generate_series(1, 30000) g"""
        )
        cursor.execute(
            """INSERT INTO statuses_vaccination (source_id, person, changed_at, vaccine, dose, doses_in_scheme,
                                                  administered_on)
               SELECT 'q' || g, md5(g::text) || md5((g + 7)::text), now(), 'Sputnik V', 2, 2, current_date - 30
               FROM generate_series(1, 20000) g"""
        )
        cursor.execute("ANALYZE statuses_pcrresult")
        cursor.execute("ANALYZE statuses_vaccination")
    person = person_key(iin=iin(1))
    pcr_plan = _plan(PcrResult.objects.filter(person__in=[person]).values_list("source_id", "sampled_at"))
    assert any(name in pcr_plan for name in _indexes_on("statuses_pcrresult", "person"))
    assert "Seq Scan" not in pcr_plan
    vaccination_plan = _plan(Vaccination.objects.filter(person__in=[person]).values_list("source_id", "dose"))
    assert any(name in vaccination_plan for name in _indexes_on("statuses_vaccination", "person"))
    assert "Seq Scan" not in vaccination_plan


@postgres_only
def test_checkin_dedupe_reads_the_window_by_its_unique_index(venue):
    """R-CI-5: the 30-minute window of (venue, person) is found by the unique index
    visit_window_unique among 50,000 windows of 4 venues, most of them expired
    (until within two hours before and 30 minutes after the entry)."""
    others = [open_venue(now=T0 - timedelta(days=20), region=venue.region) for _ in range(3)]
    venue_ids = [venue.pk, *(other.pk for other in others)]
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO visitors_visitwindow (venue_id, person, until)
               SELECT (%s::bigint[])[1 + g %% 4], md5(g::text) || md5((g + 3)::text),
                      %s::timestamptz + (g %% 150 - 120) * interval '1 minute'
               FROM generate_series(1, 50000) g""",
            [venue_ids, T0],
        )
        cursor.execute("ANALYZE visitors_visitwindow")
    person = person_key(iin=iin(2))
    # The conflict check and conditional update of visitors.services.checkin._window_claim's
    # upsert, as a read.
    plan = _plan(VisitWindow.objects.filter(venue=venue, person=person, until__lte=T0))
    assert "visit_window_unique" in plan
    assert "Seq Scan" not in plan


@postgres_only
def test_the_door_facts_statement_reused_on_postgresql_answers_as_the_orm_builds_it(venue):
    """B1: door_facts compiles its statement once per process on PostgreSQL and
    runs it with each look-up's values: the answers are those of the statement the ORM
    builds for those values (R-CI-7, the rate limits, the enumeration count, R-CI-6)."""
    guard = GuardFactory(venue=venue)
    _grow(venue, guard, rows=12, first=0)
    looked_up = StatusLookup.objects.filter(actor=guard).order_by("at").last()
    StatusLookup.objects.filter(actor=guard).update(birth_key="a" * 16)  # one birth date for all
    entrance = venue.entrances.first()
    for now in (T0, T0 - timedelta(minutes=30), T0 + timedelta(hours=5)):
        for who, birth in ((looked_up.person, "a" * 16), ("y" * 64, "a" * 16), ("x" * 64, None)):
            for door in (entrance, None):
                values = {
                    "venue": venue.pk, "company": venue.company_id, "entrance": door.pk if door else None, "person": who,
                    "birth": birth, "now": now, "minute_ago": now - timedelta(minutes=1),
                    "day_ago": now - timedelta(days=1), "hour_ago": now - timedelta(hours=1),
                    "open_since": now - timedelta(hours=4),
                }  # fmt: skip
                expected = selectors._door_facts_query(**values).get()
                facts = selectors.door_facts(guard=guard, venue=venue, entrance=door, person=who, birth=birth, now=now)
                assert dataclasses.astuple(facts) == expected
    assert selectors.door_facts(
        guard=guard, venue=venue, entrance=entrance, person="x" * 64, birth=None, now=T0
    ) == selectors.DoorFacts(standing="participant", live_code=True, venue_minute=0, venue_day=12, company_minute=0,
                             company_day=12, same_birth_venue=0, same_birth_company=0, inside=12,
                             conditions_version=conditions_version())  # fmt: skip
